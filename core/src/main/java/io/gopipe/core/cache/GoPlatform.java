package io.gopipe.core.cache;

import io.gopipe.core.exec.CommandException;
import io.gopipe.core.exec.CommandRunner;
import io.gopipe.core.exec.GoEnv;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The Go toolchain a cache belongs to.
 *
 * @param goVersion e.g. {@code go1.24.2}
 * @param goos      e.g. {@code linux}
 * @param goarch    e.g. {@code amd64}
 */
public record GoPlatform(String goVersion, String goos, String goarch) {

    public GoPlatform {
        goVersion = CacheKeys.segment(goVersion);
        goos = CacheKeys.segment(goos);
        goarch = CacheKeys.segment(goarch);
    }

    /**
     * Asks {@code go env GOVERSION GOOS GOARCH} through {@code runner}, so the key names the Go that
     * builds (in a pipeline: the one in the build container, not the agent JVM's).
     *
     * @param goBinary the go command, or null for {@code go} on the runner's PATH
     * @param workDir  the module directory to ask in (its go.mod may pick the toolchain), or null
     * @throws CacheException when Go cannot be run; pass the values explicitly then
     */
    public static GoPlatform detect(CommandRunner runner, String goBinary, Path workDir) {
        try {
            Map<String, String> env = GoEnv.read(runner, goBinary, workDir, List.of("GOVERSION", "GOOS", "GOARCH"));
            return new GoPlatform(env.get("GOVERSION"), env.get("GOOS"), env.get("GOARCH"));
        } catch (CommandException e) {
            throw new CacheException(e.getMessage() + "; pass the Go version, GOOS and GOARCH explicitly"
                    + " (--go-version, --goos, --goarch) or the go binary (--go)", e);
        }
    }
}
