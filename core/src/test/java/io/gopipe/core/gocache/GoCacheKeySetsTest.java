package io.gopipe.core.gocache;

import io.gopipe.core.gocache.store.ObjectStores;
import io.gopipe.core.report.RecordingReporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The daemon's per-key job state: one set and one prefetch per job, dropped after the gap between jobs. */
class GoCacheKeySetsTest {

    @TempDir
    Path dir;

    private Supplier<DaemonPrefetch> prefetchOf(String key) throws Exception {
        DiskTier tier = new DiskTier(dir.resolve("tier"));
        return () -> DaemonPrefetch.start(key, new StoreAccess(() -> ObjectStores.open("local:" + dir.resolve("store"), null,
                Duration.ofSeconds(5)), new RecordingReporter(), Duration.ofSeconds(5)), tier, DebugTimeline.off());
    }

    @Test
    void theGoCommandsOfOneJobShareTheSetAndThePrefetch() throws Exception {
        KeySets sets = new KeySets(Duration.ofMinutes(5));
        Map<String, ActionRecord> first = sets.open("svc/main");
        DaemonPrefetch p = sets.prefetch("svc/main", prefetchOf("svc/main"));
        sets.close("svc/main");
        assertThat(sets.open("svc/main")).isSameAs(first);
        assertThat(sets.prefetch("svc/main", prefetchOf("svc/main"))).isSameAs(p);
        assertThat(p.closed()).isFalse();
        sets.closeAll();
        assertThat(p.closed()).isTrue();
    }

    @Test
    void afterTheGapAKeyStartsAfreshAndIdleKeysAreDroppedWithTheirPrefetch() throws Exception {
        KeySets sets = new KeySets(Duration.ofMillis(50));
        Map<String, ActionRecord> a = sets.open("a/main");
        DaemonPrefetch pa = sets.prefetch("a/main", prefetchOf("a/main"));
        sets.close("a/main");
        sets.open("b/main");
        DaemonPrefetch pb = sets.prefetch("b/main", prefetchOf("b/main"));
        sets.close("b/main");
        Thread.sleep(120);

        sets.open("c/main"); // another key's job: a and b have been idle past the gap
        assertThat(pa.closed()).isTrue();
        assertThat(pb.closed()).isTrue();

        Map<String, ActionRecord> again = sets.open("a/main");
        assertThat(again).isNotSameAs(a);
        DaemonPrefetch pa2 = sets.prefetch("a/main", prefetchOf("a/main"));
        assertThat(pa2).isNotSameAs(pa);
        assertThat(pa2.closed()).isFalse();
        sets.closeAll();
    }
}
