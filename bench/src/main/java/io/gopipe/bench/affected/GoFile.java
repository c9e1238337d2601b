package io.gopipe.bench.affected;

import java.util.ArrayList;
import java.util.List;

/** One .go file: its role decides its build constraint and shape; deps are the repo packages it imports. */
final class GoFile {

    /** The shapes of Go file the generator writes. */
    enum Role {
        /** Ordinary source file (file 0 of a main package holds func main). */
        SOURCE,
        /** In-package test file. */
        TEST,
        /** External test package (name_test). */
        XTEST,
        /** Filename-suffix constrained files: one of them is built per GOOS. */
        OS_LINUX, OS_WINDOWS, OS_DARWIN,
        /** //go:build !linux && !windows && !darwin fallback. */
        OS_OTHER,
        /** //go:build integration (sometimes with the legacy // +build line too). */
        TAGGED,
        /** cgo file (import "C") behind //go:build cgo, and its !cgo twin. */
        CGO, NOCGO,
        /** //go:build ignore generator program. */
        GEN_IGNORED,
        /** main-package file with //go:embed directives. */
        EMBED
    }

    final GoPackage pkg;
    final String name;
    final Role role;
    final int index;
    final long seed;
    final List<GoPackage> deps = new ArrayList<>();
    /** Number of history edits applied; each adds a function, so content changes. */
    int edits;

    GoFile(GoPackage pkg, String name, Role role, int index, long seed) {
        this.pkg = pkg;
        this.name = name;
        this.role = role;
        this.index = index;
        this.seed = seed;
    }

    String path() {
        return pkg.dir + "/" + name;
    }

    boolean isTest() {
        return role == Role.TEST || role == Role.XTEST;
    }
}
