package io.gopipe.core.cache.backend;

import io.gopipe.core.cache.archive.ChunkSource;

import java.io.Closeable;

/** Ranged, concurrent reads of one stored archive. */
public interface BlobReader extends ChunkSource, Closeable {
}
