package io.gopipe.core.image;

import io.gopipe.core.exec.LocalCommandRunner;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defect 5: agent mode picks the Go toolchain the module's go.mod asks for. Uses the machine's real
 * toolchains: Go 1.19 (Debian's default {@code go}) and Go 1.24 under /usr/lib/go-1.24.
 */
class GoToolchainTest {

    static final String GO119 = "/usr/lib/go-1.19/bin/go";
    static final String GO124 = "/usr/lib/go-1.24/bin/go";

    @TempDir
    Path module;

    private final GoToolchain toolchains = new GoToolchain(new ProcessRunner(new LocalCommandRunner()), List.of(Path.of("/usr/lib")));

    @Test
    void anExplicitTooOldGoIsAnErrorNamingTheFlagAndTheGoModLine() throws Exception {
        Files.writeString(module.resolve("go.mod"), "module example.com/m\n\ngo 1.24.3\n\ntoolchain go1.24.4\n");
        assertThatThrownBy(() -> toolchains.select("orders", GO119, true, module))
                .isInstanceOf(InvalidImageConfigException.class)
                .hasMessageContaining("go.mod says `go 1.24.3` and `toolchain go1.24.4`")
                .hasMessageContaining("--go " + GO119 + " is go1.19.8")
                .hasMessageContaining("pass --go with a Go 1.24.3 or newer");
    }

    @Test
    void theDefaultGoIsReplacedByAnInstalledToolchainThatSatisfiesTheModule() throws Exception {
        Files.writeString(module.resolve("go.mod"), "module example.com/m\n\ngo 1.24.3\n");
        assertThat(toolchains.version(GO119)).isEqualTo("1.19.8");
        assertThat(toolchains.select("orders", GO119, false, module)).isEqualTo(GO124);
        // A module an old Go can build keeps the go it was given.
        Files.writeString(module.resolve("go.mod"), "module example.com/m\n\ngo 1.19\n");
        assertThat(toolchains.select("orders", GO119, false, module)).isEqualTo(GO119);
    }

    @Test
    void withNothingNewEnoughInstalledTheErrorSaysWhereItLooked() throws Exception {
        Files.writeString(module.resolve("go.mod"), "module example.com/m\n\ngo 1.99\n");
        assertThatThrownBy(() -> toolchains.select("orders", GO124, false, module))
                .hasMessageContaining("go.mod says `go 1.99`").hasMessageContaining("no newer toolchain is installed under [/usr/lib]")
                .hasMessageContaining("--go");
    }

    @Test
    void versionsCompareNumerically() {
        assertThat(GoToolchain.compare("1.9", "1.19")).isNegative();
        assertThat(GoToolchain.compare("1.24", "1.24.0")).isZero();
        assertThat(GoToolchain.compare("1.24.4", "1.24.3")).isPositive();
        assertThat(GoToolchain.compare("1.21rc1", "1.21")).isZero();
    }
}
