package io.gopipe.core.cache.remote;

import java.io.Serializable;

/**
 * A published entry as it crosses a {@link RemoteStore}.
 *
 * @param key           the entry's key
 * @param createdMillis when its manifest was published, epoch millis
 */
public record RemoteEntry(String key, long createdMillis) implements Serializable {
}
