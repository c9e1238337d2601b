package io.gopipe.core.cache.backend;

import io.gopipe.core.cache.CacheKeys;
import io.gopipe.core.cache.OwnerLock;
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
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Entries in a directory, also a shared NFS mount. Layout: {@code blobs/<key>.<uuid>.tar.zst},
 * {@code entries/<key>.json} (the manifest), {@code access/<key>}, {@code tmp/}. A manifest is
 * published with {@code link(2)}, which fails atomically when the name exists, so exactly one of
 * several processes wins; readers take no lock.
 *
 * <p>An archive is written in {@code tmp/} under a POSIX lock held by the saving process and moved
 * to {@code blobs/} just before its manifest is linked. The kernel drops the lock when the saver
 * dies, so an archive in {@code tmp/} whose lock can be taken belongs to nobody: the next save
 * removes it at once instead of after a grace period ({@link #sweepAbandoned()}).
 */
public final class LocalBackend implements CacheBackend {

    private static final String MANIFEST_SUFFIX = ".json";

    private final Path root;
    private final Path entries;
    private final Path blobs;
    private final Path access;
    private final Path tmp;
    private static final String LOCK_SUFFIX = ".lock";
    /** Owner locks of the archives this instance is writing, by blob name. */
    private final Map<String, OwnerLock> writing = new ConcurrentHashMap<>();

    /** Opens (and creates when missing) a cache directory. */
    public LocalBackend(Path root) throws IOException {
        this(root, true);
    }

    /**
     * Opens a cache directory. Without {@code create}, a missing directory is an error: an unmounted
     * share must not silently turn into a store on the local disk.
     *
     * @throws NoSuchFileException when the directory is missing and {@code create} is false
     */
    public LocalBackend(Path root, boolean create) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.entries = this.root.resolve("entries");
        this.blobs = this.root.resolve("blobs");
        this.access = this.root.resolve("access");
        this.tmp = this.root.resolve("tmp");
        if (!create && !Files.isDirectory(this.root)) {
            throw new NoSuchFileException(this.root.toString(), null,
                    "cache store does not exist (a share that is not mounted?); create it, or let gopipe create it (--create-store)");
        }
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
            public void readFully(long offset, ByteBuffer into, byte[] scratch) throws IOException {
                // positional reads straight into the caller's (direct) buffer: no heap copies
                long pos = offset;
                while (into.hasRemaining()) {
                    int n = ch.read(into, pos);
                    if (n < 0) {
                        return;
                    }
                    pos += n;
                }
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
        blobPath(blob);
        writing.put(blob, OwnerLock.create(tmp.resolve(blob + LOCK_SUFFIX)));
        Path file = tmp.resolve(blob);
        Files.createFile(file);
        return new StagedBlob(key, blob, file);
    }

    private void release(StagedBlob staged) {
        OwnerLock lock = writing.remove(staged.blob());
        if (lock != null) {
            lock.close();
        }
    }

    @Override
    public Publish publish(StagedBlob staged, byte[] manifestBytes, ProgressMeter upload) throws IOException {
        Path target = manifest(staged.key());
        Path temp = tmp.resolve(staged.blob() + MANIFEST_SUFFIX);
        Path stored = blobPath(staged.blob());
        try {
            Files.write(temp, manifestBytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(staged.file(), stored, StandardCopyOption.ATOMIC_MOVE);
            Files.createLink(target, temp);
            return Publish.PUBLISHED;
        } catch (FileAlreadyExistsException taken) {
            // On NFS a retried link can report EEXIST although it was ours: check what is there.
            if (ownedBy(target, temp)) {
                return Publish.PUBLISHED;
            }
            Files.deleteIfExists(stored);
            discard(staged);
            return Publish.ALREADY_EXISTS;
        } finally {
            Files.deleteIfExists(temp);
            release(staged);
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
        try {
            Files.deleteIfExists(staged.file());
        } finally {
            release(staged);
        }
    }

    /**
     * Removes archives of saves that died: files in {@code tmp/} whose lock nobody holds (the kernel
     * released it with the process), and other staging files over an hour old.
     */
    @Override
    public int sweepAbandoned() throws IOException {
        int removed = 0;
        for (Path p : leftovers()) {
            if (abandoned(p) && Files.deleteIfExists(p)) {
                removed++;
                Files.deleteIfExists(tmp.resolve(p.getFileName() + LOCK_SUFFIX));
            }
        }
        return removed;
    }

    @Override
    public Leftovers leftovers(Set<String> referenced) throws IOException {
        long count = 0;
        long bytes = 0;
        for (Path p : leftovers()) {
            count++;
            bytes += sizeOf(p);
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(blobs)) {
            for (Path p : files) {
                if (!referenced.contains(p.getFileName().toString())) {
                    count++;
                    bytes += sizeOf(p);
                }
            }
        }
        return new Leftovers(count, bytes);
    }

    private List<Path> leftovers() throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tmp)) {
            files.forEach(found::add);
        }
        return found;
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException gone) {
            return 0;
        }
    }

    private boolean abandoned(Path p) {
        String name = p.getFileName().toString();
        if (name.endsWith(".tar.zst")) {
            Path lockFile = tmp.resolve(name + LOCK_SUFFIX);
            return Files.exists(lockFile) ? unlocked(lockFile) : olderThanAnHour(p);
        }
        if (name.endsWith(LOCK_SUFFIX)) {
            Path archive = tmp.resolve(name.substring(0, name.length() - LOCK_SUFFIX.length()));
            return !Files.exists(archive) && unlocked(p);
        }
        return olderThanAnHour(p); // manifests and usage records in flight live milliseconds
    }

    private static boolean unlocked(Path lockFile) {
        return OwnerLock.isAbandoned(lockFile);
    }

    private static boolean olderThanAnHour(Path p) {
        return OwnerLock.olderThan(p, Duration.ofHours(1));
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
