package io.gopipe.core.cache.backend;

import io.gopipe.core.cache.CacheKeys;
import io.gopipe.core.cache.archive.ProgressMeter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Entries in a directory, also a shared NFS mount. Layout: {@code blobs/<key>.<uuid>.tar.zst},
 * {@code entries/<key>.json} (the manifest), {@code access/<key>}, {@code tmp/}. A manifest is
 * published with {@code link(2)}, which fails atomically when the name exists, so exactly one of
 * several processes wins; readers take no lock.
 */
public final class LocalBackend implements CacheBackend {

    private static final String MANIFEST_SUFFIX = ".json";

    private final Path root;
    private final Path entries;
    private final Path blobs;
    private final Path access;
    private final Path tmp;

    /** Opens (and creates when missing) a cache directory. */
    public LocalBackend(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.entries = this.root.resolve("entries");
        this.blobs = this.root.resolve("blobs");
        this.access = this.root.resolve("access");
        this.tmp = this.root.resolve("tmp");
        for (Path p : List.of(entries, blobs, access, tmp)) {
            Files.createDirectories(p);
        }
    }

    @Override
    public String describe() {
        return "local:" + root;
    }

    @Override
    public List<EntryRef> list(String keyPrefix) throws IOException {
        List<EntryRef> found = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(entries, keyPrefix + "*" + MANIFEST_SUFFIX)) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                String key = name.substring(0, name.length() - MANIFEST_SUFFIX.length());
                if (!CacheKeys.isValid(key)) {
                    continue;
                }
                try {
                    found.add(new EntryRef(key, Files.getLastModifiedTime(p).toInstant()));
                } catch (NoSuchFileException gone) {
                    // evicted while we listed
                }
            }
        }
        return found;
    }

    @Override
    public Optional<EntryRef> find(String key) throws IOException {
        try {
            return Optional.of(new EntryRef(key, Files.getLastModifiedTime(manifest(key)).toInstant()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public byte[] readManifest(String key) throws IOException {
        return Files.readAllBytes(manifest(key));
    }

    @Override
    public BlobReader openBlob(String blob) throws IOException {
        FileChannel ch = FileChannel.open(blobPath(blob), StandardOpenOption.READ);
        return new BlobReader() {
            @Override
            public InputStream open(long offset, long length) {
                return Channels.newInputStream(new RangeChannel(ch, offset, length));
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    @Override
    public StagedBlob stage(String key) throws IOException {
        CacheKeys.check(key);
        String blob = key + "." + UUID.randomUUID() + ".tar.zst";
        Path file = blobPath(blob);
        Files.createFile(file);
        return new StagedBlob(key, blob, file);
    }

    @Override
    public Publish publish(StagedBlob staged, byte[] manifestBytes, ProgressMeter upload) throws IOException {
        Path target = manifest(staged.key());
        Path temp = tmp.resolve(staged.blob() + MANIFEST_SUFFIX);
        Files.write(temp, manifestBytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            Files.createLink(target, temp);
            return Publish.PUBLISHED;
        } catch (FileAlreadyExistsException taken) {
            // On NFS a retried link can report EEXIST although it was ours: check what is there.
            if (ownedBy(target, temp)) {
                return Publish.PUBLISHED;
            }
            discard(staged);
            return Publish.ALREADY_EXISTS;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static boolean ownedBy(Path target, Path temp) {
        try {
            return Files.isSameFile(target, temp);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void discard(StagedBlob staged) throws IOException {
        Files.deleteIfExists(staged.file());
    }

    @Override
    public Optional<AccessRecord> readAccess(String key) throws IOException {
        CacheKeys.check(key);
        try {
            String[] parts = Files.readString(access.resolve(key), StandardCharsets.UTF_8).trim().split(" ");
            return Optional.of(new AccessRecord(Instant.ofEpochMilli(Long.parseLong(parts[1])), Long.parseLong(parts[0])));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty(); // damaged usage record: treated as never used
        }
    }

    @Override
    public void recordAccess(String key, AccessRecord record) throws IOException {
        CacheKeys.check(key);
        Path temp = tmp.resolve(key + "." + UUID.randomUUID() + ".access");
        Files.writeString(temp, record.hits() + " " + record.lastAccess().toEpochMilli() + "\n");
        Files.move(temp, access.resolve(key), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void delete(String key, String blob) throws IOException {
        CacheKeys.check(key);
        Files.deleteIfExists(manifest(key));
        Files.deleteIfExists(access.resolve(key));
        if (blob != null && !blob.isEmpty()) {
            Files.deleteIfExists(blobPath(blob));
        }
    }

    @Override
    public int sweep(Set<String> referenced, Duration olderThan) throws IOException {
        Instant cutoff = Instant.now().minus(olderThan);
        int removed = 0;
        for (Path dir : List.of(blobs, tmp)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path p : files) {
                    if (referenced.contains(p.getFileName().toString())) {
                        continue;
                    }
                    try {
                        FileTime mtime = Files.getLastModifiedTime(p);
                        if (mtime.toInstant().isBefore(cutoff) && Files.deleteIfExists(p)) {
                            removed++;
                        }
                    } catch (NoSuchFileException gone) {
                        // raced with another sweeper
                    }
                }
            }
        }
        return removed;
    }

    @Override
    public void close() {
    }

    private Path manifest(String key) {
        CacheKeys.check(key);
        return entries.resolve(key + MANIFEST_SUFFIX);
    }

    private Path blobPath(String blob) throws IOException {
        if (blob.isEmpty() || blob.contains("/") || blob.startsWith(".") || blob.contains("\0")) {
            throw new NoSuchFileException("blob name '" + blob + "' is not a name in " + blobs);
        }
        return blobs.resolve(blob);
    }

    /** A read-only window of a shared channel using positional reads, so ranges can be read concurrently. */
    private static final class RangeChannel implements SeekableByteChannel {
        private final FileChannel ch;
        private final long start;
        private final long end;
        private long pos;

        RangeChannel(FileChannel ch, long offset, long length) {
            this.ch = ch;
            this.start = offset;
            this.end = offset + length;
            this.pos = offset;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (pos >= end) {
                return -1;
            }
            int limit = dst.limit();
            if (dst.remaining() > end - pos) {
                dst.limit(dst.position() + (int) (end - pos));
            }
            try {
                int n = ch.read(dst, pos);
                if (n > 0) {
                    pos += n;
                }
                return n;
            } finally {
                dst.limit(limit);
            }
        }

        @Override
        public int write(ByteBuffer src) {
            throw new java.nio.channels.NonWritableChannelException(); // a read-only range of the blob
        }

        @Override
        public long position() {
            return pos - start;
        }

        @Override
        public SeekableByteChannel position(long newPosition) {
            pos = start + newPosition;
            return this;
        }

        @Override
        public long size() {
            return end - start;
        }

        @Override
        public SeekableByteChannel truncate(long size) {
            throw new java.nio.channels.NonWritableChannelException();
        }

        @Override
        public boolean isOpen() {
            return ch.isOpen();
        }

        @Override
        public void close() {
            // the shared channel is closed by the reader
        }
    }
}
