package io.gopipe.library;

import io.gopipe.core.image.BuildMode;
import io.gopipe.core.image.BuildResult;
import io.gopipe.core.image.ImageBuilder;
import io.gopipe.core.image.ImageJob;
import io.gopipe.library.harness.Event;
import io.gopipe.library.harness.PipelineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same flow on a Jenkins without the gopipe plugin (engine: 'cli'): the real `gopipe affected`
 * command via sh, the real `go test` in each test-affected service of the shop fixture.
 */
class CliFlowTest {
    @TempDir
    Path tmp;

    /** One Go build cache for all runs of these tests: compiling the shop's packages once is enough. */
    static Path goCache() throws java.io.IOException {
        return Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "gopipe-library-tests-gocache"));
    }

    /** The gopipe command as a plain word list: this JVM on the test classpath (cli module included). */
    static String gopipeCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java") + " -cp " + System.getProperty("java.class.path")
                + " io.gopipe.cli.GopipeCommand";
    }

    @Test
    void withoutThePluginTheCliFlowRunsRealGoTestsForTestAffectedServices() throws Exception {
        ShopFixture.Repo repo = ShopFixture.materialize(tmp.resolve("shop"), "05-test-files-only");
        Path gocache = goCache();
        PipelineHarness h = new PipelineHarness(PluginFlowTest.VARS, repo.dir(), null)
                .env("BRANCH_NAME", "main").env("GIT_COMMIT", repo.head())
                .env("GIT_PREVIOUS_SUCCESSFUL_COMMIT", repo.base())
                .env("PATH", System.getenv("PATH")).env("HOME", tmp.toString())
                .env("GOCACHE", gocache.toString()).env("GOPATH", tmp.resolve("gopath").toString())
                .env("GOPROXY", "off").env("GOFLAGS", "-mod=mod").env("GOTOOLCHAIN", "local");
        PipelineHarness.Result r = h.run("goMonorepoPipeline(engine: 'cli', gopipe: '" + gopipeCommand() + "', caches: [])");

        assertThat(r.failure()).as(h.log()).isNull();
        List<String> goTests = h.events().stream().filter(e -> e.kind().equals("sh") && e.detail().startsWith("go test"))
                .map(Event::branch).sorted().toList();
        assertThat(goTests).isEqualTo(repo.testAffected()).isNotEmpty();
        assertThat(h.log()).contains("ok  ");
        assertThat(h.events()).anyMatch(e -> e.kind().equals("sh") && e.detail().contains("affected") && e.detail().contains("--since-commit"));
        assertThat(h.currentBuild().getDescription()).contains("tested");
    }

    /** A docs-only change builds nothing, so the pipeline neither restores nor saves a cache (it would only re-save the same archive). */
    @Test
    void aChangeThatAffectsNothingSkipsTheCaches() throws Exception {
        ShopFixture.Repo repo = ShopFixture.materialize(tmp.resolve("shop"), "20-readme-only");
        Path store = tmp.resolve("store");
        PipelineHarness h = new PipelineHarness(PluginFlowTest.VARS, repo.dir(), null)
                .env("BRANCH_NAME", "main").env("GIT_COMMIT", repo.head())
                .env("GIT_PREVIOUS_SUCCESSFUL_COMMIT", repo.base())
                .env("PATH", System.getenv("PATH")).env("HOME", tmp.toString())
                .env("GOCACHE", goCache().toString()).env("GOPATH", tmp.resolve("gopath").toString())
                .env("GOPROXY", "off").env("GOFLAGS", "-mod=mod").env("GOTOOLCHAIN", "local");
        PipelineHarness.Result r = h.run("goMonorepoPipeline(engine: 'cli', gopipe: '" + gopipeCommand()
                + "', caches: ['mod', 'build'], cacheBackend: 'local:" + store + "')");

        assertThat(r.failure()).as(h.log()).isNull();
        assertThat(repo.testAffected()).isEmpty();
        assertThat(h.log()).contains("gopipe: nothing to build or test");
        assertThat(h.events()).anyMatch(e -> e.kind().equals("sh") && e.detail().contains("affected"));
        assertThat(h.events()).noneMatch(e -> e.kind().equals("sh") && e.detail().contains("'cache' '"));
        assertThat(store).doesNotExist();
    }

    @Test
    void aFailingGoTestFailsItsBranchOnly() throws Exception {
        ShopFixture.Repo repo = ShopFixture.materialize(tmp.resolve("shop"), "05-test-files-only");
        // Break one test-affected package's test for real.
        Path money = repo.dir().resolve("pkg/money/money_test.go");
        Files.writeString(money, Files.readString(money) + "\nfunc TestBroken(t *testing.T) { t.Fatal(\"broken on purpose\") }\n");
        ShopFixture.git(repo.dir(), "commit", "-q", "-am", "break a test");
        PipelineHarness h = new PipelineHarness(PluginFlowTest.VARS, repo.dir(), null)
                .env("BRANCH_NAME", "main").env("GIT_PREVIOUS_SUCCESSFUL_COMMIT", repo.base())
                .env("PATH", System.getenv("PATH")).env("HOME", tmp.toString())
                .env("GOCACHE", goCache().toString()).env("GOPATH", tmp.resolve("gopath").toString())
                .env("GOPROXY", "off").env("GOFLAGS", "-mod=mod").env("GOTOOLCHAIN", "local");
        // The services' own tests do not import pkg/money's tests, so every service passes: the
        // test command checks the shared package the change touched, as a monorepo's CI would.
        PipelineHarness.Result r = h.run("goMonorepoPipeline(engine: 'cli', gopipe: '" + gopipeCommand()
                + "', caches: [], testCommand: 'go test ./... && cd \"$WORKSPACE/pkg/money\" && go test .')");

        assertThat(r.failure()).isNotNull();
        assertThat(h.log()).contains("broken on purpose");
        assertThat(h.currentBuild().getDescription()).contains("FAILURE");
    }

    /** A CLI-engine harness on {@code ws} with the tools a build agent has (go, git, docker) and nothing else. */
    private PipelineHarness cliHarness(Path ws) throws java.io.IOException {
        return new PipelineHarness(PluginFlowTest.VARS, ws, null)
                .env("BRANCH_NAME", "main")
                .env("PATH", System.getenv("PATH")).env("HOME", tmp.toString())
                .env("GOCACHE", goCache().toString()).env("GOPATH", tmp.resolve("gopath").toString())
                .env("GOPROXY", "off").env("GOFLAGS", "-mod=mod").env("GOTOOLCHAIN", "local");
    }

    @Test
    void bothEnginesKeyTheModuleCacheOnTheRepositoryNotTheWholeWorkspace() throws Exception {
        Path ws = tmp.resolve("ws");
        ShopFixture.materialize(ws.resolve("shop"), "01-leaf-package-edit");
        // (testCommand 'true': a pipeline with nothing to build or test skips its caches.)
        // Another module in the same workspace (a second checkout, a tools directory): not the repository's.
        Files.createDirectories(ws.resolve("tools"));
        Files.writeString(ws.resolve("tools/go.sum"), "example.com/lint v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
        String store = "local:" + Files.createDirectories(tmp.resolve("store"));

        PipelineHarness cli = cliHarness(ws);
        PipelineHarness.Result r = cli.run("goMonorepoPipeline(engine: 'cli', gopipe: '" + gopipeCommand()
                + "', repo: 'shop', caches: ['mod'], cacheBackend: '" + store + "', testCommand: 'true', image: false)");
        assertThat(r.failure()).as(cli.log()).isNull();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("cache miss: key=(gomod-\\S+)").matcher(cli.log());
        assertThat(m.find()).as(cli.log()).isTrue();
        String cliKey = m.group(1);

        EnginePluginSteps steps = new EnginePluginSteps();
        PipelineHarness plugin = new PipelineHarness(PluginFlowTest.VARS, ws, steps).env("BRANCH_NAME", "main");
        assertThat(plugin.run("goMonorepoPipeline(repo: 'shop', caches: ['mod'], testCommand: 'true', image: false)").failure())
                .as(plugin.log()).isNull();
        // The key's last part hashes the go.sum files below the directory the step keys on.
        assertThat(steps.moduleKeyHashes).singleElement().satisfies(h -> assertThat(cliKey).endsWith("-" + h));
    }

    @Test
    void imagesWithoutARegistryAreBuiltAndTheSummaryTakesTheCommandsResult() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("tiny"));
        Files.writeString(ws.resolve("go.mod"), "module example.com/tiny\n\ngo 1.19\n");
        Files.createDirectories(ws.resolve("cmd/hello"));
        // A comment unique to this run: the shared builder may hold the COPY layer of an earlier run, and the
        // summary must report a step that really executed.
        Files.writeString(ws.resolve("cmd/hello/main.go"), "package main\n\n// run " + java.util.UUID.randomUUID()
                + "\n\nfunc main() { println(\"hello\") }\n");
        // Base image from the local registry: nothing is pulled from outside.
        Files.writeString(ws.resolve("cmd/hello/Dockerfile"),
                "FROM 127.0.0.1:5000/gopipe/busybox:latest\nCOPY cmd/hello/main.go /src/hello.go\n");
        ShopFixture.commitAll(ws, "tiny");

        PipelineHarness h = cliHarness(ws).env("GIT_COMMIT", ShopFixture.git(ws, "rev-parse", "HEAD").trim());
        PipelineHarness.Result r = h.run("goMonorepoPipeline(engine: 'cli', gopipe: '" + gopipeCommand()
                + "', caches: [], testCommand: 'go vet .')");

        assertThat(r.failure()).as(h.log()).isNull();
        assertThat(h.events()).filteredOn(e -> e.kind().equals("sh") && e.detail().contains("'image' 'build'"))
                .singleElement().satisfies(e -> assertThat(e.detail()).contains("'--service' 'hello'")
                        .doesNotContain("--registry").doesNotContain("--push"));
        // The command's own result file, read back: the summary reports exactly what the build reported.
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode built = json.readTree(ws.resolveSibling("tiny@tmp").resolve("gopipe-image-hello.json").toFile())
                .at("/services/0");
        com.fasterxml.jackson.databind.JsonNode s = json.readTree(ws.resolve("gopipe-summary.json").toFile()).at("/services/0");
        assertThat(s.get("name").asText()).isEqualTo("hello");
        assertThat(s.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(s.get("digest")).isEqualTo(built.get("digest"));
        assertThat(s.get("executedSteps").asInt()).isEqualTo(built.get("executedSteps").asInt()).isGreaterThan(0);
        assertThat(h.currentBuild().getDescription()).startsWith("gopipe: 1 service(s) (all): hello ");
    }

    @Test
    void aBuildThatExportedNoImageIsASuccessWithANullDigestAsWithThePluginStep() throws Exception {
        // What the engine reports when nothing was exported (buildctl, or buildx without --load/--push):
        // the real core serializers, for the CLI's JSON and for the plugin step's Map.
        BuildResult nothingExported = new BuildResult("orders", "buildctl", BuildMode.DOCKERFILE, null, List.of(), false,
                List.of(), 1, 2, java.time.Duration.ofMillis(2500), 1, List.of());
        List<ImageBuilder.Outcome> outcomes = List.of(new ImageBuilder.Outcome("orders", nothingExported, null));
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Files.writeString(ws.resolve("result.json"), ImageJob.toJson(outcomes));
        Map<String, Object> plugin = ImageJob.toMaps(outcomes).get(0);

        PipelineHarness h = new PipelineHarness(PluginFlowTest.VARS, ws, null);
        PipelineHarness.Result r = h.run("""
                def r = goBuildKitImageCli.imageResult(goAffectedServicesCli.parse(readFile('result.json'), 'test'), 'orders')
                echo "digest=${r.digest} executed=${r.executedSteps} cached=${r.cachedSteps}"
                def s = gopipeSummary.summary([reason: 'x'], [services: [], changedFiles: []],
                        [orders: [name: 'orders', path: 'services/orders', status: 'SUCCESS', tested: true, image: r]])
                echo gopipeSummary.table(s)
                echo gopipeSummary.description(s)
                """);

        assertThat(r.failure()).as(h.log()).isNull();
        assertThat(plugin).containsEntry("digest", null);
        assertThat(h.log()).contains("digest=null executed=2 cached=1")
                .contains("orders   SUCCESS  built, not exported  cache 33% (1 cached / 2 run)  2.5 s")
                .contains("gopipe: 1 service(s): orders tested");

    }

    @Test
    void cliCommandLinesCarryEveryParameter() throws Exception {
        PipelineHarness h = new PipelineHarness(PluginFlowTest.VARS, Files.createDirectories(tmp.resolve("ws")), null);
        PipelineHarness.Result r = h.run("""
                def a = goAffectedServicesCli.argv([gopipe: '/opt/gopipe/bin/gopipe', repo: 'src', targetBranch: 'origin/main',
                                                    goos: 'linux', goarch: 'arm64', cgo: true, tags: ['netgo', 'prod']])
                echo a.join(' ')
                def i = goBuildKitImageCli.argv([service: 'orders', dockerfile: 'services/orders/Dockerfile', context: '.',
                                                 tags: ['reg.local:5000/shop/orders:1', 'reg.local:5000/shop/orders:main'],
                                                 push: true, cacheRepo: 'r/cache', network: 'host', branch: 'main', defaultBranch: 'trunk'], '/w@tmp/r.json')
                echo i.join(' ')
                echo goModCacheCli.command('restore', [policy: 'mod', readOnly: true, key: 'k1', restoreKeys: ['k', 'j'],
                                                       backend: 'local:/mnt/gocache'], '/w@gopipe/mod')
                echo goBuildKitImageCli.imageResult([services: [[name: 'orders', digest: 'sha256:ab', hitRatio: 0.5]]], 'orders').toString()
                echo goBuildKitImageCli.batchArgv([services: ['orders', 'billing'], parallel: 3, registry: 'reg.local:5000/shop',
                                                   tags: ['1', 'main'], push: true, cacheRepo: 'r/cache', network: 'host', branch: 'main',
                                                   defaultBranch: 'trunk', repo: 'src', plan: '/w@gopipe/affected.json'], '/w@tmp/all.json').join(' ')
                echo goAffectedServicesCli.argv([repo: 'src', base: 'HEAD~1', output: '/w@gopipe/affected.json']).join(' ')
                """);
        assertThat(r.failure()).as(h.log()).isNull();
        assertThat(h.log()).contains("/opt/gopipe/bin/gopipe affected --repo src --format json --target-branch origin/main"
                        + " --goos linux --goarch arm64 --cgo --tags netgo,prod")
                .contains("gopipe image build --repo . --service orders --json /w@tmp/r.json --dockerfile services/orders/Dockerfile"
                        + " --context . --tag 1 --tag main --registry reg.local:5000/shop --push --cache-repo r/cache --network host --branch main --default-branch trunk")
                .contains("'gopipe' 'cache' 'restore' '--backend' 'local:/mnt/gocache' '--policy' 'mod' '--path' '/w@gopipe/mod'"
                        + " '--repo' '.' '--key' 'k1' '--restore-keys' 'k,j' '--read-only'")
                .contains("[name:orders, digest:sha256:ab, hitRatio:0.5]")
                .contains("gopipe image build --repo src --service orders --service billing --json /w@tmp/all.json --parallel 3"
                        + " --registry reg.local:5000/shop --tag 1 --tag main --push --cache-repo r/cache --network host --branch main"
                        + " --default-branch trunk --plan /w@gopipe/affected.json")
                .contains("gopipe affected --repo src --format json --base HEAD~1 --output /w@gopipe/affected.json");
        PipelineHarness badParallel = new PipelineHarness(PluginFlowTest.VARS, tmp.resolve("ws"), null);
        assertThat(badParallel.run("goMonorepoPipeline(engine: 'cli', imageParallel: 0)").failure())
                .hasMessageContaining("key 'imageParallel' must be 1 or more, got 0");
        PipelineHarness bad = new PipelineHarness(PluginFlowTest.VARS, tmp.resolve("ws"), null);
        assertThat(bad.run("goAffectedServicesCli(gopipe: 'gopipe; rm -rf /', base: 'HEAD~1')").failure())
                .hasMessageContaining("parameter 'gopipe' must be a command");
        PipelineHarness noBackend = new PipelineHarness(PluginFlowTest.VARS, tmp.resolve("ws"), null);
        assertThat(noBackend.run("goModCacheCli(policy: 'mod') { echo 'body' }").failure())
                .hasMessageContaining("parameter 'backend' is not set");
        PipelineHarness failed = new PipelineHarness(PluginFlowTest.VARS, tmp.resolve("ws"), null);
        assertThat(failed.run("goBuildKitImageCli.imageResult([services: [[name: 'orders', error: 'push denied']]], 'orders')").failure())
                .hasMessageContaining("push denied");
    }

    /**
     * The remote build cache's key per service: on the default branch its own; on any other branch its own
     * with the default branch's as the fallback the engine reads when the branch has no set yet; a pull
     * request reads its target's (and the default's behind it).
     */
    @Test
    void aBranchesPrefetchKeyFallsBackToTheDefaultBranchs() throws Exception {
        PipelineHarness h = new PipelineHarness(PluginFlowTest.VARS, Files.createDirectories(tmp.resolve("ws")), null);
        PipelineHarness.Result r = h.run("""
                echo 'main=' + gopipeCaches.prefetchKey([branch: 'main'], 'orders', null)
                echo 'feature=' + gopipeCaches.prefetchKey([branch: 'feature/x'], 'orders', null)
                echo 'develop=' + gopipeCaches.prefetchKey([branch: 'develop', defaultBranch: 'develop'], 'orders', null)
                echo 'other=' + gopipeCaches.prefetchKey([branch: 'main', defaultBranch: 'develop'], 'orders', null)
                echo 'pr=' + gopipeCaches.prefetchKey([branch: 'PR-7', pullRequest: true], 'orders', 'main')
                echo 'pr-release=' + gopipeCaches.prefetchKey([branch: 'PR-8', pullRequest: true], 'orders', 'release/2')
                echo 'line=' + gopipeGocacheDaemon.progLine('/b', 'tcp:127.0.0.1:1', gopipeCaches.prefetchKey([branch: 'x'], 'orders', null), false)
                """);
        assertThat(r.failure()).as(h.log()).isNull();
        assertThat(h.log()).contains("main=orders/main\n", "feature=orders/feature/x|orders/main\n", "develop=orders/develop\n",
                "other=orders/main|orders/develop\n", "pr=orders/main\n", "pr-release=orders/release/2|orders/main\n",
                "line=/b -daemon tcp:127.0.0.1:1 -prefetch-key orders/x|orders/main\n");
    }

    /** goModCacheCli(policy: 'build', flavour: 'remote'): real Go 1.24 builds through the real `gopipe gocache`. */
    @Test
    void theRemoteBuildCacheFlavourRunsGoThroughGopipeGocache() throws Exception {
        Path go = Path.of("/usr/lib/go-1.24/bin");
        assertThat(go.resolve("go")).as("Go 1.24 (GOCACHEPROG needs it)").exists();
        Path mod = tmp.resolve("mod");
        Path src = Path.of("..", "test-repos", "gocache-mod").toAbsolutePath().normalize();
        try (java.util.stream.Stream<Path> files = Files.walk(src)) {
            for (Path p : files.toList()) {
                Path t = mod.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        Path store = tmp.resolve("store");
        String flow = "goModCacheCli(policy: 'build', flavour: 'remote', backend: 'local:" + store + "', gopipe: '" + gopipeCommand()
                + "'%s) { sh 'go build -o hello ./svc/hello && echo \"prog=$GOCACHEPROG\"' }";
        PipelineHarness h = harnessFor(mod, go);
        PipelineHarness.Result r = h.run(String.format(flow, ""));
        assertThat(r.failure()).as(h.log()).isNull();
        assertThat(h.log()).contains("gocache --backend local:" + store + " --prefetch-key shop/main").contains("gocache: ");
        assertThat(store.resolve("gocache/m/shop_main.json")).exists();
        long objects;
        try (java.util.stream.Stream<Path> o = Files.list(store.resolve("gocache/o"))) {
            objects = o.count();
        }
        assertThat(objects).isPositive();
        // A pull request (readOnly) on a fresh agent gets its hits and writes nothing.
        Files.writeString(mod.resolve("lib/strs/more.go"), "package strs\n\nfunc More() int { return 1 }\n");
        PipelineHarness pr = harnessFor(mod, go).env("HOME", tmp.resolve("home-pr").toString());
        PipelineHarness.Result r2 = pr.run(String.format(flow, ", readOnly: true"));
        assertThat(r2.failure()).as(pr.log()).isNull();
        assertThat(pr.log()).contains("--read-only").contains("prefetched");
        try (java.util.stream.Stream<Path> o = Files.list(store.resolve("gocache/o"))) {
            assertThat(o.count()).isEqualTo(objects);
        }
        // go before 1.24 ignores GOCACHEPROG: one warning naming the version, and the archive flavour instead.
        PipelineHarness old = harnessFor(mod, Path.of("/usr/lib/go-1.19/bin")).env("HOME", tmp.resolve("home-old").toString());
        PipelineHarness.Result r3 = old.run(String.format(flow, ""));
        assertThat(r3.failure()).as(old.log()).isNull();
        assertThat(old.log()).contains("WARNING: the remote build cache needs go1.24 or newer (GOCACHEPROG); go here is 'go1.19")
                .contains("'cache' 'restore'").contains("cache saved: gobuild-").contains("prog=\n").doesNotContain("--prefetch-key");
    }

    /**
     * goMonorepoPipeline(buildCacheFlavour: 'remote'): each test-affected service's Test stage runs the
     * real `go test` (Go 1.24) with GOCACHEPROG = the real `gopipe gocache`, keyed per service and branch
     * (buildCacheDaemon: false; the workspace daemon, the default, is GocacheDaemonFlowTest's).
     */
    @Test
    void theRemoteBuildCacheFlavourRunsTheTestStageThroughGopipeGocache() throws Exception {
        Path go = Path.of("/usr/lib/go-1.24/bin");
        assertThat(go.resolve("go")).as("Go 1.24 (GOCACHEPROG needs it)").exists();
        ShopFixture.Repo repo = ShopFixture.materialize(tmp.resolve("shop"), "05-test-files-only");
        Path store = tmp.resolve("store");
        PipelineHarness h = new PipelineHarness(PluginFlowTest.VARS, repo.dir(), null)
                .env("BRANCH_NAME", "main").env("GIT_COMMIT", repo.head())
                .env("GIT_PREVIOUS_SUCCESSFUL_COMMIT", repo.base())
                .env("PATH", go + ":" + System.getenv("PATH")).env("HOME", tmp.resolve("home").toString())
                .env("GOPATH", tmp.resolve("gopath").toString()).env("GOENV", "off")
                .env("GOPROXY", "off").env("GOFLAGS", "-mod=mod").env("GOTOOLCHAIN", "local");
        // `go env` prints what the go command itself sees, not what the script was handed.
        PipelineHarness.Result r = h.run("goMonorepoPipeline(engine: 'cli', gopipe: '" + gopipeCommand()
                + "', caches: ['build'], buildCacheFlavour: 'remote', buildCacheDaemon: false, cacheBackend: 'local:" + store + "', image: false,"
                + " testCommand: 'echo \"goprog=$(go env GOCACHEPROG)\" && go test ./...')");

        assertThat(r.failure()).as(h.log()).isNull();
        List<Event> goTests = h.events().stream().filter(e -> e.kind().equals("sh") && e.detail().contains("go test"))
                .filter(e -> e.stages().contains("Test")).toList();
        assertThat(goTests.stream().map(Event::branch).sorted().toList()).isEqualTo(repo.testAffected()).isNotEmpty();
        // Archive restore/save of the build cache is off in this flavour.
        assertThat(h.events()).noneMatch(e -> e.kind().equals("sh") && e.detail().contains("'cache' 'restore'"));
        for (String svc : repo.testAffected()) {
            assertThat(h.log()).contains("goprog=" + gopipeCommand() + " gocache --backend local:" + store
                    + " --prefetch-key " + svc + "/main");
            // The close of each go command writes its service's manifest: the key really was per service.
            assertThat(store.resolve("gocache/m/" + svc + "_main.json")).exists();
        }
        assertThat(h.log()).contains("ok  ");
        try (java.util.stream.Stream<Path> o = Files.list(store.resolve("gocache/o"))) {
            assertThat(o.count()).isPositive();
        }
        try (java.util.stream.Stream<Path> a = Files.list(store.resolve("gocache/a"))) {
            assertThat(a.count()).isPositive();
        }
    }

    @Test
    void anAgentDaemonAddressThatIsNotLoopbackIsAConfigErrorNamingTheKey() throws Exception {
        PipelineHarness h = new PipelineHarness(PluginFlowTest.VARS, Files.createDirectories(tmp.resolve("ws")), null);
        assertThat(h.run("goMonorepoPipeline(engine: 'cli', caches: ['build'], buildCacheFlavour: 'remote', gocacheDaemon: 'cache-host:7071')").failure())
                .hasMessageContaining("key 'gocacheDaemon' must be 'tcp:127.0.0.1:PORT' or 'unix:/PATH' (the daemon serves loopback only), got 'cache-host:7071'");
        PipelineHarness p = new PipelineHarness(PluginFlowTest.VARS, Files.createDirectories(tmp.resolve("ws")), null);
        assertThat(p.run("echo \"problems=${gopipeConfig.problems([gocacheDaemon: 'unix:/home/jenkins/agent/gocache.sock'], false)}"
                + " ${gopipeConfig.problems([gocacheDaemon: 'tcp:127.0.0.1:7071'], false)}\"").failure()).as(p.log()).isNull();
        assertThat(p.log()).contains("problems=[] []");
    }

    @Test
    void anUnknownBuildCacheFlavourIsAConfigErrorNamingTheKey() throws Exception {
        PipelineHarness h = new PipelineHarness(PluginFlowTest.VARS, Files.createDirectories(tmp.resolve("ws")), null);
        assertThat(h.run("goMonorepoPipeline(engine: 'cli', caches: ['build'], buildCacheFlavour: 's3')").failure())
                .hasMessageContaining("key 'buildCacheFlavour' must be 'archive' or 'remote', got 's3'");
        // Both engines take 'remote' (the plugin's goModCache sets GOCACHEPROG; PluginFlowTest runs it).
        PipelineHarness p = new PipelineHarness(PluginFlowTest.VARS, Files.createDirectories(tmp.resolve("ws")), null);
        assertThat(p.run("echo \"problems=${gopipeConfig.problems([caches: ['build'], buildCacheFlavour: 'remote'], false)}\"").failure())
                .as(p.log()).isNull();
        assertThat(p.log()).contains("problems=[]");
    }

    private PipelineHarness harnessFor(Path mod, Path go) throws java.io.IOException {
        return new PipelineHarness(PluginFlowTest.VARS, mod, null)
                .env("PATH", go + ":" + System.getenv("PATH")).env("GOTOOLCHAIN", "local").env("GOPROXY", "off")
                .env("GOFLAGS", "").env("CGO_ENABLED", "0").env("GOENV", "off")
                .env("GOPATH", tmp.resolve("gopath").toString()).env("HOME", tmp.resolve("home").toString());
    }
}
