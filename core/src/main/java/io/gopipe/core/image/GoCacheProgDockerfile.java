package io.gopipe.core.image;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Points the {@code go} commands of a Dockerfile (generated or the user's own) at the remote Go build
 * cache: every {@code RUN} that mounts the Go build cache ({@link GoCacheMounts}) gets
 * {@code GOCACHEPROG} = relay + bridge, the forwarded tunnel socket, the two binaries and a cache
 * mount for the bridge's files. The binaries come from one extra stage that builds them offline from
 * a named context with the Go toolchain of the RUN's own stage image (or the Go image), so the user
 * adds nothing. The rewrite uses constant strings only: the step's cache key is the same on every
 * build; what changes per build (the prefetch key) comes in a build secret, which is not part of it.
 */
final class GoCacheProgDockerfile {

    /** The {@code --ssh} id of the tunnel socket. */
    static final String SSH_ID = "gopipe-gocache";
    /** The secret with extra bridge arguments (prefetch key, read-only), one a line. */
    static final String ARGS_SECRET = "gopipe-gocache-args";
    static final String STAGE = "gopipe-gocache-bridge";
    static final String BIN = "/run/gopipe-gocache-bin";
    static final String SOCKET = "/run/gopipe-gocache.sock";
    static final String DIR = "/run/gopipe-gocache-dir";
    static final String ARGS = "/run/gopipe-gocache-args";
    private static final String HEREDOC_END = "GOPIPE_SOURCE_END";

    private static final Pattern FROM = Pattern.compile("(?i)^FROM\\s+((?:--\\S+\\s+)*)(\\S+)(?:\\s+AS\\s+(\\S+))?\\s*$");
    private static final Pattern OWN_NETWORK = Pattern.compile("--network=(?!host\\s)\\S+\\s");
    private static final Pattern MOUNT = Pattern.compile("--mount=(\"[^\"]*\"|\\S+)");
    private static final List<String> RELAY_SOURCES = List.of("main.go", "go.mod");

    /** The rewritten Dockerfile and how many RUN steps now use the remote cache. */
    /**
     * The rewritten Dockerfile and how many RUN steps now use the remote cache; {@code directRuns} of
     * them through the direct link (the others through the tunnel).
     */
    record Result(String dockerfile, int runs, List<String> skipped, int directRuns) {

        Result(String dockerfile, int runs, List<String> skipped) {
            this(dockerfile, runs, skipped, 0);
        }

        /** Whether some RUN needs the tunnel's ssh socket and the args secret. */
        boolean usesTunnel() {
            return runs > directRuns;
        }
    }

    private GoCacheProgDockerfile() {
    }

    /**
     * Rewrites {@code dockerfile}. {@code goImage} builds the bridge when the RUN's stage image is not a
     * plain reference (an ARG, an earlier stage).
     */
    static Result augment(String dockerfile, String goImage) {
        return augment(dockerfile, goImage, null);
    }

    /**
     * As {@link #augment(String, String)}; {@code bridgeImage} maps the bridge stage's
     * {@code [--platform=… ]IMAGE} to a pushed image holding {@code /out/bridge} and {@code /out/relay}
     * ({@link #bridgeImageDockerfile}), or to null to build the stage inside this build.
     */
    static Result augment(String dockerfile, String goImage, java.util.function.UnaryOperator<String> bridgeImage) {
        return augment(dockerfile, goImage, bridgeImage, false);
    }

    /**
     * As {@link #augment(String, String, java.util.function.UnaryOperator)}; with {@code direct} the RUN
     * steps reach the agent through {@link DirectGoCacheLink} (the link in the {@code FTP_PROXY} build
     * arg) instead of the tunnel: no ssh and no secret mount (see there why).
     */
    static Result augment(String dockerfile, String goImage, java.util.function.UnaryOperator<String> bridgeImage,
                          boolean direct) {
        Set<String> goCacheIds = GoCacheMounts.parse(dockerfile).stream()
                .filter(m -> m.kind() == GoCacheMounts.Kind.GOCACHE).map(GoCacheMounts.Mount::id)
                .collect(Collectors.toSet());
        String[] lines = dockerfile.split("\r?\n", -1);
        List<String> out = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Set<String> stageNames = new HashSet<>();
        java.util.Map<String, String> stageUsers = new java.util.HashMap<>();
        String stageName = null;
        String user = null; // the stage's USER so far; null for root
        String stageImage = null;
        String stagePlatform = "";
        String bridgeFrom = null;
        int firstFrom = -1;
        int runs = 0;
        int directRuns = 0;
        int i = 0;
        while (i < lines.length) {
            int start = i;
            StringBuilder joined = new StringBuilder();
            while (i < lines.length) {
                String l = lines[i++].strip();
                if (l.startsWith("#") && joined.length() > 0) {
                    continue; // a comment inside a continued instruction
                }
                if (l.endsWith("\\") && !l.startsWith("#")) {
                    joined.append(l, 0, l.length() - 1).append(' ');
                    continue;
                }
                joined.append(l);
                break;
            }
            String instr = joined.toString().strip();
            String keyword = instr.split("\\s+", 2)[0].toUpperCase(Locale.ROOT);
            if (keyword.equals("FROM")) {
                if (firstFrom < 0) {
                    firstFrom = out.size();
                }
                Matcher m = FROM.matcher(instr);
                if (m.matches()) {
                    String image = m.group(2);
                    stagePlatform = m.group(1) == null ? "" : m.group(1).strip();
                    stageImage = image.contains("$") || stageNames.contains(image.toLowerCase(Locale.ROOT)) ? null : image;
                    // A stage built on an earlier one starts as that stage's user.
                    user = stageUsers.get(image.toLowerCase(Locale.ROOT));
                    stageName = m.group(3) == null ? null : m.group(3).toLowerCase(Locale.ROOT);
                    if (stageName != null) {
                        stageNames.add(stageName);
                    }
                }
            }
            if (keyword.equals("USER")) {
                String u = instr.substring(4).strip();
                user = u.isEmpty() || u.equals("root") || u.equals("0") || u.startsWith("0:") || u.startsWith("root:")
                        ? null : u;
                if (stageName != null) {
                    stageUsers.put(stageName, user);
                }
            }
            if (keyword.equals("RUN") && mountsGoCache(instr, goCacheIds)) {
                String rest = instr.substring(3).strip();
                String flags = flagsOf(rest);
                String command = rest.substring(flags.length()).strip();
                if (command.startsWith("[") || command.startsWith("<<")) {
                    skipped.add(instr);
                } else {
                    if (bridgeFrom == null) {
                        bridgeFrom = (stagePlatform.isEmpty() ? "" : stagePlatform + " ")
                                + (stageImage != null ? stageImage : goImage);
                    }
                    // A RUN with a network of its own (none, default) cannot reach the agent's loopback port.
                    boolean viaLink = direct && !OWN_NETWORK.matcher(flags).find();
                    out.add("RUN " + mounts(user, viaLink) + flags + (viaLink ? directPrefix() : prefix()) + command);
                    runs++;
                    directRuns += viaLink ? 1 : 0;
                    continue;
                }
            }
            for (int k = start; k < i; k++) {
                out.add(lines[k]);
            }
        }
        if (runs == 0) {
            return new Result(dockerfile, 0, skipped);
        }
        String pushed = bridgeImage == null ? null : bridgeImage.apply(bridgeFrom);
        List<String> stage = pushed == null ? stage(bridgeFrom) : List.of(
                "# Added by gopipe: the Go build cache bridge, built once per Go image and pushed (see docs/image.md).",
                "FROM " + (bridgeFrom.startsWith("--") ? bridgeFrom.substring(0, bridgeFrom.indexOf(' ') + 1) : "")
                        + pushed + " AS " + STAGE, "");
        out.addAll(Math.max(firstFrom, 0), stage);
        return new Result(String.join("\n", out), runs, skipped, directRuns);
    }

    /**
     * The bridge stage. The sources are written into the Dockerfile as heredocs rather than sent as a
     * named context: measured on dockerd 26, a stage fed by a named local context was compiled again
     * on every change build although the registry cache held it; a stage whose only inputs are the
     * image and the Dockerfile's own text is found in the registry cache.
     */
    private static List<String> stage(String from) {
        List<String> l = new ArrayList<>();
        l.add("# Added by gopipe: the Go build cache bridge, built offline with this image's Go (cached like any step).");
        l.add("FROM " + from + " AS " + STAGE);
        sources().forEach((name, text) -> {
            l.add("COPY <<'" + HEREDOC_END + "' /gopipe-src/" + name);
            l.add(text.endsWith("\n") ? text.substring(0, text.length() - 1) : text);
            l.add(HEREDOC_END);
        });
        // Offline (GOPROXY=off), so no network: it then builds on a builder without a bridge network too.
        l.add("RUN --network=none mkdir -p /out && "
                + "export CGO_ENABLED=0 GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod GOWORK=off GOCACHEPROG= && "
                + "(cd /gopipe-src/bridge && go build -trimpath -ldflags=-s -o /out/bridge . && "
                + "cd /gopipe-src/relay && go build -trimpath -ldflags=-s -o /out/relay .) || "
                + "(rm -f /out/bridge /out/relay; echo \"gopipe: cannot build the Go build cache bridge with"
                + " $(go version 2>&1) (GOCACHEPROG needs go1.24): building without the remote cache\")");
        l.add("");
        return l;
    }

    /**
     * The Dockerfile of the image that carries the bridge for one {@code [--platform=… ]IMAGE}: the
     * bridge stage, then only {@code /out/} in a scratch image. Its hash names the image's tag, so a
     * new bridge source or Go image gives a new image.
     */
    static String bridgeImageDockerfile(String from) {
        return String.join("\n", stage(from)) + "FROM scratch\nCOPY --from=" + STAGE + " /out/ /out/\n";
    }

    /** The bridge's and the relay's sources by path ({@code bridge/main.go}, ...). */
    static java.util.Map<String, String> sources() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        io.gopipe.core.gocache.BridgeBinary.sources().forEach((k, v) ->
                m.put("bridge/" + k, new String(v, java.nio.charset.StandardCharsets.UTF_8)));
        for (String s : RELAY_SOURCES) {
            try (InputStream in = GoCacheProgDockerfile.class.getResourceAsStream("gocache-relay/" + s)) {
                if (in == null) {
                    throw new IllegalStateException("gopipe jar lacks the relay source gocache-relay/" + s);
                }
                m.put("relay/" + s, new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        for (var e : m.entrySet()) {
            if (e.getValue().lines().anyMatch(HEREDOC_END::equals)) {
                throw new IllegalStateException(e.getKey() + " contains the heredoc delimiter " + HEREDOC_END);
            }
        }
        return m;
    }

    /**
     * The mounts the bridge needs, usable by the RUN's user: the secret (only the prefetch key) is
     * world-readable, and a non-root user gets a bridge folder of its own: folders root's builds left
     * in a shared one are not writable for it (measured: "open /run/gopipe-gocache-dir/tmp/…:
     * permission denied", a failed build). A numeric USER owns its folder; a named one (whose uid is
     * only known inside the image) gets a world-writable one that only its builds use.
     */
    static String mounts(String user) {
        return mounts(user, false);
    }

    /** As {@link #mounts(String)}; {@code direct} leaves out the ssh and secret mounts. */
    static String mounts(String user, boolean direct) {
        String dir = "--mount=type=cache,id=gopipe-gocache-bridge-dir,target=" + DIR + ",mode=0777 ";
        if (user != null) {
            String[] ug = user.split(":", 2);
            String owner = ug[0].matches("\\d+") ? ",uid=" + ug[0] + ",gid="
                    + (ug.length > 1 && ug[1].matches("\\d+") ? ug[1] : ug[0]) : "";
            dir = "--mount=type=cache,id=gopipe-gocache-bridge-dir-" + user.replaceAll("[^A-Za-z0-9_.-]", "_")
                    + ",target=" + DIR + ",mode=0777" + owner + " ";
        }
        return "--mount=type=bind,from=" + STAGE + ",source=/out,target=" + BIN + " "
                + (direct ? "" : "--mount=type=ssh,id=" + SSH_ID + ",target=" + SOCKET + ",required=false,mode=0666 "
                + "--mount=type=secret,id=" + ARGS_SECRET + ",target=" + ARGS + ",required=false,mode=0444 ")
                + dir;
    }

    /** Sets GOCACHEPROG for the whole shell command; a missing bridge (old Go) leaves it unset. */
    private static String prefix() {
        return "if [ -x " + BIN + "/relay ] && [ -x " + BIN + "/bridge ]; then export GOCACHEPROG=\"" + BIN
                + "/relay -agent " + SOCKET + " -args-file " + ARGS + " " + BIN + "/bridge -copy -dir " + DIR + "\"; fi; ";
    }

    /**
     * The direct link's prefix: takes gopipe's value out of {@code FTP_PROXY} (and leaves a user's own
     * alone) so that the step's commands never see it, and sets GOCACHEPROG when there is one.
     */
    private static String directPrefix() {
        return "case \"${FTP_PROXY:-}\" in \"" + DirectGoCacheLink.MAGIC + " \"*) export GOPIPE_GOCACHE_DIRECT=\"$FTP_PROXY\"; "
                + "unset FTP_PROXY ftp_proxy; if [ -x " + BIN + "/relay ] && [ -x " + BIN + "/bridge ]; then "
                + "export GOCACHEPROG=\"" + BIN + "/relay -direct-env GOPIPE_GOCACHE_DIRECT " + BIN + "/bridge -copy -dir "
                + DIR + "\"; fi;; esac; ";
    }

    /** The leading {@code --flag} words of a RUN (mounts, network, security), with their trailing space. */
    private static String flagsOf(String rest) {
        StringBuilder f = new StringBuilder();
        String r = rest;
        while (r.startsWith("--")) {
            int sp = r.indexOf(' ');
            if (sp < 0) {
                break;
            }
            f.append(r, 0, sp + 1);
            r = r.substring(sp + 1).stripLeading();
        }
        return f.toString();
    }

    private static boolean mountsGoCache(String run, Set<String> goCacheIds) {
        Matcher m = MOUNT.matcher(run);
        while (m.find()) {
            String spec = m.group(1).replace("\"", "");
            String type = null;
            String id = null;
            String target = null;
            for (String part : spec.split(",")) {
                String[] kv = part.split("=", 2);
                String k = kv[0].strip().toLowerCase(Locale.ROOT);
                String v = kv.length > 1 ? kv[1].strip() : "";
                switch (k) {
                    case "type" -> type = v;
                    case "id" -> id = v;
                    case "target", "dst", "destination" -> target = v;
                    default -> { }
                }
            }
            if ("cache".equals(type) && target != null) {
                String t = target.length() > 1 && target.endsWith("/") ? target.substring(0, target.length() - 1) : target;
                if (goCacheIds.contains(id != null ? id : t.startsWith("/") ? t : "/" + t)) {
                    return true;
                }
            }
        }
        return false;
    }
}
