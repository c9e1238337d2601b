package io.gopipe.core.cache;

import java.time.Instant;

/**
 * Metadata of a stored entry, for listing, stats and eviction.
 *
 * @param key          the key
 * @param policy       mod or build
 * @param files        files in the entry
 * @param fileBytes    their total size
 * @param archiveBytes stored size
 * @param created      publication time
 * @param lastAccess   last restore (creation time if never restored)
 * @param hits         restores
 * @param goVersion    Go version it was saved with
 * @param blob         backend name of its archive
 */
public record EntryInfo(String key, String policy, long files, long fileBytes, long archiveBytes, Instant created,
                        Instant lastAccess, long hits, String goVersion, String blob) {
}
