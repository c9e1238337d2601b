package io.gopipe.core.image;

import io.gopipe.core.exec.CommandResult;
import io.gopipe.core.exec.LocalCommandRunner;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gopipe.core.report.Progress;
import io.gopipe.core.report.Reporter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import java.util.Comparator;

/**
 * The image engine against the real test environment ({@code .ci/test-env up}): dockerd's BuildKit
 * through buildx, Debian's registry on 127.0.0.1:5000 and the local base images. The tests share
 * one small two-service Go repository and run in order (cold → pruned rebuild → change → …).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImageEngineIntegrationTest {

    static final String REGISTRY = "127.0.0.1:5000";
    static final String GO = "/usr/lib/go-1.24/bin/go";
    static final BaseImages LOCAL_IMAGES = new BaseImages(REGISTRY + "/gopipe/golang:1.24", REGISTRY + "/gopipe/golang:1.24",
            REGISTRY + "/gopipe/static:nonroot", REGISTRY + "/gopipe/busybox:latest");
    static final long EPOCH = 1767225600L; // fixed commit time: reproducible digests

    Path tmp;
    Path repo;
    Path goCache;
    Path goModCache;
    Path workRoot;
    String ns;
    final ProcessRunner runner = new ProcessRunner(new LocalCommandRunner());
    final CapturingReporter reporter = new CapturingReporter();
    final List<String> pulled = new ArrayList<>();
    BuildDriver driver;
    String coldDigest;

    @BeforeAll
    void environmentIsUp() throws Exception {
        CommandResult docker = sh(Duration.ofSeconds(15), "docker", "version", "--format", "{{.Server.Version}}");
        if (!docker.succeeded()) {
            fail("The BuildKit test environment is not up: `docker version` cannot reach dockerd ("
                    + docker.tailText() + "). Start it with `bash .ci/test-env up` (CI does this in bin/test-all).");
        }
        int status;
        try {
            status = http(URI.create("http://" + REGISTRY + "/v2/"), "GET", Map.of()).statusCode();
        } catch (Exception e) {
            status = -1;
        }
        if (status != 200) {
            fail("The BuildKit test environment is not up: no registry answers on http://" + REGISTRY
                    + "/v2/. Start it with `bash .ci/test-env up`.");
        }
        if (manifestDigest("gopipe/golang", "1.24") == null || manifestDigest("gopipe/static", "nonroot") == null) {
            fail("The local base images are missing from " + REGISTRY + ": run `bash .ci/test-env up`.");
        }
        if (!Files.isExecutable(Path.of(GO))) {
            fail(GO + " is missing: run .ci/install-deps (golang-1.24-go).");
        }
        tmp = Files.createTempDirectory("gopipe-image-it-");
        ns = REGISTRY + "/gopipe-it-" + UUID.randomUUID().toString().substring(0, 8);
        repo = Files.createDirectories(tmp.resolve("shop"));
        goCache = Files.createDirectories(tmp.resolve("gocache"));
        goModCache = Files.createDirectories(tmp.resolve("gomodcache"));
        workRoot = Files.createDirectories(tmp.resolve("work"));
        writeShop();
        // The agent's warm build cache, as goModCache would restore it: stdlib and shared packages
        // compiled once with the flags the image build uses.
        CommandResult warm = runner.run(List.of(GO, "build", "-trimpath", "./..."),
                Map.of("GOCACHE", goCache.toString(), "GOMODCACHE", goModCache.toString(), "CGO_ENABLED", "0",
                        "GOTOOLCHAIN", "local", "GOFLAGS", ""), repo, Duration.ofMinutes(5), SecretMasker.none(), l -> { });
        assertThat(warm.succeeded()).as("warming GOCACHE: %s", warm.tailText()).isTrue();
        driver = new DriverSelector(runner, System.getenv()).select("buildx", null, null, null, DriverSelector.DEFAULT_BUDGET);
    }

    @AfterAll
    void removePulledImages() throws Exception {
        if (tmp != null) {
            try (Stream<Path> walk = Files.walk(tmp)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    p.toFile().setWritable(true);
                    Files.deleteIfExists(p);
                }
            }
        }
        if (!pulled.isEmpty()) {
            List<String> argv = new ArrayList<>(List.of("docker", "image", "rm", "-f"));
            argv.addAll(pulled);
            sh(Duration.ofSeconds(60), argv.toArray(String[]::new));
        }
    }

    @Test
    @Order(1)
    void coldBuildPushesTheImage() throws Exception {
        BuildResult r = engine().build(request("orders", "v1").build());
        assertThat(r.digest()).startsWith("sha256:");
        assertThat(r.executedSteps()).isPositive();
        assertThat(r.pushed()).isTrue();
        assertThat(manifestDigest(repoPath("orders"), "v1")).isEqualTo(r.digest());
        assertThat(tags(repoPath("orders-buildcache"))).containsExactly("main");
        assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("cache import failed"));
        coldDigest = r.digest();
    }

    @Test
    @Order(2)
    void prunedBuilderRebuildsFromTheRegistryCacheToTheSameDigest() {
        prune();
        BuildResult r = engine().build(request("orders", "v1").build());
        assertThat(r.executedSteps()).as("steps that ran: %s", executed(r)).isZero();
        assertThat(r.cachedSteps()).isGreaterThanOrEqualTo(6);
        assertThat(r.hitRatio()).isEqualTo(1.0);
        assertThat(r.digest()).isEqualTo(coldDigest);
    }

    @Test
    @Order(3)
    void generatedScratchImageRunsPrintsItsVersionHasCaCertificatesAndIsSmall() throws Exception {
        String image = ns + "/orders:v1";
        CommandResult run = sh(Duration.ofMinutes(2), "docker", "run", "--rm", "--network", "host", image);
        pulled.add(image);
        assertThat(run.succeeded()).as(run.tailText()).isTrue();
        assertThat(run.tail()).contains("orders v1 hello");

        CommandResult create = sh(Duration.ofSeconds(30), "docker", "create", image);
        assertThat(create.succeeded()).as(create.tailText()).isTrue();
        String id = create.tail().get(create.tail().size() - 1).strip();
        try {
            Path certs = tmp.resolve("ca.crt");
            assertThat(sh(Duration.ofSeconds(30), "docker", "cp", id + ":/etc/ssl/certs/ca-certificates.crt",
                    certs.toString()).succeeded()).isTrue();
            assertThat(Files.readString(certs)).contains("-----BEGIN CERTIFICATE-----");
            assertThat(sh(Duration.ofSeconds(30), "docker", "cp", id + ":/usr/local/share/zoneinfo.zip",
                    tmp.resolve("z.zip").toString()).succeeded()).isTrue();
        } finally {
            sh(Duration.ofSeconds(30), "docker", "rm", id);
        }
        JsonNode config = imageConfig(repoPath("orders"), "v1");
        assertThat(config.path("config").path("User").asText()).isEqualTo("65532:65532");
        assertThat(config.path("config").path("Labels").path("org.opencontainers.image.title").asText()).isEqualTo("orders");
        assertThat(imageSize(repoPath("orders"), "v1")).isLessThan(15L * 1024 * 1024);
    }

    @Test
    @Order(4)
    void oneLineChangeRerunsOnlyTheStepsAfterIt() throws Exception {
        prune();
        Path main = repo.resolve("cmd/orders/main.go");
        Files.writeString(main, Files.readString(main).replace("\" hello\"", "\" hello again\""));
        BuildResult r = engine().build(request("orders", "v1").build());
        List<BuildStep> build = stage(r, "build");
        int copyAt = indexOf(build, "COPY . /src");
        assertThat(build.subList(0, copyAt)).as("steps before the change").allMatch(BuildStep::cached);
        assertThat(build.subList(copyAt, build.size())).as("the change and what follows").noneMatch(BuildStep::cached);
        List<BuildStep> runtime = stage(r, "stage-2");
        assertThat(runtime).filteredOn(s -> s.name().contains("--from=certs")).hasSize(1).allMatch(BuildStep::cached);
        assertThat(runtime).filteredOn(s -> s.name().contains("--from=build /rootfs/")).hasSize(1).noneMatch(BuildStep::cached);
        assertThat(stage(r, "certs")).isNotEmpty().allMatch(BuildStep::cached);
        assertThat(r.executedSteps()).as("steps that ran: %s", executed(r)).isEqualTo(build.size() - copyAt + 1);
        assertThat(r.cachedSteps()).isPositive();
        assertThat(r.digest()).isNotEqualTo(coldDigest);
        CommandResult run = sh(Duration.ofMinutes(2), "docker", "run", "--rm", "--network", "host", "--pull", "always",
                ns + "/orders:v1");
        assertThat(run.tail()).contains("orders v1 hello again");
    }

    @Test
    @Order(5)
    void twoServicesBuildInParallelWithSeparateCacheRefs() throws Exception {
        List<ImageBuilder.Outcome> out = engine().buildAll(List.of(request("orders", "v1").build(),
                request("payments", "v1").build()), 2);
        assertThat(out).allSatisfy(o -> assertThat(o.error()).isNull());
        assertThat(out.get(0).result().digest()).isNotEqualTo(out.get(1).result().digest());
        String ordersCache = manifestDigest(repoPath("orders-buildcache"), "main");
        String paymentsCache = manifestDigest(repoPath("payments-buildcache"), "main");
        assertThat(ordersCache).isNotNull().isNotEqualTo(paymentsCache);
        assertThat(paymentsCache).isNotNull();
        String image = ns + "/payments:v1";
        CommandResult run = sh(Duration.ofMinutes(2), "docker", "run", "--rm", "--network", "host", image);
        pulled.add(image);
        assertThat(run.tail()).contains("payments v1 hello");
    }

    @Test
    @Order(6)
    void agentModeImageRunsAndPrintsItsVersion() throws Exception {
        ImageBuildRequest req = request("payments", "v2").mode(BuildMode.AGENT)
                .goSpec(spec("payments", Runtime.DISTROLESS)).build();
        BuildResult r = engine().build(req.toBuilder().tag(ns + "/payments-agent:v2").build());
        assertThat(r.steps()).anySatisfy(s -> assertThat(s.name()).startsWith("[agent] go build ./cmd/payments"));
        String image = ns + "/payments-agent:v2";
        CommandResult run = sh(Duration.ofMinutes(2), "docker", "run", "--rm", "--network", "host", image);
        pulled.add(image);
        assertThat(run.tail()).as(run.tailText()).contains("payments v2 hello");
        assertThat(imageConfig(repoPath("payments-agent"), "v2").path("config").path("User").asText()).isEqualTo("65532:65532");
    }

    @Test
    @Order(7)
    void aCanaryCredentialNeverAppearsInAnyOutput() throws Exception {
        String canary = "CANARY-" + UUID.randomUUID();
        Path secret = Files.writeString(tmp.resolve("token"), canary);
        Path ctx = Files.createDirectories(tmp.resolve("canary"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM " + REGISTRY + "/gopipe/busybox:latest\n"
                + "ARG NONCE\nRUN --mount=type=secret,id=token echo \"token is $(cat /run/secrets/token) $NONCE\"\n"
                + "ARG FAIL=0\nRUN --mount=type=secret,id=token test \"$FAIL\" = 0 || (cat /run/secrets/token; exit 3)\n");
        CapturingReporter own = new CapturingReporter();
        ImageBuilder engine = new ImageBuilder(driver, runner, own, options());
        ImageBuildRequest.Builder b = ImageBuildRequest.builder("canary", ctx).dockerfile(ctx.resolve("Dockerfile"))
                .buildArg("NONCE", UUID.randomUUID().toString()).secret(new SecretSpec("token", secret, null))
                .credentials(new RegistryCredentials(REGISTRY, "gopipe-it", canary))
                .tag(ns + "/canary:1").push(true).network("host")
                .cache(CachePolicy.of(ns + "/canary-buildcache", "main", "main"));
        BuildResult ok = engine.build(b.build());
        assertThatThrownBy(() -> engine.build(b.buildArg("FAIL", "1").buildArg("NONCE", UUID.randomUUID().toString()).build()))
                .isInstanceOf(ImageBuildFailedException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(canary).contains("****"));
        String all = String.join("\n", own.lines());
        assertThat(all).contains("token is ****").doesNotContain(canary);
        assertThat(ok.toString()).doesNotContain(canary);
        try (Stream<Path> left = Files.list(workRoot)) {
            assertThat(left).as("scratch dirs and the temporary DOCKER_CONFIG are removed").isEmpty();
        }
    }

    @Test
    @Order(8)
    void anUnreachableDaemonFailsClearlyWithinTenSeconds() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("BUILDKIT_HOST", "tcp://127.0.0.1:1");
        long start = System.nanoTime();
        assertThatThrownBy(() -> new DriverSelector(runner, env).select("auto", null, "unix:///nonexistent/docker.sock",
                null, DriverSelector.DEFAULT_BUDGET))
                .isInstanceOf(BuilderUnreachableException.class)
                .hasMessageContaining("no BuildKit builder is reachable")
                .hasMessageContaining("unix:///nonexistent/docker.sock")
                .hasMessageContaining("tcp://127.0.0.1:1");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    @Order(9)
    void aRegistryThatIsDownFailsClearly() throws Exception {
        Path ctx = Files.createDirectories(tmp.resolve("down"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM " + REGISTRY + "/gopipe/busybox:latest\nRUN echo built > /built\n");
        String down = "127.0.0.1:5999";
        ImageBuildRequest req = ImageBuildRequest.builder("down", ctx).dockerfile(ctx.resolve("Dockerfile"))
                .tag(down + "/shop/down:1").push(true).network("host")
                .cache(CachePolicy.of(down + "/shop/down-buildcache", "main", "main")).build();
        assertThatThrownBy(() -> engine().build(req)).isInstanceOf(RegistryUnreachableException.class)
                .hasMessageContaining("registry 127.0.0.1:5999").hasMessageContaining("not reachable");

        CapturingReporter own = new CapturingReporter();
        ImageBuilder.Options noProbe = new ImageBuilder.Options(new RetryPolicy(2, Duration.ofMillis(200), 2), false,
                Duration.ofMinutes(5), true, workRoot, null);
        assertThatThrownBy(() -> new ImageBuilder(driver, runner, own, noProbe).build(req))
                .isInstanceOf(RegistryUnreachableException.class)
                .hasMessageContaining("pushing 127.0.0.1:5999/shop/down:1 failed after 2 attempts");
        assertThat(own.warnings()).anySatisfy(w -> assertThat(w).contains("cache import failed"));
    }

    // ---- helpers ----

    private ImageBuilder engine() {
        return new ImageBuilder(driver, runner, reporter, options());
    }

    private ImageBuilder.Options options() {
        return new ImageBuilder.Options(new RetryPolicy(2, Duration.ofMillis(200), 2), true, Duration.ofMinutes(10), true,
                workRoot, null);
    }

    private GoServiceSpec spec(String service, Runtime runtime) {
        return new GoServiceSpec(service, ".", "./cmd/" + service, runtime, LOCAL_IMAGES, 8080, List.of(), null, "main.version");
    }

    private ImageBuildRequest.Builder request(String service, String version) {
        return ImageBuildRequest.builder(service, repo).goSpec(spec(service, Runtime.SCRATCH))
                .goModCache(goModCache).goBuildCache(goCache).goBinary(GO)
                .tag(ns + "/" + service + ":" + version).push(true).network("host").version(version)
                .sourceDateEpoch(EPOCH)
                .labels(new OciLabels("https://git.example/shop.git", "0123abcd", Instant.ofEpochSecond(EPOCH), service))
                .cache(CachePolicy.of(ns + "/" + service + "-buildcache", "main", "main"));
    }

    private void writeShop() throws Exception {
        write("go.mod", "module example.com/shop\n\ngo 1.24\n");
        write("pkg/greet/greet.go", "package greet\n\n// Line formats the banner a service prints.\n"
                + "func Line(service, version, suffix string) string { return service + \" \" + version + suffix }\n");
        for (String s : List.of("orders", "payments")) {
            write("cmd/" + s + "/main.go", "package main\n\nimport (\n\t\"os\"\n\n\t\"example.com/shop/pkg/greet\"\n)\n\n"
                    + "var version = \"dev\"\n\nfunc main() {\n\tos.Stdout.WriteString(greet.Line(\"" + s
                    + "\", version, \" hello\") + \"\\n\")\n}\n");
        }
    }

    private void write(String rel, String text) throws Exception {
        Path p = repo.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private String repoPath(String service) {
        return ns.substring(REGISTRY.length() + 1) + "/" + service;
    }

    private void prune() {
        CommandResult r = sh(Duration.ofMinutes(2), "docker", "buildx", "prune", "-af");
        assertThat(r.succeeded()).as(r.tailText()).isTrue();
    }

    private static List<BuildStep> stage(BuildResult r, String stage) {
        return r.steps().stream().filter(s -> s.isInstruction() && !s.isFrom() && s.name().startsWith("[" + stage + " "))
                .sorted((a, b) -> Integer.compare(stepNumber(a), stepNumber(b))).toList();
    }

    private static int stepNumber(BuildStep s) {
        String n = s.name().substring(s.name().indexOf(' ') + 1, s.name().indexOf('/'));
        return Integer.parseInt(n);
    }

    private static int indexOf(List<BuildStep> steps, String instruction) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).name().endsWith("] " + instruction)) {
                return i;
            }
        }
        throw new AssertionError("no step " + instruction + " in " + steps);
    }

    private static List<String> executed(BuildResult r) {
        return r.steps().stream().filter(s -> s.isInstruction() && !s.isFrom() && !s.cached()).map(BuildStep::name).toList();
    }

    private CommandResult sh(Duration timeout, String... argv) {
        return runner.run(List.of(argv), Map.of(), null, timeout, SecretMasker.none(), l -> { });
    }

    private static final String ACCEPT = "application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json,"
            + "application/vnd.docker.distribution.manifest.v2+json,application/vnd.docker.distribution.manifest.list.v2+json";

    private static HttpResponse<String> http(URI uri, String method, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).method(method,
                HttpRequest.BodyPublishers.noBody());
        headers.forEach(b::header);
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String manifestDigest(String repository, String tag) throws Exception {
        HttpResponse<String> r = http(URI.create("http://" + REGISTRY + "/v2/" + repository + "/manifests/" + tag), "HEAD",
                Map.of("Accept", ACCEPT));
        return r.statusCode() == 200 ? r.headers().firstValue("Docker-Content-Digest").orElse(null) : null;
    }

    private static JsonNode manifest(String repository, String tag) throws Exception {
        HttpResponse<String> r = http(URI.create("http://" + REGISTRY + "/v2/" + repository + "/manifests/" + tag), "GET",
                Map.of("Accept", ACCEPT));
        assertThat(r.statusCode()).as("manifest %s:%s", repository, tag).isEqualTo(200);
        JsonNode m = new ObjectMapper().readTree(r.body());
        if (m.has("manifests")) {
            return manifest(repository, m.path("manifests").get(0).path("digest").asText());
        }
        return m;
    }

    private static long imageSize(String repository, String tag) throws Exception {
        long sum = 0;
        for (JsonNode layer : manifest(repository, tag).path("layers")) {
            sum += layer.path("size").asLong();
        }
        return sum;
    }

    private static JsonNode imageConfig(String repository, String tag) throws Exception {
        String digest = manifest(repository, tag).path("config").path("digest").asText();
        HttpResponse<String> r = http(URI.create("http://" + REGISTRY + "/v2/" + repository + "/blobs/" + digest), "GET", Map.of());
        return new ObjectMapper().readTree(r.body());
    }

    private static List<String> tags(String repository) throws Exception {
        HttpResponse<String> r = http(URI.create("http://" + REGISTRY + "/v2/" + repository + "/tags/list"), "GET", Map.of());
        List<String> out = new ArrayList<>();
        new ObjectMapper().readTree(r.body()).path("tags").forEach(t -> out.add(t.asText()));
        return out;
    }

    /** Keeps every line the engine reports, for assertions on what a user would see. */
    static final class CapturingReporter implements Reporter {
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void info(String message) {
            lines.add(message);
        }

        @Override
        public void warn(String message) {
            lines.add(message);
            warnings.add(message);
        }

        @Override
        public void progress(Progress progress) {
        }

        List<String> lines() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }

        List<String> warnings() {
            synchronized (warnings) {
                return List.copyOf(warnings);
            }
        }
    }
}
