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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A prefetch brings the packs in the order the last run first used them: go asks for hundreds of
 * small entries while it loads packages, before it needs the big outputs, and it waits for each.
 */
class GoCachePrefetchOrderTest {

    @TempDir
    Path dir;

    static byte[] body(int n, int size) {
        byte[] b = new byte[size];
        new Random(n).nextBytes(b);
        return b;
    }

    static String action(int n) {
        return String.format("%064x", 0x7000 + n);
    }

    static String output(byte[] b) {
        return Ids.hex(Ids.sha256().digest(b));
    }

    private ObjectStore store() {
        return ObjectStores.open("local:" + dir.resolve("store"), null, Duration.ofSeconds(10));
    }

    private PrefetchManifest manifest() throws Exception {
        return PrefetchManifest.parse(Files.readAllBytes(dir.resolve("store/gocache/m/svc_main.json")));
    }

    /** Puts in this order: a big output, twelve small ones, a bigger one, the biggest. */
    private static final int[] SIZES = {
        3_000_000, 1_200, 900, 2_500, 700, 1_800, 3_100, 400, 650, 2_200, 1_000, 1_500, 800, 3_500_000, 4_000_000
    };

    private void seed(String tier) throws Exception {
        GoCacheOptions o = GoCacheOptions.of("local:" + dir.resolve("store"), dir.resolve(tier)).withPrefetchKey("svc/main");
        GoCacheSession s = new GoCacheSession(o, new RecordingReporter(), new DiskTier(dir.resolve(tier)), this::store);
        for (int i = 0; i < SIZES.length; i++) {
            byte[] b = body(i, SIZES[i]);
            s.put(action(i), output(b), new ByteArrayInputStream(b), b.length, false);
        }
        s.close(0);
    }

    private static int packOf(PrefetchManifest m, int action) {
        for (int i = 0; i < m.packs().size(); i++) {
            if (m.packs().get(i).entries().stream().anyMatch(e -> e.actionId().equals(action(action)))) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void packsAreListedAndFetchedInTheOrderTheLastRunFirstUsedThem() throws Exception {
        seed("seed");
        PrefetchManifest m = manifest();
        assertThat(m.firstUse()).isTrue();
        // the first big output first, then the packs of the small ones, the two later big ones last
        assertThat(packOf(m, 0)).isZero();
        int last = m.packs().size() - 1;
        assertThat(packOf(m, 13)).isEqualTo(last - 1);
        assertThat(packOf(m, 14)).isEqualTo(last);
        for (int i = 1; i <= 12; i++) {
            assertThat(packOf(m, i)).isBetween(1, last - 2);
        }

        // a fresh agent's prefetch with one worker takes the packs strictly one after another
        RecordingReporter log = new RecordingReporter();
        Prefetcher p = new Prefetcher(new StoreAccess(this::store, log, Duration.ofSeconds(10)), new DiskTier(dir.resolve("fresh")),
                new AtomicLong(), 1, DebugTimeline.to(log));
        try {
            p.start("svc/main");
            assertThat(p.previous(Duration.ofSeconds(10))).isNotNull();
            for (int i = 0; i < SIZES.length; i++) {
                assertThat(p.arrival(action(i)).get(10, TimeUnit.SECONDS)).isTrue();
                assertThat(p.recordOf(action(i))).isNotNull();
            }
        } finally {
            // its worker may still be writing the next pack: done before the temporary folder goes
            assertThat(p.closeAndAwait(Duration.ofSeconds(10))).isTrue();
        }
        List<String> started = new ArrayList<>();
        for (String line : log.infos) {
            int at = line.indexOf("pack start ");
            if (at >= 0) {
                started.add(line.substring(at + "pack start ".length()));
            }
        }
        assertThat(started).containsExactlyElementsOf(m.packs().stream().map(PrefetchManifest.Pack::name).toList());
    }

    @Test
    void aRunInAnotherOrderOfTheSameSetWritesNothingAndAnOlderUnorderedManifestIsFetchedBiggestFirst() throws Exception {
        seed("seed");
        PrefetchManifest m = manifest();
        // the same set used in reverse order (from the seed's tier, so every get is local): nothing is written
        GoCacheOptions o = GoCacheOptions.of("local:" + dir.resolve("store"), dir.resolve("seed")).withPrefetchKey("svc/main");
        java.util.Map<String, Long> before = GoCacheGoTest.snapshot(dir.resolve("store"));
        GoCacheSession again = new GoCacheSession(o, new RecordingReporter(), new DiskTier(dir.resolve("seed")), this::store);
        for (int i = SIZES.length - 1; i >= 0; i--) {
            assertThat(again.get(action(i))).isNotNull();
        }
        assertThat(again.close(0).bytesUp()).isZero();
        assertThat(GoCacheGoTest.snapshot(dir.resolve("store"))).isEqualTo(before);
        assertThat(manifest()).isEqualTo(m);

        // a manifest from before the order was recorded: the biggest pack first
        Files.write(dir.resolve("store/gocache/m/svc_main.json"), new PrefetchManifest(m.packs(), m.used()).encode());
        RecordingReporter log = new RecordingReporter();
        Prefetcher p = new Prefetcher(new StoreAccess(this::store, log, Duration.ofSeconds(10)), new DiskTier(dir.resolve("fresh")),
                new AtomicLong(), 1, DebugTimeline.to(log));
        try {
            p.start("svc/main");
            assertThat(p.previous(Duration.ofSeconds(10)).firstUse()).isFalse();
            assertThat(p.arrival(action(0)).get(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            // its worker may still be writing the next pack: done before the temporary folder goes
            assertThat(p.closeAndAwait(Duration.ofSeconds(10))).isTrue();
        }
        String first = log.infos.stream().filter(l -> l.contains("pack start ")).findFirst().orElseThrow();
        assertThat(first).endsWith(m.packs().get(packOf(m, 14)).name());
    }
}
