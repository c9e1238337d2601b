package io.gopipe.core.cache.backend;

import java.time.Instant;

/**
 * A published entry as a backend lists it.
 *
 * @param key     the entry's key
 * @param created when its manifest was published
 */
public record EntryRef(String key, Instant created) {
}
