package io.gopipe.core.gocache;

import io.gopipe.core.gocache.store.ObjectStore;
import io.gopipe.core.gocache.store.ObjectStores;
import io.gopipe.core.report.RecordingReporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A prefetch writes the outputs it brings but no index file per action (an inode each on a fresh
 * agent): the run's gets are answered from what the prefetch delivered, and a later run on the
 * same disk finds the outputs again, through its own prefetch or the store's action record,
 * without downloading them.
 */
class GoCachePrefetchIndexTest {

    @TempDir
    Path dir;

    static byte[] body(int n) {
        byte[] b = new byte[2000 + n];
        new Random(n).nextBytes(b);
        return b;
    }

    static String action(int n) {
        return String.format("%064x", 0x5000 + n);
    }

    private ObjectStore store() {
        return ObjectStores.open("local:" + dir.resolve("store"), null, Duration.ofSeconds(10));
    }

    private GoCacheSession session(String tier, String key) throws Exception {
        GoCacheOptions o = GoCacheOptions.of("local:" + dir.resolve("store"), dir.resolve(tier)).withPrefetchKey(key);
        return new GoCacheSession(o, new RecordingReporter(), new DiskTier(dir.resolve(tier)), this::store);
    }

    private long files(String sub) throws Exception {
        Path p = dir.resolve(sub);
        if (!Files.isDirectory(p)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.count();
        }
    }

    @Test
    void aPrefetchAnswersFromWhatItBroughtWithoutIndexFilesAndALaterRunFindsTheOutputsOnDisk() throws Exception {
        GoCacheSession seed = session("seed", "svc/main");
        for (int i = 1; i <= 30; i++) {
            byte[] b = body(i);
            seed.put(action(i), Ids.hex(Ids.sha256().digest(b)), new ByteArrayInputStream(b), b.length, false);
        }
        seed.close(0);

        // a fresh agent: everything comes from the prefetch's packs, nothing object by object
        GoCacheSession fresh = session("agent", "svc/main");
        for (int i = 1; i <= 30; i++) {
            ActionRecord r = fresh.get(action(i));
            assertThat(r).isNotNull();
            assertThat(Files.readAllBytes(dir.resolve("agent").resolve("o1").resolve(r.outputId()))).isEqualTo(body(i));
        }
        GoCacheFigures f = fresh.close(0);
        assertThat(f.prefetchHits()).isEqualTo(30);
        assertThat(f.remoteHits()).isZero();
        assertThat(files("agent/o1")).isEqualTo(30);
        assertThat(files("agent/a1")).as("no index file per prefetched action").isZero();

        // the next job of the key on this disk: its prefetch finds the outputs and indexes them, no pack is read
        GoCacheSession again = session("agent", "svc/main");
        for (int i = 1; i <= 30; i++) {
            assertThat(again.get(action(i))).isNotNull();
        }
        GoCacheFigures g = again.close(0);
        assertThat(g.localHits()).isEqualTo(30);
        assertThat(g.remoteHits()).isZero();
        assertThat(files("agent/a1")).isEqualTo(30);

        // a command without a key on a disk holding outputs but no index: the store's action record, not the output
        GoCacheSession other = session("agent2", "svc/main");
        other.get(action(1));
        other.close(0);
        assertThat(files("agent2/a1")).isZero();
        GoCacheSession noKey = session("agent2", null);
        assertThat(noKey.get(action(1))).isNotNull();
        GoCacheFigures h = noKey.close(0);
        assertThat(h.remoteHits()).isEqualTo(1);
        assertThat(h.bytesDown()).as("only the action record").isLessThan(body(1).length / 4);
        assertThat(files("agent2/a1")).isEqualTo(1);
    }
}
