package io.gopipe.core.cache;

import io.gopipe.core.report.RecordingReporter;
import com.github.luben.zstd.Zstd;
import io.gopipe.core.cache.archive.ArchiveChunk;
import io.gopipe.core.cache.archive.TarEntry;
import io.gopipe.core.cache.archive.TarWriter;
import io.gopipe.core.cache.backend.AccessRecord;
import io.gopipe.core.cache.backend.BlobReader;
import io.gopipe.core.cache.backend.CacheBackend;
import io.gopipe.core.cache.backend.StagedBlob;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every backend must have; {@link LocalBackendTest} and {@link S3BackendTest} run it
 * against a directory and a real S3 server.
 */
abstract class CacheBackendContract {

    @TempDir
    Path work;

    CacheBackend backend;
    RecordingReporter reporter;

    /** A fresh, empty store. */
    abstract CacheBackend newBackend() throws IOException;

    /** Arguments after the key/dir for {@link CacheTestMain}: backend spec first, then extras. */
    abstract List<String> processBackendArgs();

    /** The task whose progress is interrupted in the SIGKILL test. */
    List<String> killPoints() {
        return List.of("save");
    }

    @BeforeEach
    void open() throws IOException {
        backend = newBackend();
        reporter = new RecordingReporter();
    }

    @AfterEach
    void close() throws IOException {
        backend.close();
    }

    CacheService service(CacheSettings settings) {
        return new CacheService(backend, reporter, settings);
    }

    CacheService service() {
        return service(CacheSettings.defaults().withThreads(2, 4));
    }

    static CacheRequest mod(String key, Path dir, String... restoreKeys) {
        return new CacheRequest(CachePolicy.MOD, new CacheKey(key, List.of(restoreKeys)), dir,
                new GoPlatform("go1.24.2", "linux", "amd64"));
    }

    Path sampleCache(String name, String... modules) throws IOException {
        Path dir = work.resolve(name);
        TestTrees.moduleCache(dir, name.hashCode(), modules.length == 0
                ? new String[] {"example.com/alpha@v1.0.0", "example.com/beta@v0.3.1", "golang.org/x/text@v0.14.0"} : modules);
        return dir;
    }

    @Test
    void roundTripKeepsContentModesMtimesAndSymlinks() throws IOException {
        Path source = sampleCache("gomodcache");
        SaveResult saved = service().save(mod("k1", source));
        assertThat(saved.status()).isEqualTo(SaveResult.Status.SAVED);

        Path target = work.resolve("agent/go/pkg/mod");
        RestoreResult restored = service().restore(mod("k1", target));

        assertThat(restored.hit()).as("warnings: %s", reporter.warnings).isTrue();
        assertThat(restored.exact()).isTrue();
        assertThat(restored.files()).isEqualTo(saved.files());
        assertThat(TestTrees.snapshot(target)).isEqualTo(TestTrees.snapshot(source));
        assertThat(TestTrees.snapshot(target)).containsEntry("example.com/alpha@v1.0.0", "dir 555 1500000000");
        assertThat(reporter.warnings).isEmpty();
        assertThat(reporter.progress).isNotEmpty();
        assertThat(work.resolve("agent/go/pkg").toFile().list()).containsExactly("mod");
    }

    @Test
    void readOnlyModuleDirectoriesRestoreAndRestoreAgain() throws IOException {
        Path source = sampleCache("gomodcache");
        service().save(mod("k1", source));
        Path target = work.resolve("target");
        assertThat(service().restore(mod("k1", target)).hit()).isTrue();
        // Go adds a module to the cache between restores; the next restore merges around it.
        TestTrees.moduleCache(target, 7, "example.com/extra@v9.9.9");
        Map<String, String> before = TestTrees.snapshot(target);

        RestoreResult again = service().restore(mod("k1", target));

        assertThat(again.hit()).isTrue();
        assertThat(reporter.warnings).isEmpty();
        assertThat(TestTrees.snapshot(target)).isEqualTo(before);
        // and a damaged file is put back
        Path file = target.resolve("example.com/alpha@v1.0.0/file0.go");
        Files.setPosixFilePermissions(file.getParent(), io.gopipe.core.cache.archive.Modes.fromBits(0755));
        Files.setPosixFilePermissions(file, io.gopipe.core.cache.archive.Modes.fromBits(0644));
        Files.writeString(file, "garbage");
        Files.setPosixFilePermissions(file.getParent(), io.gopipe.core.cache.archive.Modes.fromBits(0555));
        assertThat(service().restore(mod("k1", target)).hit()).isTrue();
        assertThat(TestTrees.snapshot(target)).isEqualTo(before);
    }

    @Test
    void exactKeyThenPrefixesInOrderNewestMatchWins() throws IOException, InterruptedException {
        Path a = sampleCache("a", "example.com/a@v1.0.0");
        Path b = sampleCache("b", "example.com/b@v1.0.0");
        Path c = sampleCache("c", "example.com/c@v1.0.0");
        assertThat(service().save(mod("app-main-1", a)).saved()).isTrue();
        assertThat(service().save(mod("app-main-2", b)).saved()).isTrue();
        assertThat(service().save(mod("app-dev-1", c)).saved()).isTrue();

        RestoreResult newestOfFirstPrefix = service().restore(mod("app-feature-9", work.resolve("t1"),
                "app-nothing-", "app-main-", "app-"));
        assertThat(newestOfFirstPrefix.matchedKey()).isEqualTo("app-main-2");
        assertThat(newestOfFirstPrefix.exact()).isFalse();
        assertThat(TestTrees.snapshot(work.resolve("t1"))).isEqualTo(TestTrees.snapshot(b));

        RestoreResult exact = service().restore(mod("app-main-1", work.resolve("t2"), "app-"));
        assertThat(exact.matchedKey()).isEqualTo("app-main-1");
        assertThat(exact.exact()).isTrue();

        RestoreResult anyApp = service().restore(mod("zzz", work.resolve("t3"), "none-", "app-"));
        assertThat(anyApp.matchedKey()).isEqualTo("app-dev-1");

        RestoreResult miss = service().restore(mod("zzz", work.resolve("t4"), "none-"));
        assertThat(miss.hit()).isFalse();
        assertThat(miss.problem()).isNull();
        assertThat(work.resolve("t4")).doesNotExist();
        assertThat(reporter.warnings).isEmpty();
    }

    @Test
    void moduleCacheIsSavedOnlyWhenNewModulesAppeared() throws IOException {
        Path dir = sampleCache("m", "example.com/a@v1.0.0");
        assertThat(service().save(mod("gomod-h1", dir)).saved()).isTrue();
        assertThat(service().save(mod("gomod-h1", dir)).status()).isEqualTo(SaveResult.Status.EXISTS);
        assertThat(service().save(mod("gomod-h2", dir, "gomod-")).status()).isEqualTo(SaveResult.Status.UNCHANGED);
        TestTrees.moduleCache(dir, 3, "example.com/b@v2.0.0");
        assertThat(service().save(mod("gomod-h2", dir, "gomod-")).status()).isEqualTo(SaveResult.Status.SAVED);
    }

    @Test
    void buildCacheIsTrimmedToTheSizeCapKeepingTheNewestFiles() throws IOException {
        Path gocache = work.resolve("gocache");
        for (int i = 0; i < 10; i++) {
            TestTrees.write(gocache.resolve(String.format("%02x/entry%d-d", i, i)), new byte[10_000], 0644, 1_700_000_000L + i);
        }
        CacheKey key = KeyCalculator.buildKey(new GoPlatform("go1.24.2", "linux", "amd64"), null, "main", "main", "r1");
        CacheRequest request = new CacheRequest(CachePolicy.BUILD, key, gocache, null);
        SaveResult saved = service(CacheSettings.defaults().withMaxEntryBytes(35_000)).save(request);
        assertThat(saved.status()).isEqualTo(SaveResult.Status.SAVED);
        assertThat(saved.files()).isEqualTo(3);
        Path target = work.resolve("restored");
        CacheKey next = KeyCalculator.buildKey(new GoPlatform("go1.24.2", "linux", "amd64"), null, "feature-x", "main", "r2");
        RestoreResult r = service().restore(new CacheRequest(CachePolicy.BUILD, next, target, null));
        assertThat(r.matchedKey()).isEqualTo(key.key());
        assertThat(target.resolve("09/entry9-d")).exists();
        assertThat(target.resolve("07/entry7-d")).exists();
        assertThat(target.resolve("06/entry6-d")).doesNotExist();
    }

    @Test
    void moduleCacheOverTheSizeCapIsNotSavedAndSaysSo() throws IOException {
        Path dir = sampleCache("capped", "example.com/a@v1.0.0", "example.com/b@v1.0.0");
        SaveResult r = service(CacheSettings.defaults().withMaxEntryBytes(20_000)).save(mod("gomod-big", dir));
        assertThat(r.status()).isEqualTo(SaveResult.Status.TOO_LARGE);
        assertThat(r.problem()).contains(dir.toString()).contains("gomod-big");
        assertThat(reporter.warnings).hasSize(1);
        assertThat(backend.list("")).isEmpty();
        assertThat(service().save(mod("gomod-big", dir)).saved()).as("the partial archive left nothing behind").isTrue();
    }

    @Test
    void readOnlyModeNeverWrites() throws IOException {
        Path dir = sampleCache("m");
        SaveResult r = service(CacheSettings.defaults().withReadOnly(true)).save(mod("k", dir));
        assertThat(r.status()).isEqualTo(SaveResult.Status.READ_ONLY);
        assertThat(backend.list("")).isEmpty();
    }

    @Test
    void concurrentSaversInThreadsLeaveOneReadableEntry() throws Exception {
        Path dir = sampleCache("m");
        int savers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(savers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<SaveResult>> results = new ArrayList<>();
        try {
            for (int i = 0; i < savers; i++) {
                results.add(pool.submit(() -> {
                    try (CacheBackend own = newBackendSameStore()) {
                        start.await();
                        return new CacheService(own, reporter, CacheSettings.defaults().withThreads(1, 2))
                                .save(mod("race", dir));
                    }
                }));
            }
            start.countDown();
            List<SaveResult.Status> statuses = new ArrayList<>();
            for (Future<SaveResult> f : results) {
                statuses.add(f.get(2, TimeUnit.MINUTES).status());
            }
            assertThat(statuses).filteredOn(s -> s == SaveResult.Status.SAVED).hasSize(1);
            assertThat(statuses).allMatch(s -> s == SaveResult.Status.SAVED || s == SaveResult.Status.LOST_RACE
                    || s == SaveResult.Status.EXISTS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(reporter.warnings).isEmpty();
        assertOneReadableEntry("race", dir);
    }

    @Test
    void concurrentSaversInProcessesLeaveOneReadableEntry() throws Exception {
        Path dir = sampleCache("m");
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            processes.add(startSaver("race", dir, null));
        }
        List<String> outputs = new ArrayList<>();
        for (Process p : processes) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            outputs.add(out.strip());
        }
        assertThat(outputs).filteredOn(o -> o.equals("STATUS SAVED")).hasSize(1);
        assertThat(outputs).allMatch(o -> o.equals("STATUS SAVED") || o.equals("STATUS LOST_RACE") || o.equals("STATUS EXISTS"));
        assertOneReadableEntry("race", dir);
    }

    @Test
    void saveKilledMidWriteLeavesNoVisibleEntry() throws Exception {
        Path dir = sampleCache("m");
        for (String point : killPoints()) {
            for (int round = 0; round < 2; round++) {
                Process p = startSaver("killed", dir, point);
                String line = new String(p.getInputStream().readNBytes(8), StandardCharsets.UTF_8);
                assertThat(line).as("child reached " + point).isEqualTo("HANGING\n");
                p.destroyForcibly(); // SIGKILL
                assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
                assertThat(backend.find("killed")).isEmpty();
                assertThat(backend.list("")).isEmpty();
                RestoreResult r = service().restore(mod("killed", work.resolve("t"), "k"));
                assertThat(r.hit()).isFalse();
                assertThat(r.problem()).isNull();
            }
        }
        // Nothing is left blocking the key: the next save publishes it.
        assertThat(service().save(mod("killed", dir)).status()).isEqualTo(SaveResult.Status.SAVED);
        assertOneReadableEntry("killed", dir);
    }

    @Test
    void hundredCorruptedOrTruncatedEntriesAreMissesAndLeaveTheTargetAlone() throws IOException {
        Path dir = sampleCache("m");
        assertThat(service().save(mod("good", dir)).saved()).isTrue();
        byte[] manifest = backend.readManifest("good");
        Manifest m = Manifest.parse(manifest, "good");
        byte[] blob = readBlob(m);
        Path target = work.resolve("target");
        TestTrees.moduleCache(target, 99, "example.com/keep@v1.0.0");
        Map<String, String> before = TestTrees.snapshot(target);
        Random rnd = new Random(42);
        for (int i = 0; i < 100; i++) {
            String key = "bad-" + i;
            byte[] badBlob = blob.clone();
            String badManifest = new String(manifest, StandardCharsets.UTF_8).replace("\"good\"", "\"" + key + "\"");
            switch (i % 5) {
                case 0 -> { // flip bytes anywhere in the archive
                    for (int n = 0; n <= rnd.nextInt(4); n++) {
                        int pos = rnd.nextInt(badBlob.length);
                        badBlob[pos] ^= (byte) (1 + rnd.nextInt(255));
                    }
                }
                case 1 -> badBlob = java.util.Arrays.copyOf(blob, rnd.nextInt(blob.length)); // truncated archive
                case 2 -> badManifest = badManifest.substring(0, rnd.nextInt(badManifest.length())); // truncated manifest
                case 3 -> { // a manifest that lies about a checksum, a length or a count
                    String[] fields = {"\"crc32c\":\"", "\"length\":", "\"files\":", "\"rawBytes\":", "\"entries\":", "\"offset\":"};
                    String field = fields[rnd.nextInt(fields.length)];
                    int at = badManifest.indexOf(field, rnd.nextInt(badManifest.length() / 2));
                    at = at < 0 ? badManifest.indexOf(field) : at;
                    int p = at + field.length();
                    char c = badManifest.charAt(p);
                    char swapped = c == '1' ? '2' : (c == 'a' ? 'b' : '1');
                    badManifest = badManifest.substring(0, p) + swapped + badManifest.substring(p + 1);
                }
                default -> { // random garbage in a random place of either
                    if (rnd.nextBoolean()) {
                        int pos = rnd.nextInt(badBlob.length - 16);
                        for (int k = 0; k < 16; k++) {
                            badBlob[pos + k] = (byte) rnd.nextInt();
                        }
                    } else {
                        badManifest = "{\"format\":1,\"key\":\"" + key + "\",\"chunks\":[{\"offset\":-5}]}";
                    }
                }
            }
            publishRaw(key, badBlob, badManifest.getBytes(StandardCharsets.UTF_8));
            RecordingReporter own = new RecordingReporter();
            RestoreResult r = new CacheService(backend, own, CacheSettings.defaults().withThreads(2, 4))
                    .restore(mod(key, target));
            assertThat(r.hit()).as("entry %s (mutation %d) must be a miss", key, i % 5).isFalse();
            assertThat(own.warnings).as("one warning for " + key).hasSize(1);
            assertThat(TestTrees.snapshot(target)).isEqualTo(before);
        }
        assertThat(work.toFile().list()).containsExactlyInAnyOrder(expectedWorkEntries("m", "target"));
        // the good entry still restores
        assertThat(service().restore(mod("good", work.resolve("fresh"))).hit()).isTrue();
    }

    /** Names in the temp dir besides the test's own; subclasses add their store directory. */
    String[] expectedWorkEntries(String... names) {
        return names;
    }

    @Test
    void failOnErrorMakesABrokenEntryFatal() throws IOException {
        Path dir = sampleCache("m");
        service().save(mod("good", dir));
        Manifest m = Manifest.parse(backend.readManifest("good"), "good");
        byte[] blob = readBlob(m);
        blob[blob.length / 2] ^= 0x55;
        publishRaw("broken", blob, new String(backend.readManifest("good"), StandardCharsets.UTF_8)
                .replace("\"good\"", "\"broken\"").getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> service(CacheSettings.defaults().withFailOnError(true)).restore(mod("broken", work.resolve("t"))))
                .isInstanceOf(CacheException.class)
                .hasMessageContaining("broken");
        assertThat(work.resolve("t")).doesNotExist();
    }

    @Test
    void restoreOverItsTimeLimitIsAMiss() throws IOException {
        Path dir = sampleCache("m");
        service().save(mod("k", dir));
        RestoreResult r = service(CacheSettings.defaults().withTimeLimit(Duration.ofNanos(1))).restore(mod("k", work.resolve("t")));
        assertThat(r.hit()).isFalse();
        assertThat(reporter.warnings).singleElement().asString().contains("time limit");
        assertThat(work.resolve("t")).doesNotExist();
        assertThat(work.toFile().list()).containsExactlyInAnyOrder(expectedWorkEntries("m"));
    }

    @Test
    void craftedMaliciousArchivesWriteNothingOutsideTheTarget() throws IOException {
        Path target = work.resolve("sandbox/target");
        TestTrees.moduleCache(target, 5, "example.com/keep@v1.0.0");
        Map<String, String> before = TestTrees.snapshot(target);
        Map<String, List<TarEntry>> attacks = new java.util.LinkedHashMap<>();
        attacks.put("dotdot", List.of(TarEntry.file("../evil", 0644, 0, 4)));
        attacks.put("dotdot-inner", List.of(TarEntry.file("a/../../evil", 0644, 0, 4)));
        attacks.put("absolute", List.of(TarEntry.file(work.resolve("sandbox/evil").toString(), 0644, 0, 4)));
        attacks.put("symlink-escape", List.of(TarEntry.symlink("link", 0, "../../evil-dir")));
        attacks.put("symlink-absolute", List.of(TarEntry.symlink("link", 0, work.resolve("sandbox").toString())));
        attacks.put("write-through-symlink", List.of(TarEntry.symlink("sub/up", 0, ".."),
                TarEntry.file("sub/up/evil", 0644, 0, 4)));
        attacks.put("symlink-below-symlink", List.of(TarEntry.symlink("d/e/up", 0, "../.."),
                TarEntry.symlink("d/e/up/s", 0, "../..")));
        attacks.put("dotdot-after-symlink", List.of(TarEntry.symlink("self", 0, "x"),
                TarEntry.symlink("esc", 0, "self/../..")));
        attacks.put("hardlink", List.of(new TarEntry("h", TarEntry.Type.HARDLINK, 0644, 0, 0, "/etc/passwd")));
        attacks.put("hardlink-relative", List.of(new TarEntry("h", TarEntry.Type.HARDLINK, 0644, 0, 0, "../../evil")));
        attacks.put("long-pax-dotdot", List.of(TarEntry.file("x/".repeat(60) + "../".repeat(70) + "evil", 0644, 0, 4)));
        for (Map.Entry<String, List<TarEntry>> attack : attacks.entrySet()) {
            publishCrafted(attack.getKey(), attack.getValue());
            RecordingReporter own = new RecordingReporter();
            RestoreResult r = new CacheService(backend, own, CacheSettings.defaults()).restore(mod(attack.getKey(), target));
            assertThat(r.hit()).as(attack.getKey()).isFalse();
            assertThat(own.warnings).as(attack.getKey()).hasSize(1);
            assertThat(TestTrees.snapshot(target)).as(attack.getKey()).isEqualTo(before);
            assertThat(work.resolve("sandbox").toFile().list()).as(attack.getKey()).containsExactly("target");
            assertThat(Files.exists(work.resolve("evil"))).isFalse();
        }
        // device files cannot be written by TarWriter; craft the header bytes by hand
        byte[] device = TarWriterHeaders.deviceHeader("dev/sda");
        publishRawTar("device", device, 1);
        RestoreResult r = service().restore(mod("device", target));
        assertThat(r.hit()).isFalse();
        assertThat(TestTrees.snapshot(target)).isEqualTo(before);
    }

    @Test
    void evictionKeepsTheTotalUnderTheCapLeastRecentlyUsedFirst() throws IOException {
        Instant now = Instant.now();
        List<Long> sizes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Path dir = sampleCache("e" + i, "example.com/m" + i + "@v1.0.0");
            SaveResult s = service().save(mod("entry-" + i, dir));
            sizes.add(s.archiveBytes());
        }
        // entry-2 was used most recently, entry-0 least; entry-4 not for 40 days.
        backend.recordAccess("entry-0", new AccessRecord(now.minusSeconds(500), 1));
        backend.recordAccess("entry-1", new AccessRecord(now.minusSeconds(400), 1));
        backend.recordAccess("entry-2", new AccessRecord(now.plusSeconds(60), 3));
        backend.recordAccess("entry-3", new AccessRecord(now.minusSeconds(300), 1));
        backend.recordAccess("entry-4", new AccessRecord(now.minus(Duration.ofDays(40)), 1));
        long cap = sizes.get(2) + sizes.get(3) + 10;

        PruneResult pruned = service().prune(cap, Duration.ofDays(30));

        assertThat(pruned.evicted()).containsExactlyInAnyOrder("entry-4", "entry-0", "entry-1");
        assertThat(pruned.keptBytes()).isLessThanOrEqualTo(cap);
        List<EntryInfo> left = service().list("");
        assertThat(left).extracting(EntryInfo::key).containsExactlyInAnyOrder("entry-2", "entry-3");
        assertThat(left.stream().mapToLong(EntryInfo::archiveBytes).sum()).isLessThanOrEqualTo(cap);
        EntryInfo two = left.stream().filter(e -> e.key().equals("entry-2")).findFirst().orElseThrow();
        assertThat(two.hits()).isEqualTo(3);
        assertThat(two.goVersion()).isEqualTo("go1.24.2");
        assertThat(two.files()).isPositive();
        assertThat(service().restore(mod("entry-0", work.resolve("t"))).hit()).isFalse();
        assertThat(service().restore(mod("entry-3", work.resolve("t"))).hit()).isTrue();
        // a save with a cap evicts on its own
        Path big = sampleCache("big", "example.com/big@v1.0.0");
        CacheSettings capped = CacheSettings.defaults().withEviction(cap, Duration.ZERO);
        assertThat(service(capped).save(mod("entry-5", big)).saved()).isTrue();
        assertThat(service().stats().archiveBytes()).isLessThanOrEqualTo(cap);
        assertThat(service().list("")).extracting(EntryInfo::key).contains("entry-5");
    }

    @Test
    void restoreRecordsHits() throws IOException {
        Path dir = sampleCache("m");
        service().save(mod("k", dir));
        service().restore(mod("k", work.resolve("t1")));
        service().restore(mod("k", work.resolve("t2")));
        assertThat(service().list("k")).singleElement().satisfies(e -> {
            assertThat(e.hits()).isEqualTo(2);
            assertThat(e.lastAccess()).isAfterOrEqualTo(e.created());
        });
    }

    // --- helpers ---

    /** Another handle on the same store, as another process would open it. */
    abstract CacheBackend newBackendSameStore() throws IOException;

    private Process startSaver(String key, Path dir, String hangIn) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", childClassPath(),
                CacheTestMain.class.getName(), "save"));
        List<String> backendArgs = processBackendArgs();
        cmd.add(backendArgs.get(0));
        cmd.add(key);
        cmd.add(dir.toString());
        cmd.addAll(backendArgs.subList(1, backendArgs.size()));
        if (hangIn != null) {
            cmd.add("--hang-in");
            cmd.add(hangIn);
        }
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** The test class path without the S3 server and test frameworks: fewer jars start faster. */
    private static String childClassPath() {
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(p -> !p.matches(".*/(org/gaul|org/eclipse/jetty|com/google|io/opentelemetry|com/azure|io/prometheus"
                        + "|com/github/openstack4j|org/apache/sshd|args4j|ch/qos/logback|org/junit|org/assertj|org/opentest4j"
                        + "|net/bytebuddy|tools/jackson)/.*"))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    private void assertOneReadableEntry(String key, Path source) throws IOException {
        assertThat(backend.list("")).extracting(e -> e.key()).containsExactly(key);
        Path target = work.resolve("check-" + key);
        RestoreResult r = service().restore(mod(key, target));
        assertThat(r.hit()).isTrue();
        assertThat(TestTrees.snapshot(target)).isEqualTo(TestTrees.snapshot(source));
        assertThat(service().prune(0, Duration.ZERO).orphans()).isZero(); // losers removed their blobs
    }

    byte[] readBlob(Manifest m) throws IOException {
        try (BlobReader r = backend.openBlob(m.blob()); InputStream in = r.open(0, m.archiveBytes())) {
            return in.readAllBytes();
        }
    }

    void publishRaw(String key, byte[] blob, byte[] manifestBytes) throws IOException {
        StagedBlob staged = backend.stage(key);
        Files.write(staged.file(), blob);
        String json = new String(manifestBytes, StandardCharsets.UTF_8);
        // keep whatever blob name the manifest carried pointing at this upload
        json = json.replaceAll("\"blob\":\"[^\"]*\"", "\"blob\":\"" + staged.blob() + "\"");
        backend.publish(staged, json.getBytes(StandardCharsets.UTF_8),
                new io.gopipe.core.cache.archive.ProgressMeter(io.gopipe.core.report.Reporter.silent(), "up", 0, 0, Duration.ofHours(1)));
    }

    /** Publishes a well-formed entry (valid checksums) whose tar members are the attack. */
    void publishCrafted(String key, List<TarEntry> members) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(tar);
        for (TarEntry e : members) {
            w.writeHeader(e);
            if (e.type() == TarEntry.Type.FILE) {
                tar.write("evil".getBytes(StandardCharsets.US_ASCII), 0, (int) e.size());
                w.pad(e.size());
            }
        }
        publishRawTar(key, tar.toByteArray(), members.size());
    }

    void publishRawTar(String key, byte[] tar, int members) throws IOException {
        byte[] frame = Zstd.compress(tar, 3);
        byte[] end = Zstd.compress(TarWriter.endOfArchive(), 1);
        byte[] blob = new byte[frame.length + end.length];
        System.arraycopy(frame, 0, blob, 0, frame.length);
        System.arraycopy(end, 0, blob, frame.length, end.length);
        List<ArchiveChunk> chunks = List.of(
                new ArchiveChunk(0, frame.length, tar.length, members, TestTrees.sha(frame)),
                new ArchiveChunk(frame.length, end.length, 1024, 0, TestTrees.sha(end)));
        Manifest m = new Manifest(Manifest.FORMAT, key, "mod", "placeholder", System.currentTimeMillis(), "", "", "",
                1, 4, blob.length, chunks, List.of());
        publishRaw(key, blob, m.toJson());
    }
}
