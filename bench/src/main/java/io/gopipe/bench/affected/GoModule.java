package io.gopipe.bench.affected;

/** A Go module of the synthetic monorepo: its directory (repo-relative, "" for the root) and path. */
record GoModule(String dir, String path) {

    String importPathOf(String pkgDir) {
        if (dir.isEmpty()) {
            return pkgDir.isEmpty() ? path : path + "/" + pkgDir;
        }
        if (pkgDir.equals(dir)) {
            return path;
        }
        return path + "/" + pkgDir.substring(dir.length() + 1);
    }
}
