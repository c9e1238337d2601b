package io.gopipe.core.cache;

import java.util.List;

/**
 * What eviction removed.
 *
 * @param evicted     keys removed for age or size
 * @param broken      keys removed because their manifest was unreadable
 * @param orphans     unreferenced blobs and staging files removed
 * @param keptEntries entries left
 * @param keptBytes   their stored size
 */
public record PruneResult(List<String> evicted, List<String> broken, int orphans, int keptEntries, long keptBytes) {
}
