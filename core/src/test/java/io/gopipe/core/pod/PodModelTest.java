package io.gopipe.core.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gopipe.core.affected.AffectedEngine;
import io.gopipe.core.affected.AffectedRequest;
import io.gopipe.core.affected.AffectedResult;
import io.gopipe.core.affected.AffectedService;
import io.gopipe.core.affected.BaseSpec;
import io.gopipe.core.affected.ParseCache;
import io.gopipe.core.cache.CacheException;
import io.gopipe.core.cache.CacheKey;
import io.gopipe.core.cache.CachePolicy;
import io.gopipe.core.cache.CacheRequest;
import io.gopipe.core.cache.CacheJob;
import io.gopipe.core.cache.CacheService;
import io.gopipe.core.cache.CacheJobOptions;
import io.gopipe.core.cache.CacheStore;
import io.gopipe.core.cache.CacheSettings;
import io.gopipe.core.cache.GoPlatform;
import io.gopipe.core.cache.KeyCalculator;
import io.gopipe.core.cache.RestoreResult;
import io.gopipe.core.cache.SaveResult;
import io.gopipe.core.cache.backend.CacheBackend;
import io.gopipe.core.cache.backend.CacheBackends;
import io.gopipe.core.cache.backend.S3Options;
import io.gopipe.core.exec.CommandRequest;
import io.gopipe.core.exec.CommandResult;
import io.gopipe.core.exec.CommandRunner;
import io.gopipe.core.exec.LocalCommandRunner;
import io.gopipe.core.fixture.FixtureLoader;
import io.gopipe.core.fixture.FixtureMaterializer;
import io.gopipe.core.fixture.MaterializedFixture;
import io.gopipe.core.image.ImageBuilder;
import io.gopipe.core.image.ImageJob;
import io.gopipe.core.image.ImageJobOptions;
import io.gopipe.core.report.RecordingReporter;
import io.gopipe.core.report.Reporter;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A model of a Kubernetes pod agent (issue 11). The test JVM plays the agent JVM in the jnlp
 * container; a real container started with {@code docker run} from the local base image
 * {@code gopipe/golang:1.24} plays the pod's build container, the one {@code container('build')}
 * selects. As in a pod, the workspace is one volume mounted at the same path in both, and the
 * tools live only in the build container: {@code go}, and a docker CLI (the host's client and
 * buildx plugin, mounted read-only) that talks to a daemon through a socket, as a pod's build container
 * talks to a docker-in-docker sidecar. The engine gets a {@link DockerExecRunner}, which is what the
 * plugin's Launcher runner becomes under {@code container()}.
 *
 * <p>Three checks that no command escapes into this JVM's own process table: this JVM runs with a
 * PATH that has neither go nor docker (the {@code pod-model} surefire execution in core/pom.xml), so
 * a process started here by name fails; a sampler watches this JVM's children; and every command
 * the engine ran must be one the exec runner recorded.
 */
@Tag("pod-model")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PodModelTest {

    static final String REGISTRY = "127.0.0.1:5000";
    static final String GO_IMAGE = REGISTRY + "/gopipe/golang:1.24";
    static final String BUSYBOX_IMAGE = REGISTRY + "/gopipe/busybox:latest";
    /** The docker client mounted into the build container (Debian's, as .ci/install-deps installs it, with its libc). */
    static final Path CONTAINER_DOCKER_CLI = Path.of("/usr/bin/docker");
    static final Path BUILDX_PLUGIN = Path.of("/usr/libexec/docker/cli-plugins/docker-buildx");
    static final String GREETING = "hello from the restored module cache";

    String docker;
    LocalCommandRunner harness;
    Path ws;
    Path app;
    Path gomod;
    String id;
    String buildContainer;
    String bareContainer;
    /** The runner the engine gets. */
    DockerExecRunner pod;
    /** The test's own commands in the build container (setup, checks), kept apart from the engine's. */
    DockerExecRunner tester;
    ProcessTableWatch watch;
    final List<String> images = new ArrayList<>();
    GoPlatform platform;
    MaterializedFixture shop;

    @BeforeAll
    void startThePod() throws Exception {
        assumeTrue(Boolean.getBoolean("gopipe.podModel"),
                "runs in core's pod-model surefire execution, whose PATH has no go (tag pod-model, see core/pom.xml)");
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String tool : List.of("go", "docker", "buildctl")) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                    fail("the pod test's JVM must not find " + tool + " on its PATH, but " + dir + " has it");
                }
            }
        }
        docker = Stream.of("/usr/bin/docker", "/usr/local/bin/docker").filter(p -> Files.isExecutable(Path.of(p)))
                .findFirst().orElseThrow(() -> new AssertionError("no docker CLI at /usr/local/bin or /usr/bin"));
        harness = new LocalCommandRunner();
        for (Path p : List.of(CONTAINER_DOCKER_CLI, BUILDX_PLUGIN)) {
            assertThat(p).as("the docker client the build container gets (.ci/install-deps)").isExecutable();
        }
        CommandResult img = host(Duration.ofMinutes(2), "image", "inspect", "--format", "{{.Id}}", GO_IMAGE, BUSYBOX_IMAGE);
        if (!img.succeeded()) {
            fail("the local base images are missing (" + img.lastLine() + "): run `bash .ci/test-env up`");
        }
        id = UUID.randomUUID().toString().substring(0, 8);
        ws = Files.createTempDirectory(Path.of("/tmp"), "gopipe-pod-").toRealPath();
        app = Files.createDirectories(ws.resolve("app"));
        gomod = ws.resolve("gomod");
        writeApp();
        writeModuleProxy();
        // Test setup, before the watch starts: JGit's `git init` runs `sh -c umask` (FS_POSIX.readUmask).
        Path fixture = Path.of("").toAbsolutePath();
        while (fixture != null && !Files.isDirectory(fixture.resolve("test-repos/shop"))) {
            fixture = fixture.getParent();
        }
        assertThat(fixture).as("test-repos/shop above the working directory").isNotNull();
        var loaded = new FixtureLoader().load(fixture.resolve("test-repos/shop"));
        shop = new FixtureMaterializer().materialize(loaded, ws.resolve("shop"),
                new FixtureMaterializer.Options(Optional.of(loaded.changes().get(0).name()), true));
        buildContainer = "gopipe-pod-build-" + id;
        bareContainer = "gopipe-pod-bare-" + id;
        // The build container: go in the image; a docker client and the daemon's socket as a pod's
        // "build" container with a docker-in-docker sidecar has them. No network: modules come from
        // the workspace, the daemon is reached through the socket.
        List<String> run = new ArrayList<>(List.of("run", "-d", "--name", buildContainer, "--label", "io.gopipe.test=pod",
                "--network", "none", "-v", ws + ":" + ws, "-v", "/var/run/docker.sock:/var/run/docker.sock",
                "-v", CONTAINER_DOCKER_CLI + ":/usr/local/bin/docker:ro", "-v", BUILDX_PLUGIN + ":" + BUILDX_PLUGIN + ":ro"));
        // docker and buildx are linked against glibc (libc and the loader only); the image has only busybox.
        for (String lib : List.of("/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2")) {
            run.addAll(List.of("-v", Path.of(lib).toRealPath() + ":" + lib + ":ro"));
        }
        run.addAll(List.of(GO_IMAGE, "tail", "-f", "/dev/null"));
        CommandResult started = host(Duration.ofMinutes(1), run.toArray(String[]::new));
        assertThat(started.succeeded()).as("docker run of the build container: %s", started.tailText()).isTrue();
        // A container without go, for the "missing go" case.
        CommandResult bare = host(Duration.ofMinutes(1), "run", "-d", "--name", bareContainer, "--label",
                "io.gopipe.test=pod", "--network", "none", "-v", ws + ":" + ws, BUSYBOX_IMAGE, "tail", "-f", "/dev/null");
        assertThat(bare.succeeded()).as("docker run of the bare container: %s", bare.tailText()).isTrue();
        pod = new DockerExecRunner(docker, buildContainer);
        tester = new DockerExecRunner(docker, buildContainer);
        watch = new ProcessTableWatch(docker);
    }

    @AfterAll
    void removeThePod() throws Exception {
        if (watch != null) {
            watch.close();
        }
        if (harness == null) {
            return;
        }
        for (String c : new String[] {buildContainer, bareContainer}) {
            if (c != null) {
                host(Duration.ofMinutes(1), "rm", "-f", c);
            }
        }
        for (String image : images) {
            host(Duration.ofMinutes(1), "image", "rm", "-f", image);
        }
        if (ws != null) {
            try (Stream<Path> walk = Files.walk(ws)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    p.toFile().setWritable(true);
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    @Order(1)
    void moduleCacheSavedAndRestoredWithTheKeyFromGoEnvInTheContainer() throws Exception {
        // Fill GOMODCACHE in the container from a module proxy on the workspace, as `go mod download` would.
        CommandResult tidy = tester.run(CommandRequest.of("go", "mod", "tidy").withWorkDir(app).withEnv(Map.of(
                "GOPROXY", "file://" + ws.resolve("proxy"), "GOSUMDB", "off", "GOMODCACHE", gomod.toString())));
        assertThat(tidy.succeeded()).as("go mod tidy in the container: %s", tidy.tailText()).isTrue();
        assertThat(app.resolve("go.sum")).as("the container wrote go.sum on the shared workspace").exists();
        assertThat(gomod.resolve("example.com/greet@v1.0.0/greet.go")).exists();

        platform = GoPlatform.detect(pod, null, app);
        assertThat(platform.goVersion()).as("the Go of the build container, not of this machine").startsWith("go1.24");
        assertThat(pod.commands()).contains(List.of("go", "env", "GOVERSION", "GOOS", "GOARCH"));
        CacheKey key = KeyCalculator.moduleKey(app, platform, null);
        assertThat(key.key()).contains(platform.goVersion());

        RecordingReporter reporter = new RecordingReporter();
        try (CacheBackend store = CacheBackends.open("local:" + ws.resolve("store"), null, true)) {
            CacheService cache = new CacheService(store, reporter, CacheSettings.defaults().withThreads(2, 2));
            SaveResult saved = cache.save(new CacheRequest(CachePolicy.MOD, key, gomod, platform));
            assertThat(saved.status()).as("save: %s", reporter.warnings).isEqualTo(SaveResult.Status.SAVED);
            deleteTree(gomod);
            RestoreResult restored = cache.restore(new CacheRequest(CachePolicy.MOD, key, gomod, platform));
            assertThat(restored.hit()).as("restore: %s", reporter.warnings).isTrue();
            assertThat(restored.exact()).isTrue();
        }
        assertThat(reporter.warnings).isEmpty();
        // The restored cache is what the container's go builds from, offline.
        // (-trimpath and no cgo as agent mode builds, so the image test below finds the build cache warm)
        CommandResult build = tester.run(CommandRequest.of("go", "build", "-trimpath", "-o", ws.resolve("bin/hello").toString(),
                        "./cmd/hello").withWorkDir(app).withEnv(Map.of("GOPROXY", "off", "GOMODCACHE", gomod.toString(),
                        "GOCACHE", ws.resolve("gocache").toString(), "CGO_ENABLED", "0")));
        assertThat(build.succeeded()).as("offline go build from the restored cache: %s", build.tailText()).isTrue();
        List<String> out = new CopyOnWriteArrayList<>();
        CommandResult hello = tester.run(CommandRequest.of(ws.resolve("bin/hello").toString()).withLines(out::add));
        assertThat(hello.succeeded()).isTrue();
        assertThat(out).containsExactly(GREETING);
    }

    @Test
    @Order(2)
    void affectedServicesOfAMaterializedFixtureOnTheSharedWorkspace() {
        int before = pod.commands().size();
        List<String> escapesBefore = watch.escapes();
        AffectedResult r = new AffectedEngine(new ParseCache(), Reporter.silent())
                .compute(new AffectedRequest(shop.repo(), BaseSpec.revision("change/base")));
        assertThat(r.services().stream().map(AffectedService::name).toList())
                .isEqualTo(shop.fixture().changes().get(0).expectation().affected());
        assertThat(pod.commands()).as("the affected engine reads files and git objects; it starts nothing").hasSize(before);
        assertThat(watch.escapes()).isEqualTo(escapesBefore);
    }

    @Test
    @Order(3)
    void agentModeImageCompilesInTheBuildContainerAndPackagesWithItsDockerClient() throws Exception {
        assertThat(gomod.resolve("example.com/greet@v1.0.0")).as("restored by the first test").isDirectory();
        String registry = REGISTRY + "/gopipe-pod-" + id;
        ImageJobOptions options = ImageJobOptions.builder()
                .repo(app.toString()).services(List.of("hello")).mode("agent").generate(true).runtime("scratch")
                .goImage(GO_IMAGE).network("host").registry(registry).push(true).tags(List.of("v1"))
                .goModCache(gomod.toString()).goCache(ws.resolve("gocache").toString())
                .workRoot(Files.createDirectories(ws.resolve("tmp")).toString()).driver("buildx")
                .streamLogs(false).build();
        RecordingReporter reporter = new RecordingReporter();
        List<ImageBuilder.Outcome> outcomes = new ImageJob(options, Map.of("BRANCH_NAME", "main"), pod, reporter).run();
        assertThat(outcomes).hasSize(1);
        ImageBuilder.Outcome o = outcomes.get(0);
        assertThat(o.ok()).as("image build: %s / %s", o.error(), reporter.infos).isTrue();
        String digest = o.result().digest();
        assertThat(digest).startsWith("sha256:");
        assertThat(manifestDigest(registry.substring(REGISTRY.length() + 1) + "/hello", "v1")).isEqualTo(digest);

        List<List<String>> ran = pod.commands();
        assertThat(ran).as("go build ran in the build container").anySatisfy(c -> assertThat(c).startsWith("go", "build"));
        assertThat(ran).as("buildx ran there too").anySatisfy(c -> assertThat(c).startsWith("docker", "buildx", "build"));
        assertThat(ran).as("zoneinfo came from the container's GOROOT, which this JVM cannot see")
                .anySatisfy(c -> assertThat(c).startsWith("cp").last().asString().endsWith("zoneinfo.zip"));

        String ref = registry + "/hello@" + digest;
        images.add(ref);
        List<String> out = new CopyOnWriteArrayList<>();
        CommandResult run = host(Duration.ofMinutes(2), out::add, "run", "--rm", "--network", "none", ref);
        assertThat(run.succeeded()).as("docker run %s: %s", ref, run.tailText()).isTrue();
        assertThat(out).contains(GREETING);
    }

    @Test
    @Order(4)
    void noCommandEscapedToThisJvmsProcessTable() {
        assertThat(watch.escapes()).as("processes this JVM started outside the pod's exec runner").isEmpty();
        assertThat(pod.programs()).as("everything the engine ran, it ran through the exec runner")
                .isNotEmpty().allSatisfy(p -> assertThat(p).isIn("go", "docker", "cp"));
        assertThat(pod.programs()).contains("go", "docker");
    }

    // ---- cache problems in the pod: a warning and a passing run; fatal only with failOnError ----

    @Test
    @Order(10)
    void anS3EndpointThatRefusesConnectionsIsAWarningAndAMiss() throws Exception {
        RecordingReporter reporter = new RecordingReporter();
        RestoreResult r = restoreAsTheStepDoes(pod, refusingS3(), false, reporter);
        assertThat(r.hit()).isFalse();
        assertThat(reporter.warnings).hasSize(1);
        assertThat(reporter.warnings.get(0)).contains("127.0.0.1");
    }

    @Test
    @Order(11)
    void anS3EndpointThatRefusesConnectionsFailsWithFailOnErrorNamingIt() throws Exception {
        URI endpoint = refusingS3();
        assertThatThrownBy(() -> restoreAsTheStepDoes(pod, endpoint, true, new RecordingReporter()))
                .isInstanceOf(CacheException.class)
                .hasMessageContaining("s3://")
                .satisfies(e -> assertThat(chain(e)).contains(endpoint.getHost() + ":" + endpoint.getPort()));
    }

    @Test
    @Order(12)
    void aMissingGoWithFailOnErrorFailsNamingGo() {
        DockerExecRunner bare = new DockerExecRunner(docker, bareContainer);
        assertThatThrownBy(() -> restoreAsTheStepDoes(bare, null, true, new RecordingReporter()))
                .isInstanceOf(CacheException.class)
                .hasMessageContaining("cannot run 'go'");
        assertThat(bare.programs()).as("go was looked for in the build container, nothing else ran").containsOnly("go");
    }

    @Test
    @Order(13)
    void aMissingGoIsAWarningAndAMiss() throws Exception {
        RecordingReporter reporter = new RecordingReporter();
        RestoreResult r = restoreAsTheStepDoes(new DockerExecRunner(docker, bareContainer), null, false, reporter);
        assertThat(r.hit()).isFalse();
        assertThat(reporter.warnings).singleElement().asString().contains("go");
    }

    @Test
    @Order(14)
    void anUnmountedCacheDirectoryIsAWarningAndAMissAndFatalWithFailOnError() throws Exception {
        Path share = ws.resolve("mnt/not-mounted/gopipe-cache");
        RecordingReporter reporter = new RecordingReporter();
        RestoreResult r = restoreFrom("local:" + share, false, reporter);
        assertThat(r.hit()).isFalse();
        assertThat(reporter.warnings).singleElement().asString().contains(share.toString());
        assertThat(share).doesNotExist();
        assertThatThrownBy(() -> restoreFrom("local:" + share, true, new RecordingReporter())).hasMessageContaining(share.toString());
        assertThat(share).doesNotExist();
    }

    // ---- helpers ----

    /**
     * What the plugin's cache step does on the agent (CacheCallable): one {@link CacheJob} restore of
     * the module cache, with {@code go env} answered through {@code runner} (the build container).
     */
    private RestoreResult restoreAsTheStepDoes(CommandRunner runner, URI s3Endpoint, boolean failOnError,
                                               Reporter reporter) {
        CacheStore store = s3Endpoint == null ? CacheStore.at("local:" + ws.resolve("store"), null, true)
                : CacheStore.at("s3://pod-cache/gopipe",
                        new S3Options(s3Endpoint, "us-east-1", true, "pod-access", "pod-secret", true), false);
        return restoreThroughJob(runner, store, failOnError, reporter);
    }

    private RestoreResult restoreFrom(String spec, boolean failOnError, Reporter reporter) {
        return restoreThroughJob(pod, CacheStore.at(spec, null, false), failOnError, reporter);
    }

    private RestoreResult restoreThroughJob(CommandRunner runner, CacheStore store, boolean failOnError, Reporter reporter) {
        CacheJobOptions options = CacheJobOptions.builder().policy("mod").workDir(ws.toString()).repo(app.toString())
                .path(ws.resolve("restore-" + UUID.randomUUID()).toString()).failOnError(failOnError)
                .progressInterval(Duration.ZERO).store(store).build();
        return new CacheJob(options, Map.of(), reporter, runner).restore();
    }

    /** A loopback port nothing listens on (bound, then released). */
    private static URI refusingS3() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort());
        }
    }

    private static String chain(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getMessage()).append(" | ");
        }
        return b.toString();
    }

    private CommandResult host(Duration timeout, String... dockerArgs) {
        return host(timeout, l -> { }, dockerArgs);
    }

    /** The test's own docker commands on the host (ProcessTableWatch knows them by this method's name). */
    private CommandResult host(Duration timeout, java.util.function.Consumer<String> lines, String... dockerArgs) {
        List<String> argv = new ArrayList<>(List.of(docker));
        argv.addAll(List.of(dockerArgs));
        return harness.run(CommandRequest.of(argv).withTimeout(timeout).withLines(lines));
    }

    private void writeApp() throws IOException {
        Files.writeString(app.resolve("go.mod"), "module example.com/podapp\n\ngo 1.24\n\nrequire example.com/greet v1.0.0\n");
        Path main = Files.createDirectories(app.resolve("cmd/hello")).resolve("main.go");
        Files.writeString(main, "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/greet\"\n)\n\n"
                + "func main() {\n\tfmt.Println(greet.Hello())\n}\n");
    }

    /** A GOPROXY=file:// module proxy with one module, laid out as the go command's proxy protocol says. */
    private void writeModuleProxy() throws IOException {
        Path v = Files.createDirectories(ws.resolve("proxy/example.com/greet/@v"));
        String mod = "module example.com/greet\n\ngo 1.20\n";
        Files.writeString(v.resolve("list"), "v1.0.0\n");
        Files.writeString(v.resolve("v1.0.0.info"), "{\"Version\":\"v1.0.0\",\"Time\":\"2024-01-01T00:00:00Z\"}\n");
        Files.writeString(v.resolve("v1.0.0.mod"), mod);
        try (OutputStream f = Files.newOutputStream(v.resolve("v1.0.0.zip")); ZipOutputStream zip = new ZipOutputStream(f)) {
            zipEntry(zip, "example.com/greet@v1.0.0/go.mod", mod);
            zipEntry(zip, "example.com/greet@v1.0.0/greet.go",
                    "package greet\n\n// Hello is what the pod's binary prints.\nfunc Hello() string {\n\treturn \""
                            + GREETING + "\"\n}\n");
        }
    }

    private static void zipEntry(ZipOutputStream zip, String name, String text) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(text.getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }

    private static String manifestDigest(String repo, String tag) throws Exception {
        HttpResponse<Void> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://" + REGISTRY + "/v2/" + repo + "/manifests/" + tag))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept", "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
                        + "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json")
                .build(), HttpResponse.BodyHandlers.discarding());
        return r.statusCode() == 200 ? r.headers().firstValue("Docker-Content-Digest").orElse(null) : null;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                p.toFile().setWritable(true);
                Files.delete(p);
            }
        }
    }
}
