package io.gopipe.core.cache;

import io.gopipe.core.cache.archive.ArchiveExtractor;
import io.gopipe.core.cache.archive.ArchiveWriter;
import io.gopipe.core.cache.archive.ChunkSource;
import io.gopipe.core.cache.archive.DirectoryScanner;
import io.gopipe.core.cache.archive.ProgressMeter;
import io.gopipe.core.report.Reporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The archive writer on trees large enough for many packed chunks and for files streamed as chunks
 * of their own, read back by our extractor and by GNU tar.
 */
class ArchiveRoundTripTest {

    /** Files over this are streamed as chunks of their own ({@code ArchiveWriter.MAX_PACKED}). */
    private static final int STREAMED = 16 << 20;
    /** Members are packed together up to this ({@code ArchiveWriter.PACK_LIMIT}). */
    private static final int PACKED = 8 << 20;

    @TempDir
    Path tmp;

    @Test
    void manyPackedChunksAndStreamedBigFilesRestoreIdentically() throws Exception {
        Path src = tmp.resolve("src");
        bigTree(src);
        Path archive = tmp.resolve("a.tar.zst");
        ArchiveWriter.Result result = write(src, archive, 3);

        assertThat(result.chunks().size()).as("packed chunks").isGreaterThan(6);
        assertThat(result.chunks()).as("the file over the in-memory limit is a streamed chunk of its own")
                .filteredOn(c -> c.entries() == 1 && c.rawBytes() > STREAMED).hasSize(1);
        assertThat(result.chunks()).as("a file too big to pack with others is a chunk of its own")
                .filteredOn(c -> c.entries() == 1 && c.rawBytes() > PACKED && c.rawBytes() <= STREAMED).hasSize(1);
        assertThat(result.archiveBytes()).isEqualTo(Files.size(archive));

        Path restored = tmp.resolve("restored");
        Files.createDirectories(restored);
        extract(archive, result, restored);
        assertThat(TestTrees.snapshot(restored)).isEqualTo(TestTrees.snapshot(src));
    }

    @Test
    void aChunkTooBigToDecompressInMemoryIsStreamedOnRestore() throws Exception {
        Path src = tmp.resolve("src");
        Random rnd = new Random(3);
        byte[] huge = TestTrees.goSource(rnd, (24 << 20) + 4097); // over the extractor's in-memory limit
        TestTrees.write(src.resolve("cache/download/huge/@v/v1.0.0.zip"), huge, 0644, 1_600_000_700L);
        TestTrees.write(src.resolve("a/small.go"), "package a\n".getBytes(), 0444, 1_600_000_701L);
        Path archive = tmp.resolve("a.tar.zst");
        ArchiveWriter.Result result = write(src, archive, 2);
        assertThat(result.chunks()).anyMatch(c -> c.rawBytes() > (24 << 20));

        Path restored = tmp.resolve("restored");
        Files.createDirectories(restored);
        extract(archive, result, restored);
        assertThat(TestTrees.snapshot(restored)).isEqualTo(TestTrees.snapshot(src));
    }

    @Test
    void theArchiveIsAPlainTarZstThatGnuTarReads() throws Exception {
        Path src = tmp.resolve("src");
        bigTree(src);
        Path archive = tmp.resolve("a.tar.zst");
        write(src, archive, 2);

        Path byTar = tmp.resolve("by-tar");
        Files.createDirectories(byTar);
        Process tar = new ProcessBuilder("tar", "-I", "zstd", "-xf", archive.toString(), "-C", byTar.toString())
                .redirectErrorStream(true).start();
        String output = new String(tar.getInputStream().readAllBytes());
        assertThat(tar.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(tar.exitValue()).as(output).isZero();
        Map<String, String> expected = TestTrees.snapshot(src);
        Map<String, String> actual = TestTrees.snapshot(byTar);
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((path, line) -> {
            if (line.startsWith("file ")) {
                assertThat(actual.get(path)).as(path).isEqualTo(line);
            }
        });
    }

    @Test
    void aFileThatShrinksAfterTheWalkIsZeroPaddedToItsRecordedSize() throws Exception {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        byte[] small = "package small\n".repeat(100).getBytes();
        byte[] big = new byte[STREAMED + 1000];
        Arrays.fill(big, (byte) 'x');
        Files.write(src.resolve("small.go"), small);
        Files.write(src.resolve("big.bin"), big);
        DirectoryScanner.Scan scan = DirectoryScanner.scan(src, rel -> false);
        Files.write(src.resolve("small.go"), "pack".getBytes());
        Files.write(src.resolve("big.bin"), "xx".getBytes());

        Path archive = tmp.resolve("a.tar.zst");
        ArchiveWriter.Result result;
        try (FileChannel out = FileChannel.open(archive, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            result = new ArchiveWriter(2, 1).write(scan, out, meter());
        }
        Path restored = tmp.resolve("restored");
        Files.createDirectories(restored);
        extract(archive, result, restored);

        byte[] smallBack = Files.readAllBytes(restored.resolve("small.go"));
        assertThat(smallBack).hasSize(small.length);
        assertThat(new String(smallBack, 0, 4)).isEqualTo("pack");
        assertThat(smallBack[small.length - 1]).isZero();
        byte[] bigBack = Files.readAllBytes(restored.resolve("big.bin"));
        assertThat(bigBack).hasSize(big.length);
        assertThat(bigBack[0]).isEqualTo((byte) 'x');
        assertThat(bigBack[big.length - 1]).isZero();
    }

    @Test
    void closingAnUnfinishedArchiveStopsItsThreads() throws Exception {
        Path src = tmp.resolve("src");
        bigTree(src);
        Path archive = tmp.resolve("a.tar.zst");
        try (FileChannel out = FileChannel.open(archive, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             ArchiveWriter.Session session = new ArchiveWriter(3, 1).open(src, out, meter())) {
            int[] added = {0};
            DirectoryScanner.walk(src, rel -> false, e -> {
                if (added[0]++ < 300) {
                    session.add(e);
                }
            }, () -> { });
        }
        // The pool counts as terminated once its workers have left their loop; a worker thread may
        // still be unwinding for a moment after that, so give each one a bounded join first.
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("gopipe-cache-compress")) {
                t.join(5_000);
            }
        }
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("gopipe-cache-compress") && t.isAlive());
    }

    /** ~40 MiB: Go-like files in nested read-only directories, one file to stream, one to pack alone, odd names. */
    private static void bigTree(Path root) throws IOException {
        Random rnd = new Random(7);
        for (int m = 0; m < 12; m++) {
            Path dir = root.resolve("example.com/mod" + m + "@v1." + m + ".0/pkg/sub" + (m % 3));
            Files.createDirectories(dir);
            for (int f = 0; f < 60; f++) {
                TestTrees.write(dir.resolve("f" + f + ".go"), TestTrees.goSource(rnd, 1 + rnd.nextInt(16_000)), 0444,
                        1_600_000_000L + f);
            }
        }
        byte[] text = TestTrees.goSource(rnd, PACKED + 123_457);
        TestTrees.write(root.resolve("cache/download/big/@v/v1.0.0.zip"), text, 0644, 1_600_000_500L);
        byte[] noise = new byte[STREAMED + 17];
        rnd.nextBytes(noise);
        TestTrees.write(root.resolve("cache/download/noise/@v/v1.0.0.zip"), noise, 0644, 1_600_000_501L);
        byte[] justBelow = TestTrees.goSource(rnd, PACKED / 2 - 1);
        TestTrees.write(root.resolve("cache/download/below/@v/v1.0.0.zip"), justBelow, 0644, 1_600_000_502L);
        String longDir = "github.com/" + "a-rather-long-organisation-name/".repeat(5) + "pkg";
        Files.createDirectories(root.resolve(longDir));
        TestTrees.write(root.resolve(longDir + "/ünïcode-näme.go"), "package x\n".getBytes(), 0444, 1_600_000_600L);
        Files.createDirectories(root.resolve("cache/empty"));
        Files.createSymbolicLink(root.resolve("cache/link"), Path.of("download"));
        for (int m = 0; m < 12; m++) {
            Path mod = root.resolve("example.com/mod" + m + "@v1." + m + ".0");
            try (var walk = Files.walk(mod)) {
                for (Path d : walk.filter(Files::isDirectory).sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                    Files.setPosixFilePermissions(d, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
                }
            }
        }
    }

    private static ArchiveWriter.Result write(Path src, Path archive, int threads) throws IOException {
        try (FileChannel out = FileChannel.open(archive, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             ArchiveWriter.Session session = new ArchiveWriter(threads, 1).open(src, out, meter())) {
            DirectoryScanner.walk(src, rel -> false, session::add, () -> { });
            return session.finish();
        }
    }

    private static void extract(Path archive, ArchiveWriter.Result result, Path target) throws IOException {
        try (FileChannel in = FileChannel.open(archive)) {
            ChunkSource source = (offset, length) -> {
                ByteBuffer bytes = ByteBuffer.allocate((int) length);
                in.read(bytes, offset);
                return new java.io.ByteArrayInputStream(bytes.array(), 0, bytes.position());
            };
            new ArchiveExtractor(target, 3, meter(), Duration.ZERO).extract(result.chunks(), source, "test");
        }
    }

    private static ProgressMeter meter() {
        return new ProgressMeter(Reporter.silent(), "test", -1, -1, Duration.ofHours(1));
    }
}
