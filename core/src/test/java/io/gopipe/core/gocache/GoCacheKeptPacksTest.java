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
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A manifest may list a subset of a pack (a kept pack whose other outputs its key stopped using).
 * When a later run uses the whole pack again and cuts it anew, the new manifest must list all of
 * it, not the subset the last manifest listed under the same name.
 */
class GoCacheKeptPacksTest {

    @TempDir
    Path dir;

    static byte[] body(int n) {
        byte[] b = new byte[3000];
        new Random(n).nextBytes(b);
        return b;
    }

    static String action(int n) {
        return String.format("%064x", n);
    }

    private ObjectStore store() {
        return ObjectStores.open("local:" + dir.resolve("store"), null, Duration.ofSeconds(10));
    }

    private PrefetchManifest manifest() throws Exception {
        return PrefetchManifest.parse(Files.readAllBytes(dir.resolve("store/gocache/m/svc_main.json")));
    }

    @Test
    void aPackCutAgainIsListedWholeThoughTheLastManifestListedPartOfIt() throws Exception {
        GoCacheOptions o = GoCacheOptions.of("local:" + dir.resolve("store"), dir.resolve("a")).withPrefetchKey("svc/main");
        GoCacheSession first = new GoCacheSession(o, new RecordingReporter(), new DiskTier(dir.resolve("a")), this::store);
        for (int i = 1; i <= 40; i++) {
            byte[] b = body(i);
            first.put(action(i), Ids.hex(Ids.sha256().digest(b)), new ByteArrayInputStream(b), b.length, false);
        }
        first.close(0);
        PrefetchManifest m = manifest();
        PrefetchManifest.Pack big = m.packs().stream().filter(p -> p.entries().size() >= 3).findFirst().orElseThrow();
        // the last run listed one entry of that pack (it used no more of it then)
        List<PrefetchManifest.Pack> listed = new ArrayList<>();
        for (PrefetchManifest.Pack p : m.packs()) {
            listed.add(p == big ? new PrefetchManifest.Pack(p.name(), p.bytes(), List.of(p.entries().get(0)), p.packRaw()) : p);
        }
        byte[] partial = new PrefetchManifest(listed).encode();
        Files.write(dir.resolve("store/gocache/m/svc_main.json"), partial);

        // this run uses everything again, on a fresh agent
        GoCacheSession next = new GoCacheSession(GoCacheOptions.of("local:" + dir.resolve("store"), dir.resolve("b")).withPrefetchKey("svc/main"),
                new RecordingReporter(), new DiskTier(dir.resolve("b")), this::store);
        for (int i = 1; i <= 40; i++) {
            assertThat(next.get(action(i))).isNotNull();
        }
        next.close(0);
        Set<String> actions = new HashSet<>();
        manifest().packs().forEach(p -> p.entries().forEach(e -> actions.add(e.actionId())));
        Set<String> expected = new HashSet<>();
        for (int i = 1; i <= 40; i++) {
            expected.add(action(i));
        }
        assertThat(actions).isEqualTo(expected);
    }
}
