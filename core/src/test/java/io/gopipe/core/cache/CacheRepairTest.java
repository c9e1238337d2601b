package io.gopipe.core.cache;

import io.gopipe.core.report.RecordingReporter;
import io.gopipe.core.cache.backend.CacheBackend;
import io.gopipe.core.cache.backend.CacheBackends;
import io.gopipe.core.cache.backend.LocalBackend;
import io.gopipe.core.cache.archive.FileTrees;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 8 defects 2-6, 8-10 on a local store: what interrupted runs, damaged manifests, odd paths
 * and odd trees leave behind, and that the next run repairs it or says clearly why not.
 */
class CacheRepairTest {

    @TempDir
    Path work;

    CacheBackend backend;
    RecordingReporter reporter;

    @BeforeEach
    void open() throws IOException {
        backend = new LocalBackend(store());
        reporter = new RecordingReporter();
    }

    @AfterEach
    void close() throws IOException {
        backend.close();
    }

    private Path store() {
        return work.resolve("store");
    }

    private CacheService service(CacheSettings settings) {
        return new CacheService(backend, reporter, settings);
    }

    private CacheService service() {
        return service(CacheSettings.defaults().withThreads(2, 2).withProgressInterval(java.time.Duration.ZERO));
    }

    private static CacheRequest mod(String key, Path dir, String... restoreKeys) {
        return new CacheRequest(CachePolicy.MOD, new CacheKey(key, List.of(restoreKeys)), dir,
                new GoPlatform("go1.24.2", "linux", "amd64"));
    }

    private Path sample(String name) throws IOException {
        Path dir = work.resolve(name);
        TestTrees.moduleCache(dir, name.hashCode(), "example.com/alpha@v1.0.0", "golang.org/x/text@v0.14.0");
        return dir;
    }

    // --- defect 2: a damaged manifest blocked its key until prune ---

    @Test
    void aDamagedManifestIsRemovedSoTheNextSaveReplacesIt() throws IOException {
        Path source = sample("mod");
        assertThat(service().save(mod("k", source)).saved()).isTrue();
        try (RandomAccessFile f = new RandomAccessFile(store().resolve("entries/k.json").toFile(), "rw")) {
            f.setLength(100);
        }

        RestoreResult miss = service().restore(mod("k", work.resolve("t1")));
        assertThat(miss.hit()).isFalse();
        assertThat(reporter.warnings).singleElement().asString().contains("manifest of cache entry k").contains("removed");
        assertThat(backend.find("k")).isEmpty();

        assertThat(service().save(mod("k", source)).status()).isEqualTo(SaveResult.Status.SAVED);
        assertThat(service().restore(mod("k", work.resolve("t2"))).hit()).isTrue();
        assertThat(TestTrees.snapshot(work.resolve("t2"))).isEqualTo(TestTrees.snapshot(source));
    }

    @Test
    void aSaveOverADamagedManifestReplacesItAndADamagedRestoreKeyMatchIsSkipped() throws IOException {
        Path source = sample("mod");
        service().save(mod("gomod-old", source));
        service().save(mod("gomod-new", source));
        Files.writeString(store().resolve("entries/gomod-new.json"), "{\"format\":1,");
        // the newest prefix match is broken: the older one is restored instead
        RestoreResult r = service().restore(mod("gomod-x", work.resolve("t"), "gomod-"));
        assertThat(r.hit()).isTrue();
        assertThat(r.matchedKey()).isEqualTo("gomod-old");
        Files.writeString(store().resolve("entries/gomod-old.json"), "garbage");
        assertThat(service().save(mod("gomod-old", source)).status()).isEqualTo(SaveResult.Status.SAVED);
    }

    // --- defect 3: --path a symlink to a folder ---

    @Test
    void aPathThatIsASymlinkToAFolderIsFollowedOnRestoreAsOnSave() throws IOException {
        Path real = sample("disk/gomodcache");
        Path link = work.resolve("home/go/pkg/mod");
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, real);
        Map<String, String> expected = TestTrees.snapshot(real);
        assertThat(service().save(mod("k", link)).saved()).isTrue();

        FileTrees.deleteTree(real);
        Files.createDirectory(real);
        RestoreResult fresh = service().restore(mod("k", link));
        assertThat(fresh.hit()).as("warnings %s", reporter.warnings).isTrue();
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(TestTrees.snapshot(real)).isEqualTo(expected);

        RestoreResult again = service().restore(mod("k", link)); // merge over the existing tree
        assertThat(again.hit()).isTrue();
        assertThat(TestTrees.snapshot(real)).isEqualTo(expected);
        assertThat(reporter.warnings).isEmpty();
        try (Stream<Path> beside = Files.list(link.getParent())) {
            assertThat(beside).extracting(p -> p.getFileName().toString()).containsExactly("mod");
        }
    }

    // --- defect 4: interrupted runs ---

    @Test
    void aKilledRestoreLeavesATreeTheNextRestoreRemovesButALiveOneIsKept() throws Exception {
        Path source = sample("mod");
        service().save(mod("k", source));
        Path target = work.resolve("agent/mod");
        Process p = child("restore", "k", target, "restore");
        assertThat(new String(p.getInputStream().readNBytes(8), StandardCharsets.UTF_8)).isEqualTo("HANGING\n");
        p.destroyForcibly();
        assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(hidden(target)).as("the killed restore's folder and lock").hasSize(2);

        try (RestoreTrees.Temp live = RestoreTrees.create(work.resolve("agent/mod"))) {
            assertThat(service().restore(mod("k", target)).hit()).isTrue();
            assertThat(hidden(target)).as("only the live restore's folder and lock")
                    .containsExactlyInAnyOrder(live.dir().getFileName().toString(), live.dir().getFileName() + ".lock");
        }
        assertThat(hidden(target)).isEmpty();
        assertThat(reporter.infos).anyMatch(i -> i.contains("removed 1 unfinished restore"));
        assertThat(TestTrees.snapshot(target)).isEqualTo(TestTrees.snapshot(source));
    }

    @Test
    void aKilledSaveLeavesAnArchiveThatStatsCountsAndTheNextSaveRemovesWhileALiveSaveKeepsIts() throws Exception {
        Path source = sample("mod");
        Process live = child("save", "live", source, "save");
        assertThat(new String(live.getInputStream().readNBytes(8), StandardCharsets.UTF_8)).isEqualTo("HANGING\n");
        try {
            // this save sweeps before it starts, and must leave the live one alone
            Process killed = child("save", "killed", source, "save");
            assertThat(new String(killed.getInputStream().readNBytes(8), StandardCharsets.UTF_8)).isEqualTo("HANGING\n");
            killed.destroyForcibly();
            assertThat(killed.waitFor(1, TimeUnit.MINUTES)).isTrue();
            CacheStats before = service().stats();
            assertThat(before.entries()).isZero();
            assertThat(before.leftoverFiles()).isGreaterThanOrEqualTo(2);
            assertThat(before.leftoverBytes()).isEqualTo(sizeOfTmp());
            assertThat(archivesInTmp()).hasSize(2);

            assertThat(service().save(mod("other", source)).saved()).isTrue();

            assertThat(archivesInTmp()).singleElement().asString().startsWith("live.");
            assertThat(reporter.infos).anyMatch(i -> i.contains("interrupted saves"));
        } finally {
            live.destroyForcibly();
            live.waitFor(1, TimeUnit.MINUTES);
        }
        assertThat(service().stats().leftoverFiles()).as("tmp: %s", archivesInTmp()).isPositive();
        service().prune(0, java.time.Duration.ZERO);
        CacheStats after = service().stats();
        assertThat(after.leftoverFiles()).isZero();
        assertThat(after.entries()).isEqualTo(1);
    }

    private long sizeOfTmp() throws IOException {
        try (Stream<Path> s = Files.list(store().resolve("tmp"))) {
            return s.mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private List<String> archivesInTmp() throws IOException {
        try (Stream<Path> s = Files.list(store().resolve("tmp"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tar.zst")).toList();
        }
    }

    private static List<String> hidden(Path target) throws IOException {
        try (Stream<Path> s = Files.list(target.getParent())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("." + target.getFileName() + ".gopipe-restore-")).toList();
        }
    }

    // --- defect 5: symlinks restore refuses are not saved ---

    @Test
    void symlinksRestoreWouldRefuseAreLeftOutAtSaveWithOneWarning() throws IOException {
        Path source = sample("mod");
        Path module = source.resolve("example.com/alpha@v1.0.0");
        Files.setPosixFilePermissions(module, io.gopipe.core.cache.archive.Modes.fromBits(0755));
        Files.createSymbolicLink(module.resolve("abs"), Path.of("/etc/hostname"));
        Files.createSymbolicLink(module.resolve("out"), Path.of("../../../../outside"));
        Files.createSymbolicLink(module.resolve("ok"), Path.of("file0.go"));
        SaveResult saved = service().save(mod("k", source));
        assertThat(saved.saved()).isTrue();
        assertThat(reporter.warnings).singleElement().asString().contains("left out 2 symlink");

        reporter.warnings.clear();
        Path target = work.resolve("t");
        assertThat(service().restore(mod("k", target)).hit()).isTrue();
        assertThat(reporter.warnings).isEmpty();
        assertThat(Files.readSymbolicLink(target.resolve("example.com/alpha@v1.0.0/ok"))).isEqualTo(Path.of("file0.go"));
        assertThat(target.resolve("example.com/alpha@v1.0.0/abs")).doesNotExist();
        assertThat(backend.find("k")).isPresent(); // restore kept the entry: no save-delete-save loop
    }

    // --- defect 6: a failed merge changed the target ---

    @Test
    void aFolderInTheEntryReplacesAFileInTheTarget() throws IOException {
        Path source = sample("mod");
        service().save(mod("k", source));
        Path target = work.resolve("t");
        Files.createDirectories(target);
        Files.writeString(target.resolve("example.com"), "a file where the entry has a folder");
        Files.writeString(target.resolve("keep.txt"), "not in the entry");

        RestoreResult r = service().restore(mod("k", target));

        assertThat(r.hit()).as("warnings %s", reporter.warnings).isTrue();
        Map<String, String> expected = new java.util.TreeMap<>(TestTrees.snapshot(source));
        Map<String, String> got = new java.util.TreeMap<>(TestTrees.snapshot(target));
        got.remove("keep.txt");
        assertThat(got).isEqualTo(expected);
    }

    @Test
    void aMergeThatCannotFinishLeavesTheTargetAsItWas() throws Exception {
        assumeTrue(chattr("+i", work), "needs chattr (root with CAP_LINUX_IMMUTABLE) for a directory even root cannot write");
        chattr("-i", work);
        Path source = sample("mod");
        service().save(mod("k", source));
        Path target = work.resolve("t");
        Files.createDirectories(target.resolve("golang.org/x"));
        Files.writeString(target.resolve("golang.org/x/other.txt"), "x");
        Map<String, String> before = TestTrees.snapshot(target);
        Path stuck = target.resolve("golang.org/x");
        chattr("+i", stuck);
        try {
            RestoreResult r = service().restore(mod("k", target));
            assertThat(r.hit()).isFalse();
            assertThat(reporter.warnings).singleElement().asString()
                    .contains(stuck.toString()).contains("operation not permitted").contains("continuing without cache");
            assertThatThrownBy(() -> service(CacheSettings.defaults().withFailOnError(true)).restore(mod("k", target)))
                    .isInstanceOf(CacheException.class)
                    .hasMessageContaining(stuck.toString())
                    .hasMessageNotContaining("continuing without cache");
        } finally {
            chattr("-i", stuck);
        }
        assertThat(TestTrees.snapshot(target)).as("nothing moved in").isEqualTo(before);
        assertThat(hidden(target)).isEmpty();
    }

    private static boolean chattr(String flag, Path p) throws IOException, InterruptedException {
        try {
            Process c = new ProcessBuilder("chattr", flag, p.toString()).redirectErrorStream(true).start();
            c.getInputStream().readAllBytes();
            return c.waitFor() == 0;
        } catch (IOException noChattr) {
            return false;
        }
    }

    // --- defect 8: messages ---

    @Test
    void theRootIsNoCachePathAndPermissionProblemsNameThePathAndTheReason() {
        assertThatThrownBy(() -> mod("k", Path.of("/")))
                .isInstanceOf(InvalidCacheInputException.class).hasMessageContaining("file system root");
        // As root, the kernel never says EACCES; the JDK's exception for it carries only the path.
        assertThat(FileProblems.describe(new java.nio.file.AccessDeniedException("/cache/entries")))
                .isEqualTo("/cache/entries: permission denied");
        assertThat(FileProblems.describe(new NoSuchFileException("/cache")))
                .isEqualTo("/cache: no such file or directory");
    }

    // --- defect 9: stores and paths that appear silently ---

    @Test
    void aMissingStoreIsAnErrorUnlessCreatedAndUnknownSchemesAreRefused() {
        Path missing = work.resolve("not-mounted/share");
        assertThatThrownBy(() -> CacheBackends.open("local:" + missing, null, false))
                .isInstanceOf(CacheException.class).hasCauseInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("--create-store");
        assertThat(missing).doesNotExist();
        assertThatThrownBy(() -> CacheBackends.open("lcoal:/x", null, true))
                .isInstanceOf(InvalidCacheInputException.class)
                .hasMessageContaining("unknown scheme 'lcoal'").hasMessageContaining("local:DIR").hasMessageContaining("s3://");
        assertThat(Path.of("lcoal:")).doesNotExist();
        CacheBackends.open("local:" + missing, null, true);
        assertThat(missing.resolve("entries")).isDirectory();
    }

    @Test
    void savingAMissingFolderIsASkippedSaveWithAWarningOrAnErrorWithFailOnError() {
        Path missing = work.resolve("no-such-gomodcache");
        SaveResult r = service().save(mod("k", missing));
        assertThat(r.status()).isEqualTo(SaveResult.Status.MISSING);
        assertThat(reporter.warnings).singleElement().asString().contains(missing.toString()).contains("does not exist");
        assertThatThrownBy(() -> service(CacheSettings.defaults().withFailOnError(true)).save(mod("k", missing)))
                .isInstanceOf(CacheException.class).hasMessageContaining(missing.toString());
    }

    // --- defect 10: silence while merging ---

    @Test
    void aRestoreOverAnExistingTreeReportsProgressWhileItMerges() throws IOException {
        Path source = sample("mod");
        service().save(mod("k", source));
        Path target = work.resolve("t");
        service().restore(mod("k", target));
        reporter.progress.clear();
        assertThat(service().restore(mod("k", target)).hit()).isTrue();
        assertThat(reporter.progress).anyMatch(p -> p.task().startsWith("merge k into " + target) && p.filesDone() > 0);
    }

    // --- helpers ---

    private Process child(String action, String key, Path dir, String hangIn) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                CacheTestMain.class.getName(), action, "local:" + store(), key, dir.toString(), "--hang-in", hangIn));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }
}
