package io.gopipe.core.affected;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class BuildConstraintsTest {

    private final BuildTarget linux = BuildTarget.linuxAmd64();
    private final BuildTarget darwinArmCgo = new BuildTarget("darwin", "arm64", true, Set.of("integration"));

    @Test
    void evaluatesGoBuildExpressions() {
        assertThat(BuildConstraints.eval(linux, "linux && amd64")).isTrue();
        assertThat(BuildConstraints.eval(linux, "linux && !cgo")).isTrue();
        assertThat(BuildConstraints.eval(darwinArmCgo, "linux && !cgo")).isFalse();
        assertThat(BuildConstraints.eval(darwinArmCgo, "(linux || darwin) && cgo && integration")).isTrue();
        assertThat(BuildConstraints.eval(linux, "unix && go1.21 && !go1.99")).isTrue();
        assertThat(BuildConstraints.eval(linux, "ignore")).isFalse();
        assertThat(BuildConstraints.eval(linux, "gc && !gccgo")).isTrue();
        assertThat(BuildConstraints.eval(linux, "linux &&")).isFalse();
        assertThat(BuildConstraints.eval(new BuildTarget("android", "arm64", false, Set.of()), "linux")).isTrue();
    }

    @Test
    void evaluatesLegacyPlusBuildLines() {
        assertThat(BuildConstraints.matchFile(linux, null, List.of("linux,amd64 darwin"))).isTrue();
        assertThat(BuildConstraints.matchFile(linux, null, List.of("linux", "!amd64"))).isFalse();
        assertThat(BuildConstraints.matchFile(linux, null, List.of("ignore"))).isFalse();
        assertThat(BuildConstraints.matchFile(linux, "windows", List.of("linux"))).isFalse();
    }

    @Test
    void evaluatesFileNameSuffixes() {
        assertThat(BuildConstraints.matchFileName(linux, "x_linux.go")).isTrue();
        assertThat(BuildConstraints.matchFileName(linux, "x_windows.go")).isFalse();
        assertThat(BuildConstraints.matchFileName(linux, "x_linux_arm64.go")).isFalse();
        assertThat(BuildConstraints.matchFileName(linux, "x_linux_amd64_test.go")).isTrue();
        assertThat(BuildConstraints.matchFileName(linux, "x_arm64.s")).isFalse();
        assertThat(BuildConstraints.matchFileName(linux, "linux.go")).isTrue(); // no underscore: no constraint
        assertThat(BuildConstraints.matchFileName(linux, "x_foo_windows_test.go")).isFalse();
        assertThat(BuildConstraints.matchFileName(darwinArmCgo, "x_darwin_arm64.go")).isTrue();
    }
}
