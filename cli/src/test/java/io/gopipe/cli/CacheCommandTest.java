package io.gopipe.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CacheCommandTest {

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    private Run gopipe(String... args) {
        CommandLine cli = GopipeCommand.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private Path moduleCache() throws IOException {
        Path mod = dir.resolve("gomodcache");
        for (int i = 0; i < 20; i++) {
            Path f = mod.resolve("example.com/m" + (i % 4) + "@v1.0.0/f" + i + ".go");
            Files.createDirectories(f.getParent());
            Files.writeString(f, "package m\n// " + "x".repeat(i * 100) + "\n");
        }
        return mod;
    }

    private String[] args(String cmd, String... more) {
        List<String> a = new ArrayList<>(List.of("cache", cmd, "--backend", "local:" + dir.resolve("store"), "--create-store"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void anUnreachableStoreIsAMissWithOneWarningUnlessFailOnError() throws IOException {
        Path blocker = Files.writeString(dir.resolve("a-file"), "not a directory");
        String store = "local:" + blocker.resolve("store");
        Run restore = gopipe("cache", "restore", "--backend", store, "--key", "k", "--path", dir.resolve("t").toString());
        assertThat(restore.exit()).as(restore.err()).isZero();
        assertThat(restore.out()).startsWith("cache miss");
        assertThat(restore.err().strip().lines()).hasSize(1).allMatch(l -> l.contains("a-file/store"));
        Run save = gopipe("cache", "save", "--backend", store, "--key", "k", "--path", moduleCache().toString());
        assertThat(save.exit()).isZero();
        assertThat(save.out()).startsWith("cache save: failed key=k ");

        Run strict = gopipe("cache", "restore", "--fail-on-error", "--backend", store, "--key", "k", "--path",
                dir.resolve("t").toString());
        assertThat(strict.exit()).isEqualTo(1);
        assertThat(strict.err()).contains("a-file/store").doesNotContain("continuing without cache");
        assertThat(strict.err().strip().lines()).hasSize(1);
        Run malformed = gopipe("cache", "restore", "--backend", "ftp://host/x", "--key", "k", "--path", dir.resolve("t").toString());
        assertThat(malformed.exit()).isEqualTo(2);
        assertThat(malformed.err()).contains("--backend ftp://host/x");
    }

    @Test
    void aMissingRepoIsOneLineNamingTheFlag() throws IOException {
        Path mod = moduleCache();
        Run save = gopipe(args("save", "--repo", dir.resolve("no-such-repo").toString(), "--path", mod.toString(),
                "--go-version", "go1.24.4", "--goos", "linux", "--goarch", "amd64"));
        assertThat(save.exit()).isEqualTo(2);
        assertThat(save.err()).contains("--repo").contains("no-such-repo").doesNotContain("\tat ");
        assertThat(save.err().strip().lines()).hasSize(1);
    }

    @Test
    void saveThenRestoreThenListStatsAndPrune() throws IOException {
        Path mod = moduleCache();
        Run save = gopipe(args("save", "--key", "gomod-test-1", "--path", mod.toString()));
        assertThat(save.exit()).as(save.err()).isZero();
        assertThat(save.out()).startsWith("cache save: saved key=gomod-test-1 files=20 ");
        assertThat(save.out()).contains("seconds=");

        Run again = gopipe(args("save", "--key", "gomod-test-1", "--path", mod.toString()));
        assertThat(again.out()).startsWith("cache save: exists key=gomod-test-1");

        Path target = dir.resolve("agent/mod");
        Run restore = gopipe(args("restore", "--key", "gomod-test-2", "--restore-keys", "nothing-,gomod-test-", "--path", target.toString()));
        assertThat(restore.exit()).isZero();
        assertThat(restore.out()).startsWith("cache hit (restore-key): key=gomod-test-1 path=" + target + " files=20 ");
        assertThat(Files.readString(target.resolve("example.com/m3@v1.0.0/f19.go")))
                .isEqualTo(Files.readString(mod.resolve("example.com/m3@v1.0.0/f19.go")));

        Run miss = gopipe(args("restore", "--key", "other", "--path", dir.resolve("t2").toString()));
        assertThat(miss.exit()).isZero();
        assertThat(miss.out()).startsWith("cache miss: key=other");

        Run list = gopipe(args("list"));
        assertThat(list.out()).contains("gomod-test-1").contains("KEY");
        Run stats = gopipe(args("stats"));
        assertThat(stats.out()).contains("entries=1").contains("hits=1");

        Run prune = gopipe(args("prune", "--max-total-size", "1"));
        assertThat(prune.out()).contains("evicted gomod-test-1").contains("kept=0");
        assertThat(gopipe(args("stats")).out()).contains("entries=0");
    }

    @Test
    void readOnlyAndComputedKeysFromGoSum() throws IOException {
        Path mod = moduleCache();
        Path repo = dir.resolve("repo");
        Files.createDirectories(repo.resolve("svc"));
        Files.writeString(repo.resolve("svc/go.sum"), "example.com/m0 v1.0.0 h1:abc=\n");
        String[] key = {"--repo", repo.toString(), "--go-version", "go1.24.2", "--goos", "linux", "--goarch", "amd64",
                "--path", mod.toString()};
        Run ro = gopipe(concat(args("save", "--read-only"), key));
        assertThat(ro.out()).startsWith("cache save: read-only key=gomod-linux-amd64-go1.24.2-");
        Run save = gopipe(concat(args("save"), key));
        assertThat(save.out()).startsWith("cache save: saved key=gomod-linux-amd64-go1.24.2-");
        key[key.length - 1] = dir.resolve("restored").toString();
        Run restore = gopipe(concat(args("restore"), key));
        assertThat(restore.out()).startsWith("cache hit (exact): key=gomod-linux-amd64-go1.24.2-");
    }

    @Test
    void badFlagsNameTheFlag() throws IOException {
        Run size = gopipe(args("save", "--key", "k", "--path", moduleCache().toString(), "--max-size", "lots"));
        assertThat(size.exit()).isEqualTo(2);
        assertThat(size.err()).contains("--max-size 'lots'");
        Run backend = gopipe("cache", "stats", "--backend", "ftp://x");
        assertThat(backend.exit()).isEqualTo(2);
        assertThat(backend.err()).contains("ftp://x");
        Run key = gopipe(args("restore", "--key", "../evil", "--path", dir.resolve("t").toString()));
        assertThat(key.exit()).isEqualTo(2);
        assertThat(key.err()).contains("'../evil'");
        Run policy = gopipe(args("restore", "--policy", "mdo", "--key", "k", "--path", dir.resolve("t").toString()));
        assertThat(policy.exit()).isEqualTo(2);
        assertThat(policy.err()).contains("'mdo'");
        Run threads = gopipe(args("save", "--key", "k", "--path", dir.toString(), "--threads", "many"));
        assertThat(threads.exit()).isEqualTo(2);
        Run level = gopipe(args("save", "--key", "k", "--path", dir.toString(), "--level", "99"));
        assertThat(level.exit()).isEqualTo(2);
        assertThat(level.err()).contains("99");
    }

    @Test
    void theRootAsPathIsOneClearLineWithExitTwo() {
        Run root = gopipe(args("restore", "--key", "k", "--path", "/"));
        assertThat(root.exit()).isEqualTo(2);
        assertThat(root.err()).contains("file system root").doesNotContain("NullPointer");
        assertThat(root.err().strip().lines()).hasSize(1);
    }

    @Test
    void aMistypedSchemeIsAnErrorListingTheValidOnesAndCreatesNothing() {
        Run typo = gopipe("cache", "save", "--backend", "lcoal:" + dir.resolve("x"), "--key", "k", "--path", dir.toString());
        assertThat(typo.exit()).isEqualTo(2);
        assertThat(typo.err()).contains("unknown scheme 'lcoal'").contains("local:DIR").contains("s3://");
        assertThat(Path.of("lcoal:" + dir.resolve("x"))).doesNotExist();
        assertThat(Path.of("lcoal:")).doesNotExist();
    }

    @Test
    void aMissingStoreIsNotCreatedWithoutCreateStore() throws IOException {
        Path share = dir.resolve("share-not-mounted");
        Run save = gopipe("cache", "save", "--backend", "local:" + share, "--key", "k", "--path", moduleCache().toString());
        assertThat(save.exit()).isZero();
        assertThat(save.out()).startsWith("cache save: failed key=k ");
        assertThat(save.err()).contains(share.toString()).contains("--create-store");
        assertThat(share).doesNotExist();
        Run strict = gopipe("cache", "restore", "--backend", "local:" + share, "--key", "k", "--path", dir.resolve("t").toString(),
                "--fail-on-error");
        assertThat(strict.exit()).isEqualTo(1);
        assertThat(strict.err()).contains(share.toString());
        assertThat(share).doesNotExist();
    }

    @Test
    void savingAMissingPathIsASkippedSaveWithAWarningOrAnErrorWithFailOnError() {
        Path missing = dir.resolve("no-gomodcache");
        Run save = gopipe(args("save", "--key", "k", "--path", missing.toString()));
        assertThat(save.exit()).isZero();
        assertThat(save.out()).startsWith("cache save: missing key=k ");
        assertThat(save.err()).contains("WARNING:").contains(missing.toString());
        Run strict = gopipe(args("save", "--key", "k", "--path", missing.toString(), "--fail-on-error"));
        assertThat(strict.exit()).isEqualTo(1);
        assertThat(strict.err()).contains(missing.toString()).doesNotContain("the build goes on");
    }

    @Test
    void restoreHelpListsOnlyRestoreFlagsAndSaveHelpOnlySaveFlags() {
        String restore = gopipe("cache", "restore", "--help").out();
        assertThat(restore).contains("--time-limit", "--extract-threads", "--fail-on-error", "--create-store")
                .doesNotContain("--max-size", "--max-total-size", "--max-age", "--level", "--threads=");
        String save = gopipe("cache", "save", "--help").out();
        assertThat(save).contains("--max-size", "--level", "--threads").doesNotContain("--time-limit", "--extract-threads");
    }

    @Test
    void aRelativePathResolvesAgainstTheWorkingDirectoryAndStatsCountsLeftovers() throws IOException {
        Path mod = moduleCache();
        Run save = gopipe(args("save", "--key", "k", "--path", Path.of("").toAbsolutePath().relativize(mod).toString()));
        assertThat(save.out()).as(save.err()).startsWith("cache save: saved key=k files=20 ");
        Files.writeString(dir.resolve("store/tmp/k.dead.tar.zst"), "an archive an interrupted save left");
        Run stats = gopipe(args("stats"));
        assertThat(stats.out()).contains("entries=1").contains("leftovers=1");
    }

    @Test
    void brokenEntryIsAMissWithOneWarningOrAFailureWithFailOnError() throws IOException {
        Path mod = moduleCache();
        gopipe(args("save", "--key", "k", "--path", mod.toString()));
        try (var blobs = Files.list(dir.resolve("store/blobs"))) {
            Path blob = blobs.findFirst().orElseThrow();
            byte[] b = Files.readAllBytes(blob);
            b[b.length / 3] ^= 0x40;
            Files.write(blob, b);
        }
        Run soft = gopipe(args("restore", "--key", "k", "--path", dir.resolve("t").toString(), "--read-only"));
        assertThat(soft.exit()).isZero();
        assertThat(soft.out()).startsWith("cache miss");
        assertThat(soft.err().lines().filter(l -> l.startsWith("WARNING:"))).hasSize(1);
        Run hard = gopipe(args("restore", "--key", "k", "--path", dir.resolve("t").toString(), "--fail-on-error"));
        assertThat(hard.exit()).isEqualTo(1);
        assertThat(hard.err()).contains("cache restore of k").doesNotContain("continuing without cache");
        assertThat(dir.resolve("t")).doesNotExist();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
