package io.gopipe.core.cache;

import java.nio.file.Path;

/**
 * One restore or save.
 *
 * @param policy   module or build cache
 * @param key      exact key and restore-key prefixes
 * @param path     the directory (GOMODCACHE or GOCACHE)
 * @param platform the Go toolchain, recorded in the entry's metadata (may be null)
 * @param layout   module cache: what a save stores ({@link ModuleLayout}); ignored for the build cache.
 *                 Null means {@link ModuleLayout#TREE}, an exact copy; adapters pass their option,
 *                 whose default is {@link ModuleLayout#DEFAULT}
 */
public record CacheRequest(CachePolicy policy, CacheKey key, Path path, GoPlatform platform, ModuleLayout layout) {

    public CacheRequest {
        if (policy == null || key == null || path == null) {
            throw new CacheException("a cache request needs a policy, a key and a path");
        }
        path = path.toAbsolutePath().normalize();
        if (path.getParent() == null) {
            throw new InvalidCacheInputException("cache path " + path + " is the file system root: a restore replaces its"
                    + " folder and a save archives all of it; give the cache its own folder (GOMODCACHE or GOCACHE)");
        }
        if (layout == null) {
            layout = ModuleLayout.TREE;
        }
    }

    /** A request that saves the whole tree ({@link ModuleLayout#TREE}). */
    public CacheRequest(CachePolicy policy, CacheKey key, Path path, GoPlatform platform) {
        this(policy, key, path, platform, null);
    }

    /**
     * The request a save carries out: a module cache without {@code cache/download} (not filled by
     * the go command, so Go could not extract anything from it) is saved as a whole tree whatever
     * the layout, instead of as an empty entry.
     */
    public CacheRequest forSave() {
        if (policy == CachePolicy.MOD && layout == ModuleLayout.ZIPS && !java.nio.file.Files.isDirectory(path.resolve("cache/download"))) {
            return new CacheRequest(policy, key, path, platform, ModuleLayout.TREE);
        }
        return this;
    }

    /** Whether a save leaves out the member at {@code rel}: gopipe's own temporary files, and what the layout does not keep. */
    public boolean excludes(String rel) {
        return rel.startsWith(".gopipe-") || (policy == CachePolicy.MOD && layout.excludes(rel));
    }
}
