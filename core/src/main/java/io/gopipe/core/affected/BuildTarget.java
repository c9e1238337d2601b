package io.gopipe.core.affected;

import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The platform a service is built for: build constraints ({@code //go:build}, {@code _linux.go})
 * are evaluated for this target, never for the host running gopipe.
 *
 * @param goos   GOOS, e.g. "linux"
 * @param goarch GOARCH, e.g. "amd64"
 * @param cgo    whether CGO_ENABLED=1 (files importing "C" and C sources take part)
 * @param tags   extra build tags, as given to {@code go build -tags}
 */
public record BuildTarget(String goos, String goarch, boolean cgo, Set<String> tags) {

    /** The newest Go release whose {@code go1.N} tags are satisfied. */
    static final int GO_MINOR = 24;

    public BuildTarget {
        Objects.requireNonNull(goos, "goos");
        Objects.requireNonNull(goarch, "goarch");
        tags = tags == null ? Set.of() : Set.copyOf(new TreeSet<>(tags));
    }

    /**
     * Checks a GOOS value against the operating systems the go command knows, so a typo fails where
     * it was written (a Jenkinsfile, a flag) instead of silently matching no file.
     *
     * @return the trimmed value
     * @throws AffectedException naming the value and the known ones
     */
    public static String checkGoos(String goos) {
        return check("goos", goos, BuildConstraints.KNOWN_OS);
    }

    /** Like {@link #checkGoos}, for GOARCH. */
    public static String checkGoarch(String goarch) {
        return check("goarch", goarch, BuildConstraints.KNOWN_ARCH);
    }

    private static String check(String what, String value, Set<String> known) {
        String v = value == null ? "" : value.trim();
        if (!known.contains(v)) {
            throw new AffectedException(what + " '" + value + "' is not one the go command knows (known: "
                    + String.join(", ", new TreeSet<>(known)) + ")");
        }
        return v;
    }

    /** linux/amd64 with cgo off: what a static container build uses. */
    public static BuildTarget linuxAmd64() {
        return new BuildTarget("linux", "amd64", false, Set.of());
    }

    /** A short stable text for cache keys and messages, e.g. "linux/amd64 cgo=0 tags=a,b". */
    public String describe() {
        return goos + "/" + goarch + " cgo=" + (cgo ? 1 : 0) + (tags.isEmpty() ? "" : " tags=" + String.join(",", new TreeSet<>(tags)));
    }
}
