package io.gopipe.core.affected;

/**
 * A module as selected in one build context.
 *
 * @param path        module path
 * @param version     selected version ("" for main modules)
 * @param kind        where its sources are
 * @param dir         its directory: a tree path (MAIN, LOCAL, VENDOR) or a module-cache path (MODCACHE), else null
 * @param replacement the replace target as written, or null
 * @param goVersion   its go line (from go.mod or modules.txt), or null
 * @param toolchain   its toolchain line (main modules), or null
 * @param sum         its go.sum content hash, or null
 * @param declaredIn  the file deciding the selection (go.mod, go.work or vendor/modules.txt)
 */
record Selected(String path, String version, Kind kind, String dir, String replacement, String goVersion,
                String toolchain, String sum, String declaredIn) {

    enum Kind { MAIN, LOCAL, VENDOR, MODCACHE, OPAQUE }

    /** True when the module's package sources can be read. */
    boolean hasSources() {
        return kind != Kind.OPAQUE;
    }

    /** Everything about the module that can change what its packages compile to. */
    String fingerprint() {
        return path + "@" + version + "|" + kind + "|" + dir + "|" + replacement + "|go" + goVersion + "|" + toolchain
                + "|" + sum;
    }

    /** Short human text, e.g. "example.com/x v1.2.0 => ../x". */
    String describe() {
        StringBuilder sb = new StringBuilder(path);
        if (version != null && !version.isEmpty()) {
            sb.append(' ').append(version);
        }
        if (replacement != null) {
            sb.append(" => ").append(replacement);
        }
        return sb.toString();
    }
}
