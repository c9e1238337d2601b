package io.gopipe.core.cache.remote;

import java.io.IOException;
import java.util.List;

/**
 * A cache store seen across a process boundary, e.g. from a Jenkins agent to the controller.
 * Only strings, numbers, byte arrays and {@link RemoteEntry} cross it, so any RPC that can carry
 * serializable values (Jenkins remoting's exported interfaces) can carry it unchanged.
 *
 * <p>{@link RemoteStoreServer} implements it over any {@link io.gopipe.core.cache.backend.CacheBackend};
 * {@link RemoteBackend} turns it back into a backend on the other side.
 */
public interface RemoteStore {

    /** For messages. */
    String describe() throws IOException;

    List<RemoteEntry> list(String keyPrefix) throws IOException;

    /** The entry with this key, or null. */
    RemoteEntry find(String key) throws IOException;

    byte[] readManifest(String key) throws IOException;

    /** Up to {@code length} bytes of a stored blob from {@code offset}; fewer only at its end. */
    byte[] readBlob(String blob, long offset, int length) throws IOException;

    /** Reserves a blob name for a save of {@code key}. */
    String stage(String key) throws IOException;

    /** Writes part of a staged blob. */
    void writeBlob(String blob, long offset, byte[] data) throws IOException;

    /** Publishes a fully written staged blob; true when this call published, false when the key was taken. */
    boolean publish(String blob, byte[] manifest) throws IOException;

    void discard(String blob) throws IOException;

    /** {lastAccess epoch millis, hits}, or null when nothing is recorded. */
    long[] readAccess(String key) throws IOException;

    void recordAccess(String key, long lastAccessMillis, long hits) throws IOException;

    void delete(String key, String blob) throws IOException;

    int sweep(List<String> referencedBlobs, long olderThanMillis) throws IOException;
}
