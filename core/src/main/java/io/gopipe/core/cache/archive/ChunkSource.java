package io.gopipe.core.cache.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/** Opens byte ranges of a stored archive; implementations must allow several open ranges at once. */
@FunctionalInterface
public interface ChunkSource {

    /** The {@code length} bytes at {@code offset}; a shorter stream means the archive is truncated. */
    InputStream open(long offset, long length) throws IOException;

    /**
     * Reads {@code into.remaining()} bytes at {@code offset} into {@code into}, fewer only where the
     * archive ends. This default goes through {@link #open} and {@code scratch}; a source that can
     * read into the buffer itself (a local file) overrides it and saves two copies of every chunk.
     */
    default void readFully(long offset, ByteBuffer into, byte[] scratch) throws IOException {
        try (InputStream in = open(offset, into.remaining())) {
            while (into.hasRemaining()) {
                int r = in.read(scratch, 0, Math.min(scratch.length, into.remaining()));
                if (r < 0) {
                    return;
                }
                into.put(scratch, 0, r);
            }
        }
    }
}
