package io.gopipe.core.gocache;

import io.gopipe.core.gocache.store.ObjectStore;
import io.gopipe.core.gocache.store.ObjectStores;
import io.gopipe.core.gocache.store.StoredObject;
import io.gopipe.core.report.RecordingReporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A get that waits for an entry whose pack is slow: the entry's object is fetched alone and
 * answers first; an object the store lacks leaves the entry to its pack. The store is the real
 * local store, seen through a wrapper that only holds pack transfers back until released.
 */
class GoCachePrefetchAloneTest {

    @TempDir
    Path dir;

    static byte[] body(int n) {
        byte[] b = new byte[3000 + n];
        new Random(n).nextBytes(b);
        return b;
    }

    static String action(int n) {
        return String.format("%064x", n);
    }

    /** The real store; pack opens wait until {@link #release}. */
    static final class SlowPacks implements ObjectStore {
        final ObjectStore real;
        final CountDownLatch released = new CountDownLatch(1);

        SlowPacks(ObjectStore real) {
            this.real = real;
        }

        void release() {
            released.countDown();
        }

        @Override
        public String describe() {
            return real.describe();
        }

        @Override
        public Optional<byte[]> get(String name) throws IOException {
            return real.get(name);
        }

        @Override
        public InputStream open(String name) throws IOException {
            if (name.startsWith("p/")) {
                try {
                    released.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            return real.open(name);
        }

        @Override
        public boolean exists(String name) throws IOException {
            return real.exists(name);
        }

        @Override
        public void put(String name, InputStream data, long size) throws IOException {
            real.put(name, data, size);
        }

        @Override
        public List<StoredObject> list(String prefix) throws IOException {
            return real.list(prefix);
        }

        @Override
        public void delete(String name) throws IOException {
            real.delete(name);
        }

        @Override
        public int sweepStaging(Duration olderThan) throws IOException {
            return real.sweepStaging(olderThan);
        }

        @Override
        public void close() throws IOException {
            real.close();
        }
    }

    private ObjectStore store() {
        return ObjectStores.open("local:" + dir.resolve("store"), null, Duration.ofSeconds(10));
    }

    @Test
    void aWaitedEntryOfASlowPackIsFetchedAloneAndAMissingObjectWaitsForThePack() throws Exception {
        // a first run on another agent leaves objects, packs and the key's manifest
        GoCacheOptions o = GoCacheOptions.of("local:" + dir.resolve("store"), dir.resolve("agent1")).withPrefetchKey("svc/main");
        GoCacheSession first = new GoCacheSession(o, new RecordingReporter(), new DiskTier(dir.resolve("agent1")), this::store);
        for (int i = 1; i <= 12; i++) {
            byte[] b = body(i);
            first.put(action(i), Ids.hex(Ids.sha256().digest(b)), new ByteArrayInputStream(b), b.length, false);
        }
        first.close(0);
        Path objects = dir.resolve("store").resolve("gocache").resolve("o");
        assertThat(Files.list(objects).count()).isEqualTo(12);
        Files.delete(objects.resolve(Ids.hex(Ids.sha256().digest(body(5)))));

        SlowPacks slow = new SlowPacks(store());
        DiskTier tier = new DiskTier(dir.resolve("agent2"));
        RecordingReporter reporter = new RecordingReporter();
        StoreAccess access = new StoreAccess(() -> slow, reporter, Duration.ofSeconds(10));
        Prefetcher p = new Prefetcher(access, tier, new AtomicLong(), 8, DebugTimeline.off());
        try {
            p.start("svc/main");
            p.awaitAction(action(3), Duration.ofSeconds(10));
            assertThat(tier.lookup(action(3))).as("answered while its pack is held back").isNotNull();
            assertThat(p.delivered(action(3))).isTrue();
            assertThat(tier.lookup(action(4))).as("nothing else came").isNull();

            Thread release = new Thread(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException ignored) {
                    // released at once
                }
                slow.release();
            });
            release.start();
            p.awaitAction(action(5), Duration.ofSeconds(10)); // its object is gone: the pack brings it
            assertThat(tier.lookup(action(5))).isNotNull();
            assertThat(Files.readAllBytes(tier.object(Ids.hex(Ids.sha256().digest(body(5)))))).isEqualTo(body(5));
            release.join();
            for (int i = 1; i <= 12; i++) {
                p.awaitAction(action(i), Duration.ofSeconds(10));
                assertThat(tier.lookup(action(i))).isNotNull();
            }
            assertThat(reporter.warnings).as("a missing object is no problem").isEmpty();
        } finally {
            slow.release();
            p.close();
            access.close();
        }
    }
}
