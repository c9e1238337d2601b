package io.gopipe.core.cache.archive;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a scanned tree as a chunked tar.zst archive: the members are cut into chunks of a few
 * megabytes, each compressed as its own zstd frame by a pool of threads and written at the next
 * free offset as soon as it is ready. A final frame holds the tar end marker, so the file is
 * also a plain {@code .tar.zst} that {@code tar -I zstd -xf} reads.
 */
public final class ArchiveWriter {

    /** What was written. */
    public record Result(List<ArchiveChunk> chunks, long archiveBytes, long rawBytes) {
    }

    private static final int MAX_ENTRIES_PER_CHUNK = 4096;
    private static final long BIG_CHUNK = 32L << 20;

    private final int threads;
    private final int level;
    private final ThreadLocal<Buffer> buffers = ThreadLocal.withInitial(() -> new Buffer(1 << 20));
    private final ThreadLocal<byte[]> copyBuffers = ThreadLocal.withInitial(() -> new byte[256 << 10]);

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
        List<List<TarEntry>> parts = partition(scan);
        AtomicLong position = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, Math.max(1, parts.size())), r -> {
            Thread t = new Thread(r, "gopipe-cache-compress");
            t.setDaemon(true);
            return t;
        });
        List<ArchiveChunk> chunks = new ArrayList<>();
        try {
            List<Future<ArchiveChunk>> futures = new ArrayList<>();
            for (List<TarEntry> part : parts) {
                futures.add(pool.submit(() -> writeChunk(scan.root(), part, out, position, meter)));
            }
            for (Future<ArchiveChunk> f : futures) {
                chunks.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("archive write interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("archive write failed: " + cause, cause);
        } finally {
            pool.shutdownNow();
        }
        // The end-of-archive marker is a chunk of its own, so every byte of the file is checksummed.
        byte[] trailer = Zstd.compress(TarWriter.endOfArchive(), 1);
        long end = position.getAndAdd(trailer.length);
        writeAt(out, trailer, trailer.length, end);
        MessageDigest sha = sha256();
        sha.update(trailer);
        chunks.add(new ArchiveChunk(end, trailer.length, TarWriter.endOfArchive().length, 0,
                HexFormat.of().formatHex(sha.digest())));
        long raw = chunks.stream().mapToLong(ArchiveChunk::rawBytes).sum();
        return new Result(chunks, position.get(), raw);
    }

    private List<List<TarEntry>> partition(DirectoryScanner.Scan scan) {
        // Enough chunks that every restore thread has several, small enough to bound memory.
        long target = Math.max(1L << 20, Math.min(16L << 20, scan.fileBytes() / Math.max(1, threads * 16L)));
        List<List<TarEntry>> parts = new ArrayList<>();
        List<TarEntry> current = new ArrayList<>();
        long bytes = 0;
        for (TarEntry e : scan.entries()) {
            current.add(e);
            bytes += 512 + e.size();
            if (bytes >= target || current.size() >= MAX_ENTRIES_PER_CHUNK) {
                parts.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
        }
        if (!current.isEmpty()) {
            parts.add(current);
        }
        return parts;
    }

    private ArchiveChunk writeChunk(Path root, List<TarEntry> part, FileChannel out, AtomicLong position,
                                    ProgressMeter meter) throws IOException {
        long raw = part.stream().mapToLong(e -> 512 + e.size()).sum();
        // One output buffer per thread, sized to zstd's worst case, reused for every chunk: growing
        // and reallocating multi-megabyte arrays per chunk cost more CPU than compressing them.
        Buffer compressed = buffers.get();
        compressed.reset();
        compressed.reserve(raw + (raw >> 7) + (1 << 17));
        byte[] copy = copyBuffers.get();
        long rawWritten;
        try (ZstdOutputStreamNoFinalizer z = new ZstdOutputStreamNoFinalizer(compressed, level)) {
            if (raw > BIG_CHUNK && threads > 1) {
                z.setWorkers(threads);
            }
            CountingStream counting = new CountingStream(z);
            TarWriter tar = new TarWriter(counting);
            for (TarEntry e : part) {
                tar.writeHeader(e);
                if (e.type() == TarEntry.Type.FILE) {
                    copyFile(root.resolve(e.path()), e.size(), counting, copy);
                    tar.pad(e.size());
                    meter.add(e.size(), 1);
                }
            }
            rawWritten = counting.count;
        }
        MessageDigest sha = sha256();
        sha.update(compressed.array(), 0, compressed.size());
        long offset = position.getAndAdd(compressed.size());
        writeAt(out, compressed.array(), compressed.size(), offset);
        return new ArchiveChunk(offset, compressed.size(), rawWritten, part.size(),
                HexFormat.of().formatHex(sha.digest()));
    }

    /** Copies exactly {@code size} bytes: a file that shrank since the scan is padded with zeros, one that grew is cut. */
    private static void copyFile(Path file, long size, java.io.OutputStream out, byte[] buffer) throws IOException {
        long left = size;
        try (InputStream in = Files.newInputStream(file)) {
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    break;
                }
                out.write(buffer, 0, n);
                left -= n;
            }
        } catch (NoSuchFileException e) {
            // vanished since the scan: keep the archive consistent with its headers
        }
        if (left > 0) {
            Arrays.fill(buffer, (byte) 0);
            while (left > 0) {
                int n = (int) Math.min(buffer.length, left);
                out.write(buffer, 0, n);
                left -= n;
            }
        }
    }

    private static void writeAt(FileChannel out, byte[] bytes, int length, long offset) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes, 0, length);
        long pos = offset;
        while (buf.hasRemaining()) {
            pos += out.write(buf, pos);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JVM", e);
        }
    }

    /** An unsynchronized byte sink whose array can be read without a copy. */
    private static final class Buffer extends java.io.OutputStream {
        private byte[] buf;
        private int count;

        Buffer(int size) {
            buf = new byte[size];
        }

        void reset() {
            count = 0;
        }

        /** Grows an empty buffer to {@code capacity} (only called right after {@link #reset()}). */
        void reserve(long capacity) {
            if (count == 0 && capacity > buf.length) {
                buf = new byte[(int) Math.min(Integer.MAX_VALUE - 64, capacity)];
            }
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (count + len > buf.length) {
                byte[] bigger = new byte[(int) Math.min(Integer.MAX_VALUE - 64, Math.max((long) count + len, buf.length * 2L))];
                System.arraycopy(buf, 0, bigger, 0, count);
                buf = bigger;
            }
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        int size() {
            return count;
        }

        byte[] array() {
            return buf;
        }
    }

    private static final class CountingStream extends java.io.FilterOutputStream {
        long count;

        CountingStream(java.io.OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
