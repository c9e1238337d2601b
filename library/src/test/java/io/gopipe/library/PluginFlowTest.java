package io.gopipe.library;

import io.gopipe.library.harness.Event;
import io.gopipe.library.harness.PipelineError;
import io.gopipe.library.harness.PipelineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * goMonorepoPipeline with the plugin's steps, on the shop fixture with real git history and the
 * real affected-services engine; the expected services come from each scenario's change.yaml.
 */
class PluginFlowTest {
    static final Path VARS = ShopFixture.root().resolve("vars");
    static final String CHEAP_TEST = "ls *.go > /dev/null";

    @TempDir
    Path tmp;

    private EnginePluginSteps steps;

    private PipelineHarness branchBuild(ShopFixture.Repo repo) {
        steps = new EnginePluginSteps();
        return new PipelineHarness(VARS, repo.dir(), steps)
                .env("BRANCH_NAME", "main")
                .env("GIT_COMMIT", repo.head())
                .env("GIT_PREVIOUS_SUCCESSFUL_COMMIT", repo.base());
    }

    static List<String> parallelBranches(PipelineHarness h) {
        Event p = h.events().stream().filter(e -> e.kind().equals("parallel")).findFirst().orElseThrow();
        @SuppressWarnings("unchecked")
        List<String> b = (List<String>) ((Map<String, Object>) p.args()).get("branches");
        return b;
    }

    static Map<String, List<String>> stagesByBranch(PipelineHarness h) {
        Map<String, List<String>> m = new HashMap<>();
        for (Event e : h.events()) {
            if (e.kind().equals("stage.start") && !e.branch().isEmpty()) {
                m.computeIfAbsent(e.branch(), k -> new ArrayList<>()).add(String.join("/", e.stages()));
            }
        }
        return m;
    }

    @Test
    @SuppressWarnings("unchecked")
    void sharedPackageChangeFansOutToExactlyTheAffectedServices() {
        ShopFixture.Repo repo = ShopFixture.materialize(tmp.resolve("shop"), "03-shared-package-fan-out");
        PipelineHarness h = branchBuild(repo);
        PipelineHarness.Result r = h.run("goMonorepoPipeline(registry: 'registry.local/shop', cacheRepo: 'registry.local/cache', testCommand: '"
                + CHEAP_TEST + "')");

        assertThat(r.failure()).as(h.log()).isNull();
        // Exactly the engine's services, one branch each, and those are the scenario's expectation.
        List<String> engine = List.copyOf(steps.lastServices);
        assertThat(parallelBranches(h)).isEqualTo(new ArrayList<>(new TreeSet<>(engine))).isEqualTo(repo.affected());
        Map<String, List<String>> stages = stagesByBranch(h);
        for (String svc : engine) {
            assertThat(stages.get(svc)).as(svc).containsExactly("Build/Test", "Build/Image");
        }
        // The why: base reason, and the changed shared package in a service's chain.
        assertThat(h.log()).contains("changes since the last successful build of main (" + repo.base().substring(0, 12) + ")")
                .contains("pkg/log/log.go");
        // Images: one per affected service, tagged with commit and branch, the services' own Dockerfiles.
        assertThat(steps.images).extracting(m -> m.get("service")).containsExactlyInAnyOrderElementsOf(engine);
        Map<String, Object> orders = steps.images.stream().filter(m -> m.get("service").equals("orders")).findFirst().orElseThrow();
        assertThat((List<Object>) orders.get("tags")).containsExactly((Object) "registry.local/shop/orders:" + repo.head().substring(0, 12),
                "registry.local/shop/orders:main");
        assertThat(orders).containsEntry("push", true).containsEntry("branch", "main").containsEntry("cacheRepo", "registry.local/cache");
        // One cache restore/save around the whole fan-out (one workspace), writable on a branch build.
        assertThat(steps.cacheCalls).containsExactly("restore mod readOnly=false branch=", "save mod readOnly=false ok=true");
        // Summary: every service with its digest.
        for (String svc : engine) {
            assertThat(h.currentBuild().getDescription()).containsPattern(svc + " sha256:[0-9a-f]{12}");
        }
        assertThat(h.events()).anyMatch(e -> e.kind().equals("writeFile") && "gopipe-summary.json".equals(e.detail()));
        assertThat(h.serializations()).isGreaterThan(20);
        writeLog("plugin-flow-03.log", h);
    }

    @Test
    void goBuildTagsReachTheAffectedStepAsTheStringItsSetterTakes() {
        ShopFixture.Repo repo = ShopFixture.materialize(tmp.resolve("shop"), "03-shared-package-fan-out");
        PipelineHarness h = branchBuild(repo);
        PipelineHarness.Result r = h.run("goMonorepoPipeline(tags: ['netgo', 'prod'], testCommand: '" + CHEAP_TEST + "')");

        assertThat(r.failure()).as(h.log()).isNull();
        // GoAffectedServicesStep.setTags(String): comma-separated, as for go build -tags.
        assertThat(steps.affectedCalls).singleElement().satisfies(a -> assertThat(a).containsEntry("tags", "netgo,prod"));
        assertThat(h.typeChecked()).anyMatch(c -> c.startsWith("goAffectedServices.") && c.contains("tags"));
        assertThat(parallelBranches(h)).isEqualTo(repo.affected());
    }

    @Test
    void aRepositoryBelowTheWorkspaceKeepsTheGoCachesOfTheWorkspace() {
        Path ws = tmp.resolve("ws");
        ShopFixture.Repo repo = ShopFixture.materialize(ws.resolve("shop"), "03-shared-package-fan-out");
        steps = new EnginePluginSteps();
        PipelineHarness h = new PipelineHarness(VARS, ws, steps).env("BRANCH_NAME", "main")
                .env("GIT_COMMIT", repo.head()).env("GIT_PREVIOUS_SUCCESSFUL_COMMIT", repo.base());
        PipelineHarness.Result r = h.run("goMonorepoPipeline(repo: 'shop', registry: 'registry.local/shop', testCommand: '"
                + CHEAP_TEST + "')");

        assertThat(r.failure()).as(h.log()).isNull();
        assertThat(parallelBranches(h)).isEqualTo(repo.affected());
        // Both steps run in the workspace, as goModCache does, and are told where the repository is:
        // the plugin derives <workspace>@gopipe (the restored caches) and <workspace>@tmp from the workspace.
        // Every image build found the module cache goModCache restored.
        assertThat(steps.imageModCaches.keySet()).containsExactlyInAnyOrderElementsOf(repo.affected());
        assertThat(steps.imageModCaches.values()).containsOnly(ws + "@gopipe/mod");
        assertThat(steps.affectedCwds).containsExactly(ws.toString());
        assertThat(steps.affectedCalls).singleElement().satisfies(a -> assertThat(a).containsEntry("dir", "shop"));
        assertThat(steps.images).isNotEmpty().allSatisfy(m -> assertThat(m).containsEntry("dir", "shop"));
        assertThat(steps.cacheCalls).containsExactly("restore mod readOnly=false branch=", "save mod readOnly=false ok=true");
    }

    /** Keeps a run's log under target/ for reading (docs/jenkins.md quotes it). */
    static void writeLog(String name, PipelineHarness h) {
        try {
            java.nio.file.Files.createDirectories(Path.of("target"));
            java.nio.file.Files.writeString(Path.of("target", name), h.log());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theRepositorysOwnJenkinsfileRuns() throws Exception {
        ShopFixture.Repo repo = ShopFixture.materialize(tmp.resolve("shop"), "03-shared-package-fan-out");
        String jenkinsfile = java.nio.file.Files.readString(ShopFixture.root().resolve("Jenkinsfile"))
                .replace("@Library('gopipe') _", ""); // Jenkins resolves the annotation itself
        PipelineHarness h = branchBuild(repo);
        PipelineHarness.Result r = h.run(jenkinsfile);

        assertThat(r.failure()).as(h.log()).isNull();
        assertThat(parallelBranches(h)).isEqualTo(repo.affected());
        assertThat(h.events()).anyMatch(e -> e.kind().equals("node") && "go".equals(e.detail()));
        assertThat(steps.cacheCalls).containsExactly("restore mod readOnly=false branch=", "restore build readOnly=false branch=",
                "save build readOnly=false ok=true", "save mod readOnly=false ok=true");
        assertThat(steps.images).allSatisfy(m -> assertThat(m).containsEntry("cacheRepo", "registry.example.com/shop/buildcache"));
    }

    @Test
    void eachServiceOnItsOwnAgentChecksOutAndRestoresItsOwnCaches() {
        ShopFixture.Repo repo = ShopFixture.materialize(tmp.resolve("shop"), "03-shared-package-fan-out");
        PipelineHarness h = branchBuild(repo);
        PipelineHarness.Result r = h.run("goMonorepoPipeline(agent: 'linux && docker', caches: ['mod', 'build'], testCommand: '"
                + CHEAP_TEST + "')");

        assertThat(r.failure()).as(h.log()).isNull();
        for (String svc : repo.affected()) {
            assertThat(h.events()).anyMatch(e -> e.kind().equals("node") && e.branch().equals(svc) && "linux && docker".equals(e.detail()));
            assertThat(h.events()).anyMatch(e -> e.kind().equals("checkout") && e.branch().equals(svc));
            assertThat(steps.cacheCalls).contains("restore mod readOnly=false branch=" + svc, "restore build readOnly=false branch=" + svc);
        }
        assertThat(steps.cacheCalls).filteredOn(c -> c.startsWith("save")).hasSize(2 * repo.affected().size());
    }

    @Test
    void anExplicitBaseParameterWinsAndSupersededBuildsAreAborted() {
        ShopFixture.Repo repo = ShopFixture.materialize(tmp.resolve("shop"), "03-shared-package-fan-out");
        PipelineHarness h = branchBuild(repo).param("GOPIPE_BASE", repo.head()).env("BUILD_NUMBER", "7");
        PipelineHarness.Result r = h.run("goMonorepoPipeline(abortSuperseded: true)");

        assertThat(r.failure()).as(h.log()).isNull();
        assertThat(steps.affectedCalls).containsExactly(Map.of("base", repo.head()));
        assertThat(h.log()).contains("explicit base " + repo.head() + " (build parameter GOPIPE_BASE)");
        assertThat(h.events()).noneMatch(e -> e.kind().equals("parallel"));
        assertThat(h.events()).filteredOn(e -> e.kind().equals("milestone")).extracting(Event::detail).containsExactly("6", "7");

        PipelineHarness bad = branchBuild(repo).param("GOPIPE_BASE", "main; rm -rf /");
        assertThat(bad.run("goMonorepoPipeline()").failure()).hasMessageContaining("GOPIPE_BASE is not a git revision");
    }

    @Test
    void pullRequestUsesTheMergeBaseAndNeverWritesTheCache() {
        ShopFixture.Repo repo = ShopFixture.materialize(tmp.resolve("shop"), "05-test-files-only");
        ShopFixture.git(repo.dir(), "update-ref", "refs/remotes/origin/main", repo.base());
        steps = new EnginePluginSteps();
        PipelineHarness h = new PipelineHarness(VARS, repo.dir(), steps)
                .env("BRANCH_NAME", "PR-42").env("CHANGE_ID", "42").env("CHANGE_TARGET", "main")
                .env("GIT_COMMIT", repo.head())
                // A PR's previous successful commit can be a local merge commit: it must be ignored.
                .env("GIT_PREVIOUS_SUCCESSFUL_COMMIT", "ffffffffffffffffffffffffffffffffffffffff");
        PipelineHarness.Result r = h.run("goMonorepoPipeline(registry: 'registry.local/shop', testCommand: '" + CHEAP_TEST + "')");

        assertThat(r.failure()).as(h.log()).isNull();
        assertThat(steps.affectedCalls).containsExactly(Map.of("targetBranch", "origin/main"));
        assertThat(repo.affected()).isEmpty();
        assertThat(parallelBranches(h)).isEqualTo(repo.testAffected()).isNotEmpty();
        for (String svc : repo.testAffected()) {
            assertThat(stagesByBranch(h).get(svc)).as(svc).containsExactly("Build/Test");
        }
        assertThat(steps.images).isEmpty();
        assertThat(steps.cacheCalls).containsExactly("restore mod readOnly=true branch=", "save mod readOnly=true ok=true");
        assertThat(h.log()).contains("pull request 42: changes since the merge-base with origin/main");
    }

    @Test
    void firstBuildOfABranchBuildsEverythingAndSaysWhy() {
        ShopFixture.Repo repo = ShopFixture.materialize(tmp.resolve("shop"), "01-leaf-package-edit");
        steps = new EnginePluginSteps();
        PipelineHarness h = new PipelineHarness(VARS, repo.dir(), steps).env("BRANCH_NAME", "feature/x").env("GIT_COMMIT", repo.head());
        PipelineHarness.Result r = h.run("goMonorepoPipeline(image: true, test: false)");

        assertThat(r.failure()).as(h.log()).isNull();
        assertThat(h.log()).contains("every service", "first build of feature/x (no previous successful build");
        List<String> all = parallelBranches(h);
        assertThat(all).contains("gateway", "orders", "billing", "ingest").hasSizeGreaterThanOrEqualTo(8);
        assertThat(steps.images).hasSize(all.size()).allSatisfy(m -> assertThat(m).containsEntry("push", false).doesNotContainKey("tags"));
        assertThat(h.currentBuild().getDescription()).contains("(all)");
    }

    @Test
    void aLastSuccessfulCommitMissingFromTheCloneBuildsEverything() {
        ShopFixture.Repo repo = ShopFixture.materialize(tmp.resolve("shop"), "20-readme-only");
        steps = new EnginePluginSteps();
        PipelineHarness h = new PipelineHarness(VARS, repo.dir(), steps).env("BRANCH_NAME", "main")
                .env("GIT_PREVIOUS_SUCCESSFUL_COMMIT", "0123456789abcdef0123456789abcdef01234567");
        PipelineHarness.Result r = h.run("goMonorepoPipeline(test: false)");

        assertThat(r.failure()).as(h.log()).isNull();
        assertThat(h.log()).contains("last successful commit 0123456789ab of main is not in this clone");
        assertThat(parallelBranches(h)).hasSizeGreaterThanOrEqualTo(8);
        // The same README-only change against a present base builds nothing.
        PipelineHarness again = branchBuild(repo);
        assertThat(again.run("goMonorepoPipeline(test: false)").failure()).isNull();
        assertThat(again.events()).noneMatch(e -> e.kind().equals("parallel"));
        assertThat(again.currentBuild().getDescription()).isEqualTo("gopipe: no service affected");
    }

    @Test
    void failFastInterruptsTheOtherServicesAndTheSummaryStillNamesTheFailure() {
        ShopFixture.Repo repo = ShopFixture.materialize(tmp.resolve("shop"), "03-shared-package-fan-out");
        PipelineHarness h = branchBuild(repo);
        PipelineHarness.Result r = h.run("goMonorepoPipeline(failFast: true, testCommand: 'test \"$(basename \"$PWD\")\" != admin')");

        assertThat(r.failure()).isInstanceOf(PipelineError.class).hasMessageContaining("exit code 1");
        assertThat(h.currentBuild().getDescription()).contains("admin FAILURE");
        // Branches after admin in round-robin order were interrupted before their image was built.
        assertThat(steps.images.size()).isLessThan(steps.lastServices.size() - 1);
        assertThat(h.log()).contains("admin").contains("FAILURE");

        PipelineHarness slow = branchBuild(repo);
        PipelineHarness.Result r2 = slow.run("goMonorepoPipeline(failFast: false, testCommand: 'test \"$(basename \"$PWD\")\" != admin')");
        assertThat(r2.failure()).isInstanceOf(PipelineError.class);
        assertThat(steps.images).hasSize(steps.lastServices.size() - 1);
        assertThat(steps.cacheCalls).contains("save mod readOnly=false ok=false");
    }

    @Test
    void maxParallelBoundsHowManyServicesRunAtOnce() {
        ShopFixture.Repo repo = ShopFixture.materialize(tmp.resolve("shop"), "03-shared-package-fan-out");
        PipelineHarness limited = branchBuild(repo);
        assertThat(limited.run("goMonorepoPipeline(maxParallel: 2, testCommand: '" + CHEAP_TEST + "')").failure()).isNull();
        PipelineHarness free = branchBuild(repo);
        assertThat(free.run("goMonorepoPipeline(testCommand: '" + CHEAP_TEST + "')").failure()).isNull();

        assertThat(maxBusy(limited)).isEqualTo(2);
        assertThat(maxBusy(free)).isGreaterThan(2);
        assertThat(limited.log()).contains("at most 2 at once");
    }

    /** The most branches that were between their first stage and their end at the same time. */
    static int maxBusy(PipelineHarness h) {
        Set<String> busy = new HashSet<>();
        Set<String> started = new TreeSet<>();
        int max = 0;
        for (Event e : h.events()) {
            if (e.kind().equals("stage.start") && !e.branch().isEmpty() && started.add(e.branch())) {
                busy.add(e.branch());
                max = Math.max(max, busy.size());
            } else if (e.kind().equals("branch.end")) {
                busy.remove(e.branch());
            }
        }
        return max;
    }

    /**
     * goMonorepoPipeline(buildCacheFlavour: 'remote') with the plugin engine: each service's Test
     * stage runs the real `go test` (Go 1.24) inside goModCache(policy: 'build', flavour: 'remote'),
     * whose GOCACHEPROG starts the real `gopipe gocache` against the controller's store (served on the
     * agent's loopback, as the plugin does); agent-mode image builds get the same GOCACHEPROG. A
     * second run on a fresh local tier takes every test result from the controller store.
     */
    @Test
    void theRemoteBuildCacheFlavourWithThePluginEngineRunsTestsAndImagesThroughTheControllerStore() throws Exception {
        Path go = Path.of("/usr/lib/go-1.24/bin");
        assertThat(go.resolve("go")).as("Go 1.24 (GOCACHEPROG needs it)").exists();
        ShopFixture.Repo repo = ShopFixture.materialize(tmp.resolve("shop"), "03-shared-package-fan-out");
        // The plugin's gopipe parameter is one command on the agent: a wrapper, as an installation would have.
        Path gopipe = tmp.resolve("bin/gopipe");
        java.nio.file.Files.createDirectories(gopipe.getParent());
        java.nio.file.Files.writeString(gopipe, "#!/bin/sh\nexec " + CliFlowTest.gopipeCommand() + " \"$@\"\n");
        gopipe.toFile().setExecutable(true);
        Path controller = tmp.resolve("jenkins-home/gopipe-cache");
        String flow = "goMonorepoPipeline(gopipe: '" + gopipe + "', caches: ['build'], buildCacheFlavour: 'remote',"
                + " testCommand: 'echo \"goprog=$(go env GOCACHEPROG)\" && go test ./...')";

        // Scenario 03 changes a package every service imports: all of them are tested and imaged.
        List<String> tested = repo.affected();
        PipelineHarness h = remoteBuild(repo, go, controller);
        PipelineHarness.Result r = h.run(flow);
        assertThat(r.failure()).as(h.log()).isNull();

        List<Event> goTests = h.events().stream().filter(e -> e.kind().equals("sh") && e.detail().contains("go test"))
                .filter(e -> e.stages().contains("Test")).toList();
        assertThat(goTests.stream().map(Event::branch).sorted().toList()).isEqualTo(tested).isNotEmpty();
        // No archive of the build cache around the fan-out: one remote goModCache per Test and Image stage.
        List<Event> caches = h.events().stream().filter(e -> e.kind().equals("goModCache.restore")).toList();
        assertThat(caches).allSatisfy(e -> {
            assertThat(((Map<?, ?>) e.args()).get("flavour")).isEqualTo("remote");
            assertThat(e.stages()).containsAnyOf("Test", "Image");
        });
        assertThat(caches.stream().filter(e -> e.stages().contains("Test")).map(Event::branch).sorted().toList())
                .isEqualTo(tested);
        Path shared = io.gopipe.core.gocache.store.ControllerObjectServer.objectsDir(controller, "folder:shop");
        for (String svc : tested) {
            assertThat(h.log()).containsPattern("goprog=" + java.util.regex.Pattern.quote(gopipe + " gocache --backend controller:")
                    + "\\S+@tmp/gopipe-gocache/\\S+\\.endpoint --prefetch-key " + svc + "/main");
            // Each go command's close wrote its service's manifest into the job's namespace on the controller.
            assertThat(shared.resolve("m/" + svc + "_main.json")).exists();
        }
        assertThat(shared.resolve("o")).isDirectoryContaining(p -> true);
        // Agent-mode image builds run go with the same GOCACHEPROG, keyed per service.
        assertThat(steps.imageGoCacheProgs.keySet()).containsExactlyInAnyOrderElementsOf(repo.affected());
        steps.imageGoCacheProgs.forEach((svc, prog) ->
                assertThat(prog).startsWith(gopipe + " gocache --backend controller:").endsWith(" --prefetch-key " + svc + "/main"));
        // Every loopback server stopped with its body, endpoint file and all.
        assertThat(steps.serving()).isFalse();
        assertThat(java.nio.file.Files.list(Path.of(repo.dir() + "@tmp", "gopipe-gocache"))).isEmpty();

        // A fresh agent (no local tier) on the same workspace path: every test result comes from the controller.
        deleteTree(Path.of(repo.dir() + "@gopipe"));
        PipelineHarness again = remoteBuild(repo, go, controller);
        assertThat(again.run(flow).failure()).as(again.log()).isNull();
        long fresh = again.log().lines().filter(l -> l.startsWith("ok ") && !l.contains("(cached)")).count();
        assertThat(again.log()).contains("(cached)");
        assertThat(fresh).as("tests run again instead of coming from the controller store:\n" + again.log()).isZero();
    }

    private PipelineHarness remoteBuild(ShopFixture.Repo repo, Path go, Path controller) {
        steps = new EnginePluginSteps().controllerStore(controller, "shop", "shop/main");
        return new PipelineHarness(VARS, repo.dir(), steps)
                .env("BRANCH_NAME", "main").env("JOB_NAME", "shop/main")
                .env("GIT_COMMIT", repo.head()).env("GIT_PREVIOUS_SUCCESSFUL_COMMIT", repo.base())
                .env("PATH", go + ":" + System.getenv("PATH")).env("HOME", tmp.resolve("home").toString())
                .env("GOPATH", tmp.resolve("gopath").toString()).env("GOENV", "off")
                .env("GOPROXY", "off").env("GOFLAGS", "-mod=mod").env("GOTOOLCHAIN", "local");
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        if (!java.nio.file.Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                p.toFile().setWritable(true);
                java.nio.file.Files.delete(p);
            }
        }
    }

    @Test
    void configurationErrorsNameTheKey() {
        ShopFixture.Repo repo = ShopFixture.materialize(tmp.resolve("shop"), "01-leaf-package-edit");
        PipelineHarness h = branchBuild(repo);
        PipelineHarness.Result r = h.run("goMonorepoPipeline(maxParalel: 4, push: true, engine: 'docker', caches: ['mod', 'gocache'])");

        assertThat(r.failure()).isInstanceOf(PipelineError.class);
        assertThat(r.failure().getMessage())
                .contains("unknown key 'maxParalel' (did you mean 'maxParallel'?)")
                .contains("key 'push' is true but key 'registry' is not set")
                .contains("key 'engine' must be 'plugin' or 'cli', got 'docker'")
                .contains("key 'caches' may hold 'mod' and 'build', got 'gocache'");
        assertThat(steps.affectedCalls).isEmpty();
    }
}
