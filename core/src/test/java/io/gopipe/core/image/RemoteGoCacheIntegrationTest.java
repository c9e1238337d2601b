package io.gopipe.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.gopipe.core.exec.CommandResult;
import io.gopipe.core.exec.LocalCommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 9 design (b) against the real test environment ({@code .ci/test-env up}): the Dockerfile's
 * {@code go build} inside BuildKit reaches a real {@code gopipe gocache serve} daemon through
 * GOCACHEPROG (relay + bridge built inside the build) and the tunnel over the build's SSH
 * forwarding. The daemon listens on a unix socket in a temp folder the build container cannot see,
 * so the tunnel is the only way in. Each build runs on a pruned builder, and the change build on a
 * fresh agent: a new daemon with an empty local tier over the same store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RemoteGoCacheIntegrationTest {

    static final String REGISTRY = ImageEngineIntegrationTest.REGISTRY;
    static final BaseImages LOCAL_IMAGES = ImageEngineIntegrationTest.LOCAL_IMAGES;
    static final Pattern COMPILE = Pattern.compile("/compile -o .* -p (\\S+) ");
    static final Pattern FIGURES = Pattern.compile("gopipe: gocache: (\\d+) gets, (\\d+) hits .*?(\\d+) puts");
    static final Pattern LINK = Pattern.compile("Go build cache link: (\\d+) connections");
    static final Pattern TUNNEL = Pattern.compile("Go build cache tunnel: (\\d+) sessions, (\\d+) requests \\((\\d+) writes\\)");

    Path tmp;
    Path repo;
    Path workRoot;
    Path store;
    String ns;
    final ProcessRunner runner = new ProcessRunner(new LocalCommandRunner());
    BuildDriver driver;
    ServingDaemon daemon;

    @BeforeAll
    void environmentIsUp() throws Exception {
        CommandResult docker = sh(Duration.ofSeconds(15), "docker", "version", "--format", "{{.Server.Version}}");
        if (!docker.succeeded()) {
            fail("The BuildKit test environment is not up (" + docker.tailText() + "): run `bash .ci/test-env up`.");
        }
        tmp = Files.createTempDirectory(Path.of("/tmp"), "gopipe-remote-"); // unix socket paths must stay short
        ns = REGISTRY + "/gopipe-remote-" + UUID.randomUUID().toString().substring(0, 8);
        repo = Files.createDirectories(tmp.resolve("shop"));
        workRoot = Files.createDirectories(tmp.resolve("work"));
        store = Files.createDirectories(tmp.resolve("store"));
        SmallShopRepo.writeTo(repo, LOCAL_IMAGES);
        driver = new DriverSelector(runner, System.getenv()).select("buildx", null, null, null, DriverSelector.DEFAULT_BUDGET);
    }

    @AfterEach
    void stopDaemon() throws Exception {
        if (daemon != null) {
            daemon.stop();
            daemon = null;
        }
    }

    @AfterAll
    void cleanUp() {
        if (tmp != null) {
            ImageBuilder.deleteTree(tmp);
        }
    }

    @Test
    @Order(1)
    void aUserDockerfileGetsItsGoBuildCacheThroughTheBridgeOnAPrunedBuilderAndAFreshAgent() throws Exception {
        Path dockerfile = repo.resolve("deploy/orders.Dockerfile");
        String cold = startDaemon("cold-agent");
        prune();
        ImageEngineIntegrationTest.CapturingReporter first = new ImageEngineIntegrationTest.CapturingReporter();
        engine(first, cold).build(request("user:1").dockerfile(dockerfile).remoteGoCacheKey("orders@main")
                .cache(CachePolicy.of(ns + "/user-buildcache", "main", "main")).build());
        assertThat(first.warnings()).noneSatisfy(w -> assertThat(w).containsAnyOf("gocache", "Go build cache"));
        assertThat(compiled(first)).as("a cold build compiles the standard library").contains("runtime", "fmt", "main");
        int[] coldFigures = figures(first);
        assertThat(coldFigures[2]).as("the cold build stored its outputs through the tunnel").isGreaterThan(100);
        try (var s = Files.walk(store)) {
            assertThat(s.filter(Files::isRegularFile).count()).as("objects in the daemon's store").isGreaterThan(100);
        }
        assertThat(first.lines()).as("the bridge went to a pushed image next to the registry cache")
                .anySatisfy(l -> assertThat(l).contains("built and pushed the gocache bridge image " + ns + "/user-buildcache:"));

        // Another build on main re-exports main's cache ref (an unchanged one keeps only the layers it loaded).
        prune();
        ImageEngineIntegrationTest.CapturingReporter unchanged = new ImageEngineIntegrationTest.CapturingReporter();
        BuildResult same = engine(unchanged, cold).build(request("user:1b").dockerfile(dockerfile)
                .remoteGoCacheKey("orders@main").cache(CachePolicy.of(ns + "/user-buildcache", "main", "main")).build());
        assertThat(same.digest()).startsWith("sha256:");
        stopDaemon();

        // A fresh agent (new daemon, empty local tier, same store) and a pruned builder; a branch's first
        // build, whose key falls back to the default branch's set (the key ImageJob gives it).
        String fresh = startDaemon("fresh-agent");
        prune();
        Path main = repo.resolve("cmd/orders/main.go");
        Files.writeString(main, Files.readString(main).replace("greet.Line(\"orders\", version)",
                "greet.Line(\"orders\", version+\"!\")"));
        ImageEngineIntegrationTest.CapturingReporter second = new ImageEngineIntegrationTest.CapturingReporter();
        BuildResult r = engine(second, fresh).build(request("user:2").dockerfile(dockerfile)
                .remoteGoCacheKey("orders@change|orders@main").cache(CachePolicy.of(ns + "/user-buildcache", "change", "main")).build());
        assertThat(r.digest()).startsWith("sha256:");
        assertThat(r.steps()).as("the bridge is not compiled again: its stage is the pushed image")
                .filteredOn(st -> st.isInstruction() && !st.isFrom() && st.name().contains(GoCacheProgDockerfile.STAGE + " "))
                .isEmpty();
        assertThat(second.lines()).noneSatisfy(l -> assertThat(l).contains("built and pushed the gocache bridge image"));
        assertThat(second.warnings()).noneSatisfy(w -> assertThat(w).containsAnyOf("gocache", "Go build cache"));
        assertThat(compiled(second)).as("after a one-line change only the changed package compiles").containsExactly("main");
        int[] change = figures(second);
        assertThat(change[1]).as("hits through the bridge").isGreaterThan(100);
        // The local daemon's BuildKit with --network host: the direct link, no session mount on the RUN
        // (an ssh or secret mount makes this BuildKit checksum the step's whole root file system first).
        assertThat(sum(second, LINK, 1)).as("connections through the direct link").isPositive();
        assertThat(sum(second, TUNNEL, 2)).as("tunnel requests").isZero();
        assertThat(second.lines()).as("the RUN steps BuildKit ran")
                .filteredOn(l -> l.contains("] RUN ")).isNotEmpty().noneSatisfy(l -> assertThat(l).contains("type=ssh"));
    }

    @Test
    @Order(2)
    void theGeneratedDockerfileGetsItsGoBuildCacheThroughTheBridge() throws Exception {
        String address = startDaemon("generated");
        prune();
        ImageEngineIntegrationTest.CapturingReporter first = new ImageEngineIntegrationTest.CapturingReporter();
        engine(first, address).build(request("gen:1").remoteGoCacheKey("orders@main").build());
        assertThat(first.lines()).anySatisfy(l -> assertThat(l).contains("1 RUN step(s) use the remote Go build cache"));
        prune();
        Path greet = repo.resolve("pkg/greet/greet.go");
        Files.writeString(greet, Files.readString(greet).replace("%s hello", "%s hello!"));
        ImageEngineIntegrationTest.CapturingReporter second = new ImageEngineIntegrationTest.CapturingReporter();
        // A driver that cannot tell where the steps run (not probed: as for a remote or docker-container
        // builder) keeps the tunnel over ssh forwarding. (This dockerd has no bridge network, so every build
        // here runs with --network host.)
        BuildDriver unprobed = new BuildxDriver(null, null, runner);
        new ImageBuilder(unprobed, runner, second, new ImageBuilder.Options(new RetryPolicy(2, Duration.ofMillis(200), 2),
                true, Duration.ofMinutes(15), true, workRoot, null, address))
                .build(request("gen:2").remoteGoCacheKey("orders@change").build());
        int[] f = figures(second);
        // The hits came in the key's prefetched set as one stream, not get by get: a handful of tunnel
        // round trips instead of two per get (a write and a read): few writes. (BridgeSetStreamGoTest counts the streamed outputs.)
        assertThat(sum(second, TUNNEL, 3)).as("tunnel write requests for " + f[1] + " hits").isPositive()
                .isLessThan(f[1] / 2);
        assertThat(sum(second, LINK, 1)).as("direct link connections").isZero();
        // Changed: greet and main (their action ids change); everything else (runtime, fmt, json, ...) hits.
        assertThat(f[1]).as("hits of " + f[0] + " gets").isGreaterThan(100);
        assertThat(f[0] - f[1]).as("misses after a one-package change").isBetween(1, 10);
    }

    @Test
    @Order(3)
    void anUnreachableDaemonIsOneWarningAndAPlainBuild() throws Exception {
        prune();
        ImageEngineIntegrationTest.CapturingReporter rep = new ImageEngineIntegrationTest.CapturingReporter();
        BuildResult r = engine(rep, "unix:" + tmp.resolve("nobody.sock")).build(request("down:1")
                .remoteGoCacheKey("orders@main").build());
        assertThat(r.digest()).startsWith("sha256:");
        assertThat(rep.warnings()).singleElement().satisfies(w -> assertThat(w).contains("cannot be reached"));
        assertThat(rep.lines()).noneSatisfy(l -> assertThat(l).contains("GOCACHEPROG"));
    }

    @Test
    @Order(4)
    void agentModeBuildsThroughTheSameDaemonWithTheBridgeBuiltOnTheAgent() throws Exception {
        String cold = startDaemon("agent-cold");
        prune();
        ImageEngineIntegrationTest.CapturingReporter first = new ImageEngineIntegrationTest.CapturingReporter();
        engine(first, cold).build(request("agent:1").mode(BuildMode.AGENT).goBinary(ImageEngineIntegrationTest.GO)
                .remoteGoCacheKey("orders-agent@main").build());
        assertThat(figures(first)[2]).as("puts of the cold agent build").isGreaterThan(50);
        stopDaemon();

        String fresh = startDaemon("agent-fresh");
        prune();
        Path main = repo.resolve("cmd/orders/main.go");
        Files.writeString(main, Files.readString(main).replace("fmt.Println(", "fmt.Print(\"\", "));
        ImageEngineIntegrationTest.CapturingReporter second = new ImageEngineIntegrationTest.CapturingReporter();
        engine(second, fresh).build(request("agent:2").mode(BuildMode.AGENT).goBinary(ImageEngineIntegrationTest.GO)
                .remoteGoCacheKey("orders-agent@change").build());
        int[] f = figures(second);
        assertThat(f[1]).as("hits of " + f[0] + " gets on a fresh agent").isGreaterThan(50);
        assertThat(f[0] - f[1]).as("misses after a change of main").isBetween(1, 6);
        assertThat(second.warnings()).noneSatisfy(w -> assertThat(w).containsAnyOf("gocache", "Go build cache"));
    }

    /**
     * A user's Dockerfile that compiles as a non-root user ({@code USER 1000:1000}, cache mounts with
     * {@code uid=1000}): the rewritten RUN's bridge files, tunnel socket and prefetch-key secret must all
     * be usable by that user, the cold build must store its outputs through the bridge and the change
     * build on a fresh agent and pruned builder must compile only the changed package.
     */
    @Test
    @Order(5)
    void aNonRootUserInTheUsersDockerfileGetsTheRemoteCacheToo() throws Exception {
        write("deploy/nonroot.Dockerfile", "FROM " + LOCAL_IMAGES.go() + " AS build\n"
                + "ENV GOCACHE=/home/app/.cache/go-build GOMODCACHE=/home/app/go/pkg/mod\n"
                + "WORKDIR /src\nCOPY --chown=1000:1000 . .\nUSER 1000:1000\n"
                + "RUN --mount=type=cache,target=/home/app/go/pkg/mod,uid=1000,gid=1000 \\\n"
                + "    --mount=type=cache,target=/home/app/.cache/go-build,uid=1000,gid=1000 \\\n"
                + "    id -u && CGO_ENABLED=0 go build -x -trimpath -o /tmp/orders ./cmd/orders\n"
                + "FROM " + LOCAL_IMAGES.distroless() + "\nCOPY --from=build /tmp/orders /usr/local/bin/orders\n"
                + "ENTRYPOINT [\"/usr/local/bin/orders\"]\n");
        Path dockerfile = repo.resolve("deploy/nonroot.Dockerfile");
        String cold = startDaemon("nonroot-cold");
        prune();
        ImageEngineIntegrationTest.CapturingReporter first = new ImageEngineIntegrationTest.CapturingReporter();
        engine(first, cold).build(request("nonroot:1").dockerfile(dockerfile).remoteGoCacheKey("orders-nonroot@main")
                .cache(CachePolicy.of(ns + "/nonroot-buildcache", "main", "main")).build());
        assertThat(first.lines()).as("the RUN step ran as uid 1000").anySatisfy(l -> assertThat(l).matches(".*#\\d+ [0-9.]+ 1000$"));
        assertThat(first.warnings()).noneSatisfy(w -> assertThat(w).containsAnyOf("gocache", "Go build cache"));
        assertThat(first.lines()).as("the bridge read the prefetch key from its secret")
                .noneSatisfy(l -> assertThat(l).contains("permission denied"));
        // (The store may already hold the standard library from this class's other tests: count gets, and
        // that every miss was stored.)
        int[] cf = figures(first);
        assertThat(cf[0]).as("gets of the non-root cold build through the tunnel").isGreaterThan(100);
        assertThat(cf[2]).as("puts (every miss is stored)").isGreaterThanOrEqualTo(cf[0] - cf[1]);
        stopDaemon();

        String fresh = startDaemon("nonroot-fresh");
        prune();
        Path main = repo.resolve("cmd/orders/main.go");
        Files.writeString(main, Files.readString(main) + "\nfunc nonRootChange() int { return 1 }\n");
        ImageEngineIntegrationTest.CapturingReporter second = new ImageEngineIntegrationTest.CapturingReporter();
        BuildResult r = engine(second, fresh).build(request("nonroot:2").dockerfile(dockerfile)
                .remoteGoCacheKey("orders-nonroot@change|orders-nonroot@main").cache(CachePolicy.of(ns + "/nonroot-buildcache", "change", "main"))
                .build());
        assertThat(r.digest()).startsWith("sha256:");
        assertThat(second.warnings()).noneSatisfy(w -> assertThat(w).containsAnyOf("gocache", "Go build cache"));
        assertThat(compiled(second)).as("after a one-line change only the changed package compiles").containsExactly("main");
        assertThat(figures(second)[1]).as("hits through the bridge as uid 1000").isGreaterThan(100);
        Matcher pre = Pattern.compile("(\\d+) prefetched").matcher(String.join("\n", second.lines()));
        assertThat(pre.find()).isTrue();
        assertThat(Integer.parseInt(pre.group(1))).as("a branch's first build prefetches the default branch's set")
                .isGreaterThan(100);
    }

    /**
     * Issue 9's reproducible digests hold through the remote cache as well: a cold build whose
     * outputs go into an empty store and a build from a fresh agent that only hits give the digest
     * of a plain build without any daemon, in the generated Dockerfile's mode and in agent mode.
     * (The cache must never leak into the image: not the bridge stage, the link's build arg or a
     * binary built from cached outputs.)
     */
    @Test
    @Order(6)
    void theRemoteCacheLeavesTheDigestOfAPlainBuild() throws Exception {
        Path digestStore = Files.createDirectories(tmp.resolve("digest-store"));
        for (BuildMode mode : List.of(BuildMode.DOCKERFILE, BuildMode.AGENT)) {
            String m = mode.name().toLowerCase(java.util.Locale.ROOT);
            prune();
            BuildResult plain = engine(new ImageEngineIntegrationTest.CapturingReporter(), null)
                    .build(agentTools(request("digest-" + m + ":plain").mode(mode), mode, "plain-" + m).build());

            String[] digests = new String[2];
            int[][] figures = new int[2][];
            for (int run = 0; run < 2; run++) {
                daemon = ServingDaemon.start(digestStore, tmp.resolve("digest-" + m + run + "-tier"),
                        tmp.resolve("d" + m.charAt(0) + run + ".sock"));
                prune();
                ImageEngineIntegrationTest.CapturingReporter rep = new ImageEngineIntegrationTest.CapturingReporter();
                digests[run] = engine(rep, daemon.address()).build(agentTools(request("digest-" + m + ":" + run)
                        .mode(mode).remoteGoCacheKey("digest-" + m + "@main"), mode, null).build()).digest();
                figures[run] = figures(rep);
                assertThat(rep.warnings()).noneSatisfy(w -> assertThat(w).containsAnyOf("gocache", "Go build cache"));
                stopDaemon();
            }
            assertThat(plain.digest()).startsWith("sha256:");
            assertThat(digests).as(m + ": digests through the remote cache (cold, then from hits) against the plain build")
                    .containsExactly(plain.digest(), plain.digest());
            assertThat(figures[0][2]).as(m + ": the first build stored its outputs").isGreaterThan(50);
            assertThat(figures[1][1]).as(m + ": hits of the fresh agent's build (of " + figures[1][0] + " gets)")
                    .isGreaterThan(50).isGreaterThanOrEqualTo(figures[1][0] - 2);
        }
    }

    /** Agent mode needs Go 1.24 on the agent and, without a daemon ({@code gocache} not null), a GOCACHE folder of its own. */
    private ImageBuildRequest.Builder agentTools(ImageBuildRequest.Builder b, BuildMode mode, String gocache) throws Exception {
        if (mode != BuildMode.AGENT) {
            return b;
        }
        b.goBinary(ImageEngineIntegrationTest.GO);
        return gocache == null ? b : b.goBuildCache(Files.createDirectories(tmp.resolve("gocache-" + gocache)));
    }

    // ---- helpers ----

    /** Starts a daemon over the shared store with its own (empty) local tier; returns its address. */
    private String startDaemon(String agent) throws Exception {
        daemon = ServingDaemon.start(store, tmp.resolve(agent + "-tier"), tmp.resolve(agent + ".sock"));
        return daemon.address();
    }

    private ImageBuilder engine(ImageEngineIntegrationTest.CapturingReporter reporter, String daemonAddress) {
        return new ImageBuilder(driver, runner, reporter, new ImageBuilder.Options(
                new RetryPolicy(2, Duration.ofMillis(200), 2), true, Duration.ofMinutes(15), true, workRoot, null,
                daemonAddress));
    }

    private ImageBuildRequest.Builder request(String nameTag) {
        GoServiceSpec spec = new GoServiceSpec("orders", ".", "./cmd/orders", Runtime.SCRATCH, LOCAL_IMAGES, null,
                List.of(), null, "main.version");
        return ImageBuildRequest.builder("orders", repo).goSpec(spec)
                .tag(ns + "/" + nameTag).push(true).network("host").version("v1").sourceDateEpoch(1767225600L);
    }

    /** gets, hits, puts of the bridge's figures lines in BuildKit's log (summed over go commands). */
    private static int[] figures(ImageEngineIntegrationTest.CapturingReporter reporter) {
        int[] f = new int[3];
        boolean seen = false;
        for (String l : reporter.lines()) {
            Matcher m = FIGURES.matcher(l);
            if (m.find()) {
                seen = true;
                for (int i = 0; i < 3; i++) {
                    f[i] += Integer.parseInt(m.group(i + 1));
                }
            }
        }
        assertThat(seen).as("the bridge printed its figures in BuildKit's log").isTrue();
        return f;
    }

    /** The sum of one group of a pattern over the build's log lines (0 when it never matched). */
    private static int sum(ImageEngineIntegrationTest.CapturingReporter reporter, Pattern p, int group) {
        int n = 0;
        for (String l : reporter.lines()) {
            Matcher m = p.matcher(l);
            if (m.find()) {
                n += Integer.parseInt(m.group(group));
            }
        }
        return n;
    }

    private static Set<String> compiled(ImageEngineIntegrationTest.CapturingReporter reporter) {
        Set<String> out = new LinkedHashSet<>();
        for (String l : reporter.lines()) {
            Matcher m = COMPILE.matcher(l);
            if (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    private void write(String rel, String text) throws Exception {
        SmallShopRepo.write(repo, rel, text);
    }

    private void prune() {
        CommandResult r = sh(Duration.ofMinutes(3), "docker", "buildx", "prune", "-af");
        assertThat(r.succeeded()).as(r.tailText()).isTrue();
    }

    private CommandResult sh(Duration timeout, String... argv) {
        return runner.run(List.of(argv), Map.of(), null, timeout, SecretMasker.none(), l -> { });
    }
}
