package io.gopipe.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.gopipe.core.exec.CommandResult;
import io.gopipe.core.exec.LocalCommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code gopipe image build --gocache-backend local:STORE} and nothing else (no daemon started
 * beside it), against the real test environment ({@code .ci/test-env up}): the job serves the remote
 * Go build cache from its own JVM. A first job on an empty store compiles and uploads; a second job
 * with a fresh local tier (a fresh agent) gets every output of go's from the store, so nothing the
 * first job's go put was lost when its daemon stopped after the builds. The registry cache is off,
 * so BuildKit cannot skip the RUN: the go build in it runs and asks the cache for every action.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedGoCacheDaemonIntegrationTest {

    static final BaseImages LOCAL_IMAGES = ImageEngineIntegrationTest.LOCAL_IMAGES;
    /** The daemon's figures line per go process (a bridge client), logged through the job's reporter. */
    static final Pattern CLIENT = Pattern.compile(
            "^client \\d+ \\(.*\\): gocache: (\\d+) gets, (\\d+) hits .*?, (\\d+) misses; (\\d+) puts \\((\\d+) uploaded");
    /**
     * Held by the docker benchmarks and whoever prunes the shared builder (only one at a time on a
     * shared machine): each prune waits for it. {@code GOPIPE_DOCKER_BENCH_LOCK=} (empty) when the
     * caller already holds it (`flock LOCK mvn …`), which would otherwise wait for itself.
     */
    static final String BENCH_LOCK = System.getenv().getOrDefault("GOPIPE_DOCKER_BENCH_LOCK", "/work/data/docker-bench.lock");

    Path tmp;
    Path repo;
    Path workRoot;
    String ns;
    final ProcessRunner runner = new ProcessRunner(new LocalCommandRunner());

    @BeforeAll
    void environmentIsUp() throws Exception {
        CommandResult docker = sh(Duration.ofSeconds(15), "docker", "version", "--format", "{{.Server.Version}}");
        if (!docker.succeeded()) {
            fail("The BuildKit test environment is not up (" + docker.tailText() + "): run `bash .ci/test-env up`.");
        }
        tmp = Files.createTempDirectory(Path.of("/tmp"), "gopipe-embedded-");
        ns = ImageEngineIntegrationTest.REGISTRY + "/gopipe-embedded-" + UUID.randomUUID().toString().substring(0, 8);
        repo = Files.createDirectories(tmp.resolve("shop"));
        workRoot = Files.createDirectories(tmp.resolve("work"));
        SmallShopRepo.writeTo(repo, LOCAL_IMAGES);
        SmallShopRepo.commitAll(repo);
    }

    @AfterAll
    void cleanUp() {
        if (tmp != null) {
            ImageBuilder.deleteTree(tmp);
        }
    }

    @Test
    void theGeneratedDockerfileJobServesItsOwnDaemonAndTheNextJobOnAFreshAgentHitsEverything() throws Exception {
        Path store = tmp.resolve("store-dockerfile");
        prune();
        ImageEngineIntegrationTest.CapturingReporter first = new ImageEngineIntegrationTest.CapturingReporter();
        job(options(store, tmp.resolve("tier-d1")), first);
        assertThat(first.lines()).as("the RUN step's go build went through the job's own daemon")
                .anySatisfy(l -> assertThat(l).contains("1 RUN step(s) use the remote Go build cache"));
        int[] cold = figures(first);
        assertThat(cold[0]).as("gets of the cold build (the standard library and the shop)").isGreaterThan(100);
        assertThat(cold[3]).as("puts of the cold build").isGreaterThan(100);
        assertThat(cold[4]).as("uploads into the empty store").isGreaterThan(100);
        assertThat(objects(store)).as("objects in the store after the job ended").isGreaterThanOrEqualTo(cold[4]);
        assertStoppedAndClean(first);

        prune();
        ImageEngineIntegrationTest.CapturingReporter second = new ImageEngineIntegrationTest.CapturingReporter();
        job(options(store, tmp.resolve("tier-d2")), second);
        int[] warm = figures(second);
        assertThat(warm[0]).as("gets of the second job's go build").isGreaterThan(100);
        assertThat(warm[1]).as("hits of " + warm[0] + " gets on a fresh tier and a pruned builder: nothing was lost")
                .isGreaterThanOrEqualTo(warm[0] - 2);
        assertThat(warm[4]).as("uploads of the second job").isLessThanOrEqualTo(2);
        assertStoppedAndClean(second);
    }

    /**
     * Agent mode: go builds on this machine through the bridge to the job's daemon. No builder prune:
     * BuildKit only packages the binary, its state does not matter to what go does here.
     */
    @Test
    void agentModeServesItsOwnDaemonAndTheNextJobOnAFreshAgentHitsEverything() throws Exception {
        Path store = tmp.resolve("store-agent");
        ImageEngineIntegrationTest.CapturingReporter first = new ImageEngineIntegrationTest.CapturingReporter();
        job(options(store, tmp.resolve("tier-a1")).mode("agent").goBinary(ImageEngineIntegrationTest.GO), first);
        int[] cold = figures(first);
        assertThat(cold[3]).as("puts of the cold agent build").isGreaterThan(50);
        assertThat(cold[4]).as("uploads into the empty store").isGreaterThan(50);
        assertStoppedAndClean(first);

        ImageEngineIntegrationTest.CapturingReporter second = new ImageEngineIntegrationTest.CapturingReporter();
        job(options(store, tmp.resolve("tier-a2")).mode("agent").goBinary(ImageEngineIntegrationTest.GO), second);
        int[] warm = figures(second);
        assertThat(warm[0]).as("gets of the second agent build").isGreaterThan(50);
        // Measured: 191 gets, 188 hits, 3 misses (put again; without a registry cache no previous binary is
        // placed, so go links anew): the 100+ compile outputs all came from the store.
        assertThat(warm[2]).as("misses of " + warm[0] + " gets on a fresh tier").isLessThanOrEqualTo(3);
        assertThat(warm[1]).as("hits").isEqualTo(warm[0] - warm[2]);
        assertStoppedAndClean(second);
    }

    // ---- helpers ----

    private ImageJobOptions.Builder options(Path store, Path tier) {
        return ImageJobOptions.builder().repo(repo.toString()).services(List.of("orders")).driver("buildx")
                .generate(true).runtime("distroless").goImage(LOCAL_IMAGES.go()).certsImage(LOCAL_IMAGES.certs())
                .distrolessImage(LOCAL_IMAGES.distroless()).alpineImage(LOCAL_IMAGES.alpine())
                .registry(ns).push(true).registryCache(false).network("host").version("v1").branch("main")
                .workRoot(workRoot.toString())
                .goCacheBackend("local:" + store).goCacheDir(tier.toString());
    }

    /** Runs the job as the CLI does, with nothing from an outer daemon in its environment. */
    private void job(ImageJobOptions.Builder options, ImageEngineIntegrationTest.CapturingReporter reporter) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("GOPIPE_GOCACHE_DAEMON");
        env.remove("BRANCH_NAME");
        env.remove("GIT_BRANCH");
        List<ImageBuilder.Outcome> out = new ImageJob(options.build(), env, new LocalCommandRunner(), reporter).run();
        reporter.lines().stream().filter(l -> l.startsWith("client ") || l.startsWith("gocache daemon") || l.startsWith("timings")
                || l.contains("gopipe: gocache:")).forEach(l -> System.out.println("[job] " + l));
        assertThat(out).singleElement().satisfies(o -> assertThat(o.ok()).as(String.valueOf(o.error())).isTrue());
        assertThat(out.get(0).result().digest()).startsWith("sha256:");
        assertThat(reporter.warnings()).as("no cache warnings").noneSatisfy(w -> assertThat(w).containsAnyOf("gocache", "Go build cache"));
    }

    /** gets, hits, misses, puts, uploads of the daemon's client lines in the job's output, summed over go processes. */
    private static int[] figures(ImageEngineIntegrationTest.CapturingReporter reporter) {
        int[] f = new int[5];
        boolean seen = false;
        for (String l : reporter.lines()) {
            Matcher m = CLIENT.matcher(l);
            if (m.find()) {
                seen = true;
                for (int i = 0; i < f.length; i++) {
                    f[i] += Integer.parseInt(m.group(i + 1));
                }
            }
        }
        assertThat(seen).as("the daemon's figures lines are in the job's output:\n" + String.join("\n", reporter.lines())).isTrue();
        return f;
    }

    /** The daemon served from the job's JVM, stopped after the builds, and its socket folder is gone. */
    private static void assertStoppedAndClean(ImageEngineIntegrationTest.CapturingReporter reporter) {
        List<String> lines = reporter.lines();
        Matcher m = null;
        for (String l : lines) {
            Matcher x = Pattern.compile("^gocache daemon: serving unix:(\\S+) ").matcher(l);
            if (x.find()) {
                m = x;
            }
        }
        assertThat(m).as("the daemon's serving line").isNotNull();
        assertThat(Path.of(m.group(1)).getParent()).as("the daemon's socket folder after the job").doesNotExist();
        int stopping = indexOf(lines, "gocache daemon: stopping after ");
        int lastClient = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (CLIENT.matcher(lines.get(i)).find()) {
                lastClient = i;
            }
        }
        assertThat(stopping).as("the daemon stopped after its last client closed").isGreaterThan(lastClient);
    }

    private static int indexOf(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    private static long objects(Path store) throws Exception {
        try (var s = Files.walk(store)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    /** A pruned builder, as on an ephemeral agent; under the docker benchmarks' lock when this machine has one. */
    private void prune() {
        List<String> argv = new ArrayList<>();
        if (!BENCH_LOCK.isBlank() && Files.exists(Path.of(BENCH_LOCK))) {
            argv.addAll(List.of("flock", "-w", "3600", BENCH_LOCK));
        }
        argv.addAll(List.of("docker", "buildx", "prune", "-af"));
        CommandResult r = sh(Duration.ofMinutes(65), argv.toArray(String[]::new));
        assertThat(r.succeeded()).as(r.tailText()).isTrue();
    }

    private CommandResult sh(Duration timeout, String... argv) {
        return runner.run(List.of(argv), Map.of(), null, timeout, SecretMasker.none(), l -> { });
    }
}
