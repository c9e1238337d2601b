package io.gopipe.core.cache.archive;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Extracts the chunks of an archive in parallel into an empty directory. Every member path is
 * checked before anything is created; files are created exclusively, symlinks only at the end
 * (so no write ever goes through one), directory modes and times last (so Go's read-only
 * directories do not block their own files). Before any chunk is read, the stored archive's
 * length must equal the manifest's: a truncated or extended archive fails at once. Each chunk's
 * length and checksum ({@link ChunkDigest}) are checked before its members are written, and its
 * member count and tar size after; any difference fails the whole extraction (the caller then deletes the staging
 * directory, so nothing of a damaged archive ever becomes visible).
 *
 * <p>A chunk of up to {@link #MAX_IN_MEMORY} tar bytes is read straight into a direct buffer
 * ({@link ChunkSource#readFully}), checksummed, decompressed in one zstd call into a second direct
 * buffer, and every file's content is written from a slice of that buffer: no heap copies. Bigger
 * chunks (single huge files) are streamed.
 */
public final class ArchiveExtractor {

    private record DirAttrs(String path, int mode, long mtime) {
    }

    private record Link(String path, String target, long mtime) {
    }

    private final Path root;
    private final int threads;
    private final ProgressMeter meter;
    private final long deadlineNanos;
    private final boolean limited;
    private final int umask;
    private final Set<String> createdDirs = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<DirAttrs> dirs = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Link> links = new ConcurrentLinkedQueue<>();
    private volatile boolean stopped;
    /** A tree the result will be merged into: members it already holds identically are not written again. */
    private Path existing;
    private final ThreadLocal<byte[]> buffers = ThreadLocal.withInitial(() -> new byte[256 << 10]);
    /** Per mode, the attribute that creates a file with it; a module cache uses two or three modes. */
    private final AtomicReferenceArray<FileAttribute<?>[]> modeAttributes = new AtomicReferenceArray<>(512);

    /** Chunks up to this many tar bytes are decompressed in memory (the writer packs up to 16 MiB). */
    static final int MAX_IN_MEMORY = 24 << 20;

    private static final Set<StandardOpenOption> CREATE = EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    private static final FileAttribute<?>[] NO_ATTRIBUTES = new FileAttribute<?>[0];

    /**
     * @param root     an existing, empty directory that receives the members
     * @param threads  extraction threads; file creation is I/O bound, so more than the core count helps
     * @param meter    counts restored bytes and files
     * @param timeLimit how long to try before giving up with a {@link TimeLimitException} (zero: no limit)
     */
    public ArchiveExtractor(Path root, int threads, ProgressMeter meter, java.time.Duration timeLimit) throws IOException {
        this.root = root;
        this.threads = Math.max(1, threads);
        this.meter = meter;
        this.limited = !timeLimit.isZero();
        this.deadlineNanos = System.nanoTime() + (limited ? timeLimit.toNanos() : 0);
        this.umask = probeUmask(root);
    }

    /**
     * Declares the tree this extraction will be merged into ({@link FileTrees#moveIntoPlace}): a file
     * member that {@code target} already holds with the same size, mtime and mode is verified with
     * its chunk but not written (the merge keeps such files as they are), and a directory member
     * that is a directory there is only created here when something below it is written. A restore
     * over the tree of the last restore then creates almost nothing.
     */
    public ArchiveExtractor mergingInto(Path target) {
        this.existing = target;
        return this;
    }

    /** Extracts every chunk; on any failure stops all threads and throws (the caller deletes the root). */
    public void extract(List<ArchiveChunk> chunks, ChunkSource source, String label) throws IOException {
        checkLength(chunks, source, label);
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, Math.max(1, chunks.size())), r -> {
            Thread t = new Thread(r, "gopipe-cache-extract");
            t.setDaemon(true);
            return t;
        });
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < chunks.size(); i++) {
                ArchiveChunk chunk = chunks.get(i);
                String name = label + " chunk " + i;
                futures.add(pool.submit(() -> {
                    extractChunk(chunk, source, name);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                if (!limited) {
                    f.get();
                    continue;
                }
                long waitNanos = deadlineNanos - System.nanoTime();
                if (waitNanos <= 0) {
                    throw new TimeoutException();
                }
                f.get(waitNanos, TimeUnit.NANOSECONDS);
            }
        } catch (TimeoutException e) {
            stopped = true;
            throw new TimeLimitException(label + ": restore exceeded its time limit");
        } catch (InterruptedException e) {
            stopped = true;
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(label + ": restore interrupted");
        } catch (ExecutionException e) {
            stopped = true;
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(label + ": " + cause, cause);
        } finally {
            stopped = true;
            pool.shutdownNow();
            try {
                if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
                    allBuffers.forEach(b -> b.zstd.close()); // native contexts; a stuck thread keeps its own
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stopped = false;
        finishLinks();
        finishDirectories();
    }

    /**
     * The archive must end exactly where its last chunk ends: one ranged read of the last byte and
     * the one after it finds a truncated archive or appended bytes before anything is extracted.
     */
    static void checkLength(List<ArchiveChunk> chunks, ChunkSource source, String label) throws IOException {
        long size = 0;
        for (ArchiveChunk c : chunks) {
            size = Math.max(size, c.offset() + c.length());
        }
        if (size == 0) {
            return;
        }
        byte[] probe;
        try (InputStream in = source.open(size - 1, 2)) {
            probe = in.readNBytes(2);
        } catch (java.nio.file.NoSuchFileException gone) {
            throw gone;
        } catch (IOException e) {
            // A store may refuse a range that starts past the end (S3: 416): see whether the start reads.
            try (InputStream in = source.open(0, 1)) {
                if (in.readNBytes(1).length == 1) {
                    throw new CorruptArchiveException(label + ": archive is shorter than the " + size + " bytes of its manifest", e);
                }
            }
            throw e;
        }
        if (probe.length < 1) {
            throw new CorruptArchiveException(label + ": archive is shorter than the " + size + " bytes of its manifest");
        }
        if (probe.length > 1) {
            throw new CorruptArchiveException(label + ": archive is longer than the " + size + " bytes of its manifest");
        }
    }

    private void extractChunk(ArchiveChunk chunk, ChunkSource source, String name) throws IOException {
        if (chunk.rawBytes() > MAX_IN_MEMORY || chunk.length() > MAX_IN_MEMORY) {
            streamChunk(chunk, source, name);
            return;
        }
        ChunkBuffers b = chunkBuffers.get();
        ByteBuffer frame = b.frame((int) chunk.length());
        source.readFully(chunk.offset(), frame, b.scratch);
        if (frame.position() != chunk.length()) {
            throw new CorruptArchiveException(name + ": " + frame.position() + " bytes stored, manifest says " + chunk.length());
        }
        frame.flip();
        ChunkDigest digest = chunk.crc32c() != null ? b.crc : ChunkDigest.forChecking(chunk);
        digest.reset();
        digest.update(frame);
        if (!digest.matches(chunk)) {
            throw new CorruptArchiveException(name + ": " + digest.algorithm() + " mismatch");
        }
        frame.rewind();
        ByteBuffer raw = b.raw((int) chunk.rawBytes());
        int n;
        try {
            n = b.zstd.decompressDirectByteBuffer(raw, 0, raw.capacity(), frame, 0, (int) chunk.length());
        } catch (com.github.luben.zstd.ZstdException ze) {
            throw new CorruptArchiveException(name + ": zstd frame is damaged: " + ze.getMessage(), ze);
        }
        if (n != chunk.rawBytes()) {
            throw new CorruptArchiveException(name + ": " + n + " tar bytes, manifest says " + chunk.rawBytes());
        }
        raw.position(0).limit(n);
        BufferInput input = new BufferInput(raw);
        TarReader tar = new TarReader(input, name).withVerifiedBytes();
        int members = 0;
        TarEntry e;
        while ((e = tar.next()) != null) {
            if (stopped) {
                throw new InterruptedIOException(name + ": stopped");
            }
            restore(e, tar, b.scratch);
            members++;
        }
        long rawBytes = tar.bytesRead() + zeroTail(input, b.scratch, name);
        if (members != chunk.entries() || rawBytes != chunk.rawBytes()) {
            throw new CorruptArchiveException(name + ": " + members + " members / " + rawBytes
                    + " tar bytes, manifest says " + chunk.entries() + " / " + chunk.rawBytes());
        }
    }

    /** One extraction thread's reusable buffers, grown to the largest chunk seen. */
    private static final class ChunkBuffers {
        final byte[] scratch = new byte[256 << 10];
        final ChunkDigest crc = ChunkDigest.forWriting();
        final com.github.luben.zstd.ZstdDecompressCtx zstd = new com.github.luben.zstd.ZstdDecompressCtx();
        private ByteBuffer frame = ByteBuffer.allocateDirect(1 << 20);
        private ByteBuffer raw = ByteBuffer.allocateDirect(4 << 20);

        ByteBuffer frame(int length) {
            if (frame.capacity() < length) {
                frame = ByteBuffer.allocateDirect(length);
            }
            frame.clear().limit(length);
            return frame;
        }

        ByteBuffer raw(int length) {
            if (raw.capacity() < length) {
                raw = ByteBuffer.allocateDirect(length);
            }
            raw.clear();
            return raw;
        }
    }

    private final ConcurrentLinkedQueue<ChunkBuffers> allBuffers = new ConcurrentLinkedQueue<>();
    private final ThreadLocal<ChunkBuffers> chunkBuffers = ThreadLocal.withInitial(() -> {
        ChunkBuffers b = new ChunkBuffers();
        allBuffers.add(b);
        return b;
    });

    private void streamChunk(ArchiveChunk chunk, ChunkSource source, String name) throws IOException {
        ChunkDigest digest = ChunkDigest.forChecking(chunk);
        byte[] buffer = buffers.get();
        int members = 0;
        long rawBytes;
        HashingStream hashed;
        try (InputStream raw = source.open(chunk.offset(), chunk.length())) {
            hashed = new HashingStream(raw, digest);
            try (ZstdInputStreamNoFinalizer z = new ZstdInputStreamNoFinalizer(hashed)) {
                z.setContinuous(false);
                TarReader tar = new TarReader(z, name);
                TarEntry e;
                while ((e = tar.next()) != null) {
                    if (stopped) {
                        throw new InterruptedIOException(name + ": stopped");
                    }
                    restore(e, tar, buffer);
                    members++;
                }
                rawBytes = tar.bytesRead() + zeroTail(z, buffer, name);
            } catch (com.github.luben.zstd.ZstdIOException ze) {
                throw new CorruptArchiveException(name + ": zstd frame is damaged: " + ze.getMessage(), ze);
            }
            while (hashed.read(buffer) >= 0) {
                // hash any bytes the decoder did not need; they must not exist
            }
        }
        if (hashed.count != chunk.length()) {
            throw new CorruptArchiveException(name + ": " + hashed.count + " bytes stored, manifest says " + chunk.length());
        }
        if (!digest.matches(chunk)) {
            throw new CorruptArchiveException(name + ": " + digest.algorithm() + " mismatch");
        }
        if (members != chunk.entries() || rawBytes != chunk.rawBytes()) {
            throw new CorruptArchiveException(name + ": " + members + " members / " + rawBytes
                    + " tar bytes, manifest says " + chunk.entries() + " / " + chunk.rawBytes());
        }
    }

    /** After an end-of-archive block only zero blocks may follow; returns how many bytes they were. */
    private static long zeroTail(InputStream in, byte[] buffer, String name) throws IOException {
        long n = 0;
        int r;
        while ((r = in.read(buffer)) > 0) {
            for (int i = 0; i < r; i++) {
                if (buffer[i] != 0) {
                    throw new CorruptArchiveException(name + ": data after the end-of-archive marker");
                }
            }
            n += r;
        }
        return n;
    }

    private void restore(TarEntry e, TarReader tar, byte[] buffer) throws IOException {
        String path = SafePaths.checkMemberPath(e.path());
        switch (e.type()) {
            case DIRECTORY -> {
                if (!isDirectoryIn(existing, path)) {
                    ensureDir(path);
                }
                dirs.add(new DirAttrs(path, e.mode() & 0777, e.mtime()));
            }
            case FILE -> {
                if (existing != null && sameFile(existing.resolve(path), e)) {
                    tar.skipContent();
                    meter.add(e.size(), 1);
                } else {
                    writeFile(path, e, tar, buffer);
                }
            }
            case SYMLINK -> links.add(new Link(path, SafePaths.checkSymlinkTarget(path, e.linkTarget()), e.mtime()));
            case HARDLINK -> throw new UnsafeArchiveException("hardlink " + path + " -> " + e.linkTarget() + " refused");
            case DEVICE, FIFO -> throw new UnsafeArchiveException("device or FIFO member " + path + " refused");
            default -> throw new UnsafeArchiveException("unsupported member type for " + path);
        }
    }

    private void writeFile(String path, TarEntry e, TarReader tar, byte[] buffer) throws IOException {
        ensureParent(path);
        Path file = root.resolve(path);
        int mode = e.mode() & 0777;
        boolean modeAtCreate = (mode & umask) == 0;
        try (FileChannel ch = FileChannel.open(file, CREATE, modeAtCreate ? createAttributes(mode) : NO_ATTRIBUTES)) {
            tar.writeContent(ch, buffer);
        } catch (FileAlreadyExistsException dup) {
            throw new CorruptArchiveException("archive member " + path + " appears twice");
        }
        if (!modeAtCreate) {
            Files.setPosixFilePermissions(file, Modes.fromBits(mode));
        }
        setMtime(file, e.mtime());
        meter.add(e.size(), 1);
    }

    private static boolean isDirectoryIn(Path tree, String path) {
        return tree != null && Files.isDirectory(tree.resolve(path), LinkOption.NOFOLLOW_LINKS);
    }

    /** The test the merge applies (size and mtime), plus the mode, on one {@code lstat}. */
    private static boolean sameFile(Path p, TarEntry e) {
        try {
            var a = Files.readAttributes(p, java.nio.file.attribute.PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() && a.size() == e.size() && a.lastModifiedTime().toMillis() / 1000 == e.mtime()
                    && a.lastModifiedTime().toMillis() % 1000 == 0 && Modes.toBits(a.permissions()) == (e.mode() & 0777);
        } catch (IOException | UnsupportedOperationException absent) {
            return false;
        }
    }

    private FileAttribute<?>[] createAttributes(int mode) {
        FileAttribute<?>[] attrs = modeAttributes.get(mode);
        if (attrs == null) {
            attrs = new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(Modes.fromBits(mode))};
            modeAttributes.set(mode, attrs);
        }
        return attrs;
    }

    private void ensureParent(String path) throws IOException {
        int slash = path.lastIndexOf('/');
        if (slash > 0) {
            ensureDir(path.substring(0, slash));
        }
    }

    private void ensureDir(String path) throws IOException {
        if (createdDirs.contains(path)) {
            return;
        }
        Path dir = root.resolve(path);
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            throw new CorruptArchiveException("archive member " + path + " is both a file and a directory");
        }
        createdDirs.add(path);
    }

    private void finishLinks() throws IOException {
        Set<String> linkPaths = new HashSet<>();
        for (Link l : links) {
            linkPaths.add(l.path());
        }
        for (Link l : links) {
            for (int i = l.path().indexOf('/'); i > 0; i = l.path().indexOf('/', i + 1)) {
                if (linkPaths.contains(l.path().substring(0, i))) {
                    throw new UnsafeArchiveException("symlink " + l.path() + " lies below another symlink");
                }
            }
        }
        for (Link l : links) {
            ensureParent(l.path());
            Path p = root.resolve(l.path());
            try {
                Files.createSymbolicLink(p, Path.of(l.target()));
            } catch (FileAlreadyExistsException dup) {
                throw new CorruptArchiveException("archive member " + l.path() + " appears twice");
            }
            try {
                Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(FileTime.from(l.mtime(), TimeUnit.SECONDS), null, null);
            } catch (IOException | UnsupportedOperationException ignored) {
                // symlink times are cosmetic
            }
        }
        // Every member below a symlink must have been refused, including files and directories.
        for (String dir : createdDirs) {
            for (String link : linkPaths) {
                if (dir.startsWith(link + "/") || dir.equals(link)) {
                    throw new UnsafeArchiveException("archive member " + dir + " lies below symlink " + link);
                }
            }
        }
    }

    private void finishDirectories() throws IOException {
        List<DirAttrs> ordered = new ArrayList<>(dirs);
        ordered.sort(Comparator.comparingInt((DirAttrs d) -> depth(d.path())).reversed());
        for (DirAttrs d : ordered) {
            if (existing != null && !createdDirs.contains(d.path())) {
                continue; // already in the target and nothing below it was written
            }
            Path p = root.resolve(d.path());
            setMtime(p, d.mtime());
            Files.setPosixFilePermissions(p, Modes.fromBits(d.mode()));
        }
    }

    /**
     * Sets the modification time by path ({@code stat} + {@code utimes}). NIO's attribute views open
     * the file again to call {@code futimens} on it: an extra open and close for each of tens of
     * thousands of files. Only used on files and directories this extraction created, never on links.
     */
    private static void setMtime(Path p, long epochSeconds) throws IOException {
        if (!p.toFile().setLastModified(epochSeconds * 1000)) {
            throw new IOException("cannot set the modification time of " + p);
        }
    }

    private static int depth(String path) {
        int n = 0;
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) == '/') {
                n++;
            }
        }
        return n;
    }

    private static int probeUmask(Path dir) throws IOException {
        Path probe = dir.resolve(".gopipe-umask-probe");
        Files.deleteIfExists(probe);
        Files.createFile(probe, PosixFilePermissions.asFileAttribute(Modes.fromBits(0777)));
        try {
            return ~Modes.toBits(Files.getPosixFilePermissions(probe)) & 0777;
        } finally {
            Files.delete(probe);
        }
    }

    private static final class HashingStream extends FilterInputStream {
        private final ChunkDigest digest;
        long count;
        private boolean eof; // some HTTP streams close themselves at EOF and throw on the next read

        HashingStream(InputStream in, ChunkDigest digest) {
            super(in);
            this.digest = digest;
        }

        @Override
        public int read() throws IOException {
            if (eof) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                digest.update(new byte[] {(byte) b}, 0, 1);
                count++;
            } else {
                eof = true;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (eof) {
                return -1;
            }
            int n = in.read(b, off, len);
            if (n > 0) {
                digest.update(b, off, n);
                count += n;
            } else if (n < 0) {
                eof = true;
            }
            return n;
        }

        @Override
        public long skip(long n) {
            return 0; // force reads so every byte is hashed
        }
    }

    /** Tar bytes in a direct buffer; {@link TarReader} writes file content from slices of it. */
    static final class BufferInput extends InputStream {
        final ByteBuffer buf;

        BufferInput(ByteBuffer buf) {
            this.buf = buf;
        }

        @Override
        public int read() {
            return buf.hasRemaining() ? buf.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (!buf.hasRemaining()) {
                return -1;
            }
            int n = Math.min(len, buf.remaining());
            buf.get(b, off, n);
            return n;
        }

        @Override
        public long skip(long n) {
            int k = (int) Math.max(0, Math.min(n, buf.remaining()));
            buf.position(buf.position() + k);
            return k;
        }

        /** The next {@code n} bytes as a slice, consumed; fewer when the buffer ends first. */
        ByteBuffer take(long n) {
            int k = (int) Math.min(n, buf.remaining());
            ByteBuffer slice = buf.slice(buf.position(), k);
            buf.position(buf.position() + k);
            return slice;
        }
    }
}
