package io.gopipe.core.affected;

import java.util.List;

/** A package in a build context's import graph. */
final class PkgNode {
    final String importPath;
    final Resolution res;
    /** The loaded package, or null for a package without readable sources. */
    final DirPackage pkg;
    List<PkgNode> deps = List.of();
    /** Test-only imports, resolved on first use. */
    List<PkgNode> testDeps;
    final String fingerprint;

    PkgNode(String importPath, Resolution res, DirPackage pkg, String fingerprint) {
        this.importPath = importPath;
        this.res = res;
        this.pkg = pkg;
        this.fingerprint = fingerprint;
    }

    @Override
    public String toString() {
        return importPath;
    }
}
