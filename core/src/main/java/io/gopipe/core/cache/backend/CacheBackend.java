package io.gopipe.core.cache.backend;

import io.gopipe.core.cache.archive.ProgressMeter;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where cache entries live. An entry is an archive blob under a unique name plus a small manifest
 * under its key; the manifest is published last and only if absent, so a key never changes once
 * visible and a crashed save leaves at most an unreferenced blob (removed by {@link #sweep}).
 *
 * <p>Small on purpose: a Jenkins controller backend only has to move bytes over the agent channel.
 * Implementations must be safe for concurrent use by threads and by other processes.
 */
public interface CacheBackend extends Closeable {

    /** Publication outcome. */
    enum Publish { PUBLISHED, ALREADY_EXISTS }

    /** For messages, e.g. {@code local:/cache} or {@code s3://bucket/prefix}. */
    String describe();

    /** Published entries whose key starts with {@code keyPrefix} (all for an empty prefix). */
    List<EntryRef> list(String keyPrefix) throws IOException;

    /** The entry with exactly this key. */
    Optional<EntryRef> find(String key) throws IOException;

    /** The manifest bytes of a published entry; {@link java.nio.file.NoSuchFileException} when it is gone. */
    byte[] readManifest(String key) throws IOException;

    /** Opens a stored archive for ranged reads. */
    BlobReader openBlob(String blob) throws IOException;

    /** Reserves a unique blob name and a local file to write the archive to. */
    StagedBlob stage(String key) throws IOException;

    /**
     * Stores the staged archive and publishes {@code manifest} under its key if no entry has that
     * key yet; otherwise removes the staged archive and reports {@link Publish#ALREADY_EXISTS}.
     */
    Publish publish(StagedBlob staged, byte[] manifest, ProgressMeter upload) throws IOException;

    /** Drops a staged archive that will not be published. */
    void discard(StagedBlob staged) throws IOException;

    /** Usage of an entry, if recorded. */
    Optional<AccessRecord> readAccess(String key) throws IOException;

    /** Records usage of an entry (last writer wins). */
    void recordAccess(String key, AccessRecord access) throws IOException;

    /** Removes an entry: manifest first, so readers stop seeing it, then its blob. */
    void delete(String key, String blob) throws IOException;

    /** Removes blobs and staging files older than {@code olderThan} that no manifest in {@code referenced} names. */
    int sweep(Set<String> referenced, Duration olderThan) throws IOException;

    /**
     * Removes what saves that died left behind, where the backend can tell that their owner is
     * gone (not by age); run before each save. Returns how many files it removed.
     */
    default int sweepAbandoned() throws IOException {
        return 0;
    }

    /** Files in the store that belong to no entry (abandoned or in-flight saves), for {@code stats}. */
    default Leftovers leftovers(Set<String> referenced) throws IOException {
        return new Leftovers(0, 0);
    }

    /**
     * Storage no entry accounts for.
     *
     * @param files number of files
     * @param bytes their size
     */
    record Leftovers(long files, long bytes) {
    }
}
