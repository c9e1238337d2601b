package io.gopipe.core.affected;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class GoSourceScannerTest {

    private static ScannedFile scan(String src) {
        return GoSourceScanner.scan(src.getBytes(StandardCharsets.UTF_8), true);
    }

    @Test
    void readsPackageClauseAndEveryImportForm() {
        ScannedFile f = scan("""
                // Package x does things.
                /* block
                   comment */
                package x // trailing

                import "fmt"
                import (
                	alias "example.com/a"
                	. "example.com/dot"
                	_ "example.com/blank"; "example.com/semi"
                	`example.com/raw`
                )
                import "example.com/after"

                var s = "import \\"example.com/notanimport\\""

                func F() {}
                """);
        assertThat(f.packageName()).isEqualTo("x");
        assertThat(f.imports()).containsExactly("fmt", "example.com/a", "example.com/dot", "example.com/blank",
                "example.com/semi", "example.com/raw", "example.com/after");
        assertThat(f.goBuild()).isNull();
        assertThat(f.embeds()).isEmpty();
    }

    @Test
    void goBuildLineWinsOverPlusBuildAndMustBeInTheHeader() {
        ScannedFile f = scan("// Copyright\n\n//go:build linux && !cgo\n// +build linux\n\npackage x\n");
        assertThat(f.goBuild()).isEqualTo("linux && !cgo");
        ScannedFile late = scan("package x\n\n//go:build ignore\n");
        assertThat(late.goBuild()).isNull();
    }

    @Test
    void plusBuildLinesNeedABlankLineBeforeThePackageClause() {
        assertThat(scan("// +build linux darwin\n// +build amd64\n\npackage x\n").plusBuild())
                .containsExactly("linux darwin", "amd64");
        // directly above the package clause it is part of the doc comment: not a constraint
        assertThat(scan("// +build ignore\npackage x\n").plusBuild()).isEmpty();
    }

    @Test
    void cgoImportAndIncludeDirsFromThePreamble() {
        ScannedFile f = scan("""
                package x

                // #cgo CFLAGS: -I${SRCDIR}/../include -DX=1
                // #include "x.h"
                import "C"
                """);
        assertThat(f.importsC()).isTrue();
        assertThat(f.cgoDirs()).containsExactly("../include");
    }

    @Test
    void embedPatternsAreReadOnlyWhenEmbedIsImported() {
        String body = """

                //go:embed static/*.html "with space.txt" `raw.txt`
                //go:embed all:assets
                var fs embed.FS
                """;
        assertThat(scan("package x\n\nimport \"embed\"\n" + body).embeds())
                .containsExactly("static/*.html", "with space.txt", "raw.txt", "all:assets");
        assertThat(scan("package x\n\nimport \"fmt\"\n" + body).embeds()).isEmpty();
    }

    @Test
    void fileWithoutPackageClauseHasNoPackage() {
        assertThat(scan("// just a comment\n").packageName()).isNull();
    }

    @Test
    void nonGoFilesOnlyCarryConstraints() {
        ScannedFile f = GoSourceScanner.scan("//go:build arm64\n\n#include \"textflag.h\"\n".getBytes(StandardCharsets.UTF_8), false);
        assertThat(f.goBuild()).isEqualTo("arm64");
        assertThat(f.packageName()).isNull();
    }
}
