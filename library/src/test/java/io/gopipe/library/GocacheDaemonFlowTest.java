package io.gopipe.library;

import io.gopipe.library.harness.Event;
import io.gopipe.library.harness.PipelineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * goMonorepoPipeline(engine: 'cli', buildCacheFlavour: 'remote'): one real `gopipe gocache serve` per
 * workspace around the fan-out, the real bridge built with the real Go 1.24 as GOCACHEPROG of each
 * Test stage, GOPIPE_GOCACHE_DAEMON for the Image stage, and the daemon gone when the pipeline ends.
 */
class GocacheDaemonFlowTest {
    static final Path GO124 = Path.of("/usr/lib/go-1.24/bin");
    static final Path GO119 = Path.of("/usr/lib/go-1.19/bin");
    static final String GO_TEST_COUNTING_COMPILES = "echo \"goprog=$(go env GOCACHEPROG)\"; e=$(mktemp); s=0;"
            + " go test -x ./... 2>$e || s=$?; grep gocache: $e || true; echo \"compiles=$(grep -c /compile $e || true)\";"
            + " if [ $s -ne 0 ]; then cat $e; fi; rm -f $e; exit $s";
    private static final Pattern SUMMARY = Pattern.compile("gocache: (\\d+) gets, (\\d+) hits .*?, (\\d+) misses;");

    @TempDir
    Path tmp;

    /** A fresh agent on the fixture's head, its previous successful build at the fixture's base. */
    private PipelineHarness harness(Path ws, Path go, String home, ShopFixture.Repo repo) throws IOException {
        return harness(ws, go, home).env("GIT_COMMIT", repo.head()).env("GIT_PREVIOUS_SUCCESSFUL_COMMIT", repo.base());
    }

    private PipelineHarness harness(Path ws, Path go, String home) throws IOException {
        return new PipelineHarness(PluginFlowTest.VARS, ws, null)
                .env("BRANCH_NAME", "main")
                .env("PATH", go + ":" + System.getenv("PATH")).env("HOME", tmp.resolve(home).toString())
                // The daemon's local tier belongs to the agent (the JVM's user.home ignores HOME).
                .env("GOPIPE_GOCACHE_DIR", tmp.resolve(home).resolve("gocache-tier").toString())
                // Only the bridge's own build uses this GOCACHE (shared by the tests: the standard library once);
                // the Test stage's go gets the workspace's own GOCACHE and GOCACHEPROG.
                .env("GOCACHE", CliFlowTest.goCache().toString())
                .env("GOPATH", tmp.resolve("gopath").toString()).env("GOENV", "off")
                .env("GOPROXY", "off").env("GOFLAGS", "-mod=mod").env("GOTOOLCHAIN", "local");
    }

    private static String flow(Path store, String extra) {
        return "goMonorepoPipeline(engine: 'cli', gopipe: '" + CliFlowTest.gopipeCommand() + "', caches: ['build'],"
                + " buildCacheFlavour: 'remote', cacheBackend: 'local:" + store + "'" + extra + ")";
    }

    @Test
    void theTestStageGoesThroughTheWorkspacesDaemonAndAFreshWorkspaceHitsTheStore() throws Exception {
        assertThat(GO124.resolve("go")).as("Go 1.24 (GOCACHEPROG needs it)").exists();
        Path ws = tmp.resolve("ws");
        ShopFixture.Repo repo = ShopFixture.materialize(ws, "05-test-files-only");
        Path store = tmp.resolve("store");
        // go test -x prints every tool it runs: a compile shows as `.../compile -o ...` on stderr.
        String run = flow(store, ", image: false, overlapDaemon: true, testCommand: '" + GO_TEST_COUNTING_COMPILES + "'");

        PipelineHarness first = harness(ws, GO124, "home1", repo);
        List<Long> duringAffected = new ArrayList<>();
        first.sh((script, cwd, env) -> {
            if (script.contains("'affected'")) {
                duringAffected.addAll(daemonsOf(ws));
            }
            return PipelineHarness.realSh(script, cwd, env);
        });
        PipelineHarness.Result r1 = first.run(run);

        assertThat(r1.failure()).as(first.log()).isNull();
        assertThat(repo.testAffected()).isNotEmpty();
        String log1 = first.log();
        Matcher addr = Pattern.compile("gopipe: gocache daemon (tcp:127\\.0\\.0\\.1:\\d+) for this workspace").matcher(log1);
        assertThat(addr.find()).as(log1).isTrue();
        // Exactly one daemon for the whole fan-out, started before and stopped after every Test stage.
        List<Event> starts = shEvents(first, "gocache' 'serve'");
        assertThat(starts).hasSize(1);
        // It was launched before the affected services were computed, and its JVM ran while they were: the
        // two start-ups overlap; the pipeline waited for it only after (its ready step).
        List<Event> sh = first.events().stream().filter(e -> e.kind().equals("sh")).toList();
        int launched = sh.indexOf(starts.get(0));
        int affectedAt = sh.indexOf(shEvents(first, "'affected'").get(0));
        int readyAt = sh.indexOf(shEvents(first, "# gopipe gocache daemon: ready").get(0));
        assertThat(launched).isLessThan(affectedAt);
        assertThat(readyAt).isGreaterThan(affectedAt);
        assertThat(duringAffected).as("the daemon's processes while `gopipe affected` ran").isNotEmpty();
        // Launched before the plan was known, it has no key of its own: once ready, a read-only session of the first
        // service's key primes its prefetch (the first go test shares it); each go command's bridge names its service's.
        assertThat(starts.get(0).detail()).doesNotContain("--prefetch-key");
        assertThat(sh.get(readyAt).detail()).contains("-prefetch-key '" + repo.testAffected().get(0) + "/main' -read-only");
        assertThat(shEvents(first, "kill -TERM")).hasSize(1);
        for (String svc : repo.testAffected()) {
            // go itself reports the bridge, the workspace's daemon and the service's key: no JVM per go command.
            assertThat(log1).containsPattern("goprog=\\S*/gopipe-gocache-bridge-\\w+ -daemon " + Pattern.quote(addr.group(1))
                    + " -prefetch-key " + Pattern.quote(svc + "/main") + "\n");
            assertThat(store.resolve("gocache/m/" + svc + "_main.json")).exists();
        }
        assertThat(log1).doesNotContain("WARNING");
        // The bridge went to the store too, so the next fresh agent downloads it instead of compiling it.
        try (var bridges = Files.list(store.resolve("gocache/t"))) {
            assertThat(bridges.map(p -> p.getFileName().toString())).singleElement().asString().startsWith("gocache-bridge-");
        }
        assertThat(sum(log1, 3)).as("misses of the first build").isPositive();
        assertThat(compiles(log1)).as(log1).hasSize(repo.testAffected().size()).anyMatch(n -> n > 0);
        // The daemon's own log: it served the go commands and stopped when asked.
        assertThat(awaitNoDaemon(ws)).isEmpty();
        assertThat(daemonLog(ws)).containsPattern("gocache daemon: stopping after [1-9]\\d* clients")
                .as("the priming session: connected, asked nothing").containsPattern("client \\d+ \\([^)]*\\): gocache: 0 gets");

        // A fresh agent: the workspace (its GOCACHE, temp dir) and HOME (the daemon's local tier) are new;
        // only the store is kept. Same workspace path, as a job's workspace on any agent.
        deleteTree(ws);
        deleteTree(ws.resolveSibling("ws@gopipe"));
        deleteTree(ws.resolveSibling("ws@tmp"));
        ShopFixture.materialize(ws, "05-test-files-only");
        PipelineHarness second = harness(ws, GO124, "home2", repo);
        PipelineHarness.Result r2 = second.run(run);

        assertThat(r2.failure()).as(second.log()).isNull();
        String log2 = second.log();
        List<long[]> figures = figures(log2);
        assertThat(figures).as(log2).hasSizeGreaterThanOrEqualTo(repo.testAffected().size());
        // Every compile came from the store: go compiled nothing (the few misses are test results whose
        // inputs' mtimes changed with the new checkout: go runs those tests again, from cached binaries).
        assertThat(compiles(log2)).hasSize(repo.testAffected().size()).allMatch(n -> n == 0);
        assertThat(figures).filteredOn(f -> f[0] > 0).isNotEmpty()
                .allSatisfy(f -> assertThat(f[1]).as("hits").isGreaterThan(f[0] * 9 / 10));
        assertThat(awaitNoDaemon(ws)).isEmpty();
    }

    @Test
    void theDaemonIsStoppedWhenABranchFailsAndAPullRequestWritesNothing() throws Exception {
        Path ws = tmp.resolve("ws");
        ShopFixture.Repo repo = ShopFixture.materialize(ws, "05-test-files-only");
        Path money = ws.resolve("pkg/money/money_test.go");
        Files.writeString(money, Files.readString(money) + "\nfunc TestBroken(t *testing.T) { t.Fatal(\"broken on purpose\") }\n");
        ShopFixture.git(ws, "commit", "-q", "-am", "break a test");
        Path store = tmp.resolve("store");
        PipelineHarness h = harness(ws, GO124, "home").env("BRANCH_NAME", "PR-7").env("CHANGE_ID", "7")
                .env("CHANGE_TARGET", "main");
        // overlapDaemon: false: the daemon starts after the affected services, with the first service's key.
        PipelineHarness.Result r = h.run(flow(store, ", image: false, overlapDaemon: false, base: '" + repo.base()
                + "', testCommand: 'echo \"goprog=$(go env GOCACHEPROG)\" && go test ./... && cd \"$WORKSPACE/pkg/money\" && go test .'"));

        assertThat(r.failure()).as(h.log()).isNotNull();
        assertThat(h.log()).contains("broken on purpose").contains("gopipe: gocache daemon tcp:127.0.0.1:");
        // Pull request: the daemon and every bridge are read-only, the key is the target branch's.
        assertThat(shEvents(h, "gocache' 'serve'")).singleElement().satisfies(e -> assertThat(e.detail()).contains("'--read-only'")
                .contains("'--prefetch-key' '" + repo.testAffected().get(0) + "/main'"));
        List<Event> sh = h.events().stream().filter(e -> e.kind().equals("sh")).toList();
        assertThat(sh.indexOf(shEvents(h, "gocache' 'serve'").get(0))).isGreaterThan(sh.indexOf(shEvents(h, "'affected'").get(0)));
        assertThat(shEvents(h, "# gopipe gocache daemon: ready")).as("waited for in the start step itself").singleElement()
                .isEqualTo(shEvents(h, "gocache' 'serve'").get(0));
        assertThat(h.log()).containsPattern("-prefetch-key \\S+/main -read-only");
        assertThat(filesUnder(store)).as("nothing written to the store").isEmpty();
        // The failure went through the finally: the daemon was stopped, its process group is gone.
        assertThat(shEvents(h, "kill -TERM")).hasSize(1);
        assertThat(awaitNoDaemon(ws)).isEmpty();
        assertThat(daemonLog(ws)).containsPattern("gocache daemon: stopping after \\d+ clients");
    }

    /** An abort in the middle of a Test stage (the user's stop button) interrupts the fan-out; the finally still stops the daemon. */
    @Test
    void anAbortedBuildStopsTheDaemonToo() throws Exception {
        Path ws = tmp.resolve("ws");
        ShopFixture.Repo repo = ShopFixture.materialize(ws, "05-test-files-only");
        Path store = tmp.resolve("store");
        PipelineHarness h = harness(ws, GO124, "home", repo);
        List<Long> runningAtAbort = new ArrayList<>();
        h.sh((script, cwd, env) -> {
            if (script.contains("go test")) {
                runningAtAbort.addAll(daemonsOf(ws));
                throw new io.gopipe.library.harness.FlowInterrupted("Aborted by user");
            }
            return PipelineHarness.realSh(script, cwd, env);
        });
        PipelineHarness.Result r = h.run(flow(store, ", image: false, failFast: true"));

        assertThat(r.failure()).as(h.log()).isNotNull();
        assertThat(runningAtAbort).as("the daemon ran when the build was aborted").isNotEmpty();
        assertThat(shEvents(h, "kill -TERM")).hasSize(1);
        assertThat(awaitNoDaemon(ws)).isEmpty();
    }

    @Test
    void goOlderThan124FallsBackToTheArchiveWithOneWarning() throws Exception {
        Path ws = tmp.resolve("ws");
        ShopFixture.Repo repo = ShopFixture.materialize(ws, "05-test-files-only");
        Path store = Files.createDirectories(tmp.resolve("store"));
        PipelineHarness h = harness(ws, GO119, "home", repo);
        PipelineHarness.Result r = h.run(flow(store, ", image: false, testCommand: 'echo \"prog=[$GOCACHEPROG]\" && go test ./...'"));

        assertThat(r.failure()).as(h.log()).isNull();
        assertThat(countOf(h.log(), "WARNING")).as(h.log()).isEqualTo(1);
        assertThat(h.log()).contains("WARNING: the remote build cache needs go1.24 or newer (GOCACHEPROG)").contains("go1.19")
                .contains("prog=[]").doesNotContain("-daemon tcp:");
        // The archive once around the whole fan-out, not once per service.
        assertThat(shEvents(h, "'cache' 'restore'")).singleElement().satisfies(e -> assertThat(e.detail()).contains("'--policy' 'build'"));
        assertThat(shEvents(h, "'cache' 'save'")).hasSize(1);
        assertThat(awaitNoDaemon(ws)).isEmpty();
    }

    @Test
    void aDaemonThatCannotStartLeavesEachGoCommandToTheProgramWithOneWarning() throws Exception {
        assertThat(GO124.resolve("go")).exists();
        Path ws = tmp.resolve("ws");
        ShopFixture.Repo repo = ShopFixture.materialize(ws, "05-test-files-only");
        Path store = tmp.resolve("store");
        // Something else holds this workspace's daemon lock (a daemon of an earlier build that was killed
        // with its agent connection, say): ours backs off, and is never ready.
        Path d = ws.resolveSibling("ws@tmp").resolve("gopipe-gocache");
        Files.createDirectories(d);
        List<String> holder = new ArrayList<>(List.of(CliFlowTest.gopipeCommand().split(" ")));
        holder.addAll(List.of("gocache", "serve", "--backend", "local:" + store, "--tcp", "127.0.0.1:0", "--idle-exit", "0",
                "--lock", d.resolve("daemon.lock").toString(), "--ready-file", tmp.resolve("holder.ready").toString(),
                "--dir", tmp.resolve("holder-tier").toString()));
        Process p = new ProcessBuilder(holder).redirectErrorStream(true).redirectOutput(tmp.resolve("holder.log").toFile()).start();
        try {
            for (int i = 0; i < 600 && !Files.exists(tmp.resolve("holder.ready")); i++) {
                Thread.sleep(100);
            }
            assertThat(tmp.resolve("holder.ready")).as("the lock holder is serving").exists();
            PipelineHarness h = harness(ws, GO124, "home", repo);
            PipelineHarness.Result r = h.run(flow(store, ", image: false, testCommand: 'echo \"goprog=$(go env GOCACHEPROG)\" && go test ./...'"));

            assertThat(r.failure()).as(h.log()).isNull();
            assertThat(countOf(h.log(), "WARNING")).as(h.log()).isEqualTo(1);
            assertThat(h.log()).contains("WARNING: the gocache daemon did not become ready").contains("another daemon holds");
            for (String svc : repo.testAffected()) {
                assertThat(h.log()).contains("goprog=" + CliFlowTest.gopipeCommand() + " gocache --backend local:" + store
                        + " --prefetch-key " + svc + "/main");
            }
            assertThat(h.log()).contains("ok  ");
            // Only the holder is left: the pipeline's own daemon exited (or was stopped).
            assertThat(daemonsOf(ws)).containsExactly(p.pid());
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    /**
     * The Image stage gets GOPIPE_GOCACHE_DAEMON: a user Dockerfile whose go build mounts the Go build
     * cache compiles inside BuildKit through GOCACHEPROG, tunnelled to the workspace's daemon, and its
     * outputs and key land in the store.
     */
    @Test
    void theImageStageGoBuildInsideBuildKitReachesTheDaemon() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("tiny"));
        Files.writeString(ws.resolve("go.mod"), "module example.com/tiny\n\ngo 1.24\n");
        Files.createDirectories(ws.resolve("cmd/hello"));
        // Unique per run: the shared builder may hold an earlier run's go build step.
        Files.writeString(ws.resolve("cmd/hello/main.go"), "package main\n\n// run " + java.util.UUID.randomUUID()
                + "\n\nfunc main() { println(\"hello\") }\n");
        Files.writeString(ws.resolve("cmd/hello/Dockerfile"), """
                FROM 127.0.0.1:5000/gopipe/golang:1.24 AS build
                WORKDIR /src
                COPY . .
                RUN --network=none --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 GOFLAGS=-mod=mod GOPROXY=off go build -o /out/hello ./cmd/hello
                FROM 127.0.0.1:5000/gopipe/busybox:latest
                COPY --from=build /out/hello /hello
                """);
        ShopFixture.commitAll(ws, "tiny");
        Path store = tmp.resolve("store");
        PipelineHarness h = harness(ws, GO124, "home").env("GIT_COMMIT", ShopFixture.git(ws, "rev-parse", "HEAD").trim());
        // No Test stage: whatever reaches the store comes from the image build (key hello@main).
        PipelineHarness.Result r = h.run(flow(store, ", test: false"));

        assertThat(r.failure()).as(h.log()).isNull();
        Matcher addr = Pattern.compile("gopipe: gocache daemon (tcp:127\\.0\\.0\\.1:\\d+) for this workspace").matcher(h.log());
        assertThat(addr.find()).as(h.log()).isTrue();
        // The image build itself found the daemon in its environment (no flag on its command line).
        assertThat(shEvents(h, "'image' 'build'")).singleElement().satisfies(e -> assertThat(e.detail()).doesNotContain("gocache"));
        assertThat(h.log()).contains("GOCACHEPROG through the gocache daemon, key hello@main");
        // The daemon served the bridge that ran inside BuildKit (its go is the image's Go 1.24), and what that
        // go build compiled is in the store now (no Test stage ran: nothing else could have put it there).
        assertThat(h.log()).containsPattern("client \\d+ \\(gopipe-gocache-bridge go1\\.24[^)]*\\): gocache: [1-9]\\d* gets");
        assertThat(filesUnder(store.resolve("gocache/o"))).as(h.log()).isNotEmpty();
        assertThat(awaitNoDaemon(ws)).isEmpty();
        assertThat(daemonLog(ws)).containsPattern("gocache daemon: stopping after [1-9]\\d* clients");
    }

    /**
     * A change that affects nothing: the daemon launched beside the affected-services engine is stopped
     * again at once (no ready wait, nothing left running), and no builder warm-up starts.
     */
    @Test
    void aChangeThatAffectsNothingStopsTheEarlyDaemonAndWarmsNothing() throws Exception {
        Path ws = tmp.resolve("ws");
        ShopFixture.Repo repo = ShopFixture.materialize(ws, "20-readme-only");
        Path store = tmp.resolve("store");
        PipelineHarness h = harness(ws, GO124, "home", repo);
        PipelineHarness.Result r = h.run(flow(store, ", overlapDaemon: true, registry: '127.0.0.1:5000/gopipe-lib-nothing'"));

        assertThat(r.failure()).as(h.log()).isNull();
        assertThat(repo.affected()).isEmpty();
        assertThat(repo.testAffected()).isEmpty();
        assertThat(h.log()).contains("gopipe: nothing to build or test").doesNotContain("WARNING");
        assertThat(shEvents(h, "gocache' 'serve'")).hasSize(1);
        assertThat(shEvents(h, "# gopipe gocache daemon: ready")).isEmpty();
        assertThat(shEvents(h, "kill -TERM")).hasSize(1);
        assertThat(shEvents(h, "gopipe-warmup")).isEmpty();
        assertThat(awaitNoDaemon(ws)).isEmpty();
    }

    /**
     * A new branch's first build on a fresh agent prefetches what the default branch's last build used
     * (svc/BRANCH|svc/main), and records its own set under svc/BRANCH.
     */
    @Test
    void aNewBranchsFirstBuildPrefetchesTheDefaultBranchsSet() throws Exception {
        Path ws = tmp.resolve("ws");
        ShopFixture.Repo repo = ShopFixture.materialize(ws, "05-test-files-only");
        Path store = tmp.resolve("store");
        String run = flow(store, ", image: false, overlapDaemon: true, testCommand: 'echo \"goprog=$(go env GOCACHEPROG)\" && go test ./...'");
        PipelineHarness main = harness(ws, GO124, "home1", repo);
        assertThat(main.run(run).failure()).as(main.log()).isNull();
        String svc = repo.testAffected().get(0);
        assertThat(store.resolve("gocache/m/" + svc + "_main.json")).exists();
        assertThat(awaitNoDaemon(ws)).isEmpty();

        // A fresh agent builds the same commit on a new branch: no set of its own in the store yet.
        deleteTree(ws.resolveSibling("ws@gopipe"));
        deleteTree(ws.resolveSibling("ws@tmp"));
        PipelineHarness branch = harness(ws, GO124, "home2", repo).env("BRANCH_NAME", "feature/x");
        PipelineHarness.Result r = branch.run(run);

        assertThat(r.failure()).as(branch.log()).isNull();
        // The bridge of each go command, and the priming session, name the branch's key with main's behind it.
        assertThat(branch.log()).contains("-prefetch-key " + svc + "/feature/x|" + svc + "/main\n")
                .contains("-prefetch-key '" + svc + "/feature/x|" + svc + "/main' -read-only");
        Matcher prefetched = Pattern.compile("gocache: \\d+ gets, \\d+ hits \\(\\d+ local, (\\d+) prefetched").matcher(branch.log());
        long n = 0;
        while (prefetched.find()) {
            n += Long.parseLong(prefetched.group(1));
        }
        assertThat(n).as("outputs prefetched from main's set\n" + branch.log()).isPositive();
        assertThat(store.resolve("gocache/m/" + svc + "_feature_x.json")).exists();
        assertThat(awaitNoDaemon(ws)).isEmpty();
    }

    /**
     * An agent that runs its own daemon (a pod's sidecar, started with the agent and warmed up): the
     * pipeline starts none, its go commands reach that one through the bridge, and it is left running.
     */
    @Test
    void anAgentsOwnDaemonServesTheJobAndIsLeftRunning() throws Exception {
        Path ws = tmp.resolve("ws");
        ShopFixture.Repo repo = ShopFixture.materialize(ws, "05-test-files-only");
        Path store = tmp.resolve("store");
        Path side = tmp.resolve("sidecar");
        Files.createDirectories(side);
        List<String> serve = new ArrayList<>(List.of(CliFlowTest.gopipeCommand().split(" ")));
        serve.addAll(List.of("gocache", "serve", "--backend", "local:" + store, "--dir", side.resolve("tier").toString(),
                "--tcp", "127.0.0.1:0", "--ready-file", side.resolve("ready").toString(), "--idle-exit", "5m", "--warm-up"));
        Process sidecar = new ProcessBuilder(serve).redirectErrorStream(true).redirectOutput(side.resolve("log").toFile()).start();
        try {
            for (int i = 0; i < 600 && !Files.exists(side.resolve("ready")); i++) {
                Thread.sleep(100);
            }
            String address = Files.readString(side.resolve("ready")).trim();
            assertThat(address).startsWith("tcp:127.0.0.1:");
            PipelineHarness h = harness(ws, GO124, "home", repo);
            PipelineHarness.Result r = h.run(flow(store, ", image: false, gocacheDaemon: '" + address + "',"
                    + " testCommand: 'echo \"goprog=$(go env GOCACHEPROG)\" && go test ./...'"));

            assertThat(r.failure()).as(h.log()).isNull();
            String log = h.log();
            assertThat(log).contains("gopipe: gocache daemon " + address + " of this agent (gocacheDaemon), left running")
                    .doesNotContain("WARNING");
            assertThat(shEvents(h, "gocache' 'serve'")).isEmpty();
            assertThat(shEvents(h, "kill -TERM")).isEmpty();
            for (String svc : repo.testAffected()) {
                assertThat(log).containsPattern("goprog=\\S*/gopipe-gocache-bridge-\\w+ -daemon " + Pattern.quote(address)
                        + " -prefetch-key " + Pattern.quote(svc + "/main") + "\n");
                assertThat(store.resolve("gocache/m/" + svc + "_main.json")).exists();
            }
            assertThat(sidecar.isAlive()).isTrue();
            // The sidecar served the job's go commands (and the priming session) after its warm-up.
            String sideLog = Files.readString(side.resolve("log"));
            assertThat(sideLog).contains("gocache daemon: warm-up").containsPattern("client \\d+ \\([^)]*\\): gocache: [1-9]\\d* gets");
        } finally {
            sidecar.destroy();
            sidecar.waitFor();
        }
    }

    private static List<Event> shEvents(PipelineHarness h, String contains) {
        return h.events().stream().filter(e -> e.kind().equals("sh") && e.detail() != null && e.detail().contains(contains)).toList();
    }

    private static List<long[]> figures(String log) {
        List<long[]> out = new ArrayList<>();
        Matcher m = SUMMARY.matcher(log);
        while (m.find()) {
            out.add(new long[]{Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))});
        }
        return out;
    }

    private static List<Integer> compiles(String log) {
        List<Integer> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^(?:\\[[\\w-]+\\] )?compiles=(\\d+)$").matcher(log);
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    private static long sum(String log, int group) {
        return figures(log).stream().mapToLong(f -> f[group - 1]).sum();
    }

    private static int countOf(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    /**
     * The daemon's processes once they had 15 s to exit: the stop sends SIGTERM and does not wait
     * (a reaper sends SIGKILL after 10 s).
     */
    static List<Long> awaitNoDaemon(Path ws) throws IOException, InterruptedException {
        List<Long> left = daemonsOf(ws);
        for (int i = 0; i < 150 && !left.isEmpty(); i++) {
            Thread.sleep(100);
            left = daemonsOf(ws);
        }
        return left;
    }

    private static String daemonLog(Path ws) throws IOException {
        return Files.readString(ws.resolveSibling(ws.getFileName() + "@tmp").resolve("gopipe-gocache/daemon.log"));
    }

    /** Live processes (any, the JVM included) whose command line names this workspace's daemon lock. */
    static List<Long> daemonsOf(Path ws) throws IOException {
        String lock = ws.resolveSibling(ws.getFileName() + "@tmp").resolve("gopipe-gocache/daemon.lock").toString();
        List<Long> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                    if (cmd.contains(lock)) {
                        out.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // exited while we looked
                }
            }
        }
        return out;
    }

    private static List<Path> filesUnder(Path p) throws IOException {
        if (!Files.exists(p)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                x.toFile().setWritable(true);
                Files.delete(x);
            }
        }
    }
}
