package io.gopipe.core.cache.archive;

/**
 * One independently compressed zstd frame of an archive: a run of tar members.
 *
 * @param offset   byte offset of the frame in the archive
 * @param length   compressed length
 * @param rawBytes uncompressed (tar) length
 * @param entries  number of tar members in the frame
 * @param sha256   hex SHA-256 of the compressed bytes
 */
public record ArchiveChunk(long offset, long length, long rawBytes, int entries, String sha256) {
}
