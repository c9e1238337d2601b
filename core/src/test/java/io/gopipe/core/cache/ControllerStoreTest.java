package io.gopipe.core.cache;

import io.gopipe.core.report.RecordingReporter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gopipe.core.cache.backend.AccessRecord;
import io.gopipe.core.cache.backend.LocalBackend;
import io.gopipe.core.cache.remote.ControllerStores;
import io.gopipe.core.cache.remote.RemoteBackend;
import io.gopipe.core.cache.remote.RemoteStore;
import io.gopipe.core.cache.remote.StoreAccess;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller's cache store as agents see it through the adapter the plugin exports
 * ({@link ControllerStores#forAgent} served to a {@link RemoteBackend}), with real archives: a
 * read-only build cannot write, keys are checked on the controller, namespaces do not see or
 * delete each other's entries, and only the controller prunes, by its own limits.
 */
class ControllerStoreTest {

    static final String SHOP = "folder:acme/shop";
    static final String OTHER = "folder:acme/other";

    @TempDir
    Path work;

    private Path root() {
        return work.resolve("controller/gopipe-cache");
    }

    private CacheService agent(RemoteStore store, RecordingReporter reporter) throws IOException {
        return new CacheService(new RemoteBackend(store, work.resolve("agent/staging")), reporter, CacheSettings.defaults());
    }

    private CacheRequest request(String key, String... modules) throws IOException {
        Path cache = work.resolve("agent/gomodcache-" + key);
        TestTrees.moduleCache(cache, key.hashCode(), modules);
        return new CacheRequest(CachePolicy.MOD, new CacheKey(key, List.of()), cache, null);
    }

    private CacheRequest restoreTarget(String key, String... restoreKeys) {
        return new CacheRequest(CachePolicy.MOD, new CacheKey(key, List.of(restoreKeys)),
                work.resolve("agent/restore-" + key + "-" + System.nanoTime()), null);
    }

    /** Saves one entry through a read-write agent store of {@code namespace}. */
    private void saved(String namespace, String key) throws IOException {
        RecordingReporter r = new RecordingReporter();
        SaveResult s = agent(ControllerStores.forAgent(root(), namespace, false), r)
                .save(request(key, "example.com/" + key + "@v1.0.0"));
        assertThat(s.status()).as(r.warnings.toString()).isEqualTo(SaveResult.Status.SAVED);
    }

    @Test
    void readOnlyProxyRestoresButRefusesEveryWrite() throws IOException {
        saved(SHOP, "mod-a");
        RemoteStore ro = ControllerStores.forAgent(root(), SHOP, true);

        RecordingReporter r = new RecordingReporter();
        assertThat(agent(ro, r).restore(restoreTarget("mod-a")).hit()).isTrue();

        // An agent that ignores its read-only flag still cannot save: one warning, nothing published.
        SaveResult s = agent(ro, r).save(request("mod-b", "example.com/b@v1.0.0"));
        assertThat(s.status()).isEqualTo(SaveResult.Status.FAILED);
        assertThat(r.warnings).singleElement().asString().contains("read-only");
        assertThat(ControllerStores.namespace(root(), SHOP).find("mod-b")).isEmpty();

        String blob = manifest(SHOP, "mod-a").blob();
        assertThatThrownBy(() -> ro.stage("mod-c")).isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> ro.writeBlob(blob, 0, new byte[] {1})).isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> ro.publish(blob, new byte[0])).isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> ro.delete("mod-a", blob)).isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> ro.sweep(List.of(), 0)).isInstanceOf(AccessDeniedException.class);
        assertThat(ControllerStores.namespace(root(), SHOP).find("mod-a")).isPresent();
        assertThat(Files.exists(ControllerStoresPaths.blob(root(), SHOP, blob))).isTrue();
    }

    @Test
    void keysAndBlobNamesAreCheckedOnTheController() throws IOException {
        saved(SHOP, "mod-a");
        RemoteStore rw = ControllerStores.forAgent(root(), SHOP, false);
        for (String bad : List.of("..", "../mod-a", "a/../../etc", "../../entries/mod-a", "/etc/passwd", ".hidden", "")) {
            assertThatThrownBy(() -> rw.find(bad)).as(bad).isInstanceOf(CacheException.class);
            assertThatThrownBy(() -> rw.readManifest(bad)).as(bad).isInstanceOf(CacheException.class);
            assertThatThrownBy(() -> rw.readAccess(bad)).as(bad).isInstanceOf(CacheException.class);
            assertThatThrownBy(() -> rw.recordAccess(bad, 0, 1)).as(bad).isInstanceOf(CacheException.class);
            assertThatThrownBy(() -> rw.stage(bad)).as(bad).isInstanceOf(CacheException.class);
            assertThatThrownBy(() -> rw.delete(bad, null)).as(bad).isInstanceOf(CacheException.class);
            assertThatThrownBy(() -> rw.readBlob(bad, 0, 10)).as(bad).isInstanceOf(NoSuchFileException.class);
        }
        assertThatThrownBy(() -> rw.list("../")).isInstanceOf(CacheException.class);
        assertThatThrownBy(() -> rw.list("*")).isInstanceOf(CacheException.class);
        assertThatThrownBy(() -> rw.readBlob("../entries/mod-a.json", 0, 100)).isInstanceOf(NoSuchFileException.class);
        // The backend itself checks too (it used to resolve an access record path from any string).
        LocalBackend local = ControllerStores.namespace(root(), SHOP);
        assertThatThrownBy(() -> local.readAccess("../../access/mod-a")).isInstanceOf(CacheException.class);
        assertThat(local.find("mod-a")).isPresent();
    }

    @Test
    void aNamespaceCannotReadOrDeleteAnothersEntries() throws IOException {
        saved(SHOP, "mod-a");
        String blob = manifest(SHOP, "mod-a").blob();
        RemoteStore other = ControllerStores.forAgent(root(), OTHER, false);

        assertThat(other.find("mod-a")).isNull();
        assertThat(other.list("")).isEmpty();
        assertThat(other.list("mod")).isEmpty();
        assertThatThrownBy(() -> other.readManifest("mod-a")).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> other.readBlob(blob, 0, 100)).isInstanceOf(NoSuchFileException.class);
        assertThat(other.readAccess("mod-a")).isNull();
        other.delete("mod-a", blob);
        other.recordAccess("mod-a", Instant.now().plus(Duration.ofDays(9999)).toEpochMilli(), 5);

        RecordingReporter r = new RecordingReporter();
        assertThat(agent(other, r).restore(restoreTarget("mod-a", "mod")).hit()).isFalse();
        assertThat(ControllerStores.namespace(root(), SHOP).find("mod-a")).isPresent();
        assertThat(Files.exists(ControllerStoresPaths.blob(root(), SHOP, blob))).isTrue();
        assertThat(ControllerStores.namespace(root(), SHOP).readAccess("mod-a").orElseThrow().hits()).isZero();

        // The same key saved by the other namespace is its own entry.
        saved(OTHER, "mod-a");
        assertThat(manifest(OTHER, "mod-a").blob()).isNotEqualTo(blob);
        assertThat(ControllerStores.namespaces(root())).containsExactlyInAnyOrder(SHOP, OTHER);
    }

    @Test
    void pullRequestsNeverWriteWhereTheDefaultBranchReads() throws IOException {
        saved(SHOP, "mod-main");
        StoreAccess pr = StoreAccess.forBuild(SHOP, "job:acme/shop/PR-7", true, false);
        StoreAccess main = StoreAccess.forBuild(SHOP, "job:acme/shop/main", false, false);
        assertThat(pr.writeNamespace()).isEqualTo("job:acme/shop/PR-7");
        assertThat(pr.readNamespaces()).containsExactly("job:acme/shop/PR-7", SHOP);
        assertThat(main.writeNamespace()).isEqualTo(SHOP);
        assertThat(StoreAccess.forBuild(SHOP, "job:acme/shop/PR-7", true, true).readOnly()).isTrue();

        RecordingReporter r = new RecordingReporter();
        CacheService prAgent = agent(ControllerStores.forAgent(root(), pr), r);
        assertThat(prAgent.restore(restoreTarget("mod-pr", "mod-")).hit()).isTrue(); // reads the shared entry
        assertThat(prAgent.save(request("mod-pr", "example.com/evil@v6.6.6")).status()).isEqualTo(SaveResult.Status.SAVED);

        RemoteStore mainStore = ControllerStores.forAgent(root(), main);
        assertThat(mainStore.find("mod-pr")).isNull();
        assertThat(mainStore.list("mod-")).extracting(e -> e.key()).containsExactly("mod-main");
        assertThat(ControllerStores.forAgent(root(), pr).find("mod-pr")).isNotNull();
        // And the pull request cannot delete the default branch's entry it reads.
        ControllerStores.forAgent(root(), pr).delete("mod-main", manifest(SHOP, "mod-main").blob());
        assertThat(mainStore.find("mod-main")).isNotNull();
    }

    @Test
    void agentsCannotPruneOrClaimAccessTimes() throws IOException {
        saved(SHOP, "mod-a");
        saved(SHOP, "mod-b");
        RemoteStore rw = ControllerStores.forAgent(root(), SHOP, false);
        CacheService service = agent(rw, new RecordingReporter());
        // The engine's own prune, asked for by an agent with the tightest limits, evicts nothing.
        assertThatThrownBy(() -> service.prune(1, Duration.ofMillis(1))).isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> rw.sweep(List.of(), 0)).isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("controller");
        assertThatThrownBy(() -> rw.delete("mod-b", null)).isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("intact");
        assertThat(rw.find("mod-a")).isNotNull();
        assertThat(rw.find("mod-b")).isNotNull();

        long future = Instant.now().plus(Duration.ofDays(3650)).toEpochMilli();
        rw.recordAccess("mod-a", future, 1_000_000);
        AccessRecord a = ControllerStores.namespace(root(), SHOP).readAccess("mod-a").orElseThrow();
        assertThat(a.lastAccess()).isBefore(Instant.now().plusSeconds(60));
        assertThat(a.hits()).isEqualTo(1);
    }

    @Test
    void aBrokenEntryOfTheOwnNamespaceIsDroppedByTheRestoreThatFoundIt() throws IOException {
        saved(SHOP, "mod-a");
        Path blob = ControllerStoresPaths.blob(root(), SHOP, manifest(SHOP, "mod-a").blob());
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(blob, bytes);

        RecordingReporter r = new RecordingReporter();
        RestoreResult res = agent(ControllerStores.forAgent(root(), SHOP, false), r).restore(restoreTarget("mod-a"));
        assertThat(res.hit()).isFalse();
        assertThat(r.warnings).singleElement().asString().contains("broken entry removed");
        assertThat(ControllerStores.namespace(root(), SHOP).find("mod-a")).isEmpty();
        assertThat(Files.exists(blob)).isFalse();
    }

    @Test
    void aManifestNamingAnotherBlobIsNotPublished() throws IOException {
        saved(SHOP, "mod-a");
        RemoteStore rw = ControllerStores.forAgent(root(), SHOP, false);
        String blob = rw.stage("mod-z");
        rw.writeBlob(blob, 0, new byte[] {1, 2, 3});
        byte[] foreign = rw.readManifest("mod-a"); // valid JSON, but for another key and blob
        assertThatThrownBy(() -> rw.publish(blob, foreign)).isInstanceOf(IOException.class).hasMessageContaining("mod-z");
        assertThat(rw.find("mod-z")).isNull();
        assertThatThrownBy(() -> rw.writeBlob(manifest(SHOP, "mod-a").blob(), 0, new byte[] {0}))
                .isInstanceOf(IOException.class).hasMessageContaining("no save in progress");
    }

    @Test
    void pruningRunsOnTheControllerWithItsLimits() throws IOException {
        saved(SHOP, "mod-old");
        saved(SHOP, "mod-mid");
        saved(OTHER, "mod-new");
        saved(OTHER, "mod-newest");
        Instant now = Instant.now();
        touch(SHOP, "mod-old", now.minus(Duration.ofDays(30)));
        touch(SHOP, "mod-mid", now.minus(Duration.ofDays(3)));
        touch(OTHER, "mod-new", now.minus(Duration.ofDays(2)));
        touch(OTHER, "mod-newest", now.minus(Duration.ofHours(1)));

        // Age first: 14 days, as the admin set it.
        PruneResult byAge = ControllerStores.prune(root(), 0, Duration.ofDays(14));
        assertThat(byAge.evicted()).containsExactly(SHOP + "#mod-old");
        assertThat(byAge.keptEntries()).isEqualTo(3);
        assertThat(ControllerStores.namespace(root(), SHOP).find("mod-old")).isEmpty();
        String oldBlob = "mod-old";
        try (Stream<Path> blobs = Files.list(ControllerStoresPaths.blobs(root(), SHOP))) {
            assertThat(blobs.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(oldBlob + "."));
        }

        // Then size, least recently used first across namespaces, until the rest fits.
        long newest = manifest(OTHER, "mod-newest").archiveBytes();
        long next = manifest(OTHER, "mod-new").archiveBytes();
        PruneResult bySize = ControllerStores.prune(root(), newest + next, Duration.ZERO);
        assertThat(bySize.evicted()).containsExactly(SHOP + "#mod-mid");
        assertThat(bySize.keptEntries()).isEqualTo(2);
        assertThat(bySize.keptBytes()).isEqualTo(newest + next);
        assertThat(ControllerStores.forAgent(root(), OTHER, true).find("mod-newest")).isNotNull();

        // No limits: nothing goes.
        assertThat(ControllerStores.prune(root(), 0, Duration.ZERO).evicted()).isEmpty();
    }

    private void touch(String namespace, String key, Instant when) throws IOException {
        ControllerStores.namespace(root(), namespace).recordAccess(key, new AccessRecord(when, 1));
    }

    private Manifest manifest(String namespace, String key) throws IOException {
        return Manifest.parse(ControllerStores.namespace(root(), namespace).readManifest(key), key);
    }

    /** Where a namespace keeps its blobs, found the way an administrator would: by the namespace file. */
    static final class ControllerStoresPaths {
        static Path blobs(Path root, String namespace) throws IOException {
            try (Stream<Path> dirs = Files.list(root.resolve("ns"))) {
                return dirs.filter(d -> {
                    try {
                        return Files.readString(d.resolve("namespace")).strip().equals(namespace);
                    } catch (IOException e) {
                        return false;
                    }
                }).findFirst().orElseThrow().resolve("blobs");
            }
        }

        static Path blob(Path root, String namespace, String blob) throws IOException {
            return blobs(root, namespace).resolve(blob);
        }
    }
}
