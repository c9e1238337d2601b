package io.gopipe.core.affected;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The GOOS/GOARCH checks the Jenkins steps run on the controller, before anything reaches an agent. */
class BuildTargetCheckTest {

    @Test
    void knownValuesPassTrimmed() {
        assertThat(BuildTarget.checkGoos(" linux ")).isEqualTo("linux");
        assertThat(BuildTarget.checkGoos("windows")).isEqualTo("windows");
        assertThat(BuildTarget.checkGoarch("arm64")).isEqualTo("arm64");
    }

    @Test
    void typosAreRefusedNamingTheParameter() {
        assertThatThrownBy(() -> BuildTarget.checkGoos("linx")).isInstanceOf(AffectedException.class)
                .hasMessageStartingWith("goos 'linx'").hasMessageContaining("linux");
        assertThatThrownBy(() -> BuildTarget.checkGoarch("x86_64")).isInstanceOf(AffectedException.class)
                .hasMessageStartingWith("goarch 'x86_64'").hasMessageContaining("amd64");
        assertThatThrownBy(() -> BuildTarget.checkGoos(null)).isInstanceOf(AffectedException.class);
        assertThatThrownBy(() -> BuildTarget.checkGoarch("")).isInstanceOf(AffectedException.class);
    }
}
