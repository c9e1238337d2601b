package io.gopipe.core.gocache.store;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Named immutable objects for the remote Go build cache: a flat namespace of small and medium
 * objects, unlike {@link io.gopipe.core.cache.backend.CacheBackend}, which stores whole archives
 * behind manifests. Kept separate so the archive backends stay as they are.
 *
 * <p>A {@link #put} is atomic: other processes see either nothing or the whole object, also when the
 * writer is killed mid-way. Implementations are safe for concurrent use by threads and processes.
 * Names are {@code /}-separated, made of {@code [A-Za-z0-9._-]}, never {@code ..}.
 */
public interface ObjectStore extends Closeable {

    /** For messages, e.g. {@code local:/cache/gocache}. */
    String describe();

    /** The whole object, or empty when there is none. */
    Optional<byte[]> get(String name) throws IOException;

    /** A stream of the object; {@link java.nio.file.NoSuchFileException} when there is none. */
    InputStream open(String name) throws IOException;

    /** Whether the object exists. */
    boolean exists(String name) throws IOException;

    /** Stores exactly {@code size} bytes of {@code data} under {@code name}, replacing any object there. */
    void put(String name, InputStream data, long size) throws IOException;

    /** Objects whose name starts with {@code prefix}. */
    List<StoredObject> list(String prefix) throws IOException;

    /** Removes an object; no error when it is gone. */
    void delete(String name) throws IOException;

    /** Removes leftovers of puts that never finished (killed writers) older than {@code olderThan}. */
    int sweepStaging(Duration olderThan) throws IOException;

    /** Checks a name; returns it. */
    static String check(String name) {
        if (name == null || name.isEmpty() || name.startsWith("/") || name.endsWith("/") || name.contains("//")
                || !name.matches("[A-Za-z0-9._/-]+")) {
            throw new IllegalArgumentException("object name '" + name + "' is not a valid store name");
        }
        for (String part : name.split("/")) {
            if (part.equals("..") || part.equals(".")) {
                throw new IllegalArgumentException("object name '" + name + "' is not a valid store name");
            }
        }
        return name;
    }
}
