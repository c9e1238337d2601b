package io.gopipe.core.gocache;

import io.gopipe.core.gocache.store.LocalObjectStore;
import io.gopipe.core.report.RecordingReporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code serve --warm-up}: the rehearsal runs the daemon's real paths on made-up outputs (puts packed
 * and published at close, then fresh tiers that prefetch them), over a local folder or the real S3
 * client, stops between steps when told, and never touches the serving daemon's store or tier.
 */
class GoCacheRehearsalTest {

    @TempDir
    Path work;

    @Test
    void aRehearsalOverALocalFolderPublishesItsPutsAndEachFreshTierGetsThemAllFromThePrefetch() throws Exception {
        GoCacheRehearsal.Result r = new GoCacheRehearsal(work, 40, () -> false).run(2, false);

        assertThat(r.stopped()).isFalse();
        assertThat(r.rounds()).isEqualTo(3);
        assertThat(r.hits()).containsExactly(40, 40);
        // the write round's close packed the set and wrote the key's manifest, which the read rounds prefetched
        assertThat(new LocalObjectStore(work.resolve("store")).exists(PrefetchManifest.objectName(GoCacheRehearsal.KEY))).isTrue();
        assertThat(files(work.resolve("round-2").resolve("tier"))).hasSizeGreaterThanOrEqualTo(40);
    }

    @Test
    void aRehearsalOverTheS3ClientGetsEveryEntryToo() throws Exception {
        GoCacheRehearsal.Result r = new GoCacheRehearsal(work, 40, () -> false).run(2, true);

        assertThat(r.rounds()).isEqualTo(3);
        assertThat(r.hits()).containsExactly(40, 40);
    }

    @Test
    void aRehearsalGivesWayBetweenStepsOnceItIsToldToStop() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        GoCacheRehearsal.Result r = new GoCacheRehearsal(work, 40, () -> asked.incrementAndGet() > 1).run(2, false);

        assertThat(r.stopped()).isTrue();
        assertThat(r.rounds()).isEqualTo(1);
        assertThat(r.hits()).isEmpty();
    }

    @Test
    void aReadRoundGivesWayAfterTheBatchInFlight() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        // 64 entries are 4 batches of 16: the write round asks 5 times (its start and each batch), the
        // first read round twice before it is told to stop, after one batch.
        GoCacheRehearsal.Result r = new GoCacheRehearsal(work, 64, () -> asked.incrementAndGet() > 7).run(2, false);

        assertThat(r.stopped()).isTrue();
        assertThat(r.rounds()).isEqualTo(2);
        assertThat(r.hits()).containsExactly(16);
    }

    @Test
    void aDaemonWarmingUpLeavesItsOwnStoreAndTierUntouchedAndSaysWhatItDid() throws Exception {
        Path store = work.resolve("store");
        Path tier = work.resolve("tier");
        RecordingReporter log = new RecordingReporter();
        List<String> said = log.infos;
        GoCacheDaemonOptions o = new GoCacheDaemonOptions(GoCacheOptions.of("local:" + store, tier),
                List.of("unix:" + work.resolve("d.sock")), Duration.ZERO, null, null, true);
        GoCacheDaemon daemon = new GoCacheDaemon(o, log);
        Thread serving = new Thread(() -> {
            try {
                daemon.serve();
            } catch (Exception e) {
                log.warn("serve failed: " + e);
            }
        });
        serving.start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (said.stream().noneMatch(m -> m.contains("warm-up")) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } finally {
            daemon.stop();
            serving.join(10_000);
        }

        assertThat(said).as(log.warnings.toString())
                .anyMatch(m -> m.startsWith("gocache daemon: warm-up done in ") && m.endsWith("3 rounds, hits [300, 300]"));
        assertThat(files(store)).isEmpty();
        assertThat(files(tier)).allMatch(p -> p.getFileName().toString().equals("daemon.lock"));
    }

    private static List<Path> files(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }
}
