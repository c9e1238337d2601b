package io.gopipe.core.cache.backend;

import java.nio.file.Path;

/**
 * An archive being written for a save: the engine writes {@link #file()}, then the backend
 * publishes or discards it.
 *
 * @param key  the entry's key
 * @param blob the unique backend name the archive will have
 * @param file the local file to write
 */
public record StagedBlob(String key, String blob, Path file) {
}
