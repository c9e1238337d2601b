package io.gopipe.core.image;

import io.gopipe.core.exec.CommandResult;
import io.gopipe.core.exec.LocalCommandRunner;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Agent mode with a registry cache puts the last image's binary where {@code go build -o} writes
 * ({@link PreviousBinary}): against the real test environment, an unchanged service keeps it (no
 * link) and gives the same digest; after a change go links a new binary over it, and the image is
 * the one a build without any previous binary gives. No builder prune: BuildKit's state does not
 * matter to what go does on the agent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentPreviousBinaryIntegrationTest {

    static final String KEPT = "the last image's binary is up to date (go kept it: no link)";
    static final String STALE = "the last image's binary was stale: go linked a new one over it";

    Path tmp;
    Path repo;
    Path workRoot;
    String ns;
    final ProcessRunner runner = new ProcessRunner(new LocalCommandRunner());
    BuildDriver driver;

    @BeforeAll
    void environmentIsUp() throws Exception {
        CommandResult docker = runner.run(List.of("docker", "version", "--format", "{{.Server.Version}}"), Map.of(), null,
                Duration.ofSeconds(15), SecretMasker.none(), l -> { });
        if (!docker.succeeded()) {
            fail("The BuildKit test environment is not up (" + docker.tailText() + "): run `bash .ci/test-env up`.");
        }
        tmp = Files.createTempDirectory("gopipe-image-previous-");
        ns = ImageEngineIntegrationTest.REGISTRY + "/gopipe-previous-" + UUID.randomUUID().toString().substring(0, 8);
        repo = Files.createDirectories(tmp.resolve("shop"));
        workRoot = Files.createDirectories(tmp.resolve("work"));
        SmallShopRepo.writeTo(repo, ImageEngineIntegrationTest.LOCAL_IMAGES);
        SmallShopRepo.commitAll(repo);
        driver = new DriverSelector(runner, System.getenv()).select("buildx", null, null, null, DriverSelector.DEFAULT_BUDGET);
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (tmp != null) {
            ImageBuilder.deleteTree(tmp);
        }
    }

    @Test
    void anUnchangedServiceKeepsTheLastBinaryAndAChangedOneIsLinkedAfresh() throws Exception {
        Path gocache = Files.createDirectories(tmp.resolve("gocache"));
        CachePolicy main = CachePolicy.of(ns + "/cache", "main", "main");

        ImageEngineIntegrationTest.CapturingReporter first = new ImageEngineIntegrationTest.CapturingReporter();
        BuildResult cold = engine(first).build(request("orders:1", main, gocache));
        assertThat(first.lines()).as("nothing to place before the first build")
                .noneSatisfy(l -> assertThat(l).contains("placed the binary of"));

        ImageEngineIntegrationTest.CapturingReporter second = new ImageEngineIntegrationTest.CapturingReporter();
        BuildResult unchanged = engine(second).build(request("orders:2", main, gocache));
        assertThat(second.lines()).anySatisfy(l -> assertThat(l).contains("placed the binary of " + ns + "/cache:main"))
                .anySatisfy(l -> assertThat(l).endsWith(KEPT));
        assertThat(unchanged.digest()).startsWith("sha256:").isEqualTo(cold.digest());

        Path main0 = repo.resolve("cmd/orders/main.go");
        Files.writeString(main0, Files.readString(main0).replace("greet.Line(\"orders\", version)",
                "greet.Line(\"orders\", version+\"!\")"));
        CachePolicy branch = CachePolicy.of(ns + "/cache", "feature/x", "main");
        ImageEngineIntegrationTest.CapturingReporter third = new ImageEngineIntegrationTest.CapturingReporter();
        BuildResult changed = engine(third).build(request("orders:3", branch, gocache));
        assertThat(third.lines()).anySatisfy(l -> assertThat(l).contains("placed the binary of " + ns + "/cache:main"))
                .anySatisfy(l -> assertThat(l).endsWith(STALE));
        assertThat(changed.digest()).as(String.join("\n", third.lines())).isNotEqualTo(cold.digest());

        // The same changed source without any registry cache (so nothing placed): the same image.
        ImageEngineIntegrationTest.CapturingReporter fresh = new ImageEngineIntegrationTest.CapturingReporter();
        BuildResult reference = engine(fresh).build(request("orders:4", CachePolicy.disabled(),
                Files.createDirectories(tmp.resolve("gocache-fresh"))));
        assertThat(fresh.lines()).noneSatisfy(l -> assertThat(l).contains("placed the binary of"));
        assertThat(changed.digest()).isEqualTo(reference.digest());
    }

    private ImageBuilder engine(ImageEngineIntegrationTest.CapturingReporter reporter) {
        return new ImageBuilder(driver, runner, reporter, new ImageBuilder.Options(
                new RetryPolicy(2, Duration.ofMillis(200), 2), true, Duration.ofMinutes(15), true, workRoot, null));
    }

    private ImageBuildRequest request(String nameTag, CachePolicy cache, Path gocache) {
        GoServiceSpec spec = new GoServiceSpec("orders", ".", "./cmd/orders", Runtime.DISTROLESS,
                ImageEngineIntegrationTest.LOCAL_IMAGES, null, List.of(), null, "main.version");
        return ImageBuildRequest.builder("orders", repo).goSpec(spec).goBinary(ImageEngineIntegrationTest.GO)
                .mode(BuildMode.AGENT).goBuildCache(gocache).cache(cache)
                .tag(ns + "/" + nameTag).push(true).network("host").version("v1")
                .sourceDateEpoch(ReproducibleAndCachedIntegrationTest.EPOCH)
                .labels(new OciLabels(null, "0123abcd", java.time.Instant.ofEpochSecond(
                        ReproducibleAndCachedIntegrationTest.EPOCH), "orders")).build();
    }
}
