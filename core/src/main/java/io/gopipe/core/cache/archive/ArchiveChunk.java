package io.gopipe.core.cache.archive;

/**
 * One independently compressed zstd frame of an archive: a run of tar members. Its stored bytes
 * are checked by CRC-32C (entries written since CRC-32C replaced SHA-256) or by SHA-256 (older
 * entries); exactly which one is known from which field is set.
 *
 * @param offset   byte offset of the frame in the archive
 * @param length   compressed length
 * @param rawBytes uncompressed (tar) length
 * @param entries  number of tar members in the frame
 * @param sha256   hex SHA-256 of the compressed bytes, or null
 * @param crc32c   hex CRC-32C of the compressed bytes, or null; used instead of {@code sha256} when set
 */
public record ArchiveChunk(long offset, long length, long rawBytes, int entries, String sha256, String crc32c) {

    /** A chunk checked by SHA-256, as entries were written before CRC-32C. */
    public ArchiveChunk(long offset, long length, long rawBytes, int entries, String sha256) {
        this(offset, length, rawBytes, entries, sha256, null);
    }

    /** A chunk checked by CRC-32C, as this version writes them. */
    public static ArchiveChunk withCrc32c(long offset, long length, long rawBytes, int entries, String crc32c) {
        return new ArchiveChunk(offset, length, rawBytes, entries, null, crc32c);
    }

    /** The same chunk at another offset. */
    public ArchiveChunk at(long newOffset) {
        return new ArchiveChunk(newOffset, length, rawBytes, entries, sha256, crc32c);
    }
}
