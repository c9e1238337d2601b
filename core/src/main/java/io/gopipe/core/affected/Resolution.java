package io.gopipe.core.affected;

/**
 * Where an import path leads in one build context.
 *
 * @param importPath the import path
 * @param kind       what it is
 * @param module     its module (null for STD and MISSING)
 * @param dir        its directory in {@code loader}'s tree (null unless LOCAL, VENDOR, MODCACHE)
 * @param loader     the loader for its tree (null unless it has a directory)
 */
record Resolution(String importPath, Kind kind, Selected module, String dir, PackageLoader loader) {

    enum Kind { LOCAL, VENDOR, MODCACHE, OPAQUE, STD, MISSING }

    boolean inGraph() {
        return kind != Kind.STD && kind != Kind.MISSING;
    }

    /** True when its files are in the repository (so changed files can mark it). */
    boolean inRepo() {
        return kind == Kind.LOCAL || kind == Kind.VENDOR;
    }
}
