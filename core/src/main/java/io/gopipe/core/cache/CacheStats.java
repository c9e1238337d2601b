package io.gopipe.core.cache;

/**
 * Totals over a store.
 *
 * @param entries       number of entries
 * @param archiveBytes  stored bytes of those entries
 * @param fileBytes     bytes they restore to
 * @param files         files they restore
 * @param hits          restores recorded
 * @param leftoverFiles files that belong to no entry: archives of interrupted or running saves, unreferenced blobs
 * @param leftoverBytes their size, which the store holds on top of {@code archiveBytes}
 */
public record CacheStats(int entries, long archiveBytes, long fileBytes, long files, long hits,
                         long leftoverFiles, long leftoverBytes) {
}
