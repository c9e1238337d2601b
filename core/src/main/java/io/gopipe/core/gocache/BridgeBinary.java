package io.gopipe.core.gocache;

import io.gopipe.core.GopipeException;
import io.gopipe.core.exec.CommandRequest;
import io.gopipe.core.exec.CommandResult;
import io.gopipe.core.exec.CommandRunner;
import io.gopipe.core.exec.GoEnv;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bridge program ({@code GOCACHEPROG} for the daemon): its Go source ships in this jar (standard
 * library only) and is built offline with the build's own go, once per source and go version, into
 * {@code <cacheDir>/gopipe-gocache-bridge-<key>}. The binary is built under a temporary name and
 * renamed, so go processes and a second build at the same time never see a partial file.
 *
 * <p>The go command runs through the caller's {@link CommandRunner}; the sources are written here,
 * so {@code cacheDir} must be visible both to this JVM and to where the runner starts go (on a pod:
 * the workspace volume).
 */
public final class BridgeBinary {

    /** The source files, relative to this class's package (resources). */
    static final List<String> SOURCES = List.of("bridge/main.go", "bridge/go.mod");
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);
    private static final Pattern GO_VERSION = Pattern.compile("go(\\d+)\\.(\\d+)");

    private BridgeBinary() {
    }

    /** The bridge's source files by name ({@code main.go}, {@code go.mod}). */
    public static Map<String, byte[]> sources() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (String s : SOURCES) {
            try (InputStream in = BridgeBinary.class.getResourceAsStream(s)) {
                if (in == null) {
                    throw new IllegalStateException("gopipe jar lacks the bridge source " + s);
                }
                m.put(s.substring(s.indexOf('/') + 1), in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return m;
    }

    /**
     * The built bridge for {@code go}: reused when this source was already built with this go
     * version and platform, built otherwise.
     *
     * @param go       the go command, or null/blank for {@code go} on the runner's PATH
     * @param cacheDir where binaries are kept (created if missing)
     * @throws GoTooOldException when {@code go} is older than 1.24 (it ignores GOCACHEPROG)
     * @throws GopipeException   naming the go command and its output when the build fails
     */
    public static Path build(CommandRunner runner, String go, Path cacheDir) {
        return build(runner, go, cacheDir, null);
    }

    /**
     * As {@link #build(CommandRunner, String, Path)}, with the cache store as a second place to look:
     * a bridge another agent built for this source, go version and platform is downloaded instead
     * of compiled, and one built here is published for the next agent.
     *
     * @param shelf the store's bridges, or null for none
     */
    public static Path build(CommandRunner runner, String go, Path cacheDir, BridgeShelf shelf) {
        String bin = go == null || go.isBlank() ? "go" : go;
        Map<String, String> env = GoEnv.read(runner, bin, null, List.of("GOVERSION", "GOOS", "GOARCH", "GOEXE"));
        String version = env.get("GOVERSION");
        requireGocacheprog(version, bin);
        Map<String, byte[]> src = sources();
        String key = key(src, version + " " + env.get("GOOS") + "/" + env.get("GOARCH"));
        Path dir = cacheDir.toAbsolutePath().normalize();
        Path target = dir.resolve("gopipe-gocache-bridge-" + key + env.get("GOEXE"));
        if (Files.isExecutable(target)) {
            if (shelf != null) {
                // Built here before the store had it (or by a read-only build): the next fresh agent needs it.
                shelf.publish(key, target);
            }
            return target;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new GopipeException("cannot build the gocache bridge in " + dir + ": " + e.getMessage(), e);
        }
        if (shelf != null && shelf.fetch(key, target)) {
            return target;
        }
        Path built = compile(runner, bin, version, env.get("GOEXE"), src, dir, target);
        if (shelf != null) {
            shelf.publish(key, built);
        }
        return built;
    }

    private static Path compile(CommandRunner runner, String bin, String version, String goexe, Map<String, byte[]> src, Path dir,
                                Path target) {
        Path work = dir.resolve("build-" + UUID.randomUUID());
        try {
            Files.createDirectories(work.resolve("src"));
            for (Map.Entry<String, byte[]> e : src.entrySet()) {
                Files.write(work.resolve("src").resolve(e.getKey()), e.getValue());
            }
            Path out = work.resolve("bridge" + goexe);
            List<String> lines = new ArrayList<>();
            // Offline and self-contained: no proxy, no toolchain switch, no cgo, no workspace; and never
            // through a GOCACHEPROG, which may be this very bridge.
            CommandResult r = runner.run(CommandRequest.of(bin, "build", "-trimpath", "-ldflags=-s -w", "-o", out.toString(), ".")
                    .withWorkDir(work.resolve("src")).withTimeout(BUILD_TIMEOUT).withLines(lines::add)
                    .withEnv(Map.of("GOTOOLCHAIN", "local", "GOPROXY", "off", "CGO_ENABLED", "0", "GOWORK", "off", "GOFLAGS", "-mod=mod"))
                    .withUnset(Set.of("GOCACHEPROG")));
            if (!r.succeeded() || !Files.isRegularFile(out)) {
                throw new GopipeException("building the gocache bridge with '" + bin + "' (" + version + ") failed: "
                        + r.tailText().strip());
            }
            Files.move(out, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new GopipeException("cannot build the gocache bridge in " + dir + ": " + e.getMessage(), e);
        } finally {
            deleteTree(work);
        }
    }

    /**
     * Checks that {@code goVersion} (as {@code go env GOVERSION} prints it) honours GOCACHEPROG.
     *
     * @throws GoTooOldException naming the version when it is older than go1.24
     */
    public static void requireGocacheprog(String goVersion, String goCommand) {
        if (!supportsGocacheprog(goVersion)) {
            throw new GoTooOldException("'" + goCommand + "' is " + goVersion + ": GOCACHEPROG needs go1.24 or newer "
                    + "(older go ignores it and builds with its plain GOCACHE); use the archive build cache instead");
        }
    }

    /** Whether a go version string ({@code go1.24.2}, {@code devel go1.25-…}) honours GOCACHEPROG. */
    public static boolean supportsGocacheprog(String goVersion) {
        Matcher m = GO_VERSION.matcher(goVersion == null ? "" : goVersion);
        if (!m.find()) {
            return false;
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        return major > 1 || minor >= 24;
    }

    static String key(Map<String, byte[]> src, String toolchain) {
        MessageDigest md = Ids.sha256();
        for (Map.Entry<String, byte[]> e : src.entrySet()) {
            md.update((e.getKey() + "\0" + e.getValue().length + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            md.update(e.getValue());
        }
        md.update(toolchain.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return Ids.hex(md.digest()).substring(0, 16);
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a leftover build directory is harmless
        }
    }

    /** The go command is older than 1.24 and would ignore GOCACHEPROG. */
    public static final class GoTooOldException extends GopipeException {
        public GoTooOldException(String message) {
            super(message);
        }
    }
}
