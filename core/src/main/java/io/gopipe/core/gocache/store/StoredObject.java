package io.gopipe.core.gocache.store;

import java.time.Instant;

/**
 * An object as a store lists it.
 *
 * @param name     its name in the store
 * @param size     bytes stored
 * @param modified when it was last written
 */
public record StoredObject(String name, long size, Instant modified) {
}
