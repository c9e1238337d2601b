package io.gopipe.core.cache.archive;

import java.io.IOException;
import java.io.InputStream;

/** Opens byte ranges of a stored archive; implementations must allow several open ranges at once. */
@FunctionalInterface
public interface ChunkSource {

    /** The {@code length} bytes at {@code offset}; a shorter stream means the archive is truncated. */
    InputStream open(long offset, long length) throws IOException;
}
