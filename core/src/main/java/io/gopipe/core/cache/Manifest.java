package io.gopipe.core.cache;

import io.gopipe.core.cache.archive.ArchiveChunk;
import io.gopipe.core.cache.archive.CorruptArchiveException;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The description of one cache entry, stored next to its archive and published last: an entry
 * exists exactly when its manifest does. Readers trust nothing else; every chunk is checked
 * against it before a restored tree is moved into place.
 *
 * @param format       manifest format version, {@link #FORMAT}
 * @param key          the entry's key
 * @param policy       {@code mod} or {@code build}
 * @param blob         backend name of the archive object
 * @param created      creation time, epoch milliseconds
 * @param goVersion    Go version the entry was saved with (may be empty)
 * @param goos         GOOS (may be empty)
 * @param goarch       GOARCH (may be empty)
 * @param files        regular files in the archive
 * @param fileBytes    total size of those files
 * @param archiveBytes size of the archive object
 * @param chunks       independently compressed frames, in archive order of writing
 * @param modules      for the module cache: the module@version directories it holds
 */
public record Manifest(int format, String key, String policy, String blob, long created, String goVersion,
                       String goos, String goarch, long files, long fileBytes, long archiveBytes,
                       List<ArchiveChunk> chunks, List<String> modules) {

    /** The only format this version reads and writes. */
    public static final int FORMAT = 1;

    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern HEX8 = Pattern.compile("[0-9a-f]{8}");

    public Instant createdAt() {
        return Instant.ofEpochMilli(created);
    }

    public byte[] toJson() {
        try {
            return ManifestJson.write(this);
        } catch (IOException e) {
            throw new IllegalStateException("manifest of " + key + " cannot be written", e);
        }
    }

    /** Parses and checks a manifest read from the backend for {@code expectedKey}. */
    public static Manifest parse(byte[] json, String expectedKey) throws CorruptArchiveException {
        Manifest m;
        try {
            m = ManifestJson.read(json);
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new CorruptArchiveException("manifest of cache entry " + expectedKey + " is unreadable: "
                    + why.lines().findFirst().orElse(""), e);
        }
        m.check(expectedKey);
        return m;
    }

    /**
     * A chunk carries a CRC-32C (written since it replaced SHA-256 for speed) or a SHA-256 (older
     * entries); whichever is present must be well formed.
     */
    private static boolean checksummed(ArchiveChunk c) {
        if (c.crc32c() == null && c.sha256() == null) {
            return false;
        }
        return (c.crc32c() == null || HEX8.matcher(c.crc32c()).matches())
                && (c.sha256() == null || HEX64.matcher(c.sha256()).matches());
    }

    private void check(String expectedKey) throws CorruptArchiveException {
        String where = "manifest of cache entry " + expectedKey;
        if (format != FORMAT) {
            throw new CorruptArchiveException(where + " has format " + format + ", this gopipe reads " + FORMAT);
        }
        if (!expectedKey.equals(key)) {
            throw new CorruptArchiveException(where + " names key " + key);
        }
        if (blob == null || blob.isEmpty() || chunks == null || files < 0 || fileBytes < 0 || archiveBytes < 0) {
            throw new CorruptArchiveException(where + " is incomplete");
        }
        long[][] ranges = new long[chunks.size()][];
        for (int i = 0; i < chunks.size(); i++) {
            ArchiveChunk c = chunks.get(i);
            if (c == null || c.offset() < 0 || c.length() <= 0 || c.offset() + c.length() > archiveBytes
                    || c.rawBytes() < 0 || c.entries() < 0 || !checksummed(c)) {
                throw new CorruptArchiveException(where + " has a bad chunk #" + i);
            }
            ranges[i] = new long[] {c.offset(), c.offset() + c.length()};
        }
        java.util.Arrays.sort(ranges, (a, b) -> Long.compare(a[0], b[0]));
        long covered = 0;
        for (long[] r : ranges) {
            if (r[0] != covered) {
                throw new CorruptArchiveException(where + " has chunks that overlap or leave gaps");
            }
            covered = r[1];
        }
        if (covered != archiveBytes) {
            throw new CorruptArchiveException(where + " has chunks that do not cover the archive");
        }
    }
}
