package io.gopipe.core.cache;

/**
 * Totals over a store.
 *
 * @param entries      number of entries
 * @param archiveBytes stored bytes
 * @param fileBytes    bytes they restore to
 * @param files        files they restore
 * @param hits         restores recorded
 */
public record CacheStats(int entries, long archiveBytes, long fileBytes, long files, long hits) {
}
