package io.gopipe.core.affected;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class GoModTest {

    @Test
    void parsesEveryDirective() {
        GoMod m = GoMod.parseGoMod("svc/go.mod", """
                // comment
                module "example.com/svc"

                go 1.22.3
                toolchain go1.24.1
                godebug default=go1.21

                require example.com/a v1.2.3 // indirect
                require (
                	example.com/b v0.1.0
                	example.com/c v2.0.0+incompatible
                )
                exclude example.com/a v1.2.2
                replace (
                	example.com/b => ../b
                	example.com/c v2.0.0+incompatible => example.com/d v1.0.0
                )
                retract v0.0.1
                tool example.com/tool
                """);
        assertThat(m.module()).isEqualTo("example.com/svc");
        assertThat(m.goVersion()).isEqualTo("1.22.3");
        assertThat(m.toolchain()).isEqualTo("go1.24.1");
        assertThat(m.requires()).extracting(GoMod.Require::path).containsExactly("example.com/a", "example.com/b", "example.com/c");
        assertThat(m.excludes()).hasSize(1);
        assertThat(m.replaces()).containsExactly(
                new GoMod.Replace("example.com/b", null, "../b", null, true),
                new GoMod.Replace("example.com/c", "v2.0.0+incompatible", "example.com/d", "v1.0.0", false));
    }

    @Test
    void errorsNameFileAndLine() {
        assertThatThrownBy(() -> GoMod.parseGoMod("a/go.mod", "module x\n\nrequire example.com/a\n"))
                .isInstanceOf(GoModException.class).hasMessage("a/go.mod:3: usage: require module/path v1.2.3")
                .satisfies(e -> assertThat(((GoModException) e).line()).isEqualTo(3));
        assertThatThrownBy(() -> GoMod.parseGoMod("go.mod", "module x\nfrobnicate y\n"))
                .hasMessage("go.mod:2: unknown directive: frobnicate");
        assertThatThrownBy(() -> GoMod.parseGoMod("go.mod", "module x\nrequire (\n  example.com/a v1.0.0\n"))
                .hasMessageStartingWith("go.mod:2: unterminated require block");
        assertThatThrownBy(() -> GoMod.parseGoMod("go.mod", "go 1.21\n"))
                .hasMessageContaining("go.mod:1: no module declaration");
        assertThatThrownBy(() -> GoMod.parseGoMod("go.mod", "module x\ngo banana\n"))
                .hasMessageStartingWith("go.mod:2: invalid go version");
        assertThatThrownBy(() -> GoMod.parseGoMod("go.mod", "module x\nreplace a => b\n"))
                .hasMessageStartingWith("go.mod:2: replacement module without version must be directory path");
        assertThatThrownBy(() -> GoMod.parseGoMod("go.mod", "module \"x\n"))
                .hasMessage("go.mod:1: unterminated quoted string");
    }

    @Test
    void parsesGoWorkAndRejectsModuleDirectivesInIt() {
        GoMod w = GoMod.parseGoWork("go.work", "go 1.22\n\nuse (\n\t.\n\t./services/billing\n)\nuse ./libs\nreplace example.com/x => ./x\n");
        assertThat(w.uses()).containsExactly(".", "./services/billing", "./libs");
        assertThat(w.replaces()).hasSize(1);
        assertThatThrownBy(() -> GoMod.parseGoWork("go.work", "go 1.22\nrequire example.com/a v1.0.0\n"))
                .isInstanceOf(GoModException.class).hasMessage("go.work:2: unknown directive: require");
    }

    @Test
    void parsesModulesTxtAndGoSum() {
        Map<String, ModuleFiles.VendorModule> v = ModuleFiles.parseModulesTxt("vendor/modules.txt", """
                # example.com/libs v0.0.0 => ./libs
                ## explicit; go 1.20
                example.com/libs/log
                # example.org/ext v1.4.0
                ## explicit
                example.org/ext
                # example.com/libs => ./libs
                """);
        assertThat(v.get("example.com/libs").packages()).containsExactly("example.com/libs/log");
        assertThat(v.get("example.com/libs").goVersion()).isEqualTo("1.20");
        assertThat(v.get("example.org/ext").identity()).isEqualTo("v1.4.0");
        assertThatThrownBy(() -> ModuleFiles.parseModulesTxt("vendor/modules.txt", "example.com/x\n"))
                .isInstanceOf(GoModException.class).hasMessageStartingWith("vendor/modules.txt:1:");
        Map<String, String> sums = ModuleFiles.parseGoSum("example.org/ext v1.4.0 h1:abc=\nexample.org/ext v1.4.0/go.mod h1:def=\n");
        assertThat(sums).containsExactly(Map.entry("example.org/ext@v1.4.0", "h1:abc="));
    }

    @Test
    void ordersModuleVersions() {
        assertThat(Semver.compare("v1.10.0", "v1.9.0")).isPositive();
        assertThat(Semver.compare("v1.0.0-rc.1", "v1.0.0")).isNegative();
        assertThat(Semver.compare("v0.0.0-20240101000000-abcdef", "v0.0.1")).isNegative();
        assertThat(Semver.compare("v2.0.0+incompatible", "v2.0.0")).isZero();
    }
}
