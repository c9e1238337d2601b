package io.gopipe.core.image;

import io.gopipe.core.exec.CommandResult;
import io.gopipe.core.exec.LocalCommandRunner;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 9 against the real test environment ({@code .ci/test-env up}): the same commit gives the
 * same digest from two cold builds on pruned builders, in Dockerfile and agent mode, and both modes
 * put the same binary (no vcs stamping) in it; a user's own multi-stage Dockerfile with Go cache
 * mounts gets the agent's Go build cache on a pruned builder, so after a one-line change BuildKit's
 * log shows only the main package compiled. Each test prunes the daemon's build cache (there is
 * no other fresh builder here: only the docker driver, and no BuildKit image to start another).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReproducibleAndCachedIntegrationTest {

    static final String REGISTRY = ImageEngineIntegrationTest.REGISTRY;
    static final String GO = ImageEngineIntegrationTest.GO;
    static final BaseImages LOCAL_IMAGES = ImageEngineIntegrationTest.LOCAL_IMAGES;
    static final long EPOCH = 1767225600L;
    static final Pattern COMPILE = Pattern.compile("/compile -o .* -p (\\S+) ");

    Path tmp;
    Path repo;
    Path workRoot;
    String ns;
    final ProcessRunner runner = new ProcessRunner(new LocalCommandRunner());
    BuildDriver driver;
    final List<String> pulled = new ArrayList<>();

    @BeforeAll
    void environmentIsUp() throws Exception {
        CommandResult docker = sh(Duration.ofSeconds(15), "docker", "version", "--format", "{{.Server.Version}}");
        if (!docker.succeeded()) {
            fail("The BuildKit test environment is not up (" + docker.tailText() + "): run `bash .ci/test-env up`.");
        }
        tmp = Files.createTempDirectory("gopipe-image-repro-");
        ns = REGISTRY + "/gopipe-repro-" + UUID.randomUUID().toString().substring(0, 8);
        repo = Files.createDirectories(tmp.resolve("shop"));
        workRoot = Files.createDirectories(tmp.resolve("work"));
        SmallShopRepo.writeTo(repo, LOCAL_IMAGES);
        SmallShopRepo.commitAll(repo);
        // A dirty tree: a go build that stamps vcs info would record vcs.modified=true on the agent.
        write("NOTES.txt", "uncommitted\n");
        driver = new DriverSelector(runner, System.getenv()).select("buildx", null, null, null, DriverSelector.DEFAULT_BUDGET);
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (tmp != null) {
            ImageBuilder.deleteTree(tmp);
        }
        for (String image : pulled) {
            sh(Duration.ofSeconds(60), "docker", "image", "rm", "-f", image);
        }
    }

    @Test
    @Order(1)
    void twoColdBuildsOfOneCommitGiveTheSameDigestInDockerfileMode() throws Exception {
        prune();
        BuildResult first = engine(new ImageEngineIntegrationTest.CapturingReporter()).build(request("gen:1").build());
        prune();
        BuildResult second = engine(new ImageEngineIntegrationTest.CapturingReporter()).build(request("gen:2").build());
        assertThat(first.executedSteps()).as("the first build ran cold").isPositive();
        assertThat(second.executedSteps()).as("the second build ran cold").isPositive();
        assertThat(second.digest()).startsWith("sha256:").isEqualTo(first.digest());
    }

    @Test
    @Order(2)
    void twoColdBuildsGiveTheSameDigestInAgentModeAndBothModesShipTheSameBinary() throws Exception {
        Path gocache1 = Files.createDirectories(tmp.resolve("agent-gocache-1"));
        Path gocache2 = Files.createDirectories(tmp.resolve("agent-gocache-2"));
        prune();
        BuildResult first = engine(new ImageEngineIntegrationTest.CapturingReporter())
                .build(request("agent:1").mode(BuildMode.AGENT).goBuildCache(gocache1).build());
        prune();
        BuildResult second = engine(new ImageEngineIntegrationTest.CapturingReporter())
                .build(request("agent:2").mode(BuildMode.AGENT).goBuildCache(gocache2).build());
        assertThat(second.digest()).startsWith("sha256:").isEqualTo(first.digest());

        byte[] agentBinary = binaryOf(ns + "/agent:1");
        byte[] dockerfileBinary = binaryOf(ns + "/gen:1");
        assertThat(agentBinary).as("the agent's and the builder's Go 1.24 binaries").isEqualTo(dockerfileBinary);
        Path bin = Files.write(tmp.resolve("orders-agent"), agentBinary);
        List<String> buildInfo = new ArrayList<>();
        runner.run(List.of(GO, "version", "-m", bin.toString()), Map.of(), null, Duration.ofMinutes(1),
                SecretMasker.none(), buildInfo::add);
        assertThat(buildInfo).anySatisfy(l -> assertThat(l).contains("-trimpath=true"))
                .noneSatisfy(l -> assertThat(l).contains("vcs."));
    }

    @Test
    @Order(3)
    void aUserDockerfileWithCacheMountsGetsTheAgentsGoBuildCacheOnAPrunedBuilder() throws Exception {
        Path gocache = Files.createDirectories(tmp.resolve("user-gocache"));
        Path gomodcache = Files.createDirectories(tmp.resolve("user-gomodcache"));
        Path dockerfile = repo.resolve("deploy/orders.Dockerfile");

        prune();
        ImageEngineIntegrationTest.CapturingReporter cold = new ImageEngineIntegrationTest.CapturingReporter();
        engine(cold).build(request("user:1").dockerfile(dockerfile).goBuildCache(gocache).goModCache(gomodcache).build());
        assertThat(cold.warnings()).isEmpty();
        Set<String> coldCompiled = compiled(cold);
        assertThat(coldCompiled).as("a cold build compiles the standard library").contains("runtime", "fmt", "main");
        try (Stream<Path> entries = Files.walk(gocache)) {
            assertThat(entries.filter(Files::isRegularFile).count())
                    .as("the build's new cache entries were copied back to the agent's GOCACHE").isGreaterThan(100);
        }

        prune();
        Path main = repo.resolve("cmd/orders/main.go");
        Files.writeString(main, Files.readString(main).replace("greet.Line(\"orders\", version)",
                "greet.Line(\"orders\", version+\"!\")"));
        ImageEngineIntegrationTest.CapturingReporter warm = new ImageEngineIntegrationTest.CapturingReporter();
        BuildResult r = engine(warm).build(request("user:2").dockerfile(dockerfile).goBuildCache(gocache)
                .goModCache(gomodcache).build());
        assertThat(r.digest()).startsWith("sha256:");
        assertThat(warm.lines()).anySatisfy(l -> assertThat(l).startsWith("filled 2 Go cache mount(s)"));
        assertThat(compiled(warm)).as("after a one-line change only the changed package compiles").containsExactly("main");
    }

    // ---- helpers ----

    private ImageBuilder engine(ImageEngineIntegrationTest.CapturingReporter reporter) {
        return new ImageBuilder(driver, runner, reporter, new ImageBuilder.Options(
                new RetryPolicy(2, Duration.ofMillis(200), 2), true, Duration.ofMinutes(15), true, workRoot, null));
    }

    private ImageBuildRequest.Builder request(String nameTag) {
        GoServiceSpec spec = new GoServiceSpec("orders", ".", "./cmd/orders", Runtime.SCRATCH, LOCAL_IMAGES, null,
                List.of(), null, "main.version");
        return ImageBuildRequest.builder("orders", repo).goSpec(spec).goBinary(GO)
                .tag(ns + "/" + nameTag).push(true).network("host").version("v1").sourceDateEpoch(EPOCH)
                .labels(new OciLabels(null, "0123abcd", java.time.Instant.ofEpochSecond(EPOCH), "orders"));
    }

    /** The packages {@code go build -x} compiled, from BuildKit's log. */
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

    private byte[] binaryOf(String image) throws Exception {
        CommandResult create = sh(Duration.ofMinutes(2), "docker", "create", "--pull", "always", image);
        pulled.add(image);
        assertThat(create.succeeded()).as(create.tailText()).isTrue();
        String id = create.tail().get(create.tail().size() - 1).strip();
        try {
            Path out = tmp.resolve("bin-" + UUID.randomUUID());
            assertThat(sh(Duration.ofSeconds(30), "docker", "cp", id + ":/usr/local/bin/orders", out.toString())
                    .succeeded()).isTrue();
            return Files.readAllBytes(out);
        } finally {
            sh(Duration.ofSeconds(30), "docker", "rm", id);
        }
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
