package io.gopipe.core.cache;

import java.util.Locale;

/**
 * What a module-cache entry holds.
 *
 * <p>{@link #ZIPS}: only {@code cache/download} (module zips, {@code .mod}, {@code .info},
 * {@code .ziphash}, version lists, checksum-database tiles). Go extracts a module from
 * {@code cache/download/<module>/@v/<version>.zip} the first time a build needs it, without the
 * network ({@code GOPROXY=off} works), and only for the modules that build imports: a restore
 * creates about a tenth of the files. {@link #TREE}: the whole GOMODCACHE, extracted modules
 * included: more files to restore, nothing left for Go to extract. A directory without
 * {@code cache/download} is always saved whole ({@link CacheRequest#forSave()}).
 */
public enum ModuleLayout {
    /** {@code cache/download} only; Go extracts what a build needs. */
    ZIPS,
    /** The whole tree as Go left it. */
    TREE;

    /** The layout when none is asked for: see docs/cache.md for the measurements behind it. */
    public static final ModuleLayout DEFAULT = ZIPS;

    /** {@code zips} or {@code tree}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code zips} or {@code tree}; anything else is an error naming the valid values. */
    public static ModuleLayout parse(String s) {
        return switch (s == null ? "" : s.toLowerCase(Locale.ROOT)) {
            case "zips", "zip", "download" -> ZIPS;
            case "tree", "full" -> TREE;
            default -> throw new CacheException("unknown module cache layout '" + s + "': use zips or tree");
        };
    }

    /**
     * Whether the member at {@code rel} (relative to GOMODCACHE) is left out of a save. ZIPS keeps
     * {@code cache/} and what lies below {@code cache/download/} except Go's empty {@code .lock}
     * files, which Go creates again when it needs them.
     */
    public boolean excludes(String rel) {
        if (this == TREE) {
            return false;
        }
        if (rel.equals("cache") || rel.equals("cache/download")) {
            return false;
        }
        return !rel.startsWith("cache/download/") || rel.endsWith(".lock");
    }
}
