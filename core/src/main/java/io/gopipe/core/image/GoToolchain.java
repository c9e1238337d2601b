package io.gopipe.core.image;

import io.gopipe.core.exec.CommandResult;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Picks the {@code go} command agent mode compiles with: one that satisfies the module's
 * {@code go} and {@code toolchain} lines. Agent mode runs with {@code GOTOOLCHAIN=local} (nothing
 * is downloaded), so a too old {@code go} on PATH would only fail with the go tool's own
 * "invalid go version"; here the default {@code go} is replaced by a newer installed toolchain
 * (Debian's {@code /usr/lib/go-X.Y}, {@code /usr/local/go}, {@code ~/sdk/go*}) when it is too old,
 * and an explicit {@code --go} that is too old is an error naming both.
 */
final class GoToolchain {

    private static final Pattern GO_LINE = Pattern.compile("^go\\s+(\\d+(?:\\.\\d+){0,2}\\S*)\\s*(?://.*)?$");
    private static final Pattern TOOLCHAIN_LINE = Pattern.compile("^toolchain\\s+go(\\d+(?:\\.\\d+){0,2}\\S*)\\s*(?://.*)?$");
    private static final Pattern VERSION = Pattern.compile("\\bgo(\\d+(?:\\.\\d+){0,2})");

    /** What go.mod asks for: the {@code go} line (minimum) and the {@code toolchain} line, each or null. */
    record Requirement(Path goMod, String goLine, String toolchainLine) {
        /** The lowest version that may build the module. */
        String minimum() {
            return goLine;
        }

        String describe() {
            return goMod + " says `go " + goLine + "`" + (toolchainLine == null ? "" : " and `toolchain go" + toolchainLine + "`");
        }
    }

    private final ProcessRunner runner;
    private final List<Path> searchRoots;

    /**
     * @param runner      runs {@code go version}
     * @param searchRoots where installed toolchains are looked for when the default {@code go} is too old
     */
    GoToolchain(ProcessRunner runner, List<Path> searchRoots) {
        this.runner = runner;
        this.searchRoots = List.copyOf(searchRoots);
    }

    /** Debian's and the usual install places. */
    static List<Path> defaultSearchRoots() {
        List<Path> roots = new ArrayList<>(List.of(Path.of("/usr/lib"), Path.of("/usr/local")));
        roots.add(Path.of(System.getProperty("user.home"), "sdk"));
        return roots;
    }

    /**
     * The go command to use for the module in {@code moduleDir}.
     *
     * @param requested the {@code --go} value ({@code go} when not given)
     * @param explicit  whether the user chose it ({@code --go}); then it is never replaced
     * @throws InvalidImageConfigException when no suitable toolchain is found
     */
    String select(String service, String requested, boolean explicit, Path moduleDir) {
        Requirement req = requirement(moduleDir.resolve("go.mod"));
        if (req == null || req.minimum() == null) {
            return requested;
        }
        String have = version(requested);
        if (have != null && compare(have, req.minimum()) >= 0) {
            return requested;
        }
        String found = explicit ? null : installed().stream()
                .filter(c -> c.version != null && compare(c.version, req.minimum()) >= 0)
                .min(Comparator.comparing((Candidate c) -> c.version, GoToolchain::compare))
                .map(c -> c.go.toString()).orElse(null);
        if (found != null) {
            return found;
        }
        throw new InvalidImageConfigException("service '" + service + "': " + req.describe() + ", but "
                + (explicit ? "--go " : "") + requested + " is " + (have == null ? "not runnable" : "go" + have)
                + (explicit ? "" : " and no newer toolchain is installed under " + searchRoots)
                + "; pass --go with a Go " + req.minimum() + " or newer (e.g. --go /usr/lib/go-"
                + majorMinor(req.minimum()) + "/bin/go), or build with --mode dockerfile");
    }

    /** The go.mod lines, or null when there is no readable go.mod. */
    static Requirement requirement(Path goMod) {
        if (!Files.isRegularFile(goMod)) {
            return null;
        }
        String go = null;
        String toolchain = null;
        try {
            for (String raw : Files.readAllLines(goMod)) {
                String line = raw.strip();
                Matcher g = GO_LINE.matcher(line);
                Matcher t = TOOLCHAIN_LINE.matcher(line);
                if (g.matches()) {
                    go = g.group(1);
                } else if (t.matches()) {
                    toolchain = t.group(1);
                }
            }
        } catch (IOException e) {
            return null;
        }
        return new Requirement(goMod, go, toolchain);
    }

    /** {@code 1.24.4} for a go command, or null when it does not run. */
    String version(String go) {
        List<String> out = new ArrayList<>();
        CommandResult r;
        try {
            r = runner.run(List.of(go, "version"), Map.of("GOTOOLCHAIN", "local"), null, Duration.ofMinutes(1),
                    SecretMasker.none(), out::add);
        } catch (ImageException e) {
            return null;
        }
        if (!r.succeeded()) {
            return null;
        }
        for (String l : out) {
            Matcher m = VERSION.matcher(l);
            if (l.startsWith("go version") && m.find()) {
                return m.group(1);
            }
        }
        return null;
    }

    private record Candidate(Path go, String version) {
    }

    private List<Candidate> installed() {
        Set<Path> gos = new LinkedHashSet<>();
        for (Path root : searchRoots) {
            gos.add(root.resolve("go/bin/go"));
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, "go*")) {
                for (Path d : dirs) {
                    gos.add(d.resolve("bin/go"));
                }
            } catch (IOException ignored) {
                // an unreadable folder has no toolchain we could use
            }
        }
        List<Candidate> out = new ArrayList<>();
        for (Path go : gos) {
            if (Files.isExecutable(go)) {
                out.add(new Candidate(go, version(go.toString())));
            }
        }
        return out;
    }

    /** Compares Go versions numerically ({@code 1.9 < 1.19 < 1.24 = 1.24.0}); a pre-release suffix is ignored. */
    static int compare(String a, String b) {
        int[] x = parts(a);
        int[] y = parts(b);
        for (int i = 0; i < 3; i++) {
            if (x[i] != y[i]) {
                return Integer.compare(x[i], y[i]);
            }
        }
        return 0;
    }

    private static int[] parts(String v) {
        int[] p = new int[3];
        String[] s = v.split("\\.");
        for (int i = 0; i < Math.min(3, s.length); i++) {
            String digits = s[i].replaceFirst("\\D.*$", "");
            p[i] = digits.isEmpty() ? 0 : Integer.parseInt(digits);
        }
        return p;
    }

    private static String majorMinor(String v) {
        int[] p = parts(v);
        return p[0] + "." + p[1];
    }
}
