package io.gopipe.core.cache.archive;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes tree members as a chunked tar.zst archive: members are packed into chunks of a few
 * megabytes while the tree is still being walked, each chunk is compressed as its own zstd frame
 * by a pool of threads, and the frames are appended in walk order (a reorder window parks frames
 * that finish early). A final frame holds the tar end marker, so the file is a plain POSIX
 * {@code .tar.zst} with every directory before its contents: {@code tar -I zstd -xf} unpacks it,
 * also as a user who cannot write into Go's read-only module directories once they are finished.
 *
 * <p>A chunk is assembled in a direct buffer (file bytes go from the page cache straight into
 * it), compressed in one call and written from a direct buffer: no heap copies on the way. Files
 * too big for a chunk buffer become chunks of their own, compressed as a stream by all threads.
 */
public final class ArchiveWriter {

    /** What was written. */
    public record Result(List<ArchiveChunk> chunks, long archiveBytes, long rawBytes) {
    }

    /**
     * Members are packed into one chunk up to this many (bounded) tar bytes. Chunks this big (with a
     * window that spans the whole chunk, {@link #WINDOW_LOG}) keep most of what one stream gets from
     * the many versions of one module that lie side by side in a sorted walk: on a real-shaped
     * 1 GiB module cache, 2 MiB chunks at level 1 gave 1.31x the size of {@code tar | zstd -3},
     * 8 MiB chunks at level 2 with an 8 MiB window 0.95x (bench/cache/README.md).
     */
    static final int PACK_LIMIT = 8 << 20;
    /**
     * Largest chunk assembled in memory. A file too big for {@link #PACK_LIMIT} is a chunk of its own,
     * assembled in one buffer of this size that the threads share (such files are rare, and every
     * direct buffer costs its size in zeroing and page faults); a bigger file is compressed as a stream.
     */
    static final int MAX_PACKED = 16 << 20;
    /** zstd shrinks the window to the chunk when the chunk is smaller, so this only ever spans one chunk. */
    static final int WINDOW_LOG = 24;
    private static final long MIN_TARGET = 2L << 20;
    private static final long MAX_TARGET = 8L << 20;
    private static final int MAX_ENTRIES_PER_CHUNK = 4096;
    /** Passed as a set: the varargs overload copies its options into a new HashSet for every file. */
    private static final java.util.Set<StandardOpenOption> READ = java.util.EnumSet.of(StandardOpenOption.READ);

    private final int threads;
    private final int level;

    /**
     * @param threads compression threads
     * @param level   zstd level (1 fastest … 19)
     */
    public ArchiveWriter(int threads, int level) {
        this.threads = Math.max(1, threads);
        this.level = level;
    }

    /** Archives {@code scan} into {@code out} starting at offset 0. */
    public Result write(DirectoryScanner.Scan scan, FileChannel out, ProgressMeter meter) throws IOException {
        try (Session session = open(scan.root(), out, meter)) {
            for (TarEntry e : scan.entries()) {
                session.add(e);
            }
            return session.finish();
        }
    }

    /**
     * Starts an archive of members below {@code root} in {@code out} (from offset 0); add members in
     * walk order, then {@link Session#finish()}. Closing an unfinished session stops its threads
     * and leaves {@code out} with garbage the caller discards.
     */
    public Session open(Path root, FileChannel out, ProgressMeter meter) {
        return new Session(root, out, meter);
    }

    /** One archive being written. Not thread-safe: one thread adds members. */
    public final class Session implements AutoCloseable {
        private final Path root;
        private final ProgressMeter meter;
        private final OrderedAppender appender;
        private final ExecutorService pool;
        private final Semaphore inFlight;
        private final List<Future<?>> futures = new ArrayList<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final ThreadLocal<PackedChunkCompressor> compressors;
        private PackedChunkCompressor bigCompressor;
        private final List<PackedChunkCompressor> allCompressors = new ArrayList<>();
        private List<TarEntry> pending = new ArrayList<>();
        private long pendingBound;
        private long submittedRaw;
        private volatile boolean stopped;

        private Session(Path root, FileChannel out, ProgressMeter meter) {
            this.root = root;
            this.meter = meter;
            // Chunks in flight: compressing, or compressed and parked until the chunks before them are
            // written. Four per thread keep the other threads busy while one is slow (on a loaded agent a
            // thread can be off the CPU for a while) and bound the parked frames (compressed, at most
            // 8 MiB each).
            this.inFlight = new Semaphore(threads * 4);
            this.appender = new OrderedAppender(out, inFlight);
            this.pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "gopipe-cache-compress");
                t.setDaemon(true);
                return t;
            });
            this.compressors = ThreadLocal.withInitial(() -> {
                PackedChunkCompressor c = new PackedChunkCompressor(level, PACK_LIMIT);
                synchronized (allCompressors) {
                    allCompressors.add(c);
                }
                return c;
            });
        }

        /** Adds the next member; may block while the compression threads catch up. */
        public void add(TarEntry e) throws IOException {
            rethrowFailure();
            long bound = bound(e);
            if (bound > MAX_PACKED) {
                flush();
                writeSolo(e);
                return;
            }
            if (!pending.isEmpty() && pendingBound + bound > PACK_LIMIT) {
                flush();
            }
            pending.add(e);
            pendingBound += bound;
            // Small chunks first so all threads start at once, bigger ones later for the ratio.
            long target = Math.max(MIN_TARGET, Math.min(MAX_TARGET, submittedRaw / 16));
            if (pendingBound >= target || pending.size() >= MAX_ENTRIES_PER_CHUNK) {
                flush();
            }
        }

        /** Waits for every chunk, appends the end-of-archive frame and returns the chunk list. */
        public Result finish() throws IOException {
            flush();
            awaitSubmitted();
            // The end-of-archive marker is a chunk of its own, so every byte of the file is checksummed.
            byte[] trailer = Zstd.compress(TarWriter.endOfArchive(), 1);
            ChunkDigest digest = ChunkDigest.forWriting();
            digest.update(trailer, 0, trailer.length);
            appender.writeNext(ByteBuffer.wrap(trailer), TarWriter.endOfArchive().length, 0, digest.hex());
            List<ArchiveChunk> chunks = appender.chunks();
            long raw = chunks.stream().mapToLong(ArchiveChunk::rawBytes).sum();
            return new Result(chunks, appender.size(), raw);
        }

        /** Waits until every submitted chunk is compressed and written. */
        private void awaitSubmitted() throws IOException {
            try {
                for (Future<?> f : futures) {
                    f.get();
                }
                futures.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("archive write interrupted");
            } catch (ExecutionException e) {
                throw asIOException(e.getCause());
            }
        }

        @Override
        public void close() {
            stopped = true;
            pool.shutdownNow();
            try {
                if (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
                    return; // a thread is stuck in I/O: leave its native buffers alone
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            synchronized (allCompressors) {
                allCompressors.forEach(PackedChunkCompressor::close);
                allCompressors.clear();
            }
        }

        private void flush() throws IOException {
            if (!pending.isEmpty()) {
                submit(pending, pendingBound);
                pending = new ArrayList<>();
                pendingBound = 0;
            }
        }

        private void submit(List<TarEntry> members, long bound) throws IOException {
            try {
                inFlight.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("archive write interrupted");
            }
            try {
                rethrowFailure();
            } catch (IOException | RuntimeException e) {
                inFlight.release();
                throw e;
            }
            submittedRaw += bound;
            long seq = appender.reserve();
            futures.add(pool.submit(() -> {
                try {
                    if (stopped) {
                        throw new InterruptedIOException("archive write stopped");
                    }
                    if (bound > PACK_LIMIT) {
                        writeBig(seq, members, (int) bound);
                    } else {
                        compressors.get().write(seq, root, members, (int) bound, appender, meter);
                    }
                    return null;
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                    inFlight.release(); // never written: give the permit back so the walk sees the failure
                    throw t;
                }
            }));
        }

        private void writeBig(long seq, List<TarEntry> members, int bound) throws IOException {
            PackedChunkCompressor big;
            synchronized (allCompressors) {
                if (bigCompressor == null) {
                    bigCompressor = new PackedChunkCompressor(level, MAX_PACKED);
                    allCompressors.add(bigCompressor);
                }
                big = bigCompressor;
            }
            synchronized (big) {
                big.write(seq, root, members, bound, appender, meter);
            }
        }

        /**
         * A file too big for a chunk buffer: once every chunk before it is written, it is streamed
         * to the end of the archive by this thread, compressed by all threads.
         */
        private void writeSolo(TarEntry e) throws IOException {
            awaitSubmitted();
            rethrowFailure();
            appender.streamNext(stream -> {
                ChunkDigest digest = ChunkDigest.forWriting();
                CountingOutputStream stored = new CountingOutputStream(stream, digest);
                CountingOutputStream raw;
                try (ZstdOutputStreamNoFinalizer z = new ZstdOutputStreamNoFinalizer(stored, level)) {
                    if (threads > 1) {
                        z.setWorkers(threads);
                    }
                    raw = new CountingOutputStream(z, null);
                    TarWriter tar = new TarWriter(raw);
                    tar.writeHeader(e);
                    copyFile(root.resolve(e.path()), e.size(), raw);
                    tar.pad(e.size());
                    raw.flush();
                }
                meter.add(e.size(), 1);
                return ArchiveChunk.withCrc32c(-1, stored.count, raw.count, 1, digest.hex());
            });
        }

        private void rethrowFailure() throws IOException {
            Throwable t = failure.get();
            if (t != null) {
                throw asIOException(t);
            }
        }
    }

    /** Upper bound of the tar bytes of one member: header, pax records when names or times need them, padded content. */
    static long bound(TarEntry e) {
        long nameBytes = 3L * (e.path().length() + 1 + e.linkTarget().length()); // UTF-8 worst case
        boolean pax = nameBytes > 100 || e.mtime() < 0 || e.mtime() > 077777777777L;
        long paxBytes = pax ? 512 + ((2 * nameBytes + 256 + 511) & ~511L) : 0;
        return 512 + paxBytes + ((e.size() + 511) & ~511L);
    }

    private static IOException asIOException(Throwable cause) {
        if (cause instanceof UncheckedIOException u) {
            return u.getCause();
        }
        if (cause instanceof IOException io) {
            return io;
        }
        if (cause instanceof RuntimeException re) {
            throw re;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        return new IOException("archive write failed: " + cause, cause);
    }

    /** Copies exactly {@code size} bytes: a file that shrank since the walk is padded with zeros, one that grew is cut. */
    private static void copyFile(Path file, long size, OutputStream out) throws IOException {
        byte[] buffer = new byte[256 << 10];
        long left = size;
        try (var in = Files.newInputStream(file)) {
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    break;
                }
                out.write(buffer, 0, n);
                left -= n;
            }
        } catch (NoSuchFileException e) {
            // vanished since the walk: keep the archive consistent with its headers
        }
        java.util.Arrays.fill(buffer, (byte) 0);
        while (left > 0) {
            int n = (int) Math.min(buffer.length, left);
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    /**
     * One thread's chunk assembly: a direct buffer the members' tar bytes are read into, a direct
     * buffer for the frame, a reused zstd context.
     */
    private static final class PackedChunkCompressor implements AutoCloseable {
        private final ZstdCompressCtx ctx = new ZstdCompressCtx();
        private final ChunkDigest digest = ChunkDigest.forWriting();
        private final ByteBuffer raw;
        private final ByteBuffer frame;
        private final TarWriter tar;

        PackedChunkCompressor(int level, int capacity) {
            ctx.setLevel(level);
            ctx.setWindowLog(WINDOW_LOG);
            raw = ByteBuffer.allocateDirect(capacity);
            frame = ByteBuffer.allocateDirect((int) Zstd.compressBound(capacity));
            tar = new TarWriter(new BufferOutput(raw));
        }

        void write(long seq, Path root, List<TarEntry> members, int bound, OrderedAppender appender, ProgressMeter meter)
                throws IOException {
            if (bound > raw.capacity()) {
                throw new IllegalStateException("chunk of " + bound + " bytes for a " + raw.capacity() + "-byte buffer");
            }
            raw.clear();
            for (TarEntry e : members) {
                tar.writeHeader(e);
                if (e.type() == TarEntry.Type.FILE) {
                    readFile(root.resolve(e.path()), e.size());
                    tar.pad(e.size());
                    meter.add(e.size(), 1);
                }
            }
            int rawBytes = raw.position();
            frame.clear();
            int length = ctx.compressDirectByteBuffer(frame, 0, frame.capacity(), raw, 0, rawBytes);
            frame.limit(length);
            digest.reset();
            digest.update(frame);
            frame.position(0);
            appender.deliver(seq, frame, rawBytes, members.size(), digest.hex());
        }

        /** Reads exactly {@code size} bytes of {@code file} into the raw buffer (zeros if it shrank or vanished). */
        private void readFile(Path file, long size) throws IOException {
            int end = raw.position() + (int) size;
            int limit = raw.limit();
            raw.limit(end);
            try (FileChannel in = FileChannel.open(file, READ)) {
                while (raw.hasRemaining() && in.read(raw) >= 0) {
                    // until the recorded size or EOF
                }
            } catch (NoSuchFileException e) {
                // vanished since the walk: keep the archive consistent with its headers
            }
            while (raw.hasRemaining()) {
                raw.put((byte) 0);
            }
            raw.limit(limit);
        }

        @Override
        public void close() {
            ctx.close();
        }
    }

    /**
     * Writes frames in the order their chunks were submitted. A frame that is ready before the
     * frames ahead of it is copied aside (the compressing thread reuses its buffer) and written as
     * soon as they are; each written frame returns one in-flight permit, so at most that many
     * frames are ever parked.
     */
    private static final class OrderedAppender {
        private record Parked(ByteBuffer frame, long rawBytes, int entries, String crc32c) {
        }

        private final FileChannel out;
        private final Semaphore inFlight;
        private final ReentrantLock lock = new ReentrantLock();
        private final java.util.TreeMap<Long, Parked> parked = new java.util.TreeMap<>();
        private final List<ArchiveChunk> chunks = new ArrayList<>();
        private long reserved;
        private long size;

        OrderedAppender(FileChannel out, Semaphore inFlight) {
            this.out = out;
            this.inFlight = inFlight;
        }

        /** The sequence number of the next chunk, in archive order. */
        long reserve() {
            lock.lock();
            try {
                return reserved++;
            } finally {
                lock.unlock();
            }
        }

        /** Writes frame {@code seq} now if every frame before it is written, else parks a copy. */
        void deliver(long seq, ByteBuffer frame, long rawBytes, int entries, String crc32c) throws IOException {
            lock.lock();
            try {
                if (seq != chunks.size()) {
                    ByteBuffer copy = ByteBuffer.allocate(frame.remaining());
                    copy.put(frame).flip();
                    parked.put(seq, new Parked(copy, rawBytes, entries, crc32c));
                    return;
                }
                write(frame, rawBytes, entries, crc32c);
                inFlight.release();
                while (!parked.isEmpty() && parked.firstKey() == chunks.size()) {
                    Parked p = parked.pollFirstEntry().getValue();
                    write(p.frame(), p.rawBytes(), p.entries(), p.crc32c());
                    inFlight.release();
                }
            } finally {
                lock.unlock();
            }
        }

        /** Writes a frame after all others (no chunk may be in flight). */
        void writeNext(ByteBuffer frame, long rawBytes, int entries, String crc32c) throws IOException {
            lock.lock();
            try {
                checkDrained();
                reserved++;
                write(frame, rawBytes, entries, crc32c);
            } finally {
                lock.unlock();
            }
        }

        private void write(ByteBuffer frame, long rawBytes, int entries, String crc32c) throws IOException {
            long offset = size;
            long pos = offset;
            while (frame.hasRemaining()) {
                pos += out.write(frame, pos);
            }
            size = pos;
            chunks.add(ArchiveChunk.withCrc32c(offset, pos - offset, rawBytes, entries, crc32c));
        }

        interface StreamWriter {
            ArchiveChunk write(OutputStream stream) throws IOException;
        }

        /** Lets {@code writer} stream a frame of unknown length to the end (no chunk may be in flight). */
        void streamNext(StreamWriter writer) throws IOException {
            lock.lock();
            try {
                checkDrained();
                long offset = size;
                ChannelOutput stream = new ChannelOutput(out, offset);
                ArchiveChunk chunk = writer.write(stream);
                reserved++;
                size = stream.position;
                chunks.add(chunk.at(offset));
            } finally {
                lock.unlock();
            }
        }

        private void checkDrained() {
            if (reserved != chunks.size() || !parked.isEmpty()) {
                throw new IllegalStateException("chunks still in flight: " + reserved + " reserved, " + chunks.size() + " written");
            }
        }

        List<ArchiveChunk> chunks() {
            lock.lock();
            try {
                return List.copyOf(chunks);
            } finally {
                lock.unlock();
            }
        }

        long size() {
            lock.lock();
            try {
                return size;
            } finally {
                lock.unlock();
            }
        }
    }

    /** Positional writes to a channel, as a stream. */
    private static final class ChannelOutput extends OutputStream {
        private final FileChannel out;
        long position;

        ChannelOutput(FileChannel out, long position) {
            this.out = out;
            this.position = position;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) {
                position += out.write(buf, position);
            }
        }
    }

    /** Tar headers and padding into the chunk buffer. */
    private static final class BufferOutput extends OutputStream {
        private final ByteBuffer buf;

        BufferOutput(ByteBuffer buf) {
            this.buf = buf;
        }

        @Override
        public void write(int b) {
            buf.put((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            buf.put(b, off, len);
        }
    }

    /** Counts (and optionally hashes) what passes through. */
    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        private final ChunkDigest digest;
        long count;

        CountingOutputStream(OutputStream out, ChunkDigest digest) {
            super(out);
            this.digest = digest;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            if (digest != null) {
                digest.update(b, off, len);
            }
            count += len;
        }

        @Override
        public void close() throws IOException {
            flush(); // the zstd stream closes its sink itself; the channel stays open
        }
    }
}
