package io.gopipe.core.affected;

import java.util.List;
import java.util.Set;

/**
 * The Go package in one directory for one target: the files that go into the build, what they
 * import and embed, and (separately) what only its tests use.
 *
 * @param dir            directory (tree path)
 * @param name           package name, or null when no Go file is built for the target
 * @param goFiles        built non-test .go files
 * @param otherFiles     other compiled inputs (.s, .syso, and with cgo .c/.h/...)
 * @param embedFiles     files embedded by built files
 * @param imports        imports of built non-test files
 * @param testFiles      built _test.go files
 * @param testImports    imports of test files (in-package and external _test package)
 * @param testEmbedFiles files embedded by test files
 * @param cgoDirs        directories reached through #cgo -I/-L ${SRCDIR} flags (tree paths)
 */
record DirPackage(String dir, String name, List<String> goFiles, List<String> otherFiles, List<String> embedFiles,
                  Set<String> imports, List<String> testFiles, Set<String> testImports,
                  List<String> testEmbedFiles, List<String> cgoDirs) {

    boolean isPackage() {
        return name != null;
    }

    boolean isMain() {
        return "main".equals(name);
    }
}
