package io.gopipe.core.gocache;

import io.gopipe.core.exec.CommandException;
import io.gopipe.core.exec.CommandRunner;
import io.gopipe.core.exec.GoEnv;

import java.nio.file.Path;
import java.util.List;

/**
 * Whether the go a build uses honours {@code GOCACHEPROG}: older go (before 1.24) silently ignores
 * it and builds with its plain, empty GOCACHE, so a caller that chose the remote flavour must fall
 * back to the archive flavour, with one warning that names the version.
 *
 * @param supported  go is 1.24 or newer
 * @param goVersion  what {@code go env GOVERSION} printed, or null when go could not be asked
 * @param warning    the warning to print when not supported, else null
 */
public record GoCacheSupport(boolean supported, String goVersion, String warning) {

    /**
     * Asks the build's go (through the caller's runner, so where the build runs) for its version.
     *
     * @param goBinary the go command, or null/blank for {@code go} on the runner's PATH
     * @param workDir  where the build runs (a go.mod toolchain line can select another go), or null
     */
    public static GoCacheSupport check(CommandRunner runner, String goBinary, Path workDir) {
        String bin = goBinary == null || goBinary.isBlank() ? "go" : goBinary;
        String version;
        try {
            version = GoEnv.read(runner, bin, workDir, List.of("GOVERSION")).get("GOVERSION");
        } catch (CommandException e) {
            return new GoCacheSupport(false, null, "gocache: cannot ask '" + bin + "' for its version (" + e.getMessage()
                    + "); using the archive build cache");
        }
        if (BridgeBinary.supportsGocacheprog(version)) {
            return new GoCacheSupport(true, version, null);
        }
        return new GoCacheSupport(false, version, "gocache: '" + bin + "' is " + version + ", which ignores GOCACHEPROG (needs go1.24 "
                + "or newer); using the archive build cache");
    }
}
