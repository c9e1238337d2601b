package io.gopipe.core.cache;

import java.time.Duration;

/**
 * How the cache behaves; {@link #defaults()} suits CI agents. Sizes are bytes, 0 = no limit.
 *
 * @param readOnly         restore but never save (pull-request builds: untrusted code must not write the cache)
 * @param failOnError      make cache problems fatal instead of a miss with one warning
 * @param timeLimit        give up a restore after this long (zero = no limit)
 * @param maxEntryBytes    per-entry cap on file bytes: module caches over it are not saved, build caches are trimmed
 * @param maxTotalBytes    after a save, evict least recently used entries until the store fits (0 = never)
 * @param maxAge           after a save, evict entries unused for longer than this (zero = never)
 * @param threads          compression threads
 * @param extractThreads   threads writing files on restore
 * @param compressionLevel zstd level
 * @param progressInterval how often progress events are reported at most
 */
public record CacheSettings(boolean readOnly, boolean failOnError, Duration timeLimit, long maxEntryBytes,
                            long maxTotalBytes, Duration maxAge, int threads, int extractThreads,
                            int compressionLevel, Duration progressInterval) {

    public CacheSettings {
        if (timeLimit == null || timeLimit.isNegative()) {
            timeLimit = Duration.ZERO;
        }
        if (maxAge == null || maxAge.isNegative()) {
            maxAge = Duration.ZERO;
        }
        if (progressInterval == null) {
            progressInterval = Duration.ofSeconds(1);
        }
        if (threads < 1 || extractThreads < 1) {
            throw new InvalidCacheInputException("cache threads must be at least 1");
        }
        if (compressionLevel < 1 || compressionLevel > 22) {
            throw new InvalidCacheInputException("zstd level " + compressionLevel + " is outside 1..22");
        }
        if (maxEntryBytes < 0 || maxTotalBytes < 0) {
            throw new InvalidCacheInputException("cache size limits must not be negative");
        }
    }

    /**
     * Read-write, warnings not failures, no limits, one archiving thread per core plus one (the walk
     * runs beside them; files just written by {@code go} are in the page cache, so reads rarely block,
     * and more threads only contend: 4 threads on 2 cores saved 13% slower than 3), zstd level 2
     * with a window spanning each 8 MiB chunk (about as fast as level 1; on a real-shaped module
     * cache 0.95x the size of {@code tar | zstd -3}, where level 1 gave 1.06x). Restores also use one thread per core
     * plus one: file creation is kernel work, and more threads mostly add lock contention in the
     * file system (91k-file restore on 2 cores: 2 threads 12.5 s wall / 14 s system time, 4 threads
     * 12.7-15.5 s / 15-20 s, 8 threads 14.2-15.3 s / 18-20 s).
     */
    public static CacheSettings defaults() {
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors() + 1);
        return new CacheSettings(false, false, Duration.ZERO, 0, 0, Duration.ZERO, threads, threads, 2,
                Duration.ofSeconds(1));
    }

    public CacheSettings withReadOnly(boolean v) {
        return new CacheSettings(v, failOnError, timeLimit, maxEntryBytes, maxTotalBytes, maxAge, threads, extractThreads, compressionLevel, progressInterval);
    }

    public CacheSettings withFailOnError(boolean v) {
        return new CacheSettings(readOnly, v, timeLimit, maxEntryBytes, maxTotalBytes, maxAge, threads, extractThreads, compressionLevel, progressInterval);
    }

    public CacheSettings withTimeLimit(Duration v) {
        return new CacheSettings(readOnly, failOnError, v, maxEntryBytes, maxTotalBytes, maxAge, threads, extractThreads, compressionLevel, progressInterval);
    }

    public CacheSettings withMaxEntryBytes(long v) {
        return new CacheSettings(readOnly, failOnError, timeLimit, v, maxTotalBytes, maxAge, threads, extractThreads, compressionLevel, progressInterval);
    }

    public CacheSettings withEviction(long totalBytes, Duration age) {
        return new CacheSettings(readOnly, failOnError, timeLimit, maxEntryBytes, totalBytes, age, threads, extractThreads, compressionLevel, progressInterval);
    }

    public CacheSettings withThreads(int compress, int extract) {
        return new CacheSettings(readOnly, failOnError, timeLimit, maxEntryBytes, maxTotalBytes, maxAge, compress, extract, compressionLevel, progressInterval);
    }

    public CacheSettings withCompressionLevel(int v) {
        return new CacheSettings(readOnly, failOnError, timeLimit, maxEntryBytes, maxTotalBytes, maxAge, threads, extractThreads, v, progressInterval);
    }

    public CacheSettings withProgressInterval(Duration v) {
        return new CacheSettings(readOnly, failOnError, timeLimit, maxEntryBytes, maxTotalBytes, maxAge, threads, extractThreads, compressionLevel, v);
    }
}
