package io.gopipe.core.affected;

import java.util.List;

/**
 * What the engine needs from one source file, independent of the build target.
 *
 * @param packageName package clause name (null for non-Go files or files without a valid clause)
 * @param imports     import paths in source order (including "C")
 * @param goBuild     the {@code //go:build} expression, or null
 * @param plusBuild   legacy {@code // +build} lines (without the prefix)
 * @param embeds      {@code //go:embed} patterns (only read when the file imports "embed")
 * @param cgoDirs     directories named by {@code #cgo} -I/-L flags with ${SRCDIR}, relative to the file's dir
 */
record ScannedFile(String packageName, List<String> imports, String goBuild, List<String> plusBuild,
                   List<String> embeds, List<String> cgoDirs) {

    boolean importsC() {
        return imports.contains("C");
    }
}
