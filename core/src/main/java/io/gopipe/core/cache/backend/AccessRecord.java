package io.gopipe.core.cache.backend;

import java.time.Instant;

/**
 * How an entry has been used. Updated without locks, so a hit can occasionally be lost when two
 * restores of one entry race; eviction only needs the order of last accesses.
 *
 * @param lastAccess last restore (or creation)
 * @param hits       restores so far
 */
public record AccessRecord(Instant lastAccess, long hits) {
}
