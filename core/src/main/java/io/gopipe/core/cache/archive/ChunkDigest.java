package io.gopipe.core.cache.archive;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * The checksum of one chunk's stored bytes. New chunks get CRC-32C: it is computed by a CPU
 * instruction at every JIT level (SHA-256 is fast only once C2 has compiled it, which is why a
 * restore needed C2 at all; on a 331 MiB archive it cost 0.3 CPU-s plus most of C2's 0.7 s of
 * compiling). A stronger hash would add no protection: the manifest holding the checksums lives
 * in the same store, unsigned, so it guards against damage, not against someone who can write
 * the store; and with every chunk's exact length, the archive's exact length, zstd's frame format,
 * tar header checksums and member counts also checked, damage that CRC-32C misses must also pass
 * all of those. Chunks of older entries carry SHA-256 and are still checked with it.
 */
public final class ChunkDigest {

    private final CRC32C crc;
    private final MessageDigest sha;

    private ChunkDigest(CRC32C crc, MessageDigest sha) {
        this.crc = crc;
        this.sha = sha;
    }

    /** The digest this version writes. */
    static ChunkDigest forWriting() {
        return new ChunkDigest(new CRC32C(), null);
    }

    /** The digest {@code chunk} was written with. */
    public static ChunkDigest forChecking(ArchiveChunk chunk) {
        return chunk.crc32c() != null ? forWriting() : new ChunkDigest(null, sha256());
    }

    void reset() {
        if (crc != null) {
            crc.reset();
        } else {
            sha.reset();
        }
    }

    /** Adds the buffer's remaining bytes, consuming them. */
    void update(ByteBuffer b) {
        if (crc != null) {
            crc.update(b);
        } else {
            sha.update(b);
        }
    }

    /** Adds {@code len} bytes of {@code b}. */
    public void update(byte[] b, int off, int len) {
        if (crc != null) {
            crc.update(b, off, len);
        } else {
            sha.update(b, off, len);
        }
    }

    /** The digest in hex; resets. */
    String hex() {
        if (crc != null) {
            String hex = String.format("%08x", crc.getValue());
            crc.reset();
            return hex;
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Whether the bytes added so far are the ones {@code chunk} was written with. */
    public boolean matches(ArchiveChunk chunk) {
        String expected = crc != null ? chunk.crc32c() : chunk.sha256();
        return hex().equalsIgnoreCase(expected);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JVM", e);
        }
    }

    /** The name of the check, for messages. */
    String algorithm() {
        return crc != null ? "CRC-32C" : "SHA-256";
    }
}
