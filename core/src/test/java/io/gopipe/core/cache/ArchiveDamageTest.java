package io.gopipe.core.cache;

import io.gopipe.core.report.RecordingReporter;
import io.gopipe.core.cache.archive.ArchiveChunk;
import io.gopipe.core.cache.backend.LocalBackend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 8, defect 7: damage to an entry's archive is found before anything is extracted, and
 * nothing of a damaged archive becomes visible.
 */
class ArchiveDamageTest {

    @TempDir
    Path tmp;

    private Path store;
    private Path src;
    private final RecordingReporter reporter = new RecordingReporter();
    private CacheService service;
    private final CacheKey key = new CacheKey("damage-k", List.of());

    @BeforeEach
    void saveAnEntry() throws IOException {
        src = tmp.resolve("src");
        TestTrees.moduleCache(src, 3, "example.com/a@v1.0.0", "example.com/b@v1.2.0", "example.com/c@v0.3.0");
        store = tmp.resolve("store");
        Files.createDirectories(store);
        service = new CacheService(new LocalBackend(store), reporter, CacheSettings.defaults().withProgressInterval(java.time.Duration.ZERO));
        assertThat(service.save(new CacheRequest(CachePolicy.BUILD, key, src, null)).status()).isEqualTo(SaveResult.Status.SAVED);
    }

    @Test
    void anArchiveOneByteShortIsAMissOnTheLengthCheckBeforeAnythingIsExtracted() throws IOException {
        Path blob = blob();
        long size = Files.size(blob);
        try (FileChannel ch = FileChannel.open(blob, StandardOpenOption.WRITE)) {
            ch.truncate(size - 1);
        }
        Path target = tmp.resolve("target");
        RestoreResult r = service.restore(new CacheRequest(CachePolicy.BUILD, key, target, null));

        assertThat(r.hit()).isFalse();
        assertThat(reporter.warnings).singleElement().asString().contains("shorter than the " + size + " bytes");
        assertThat(reporter.progress).as("no file was restored before the check")
                .filteredOn(p -> p.task().startsWith("restore")).allMatch(p -> p.filesDone() == 0);
        assertNothingVisible(target);
    }

    @Test
    void fourKilobytesAppendedAreAMiss() throws IOException {
        Path blob = blob();
        long size = Files.size(blob);
        Files.write(blob, new byte[4096], StandardOpenOption.APPEND);
        Path target = tmp.resolve("target");
        RestoreResult r = service.restore(new CacheRequest(CachePolicy.BUILD, key, target, null));

        assertThat(r.hit()).isFalse();
        assertThat(reporter.warnings).singleElement().asString().contains("longer than the " + size + " bytes");
        assertNothingVisible(target);
    }

    @Test
    void aDamagedByteInTheLastChunkIsAMissAndNothingBecomesVisible() throws IOException {
        Path blob = blob();
        try (FileChannel ch = FileChannel.open(blob, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
            long at = ch.size() - 30;
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x40)).position(0);
            ch.write(b, at);
        }
        Path target = tmp.resolve("target");
        RestoreResult r = service.restore(new CacheRequest(CachePolicy.BUILD, key, target, null));

        assertThat(r.hit()).isFalse();
        assertThat(reporter.warnings).singleElement().asString().contains("CRC-32C mismatch");
        assertNothingVisible(target);
    }

    @Test
    void aPathThatIsARegularFileFailsBeforeTheArchiveIsRead() throws IOException {
        // The archive is damaged too: if it were read first, the error would be the damage and the entry dropped.
        Path blob = blob();
        try (FileChannel ch = FileChannel.open(blob, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 1);
        }
        Path target = tmp.resolve("a-file");
        Files.writeString(target, "not a directory");
        RestoreResult r = service.restore(new CacheRequest(CachePolicy.BUILD, key, target, null));

        assertThat(r.hit()).isFalse();
        assertThat(reporter.warnings).singleElement().asString().contains(target + " exists and is not a directory")
                .doesNotContain("shorter");
        assertThat(Files.readString(target)).isEqualTo("not a directory");
        assertThat(Files.exists(blob)).as("the entry was not judged (and not dropped)").isTrue();
        try (var left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("gopipe-restore"));
        }
    }

    @Test
    void entriesWhoseChunksCarrySha256StillRestoreAndTheirDamageIsFound() throws IOException {
        // This version writes a CRC-32C per chunk; entries saved before carry a SHA-256 instead.
        Path manifestFile = store.resolve("entries").resolve(key.key() + ".json");
        assertThat(Files.readString(manifestFile)).contains("\"crc32c\":\"").doesNotContain("sha256");
        Manifest m = Manifest.parse(Files.readAllBytes(manifestFile), key.key());
        byte[] archive = Files.readAllBytes(blob());
        List<ArchiveChunk> withSha = m.chunks().stream()
                .map(c -> new ArchiveChunk(c.offset(), c.length(), c.rawBytes(), c.entries(),
                        TestTrees.sha(java.util.Arrays.copyOfRange(archive, (int) c.offset(), (int) (c.offset() + c.length())))))
                .toList();
        Manifest older = new Manifest(m.format(), m.key(), m.policy(), m.blob(), m.created(), m.goVersion(), m.goos(),
                m.goarch(), m.files(), m.fileBytes(), m.archiveBytes(), withSha, m.modules());
        Files.write(manifestFile, older.toJson());
        assertThat(Files.readString(manifestFile)).contains("\"sha256\":\"").doesNotContain("crc32c");

        Path target = tmp.resolve("target");
        assertThat(service.restore(new CacheRequest(CachePolicy.BUILD, key, target, null)).hit()).isTrue();
        assertThat(TestTrees.snapshot(target)).isEqualTo(TestTrees.snapshot(src));

        try (FileChannel ch = FileChannel.open(blob(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
            ch.read(b, 40);
            b.put(0, (byte) (b.get(0) ^ 0x01)).position(0);
            ch.write(b, 40);
        }
        Path again = tmp.resolve("again");
        RestoreResult r = service.restore(new CacheRequest(CachePolicy.BUILD, key, again, null));
        assertThat(r.hit()).isFalse();
        assertThat(reporter.warnings).singleElement().asString().contains("SHA-256 mismatch");
        assertNothingVisible(again);
    }

    private void assertNothingVisible(Path target) throws IOException {
        assertThat(target).doesNotExist();
        try (var left = Files.list(target.getParent())) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("gopipe-restore"));
        }
    }

    private Path blob() throws IOException {
        try (var found = Files.walk(store.resolve("blobs"))) {
            return found.filter(p -> p.toString().endsWith(".tar.zst")).findFirst().orElseThrow();
        }
    }
}
