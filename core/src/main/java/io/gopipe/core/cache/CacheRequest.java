package io.gopipe.core.cache;

import java.nio.file.Path;

/**
 * One restore or save.
 *
 * @param policy   module or build cache
 * @param key      exact key and restore-key prefixes
 * @param path     the directory (GOMODCACHE or GOCACHE)
 * @param platform the Go toolchain, recorded in the entry's metadata (may be null)
 */
public record CacheRequest(CachePolicy policy, CacheKey key, Path path, GoPlatform platform) {

    public CacheRequest {
        if (policy == null || key == null || path == null) {
            throw new CacheException("a cache request needs a policy, a key and a path");
        }
        path = path.toAbsolutePath().normalize();
        if (path.getParent() == null) {
            throw new InvalidCacheInputException("cache path " + path + " is the file system root: a restore replaces its"
                    + " folder and a save archives all of it; give the cache its own folder (GOMODCACHE or GOCACHE)");
        }
    }
}
