package io.gopipe.core.gocache;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The local tier's fast paths (absent files found without exceptions, counter-named temporary
 * files, remembered directories) keep its guarantees: sizes must match, nothing partial or
 * temporary is left visible, and several tiers over one directory (several processes) never mix
 * their temporary files.
 */
class GoCacheDiskTierTest {

    @TempDir
    Path dir;

    static byte[] body(int seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String idOf(byte[] b) {
        return Ids.hex(Ids.sha256().digest(b));
    }

    static String action(int n) {
        return String.format("%064x", n);
    }

    private long tmpFiles(DiskTier t) throws Exception {
        try (Stream<Path> s = Files.list(t.root().resolve("tmp"))) {
            return s.count();
        }
    }

    @Test
    void absentWrongSizeAndEmptyOutputsAreToldApart() throws Exception {
        DiskTier t = new DiskTier(dir);
        byte[] b = body(1, 1000);
        String out = idOf(b);
        assertThat(t.has(out, 1000)).isFalse();
        assertThat(t.has(out, 0)).as("an absent file is not an empty output").isFalse();
        t.store(out, new ByteArrayInputStream(b), b.length);
        assertThat(t.has(out, 1000)).isTrue();
        assertThat(t.has(out, 999)).isFalse();
        String empty = idOf(new byte[0]);
        t.store(empty, new ByteArrayInputStream(new byte[0]), 0);
        assertThat(t.has(empty, 0)).isTrue();
        assertThat(tmpFiles(t)).isZero();
    }

    @Test
    void outputsAndIndexEntriesLiveInOneDirectoryEachSoAFreshTierMakesNoSubdirectories() throws Exception {
        // a fresh agent's prefetch writes ~600 of each: with GOCACHE's 256 subdirectories per kind
        // that was ~450 directories (inodes) per job
        DiskTier t = new DiskTier(dir);
        for (int i = 0; i < 300; i++) {
            byte[] b = body(100 + i, 64 + i);
            String out = idOf(b);
            t.store(out, new ByteArrayInputStream(b), b.length, i % 2 == 0);
            t.index(action(i), new ActionRecord(out, b.length, Instant.now()));
            assertThat(t.object(out)).isEqualTo(dir.resolve("o1").resolve(out));
        }
        try (Stream<Path> s = Files.walk(dir)) {
            assertThat(s.filter(Files::isDirectory).map(p -> dir.relativize(p).toString()))
                    .containsExactlyInAnyOrder("", "tmp", "o1", "a1");
        }
        try (Stream<Path> s = Files.list(dir.resolve("a1"))) {
            assertThat(s.count()).isEqualTo(300);
        }
        assertThat(t.lookup(action(7))).isNotNull();
        assertThat(tmpFiles(t)).isZero();
    }

    @Test
    void lookupAnswersOnlyForAnIndexWhoseOutputIsThereWithItsSize() throws Exception {
        DiskTier t = new DiskTier(dir);
        assertThat(t.lookup(action(1))).isNull();
        byte[] b = body(2, 5000);
        String out = idOf(b);
        t.index(action(1), new ActionRecord(out, b.length, Instant.now()));
        assertThat(t.lookup(action(1))).as("index without its output").isNull();
        t.store(out, new ByteArrayInputStream(b), b.length);
        assertThat(t.lookup(action(1))).isNotNull().extracting(ActionRecord::outputId).isEqualTo(out);
        t.index(action(2), new ActionRecord(out, b.length + 1, Instant.now()));
        assertThat(t.lookup(action(2))).as("index naming another size").isNull();
        Files.write(dir.resolve("a1").resolve(action(3)), new byte[0]);
        assertThat(t.lookup(action(3))).as("an empty index file").isNull();
        assertThat(tmpFiles(t)).isZero();
    }

    @Test
    void aDamagedOutputLeavesNothingBehindAndADirectoryRemovedSinceIsMadeAgain() throws Exception {
        DiskTier t = new DiskTier(dir);
        byte[] b = body(3, 3000);
        String out = idOf(b);
        byte[] other = body(4, 3000);
        assertThatThrownBy(() -> t.store(out, new ByteArrayInputStream(other), other.length))
                .isInstanceOf(DiskTier.CorruptObjectException.class);
        assertThatThrownBy(() -> t.store(out, new ByteArrayInputStream(b, 0, 100), b.length))
                .isInstanceOf(DiskTier.CorruptObjectException.class);
        assertThat(t.has(out, b.length)).isFalse();
        assertThat(Files.exists(t.object(out))).isFalse();
        assertThat(tmpFiles(t)).isZero();

        t.store(out, new ByteArrayInputStream(b), b.length);
        // the tier remembers o1/ exists; someone removes it (a cleaned tier): the next write still lands
        Path sub = t.object(out).getParent();
        Files.delete(t.object(out));
        Files.delete(sub);
        t.store(out, new ByteArrayInputStream(b), b.length);
        assertThat(Files.readAllBytes(t.object(out))).isEqualTo(b);
        Files.delete(t.object(out));
        Files.delete(sub);
        t.store(out, new ByteArrayInputStream(b), b.length, false);
        assertThat(t.has(out, b.length)).isTrue();
        assertThat(tmpFiles(t)).isZero();
    }

    @Test
    void twoTiersOverOneDirectoryWritingAtOnceNeverMixTheirFiles() throws Exception {
        // two processes on one agent: each instance names its temporary files with its own prefix
        DiskTier one = new DiskTier(dir);
        DiskTier two = new DiskTier(dir);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                DiskTier t = w % 2 == 0 ? one : two;
                int base = w * 1000;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 150; i++) {
                        byte[] b = body(base + i, 200 + i);
                        String out = idOf(b);
                        t.store(out, new ByteArrayInputStream(b), b.length, false);
                        t.index(action(base + i), new ActionRecord(out, b.length, Instant.now()));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        for (int w = 0; w < 8; w++) {
            for (int i = 0; i < 150; i++) {
                byte[] b = body(w * 1000 + i, 200 + i);
                ActionRecord r = one.lookup(action(w * 1000 + i));
                assertThat(r).isNotNull();
                assertThat(Files.readAllBytes(one.object(r.outputId()))).isEqualTo(b);
            }
        }
        assertThat(tmpFiles(one)).isZero();
    }
}
