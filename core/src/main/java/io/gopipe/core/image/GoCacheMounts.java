package io.gopipe.core.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Go build and module cache mounts of a Dockerfile ({@code RUN --mount=type=cache,…}), found by
 * parsing it: which cache (by id) holds GOCACHE or GOMODCACHE, and under which sub-folder when the
 * mount is a parent folder (e.g. {@code target=/root/.cache}). A mount counts when its target is, or
 * contains, the Dockerfile's {@code ENV GOCACHE}/{@code GOMODCACHE} (or {@code GOPATH/pkg/mod}), else
 * the Go images' defaults {@code /root/.cache/go-build} and {@code /go/pkg/mod}.
 */
public final class GoCacheMounts {

    /** Which Go cache a mount holds. */
    public enum Kind { GOCACHE, GOMODCACHE }

    /**
     * One cache mount that holds a Go cache.
     *
     * @param kind    the Go cache it holds
     * @param id      BuildKit's cache id (the target when the Dockerfile gives none)
     * @param subdir  the Go cache's folder inside the mount, {@code ""} for the mount itself
     * @param uid     owner the mount is created with, or null
     * @param gid     group the mount is created with, or null
     */
    public record Mount(Kind kind, String id, String subdir, String uid, String gid) {
    }

    /** The Go images' defaults (GOPATH=/go, root's HOME). */
    static final String DEFAULT_GOCACHE = "/root/.cache/go-build";
    static final String DEFAULT_GOMODCACHE = "/go/pkg/mod";

    private static final Pattern ENV_KV = Pattern.compile("(GOCACHE|GOMODCACHE|GOPATH)=(\"[^\"]*\"|\\S+)");
    private static final Pattern ENV_SPACE = Pattern.compile("^(GOCACHE|GOMODCACHE|GOPATH)\\s+(\\S+)\\s*$");
    private static final Pattern MOUNT = Pattern.compile("--mount=(\"[^\"]*\"|\\S+)");

    private GoCacheMounts() {
    }

    /** The Go cache mounts of the Dockerfile at {@code file}. */
    public static List<Mount> of(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new InvalidImageConfigException("cannot read Dockerfile " + file + ": " + e.getMessage());
        }
    }

    /** The Go cache mounts of a Dockerfile's text, one per cache id, in order. */
    public static List<Mount> parse(String dockerfile) {
        String goCache = null;
        String goModCache = null;
        String goPath = null;
        List<Map<String, String>> cacheMounts = new ArrayList<>();
        for (String instruction : instructions(dockerfile)) {
            String[] kw = instruction.split("\\s+", 2);
            String keyword = kw[0].toUpperCase(Locale.ROOT);
            String rest = kw.length > 1 ? kw[1] : "";
            if (keyword.equals("ENV")) {
                Matcher space = ENV_SPACE.matcher(rest.strip());
                if (space.matches()) {
                    rest = space.group(1) + "=" + space.group(2);
                }
                Matcher m = ENV_KV.matcher(rest);
                while (m.find()) {
                    String v = m.group(2).replace("\"", "");
                    switch (m.group(1)) {
                        case "GOCACHE" -> goCache = v;
                        case "GOMODCACHE" -> goModCache = v;
                        default -> goPath = v;
                    }
                }
            } else if (keyword.equals("RUN")) {
                Matcher m = MOUNT.matcher(rest);
                while (m.find()) {
                    Map<String, String> opts = options(m.group(1).replace("\"", ""));
                    if ("cache".equals(opts.get("type"))) {
                        cacheMounts.add(opts);
                    }
                }
            }
        }
        String gc = goCache != null ? goCache : DEFAULT_GOCACHE;
        String gm = goModCache != null ? goModCache : goPath != null ? goPath.split(":")[0] + "/pkg/mod" : DEFAULT_GOMODCACHE;
        Map<String, Mount> byId = new LinkedHashMap<>();
        for (Map<String, String> o : cacheMounts) {
            String target = trimSlash(firstNonNull(o.get("target"), o.get("dst"), o.get("destination")));
            if (target == null || o.containsKey("from")) {
                continue; // a cache seeded from another stage has a different cache key: we cannot fill it
            }
            String id = o.getOrDefault("id", target);
            Kind kind = null;
            String sub = null;
            if ((sub = under(trimSlash(gc), target)) != null) {
                kind = Kind.GOCACHE;
            } else if ((sub = under(trimSlash(gm), target)) != null) {
                kind = Kind.GOMODCACHE;
            }
            if (kind != null) {
                byId.putIfAbsent(id, new Mount(kind, id, sub, o.get("uid"), o.get("gid")));
            }
        }
        return List.copyOf(byId.values());
    }

    /** The path of {@code cache} below {@code mountTarget} ({@code ""} when equal), or null when not inside. */
    private static String under(String cache, String mountTarget) {
        if (cache.equals(mountTarget)) {
            return "";
        }
        String prefix = mountTarget.equals("/") ? "/" : mountTarget + "/";
        return cache.startsWith(prefix) ? cache.substring(prefix.length()) : null;
    }

    /** Logical instructions: comments dropped, backslash continuations joined. */
    static List<String> instructions(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String raw : text.split("\r?\n")) {
            String line = raw.strip();
            if (line.startsWith("#")) {
                continue; // comments (and parser directives) may sit inside a continued instruction
            }
            if (line.endsWith("\\")) {
                cur.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            cur.append(line);
            if (!cur.toString().isBlank()) {
                out.add(cur.toString().strip());
            }
            cur.setLength(0);
        }
        if (!cur.toString().isBlank()) {
            out.add(cur.toString().strip());
        }
        return out;
    }

    private static Map<String, String> options(String spec) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                m.put(part.substring(0, eq).strip().toLowerCase(Locale.ROOT), part.substring(eq + 1).strip());
            } else if (!part.isBlank()) {
                m.put(part.strip().toLowerCase(Locale.ROOT), "true");
            }
        }
        return m;
    }

    private static String trimSlash(String p) {
        if (p == null) {
            return null;
        }
        String s = p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
        return s.startsWith("/") ? s : "/" + s;
    }

    @SafeVarargs
    private static <T> T firstNonNull(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
