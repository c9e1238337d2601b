package io.gopipe.core.gocache;

import io.gopipe.core.cache.remote.StoreAccess;
import io.gopipe.core.gocache.GoCacheGoTest.GoCmd;
import io.gopipe.core.gocache.GoCacheGoTest.Run;
import io.gopipe.core.gocache.store.ControllerObjectServer;
import io.gopipe.core.gocache.store.ControllerObjectStore;
import io.gopipe.core.gocache.store.LoopbackObjectServer;
import io.gopipe.core.gocache.store.ObjectStore;
import io.gopipe.core.gocache.store.ObjectStores;
import io.gopipe.core.gocache.store.StoredObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The remote Go build cache on the Jenkins controller's store, the way the plugin wires it: the
 * namespace rules of {@link ControllerObjectServer} (the object the plugin exports over the agent
 * channel; here it is called in-process, remoting itself is Jenkins' part), served by the real
 * {@link LoopbackObjectServer} to real {@code gopipe gocache} processes that real Go 1.24 builds
 * start with {@code --backend controller:<endpoint file>}.
 */
class ControllerObjectStoreTest {

    static final String SHARED = "folder:acme/shop";
    static final String PR = "job:acme/shop/PR-7";
    static final String OTHER = "folder:acme/other";

    @TempDir
    static Path shared;
    static Path module;
    static Path plainHello;

    @TempDir
    Path work;

    @BeforeAll
    static void module() throws Exception {
        assertThat(GoCacheGoTest.GO).as("Go 1.24 toolchain (GOCACHEPROG needs >= 1.24)").exists();
        module = shared.resolve("mod");
        GoCacheGoTest.copyTree(Path.of("..", "test-repos", "gocache-mod").toAbsolutePath().normalize(), module);
        plainHello = shared.resolve("plain-hello");
        go(Map.of("GOCACHE", shared.resolve("plain-cache").toString()), "build", "-o", plainHello.toString(), "./svc/hello").assertOk();
    }

    private Path root() {
        return work.resolve("jenkins-home/gopipe-cache");
    }

    /** What the plugin does for one goModCache body: the controller's rules, served on the agent's loopback. */
    private LoopbackObjectServer serve(StoreAccess access, String name) throws IOException {
        return LoopbackObjectServer.start(ControllerObjectServer.forAgent(root(), access), work.resolve("ws@tmp/" + name + ".endpoint"));
    }

    private static StoreAccess branch() {
        return StoreAccess.forBuild(SHARED, "job:acme/shop/main", false, false);
    }

    private static StoreAccess pullRequest(boolean readOnly) {
        return StoreAccess.forBuild(SHARED, PR, true, readOnly);
    }

    private Run build(LoopbackObjectServer server, String disk, String pkg, String out, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(extra));
        Map<String, String> env = GoCacheGoTest.prog(ObjectStores.CONTROLLER + server.endpointFile(), work.resolve(disk), args.toArray(new String[0]));
        return go(env, "build", "-x", "-o", work.resolve(out).toString(), pkg);
    }

    @Test
    void aRealGoBuildFillsTheControllerStoreAndAFreshAgentCompilesNothing() throws Exception {
        Path objects = ControllerObjectServer.objectsDir(root(), SHARED);
        try (LoopbackObjectServer server = serve(branch(), "b1")) {
            Run first = build(server, "disk1", "./svc/hello", "hello1", "--prefetch-key", "hello/main").assertOk();
            assertThat(first.warnings()).isEmpty();
            assertThat(first.compiles()).isNotEmpty();
        }
        assertThat(objects.resolve("o")).isDirectoryContaining(p -> true);
        assertThat(objects.resolve("m")).as("the prefetch manifest of hello/main").isDirectoryContaining(p -> true);
        GoCacheGoTest.assertEveryObjectIntact(objects.getParent());

        // A fresh agent (empty local tier, new loopback server, new token) against the same controller store.
        try (LoopbackObjectServer server = serve(branch(), "b2")) {
            Run second = build(server, "disk2", "./svc/hello", "hello2", "--prefetch-key", "hello/main").assertOk();
            assertThat(second.warnings()).isEmpty();
            assertThat(second.compiles()).as("compile steps from a warm controller store").isEmpty();
        }
        assertThat(Files.readAllBytes(work.resolve("hello2"))).isEqualTo(Files.readAllBytes(plainHello));
        assertThat(Files.readAllBytes(work.resolve("hello1"))).isEqualTo(Files.readAllBytes(plainHello));

        // The controller's pruning finds the namespace by name; within the grace period nothing goes.
        Map<String, GoCachePruneResult> pruned = ControllerObjectServer.prune(root(), 1, Duration.ofDays(1));
        assertThat(pruned).containsOnlyKeys(SHARED);
        assertThat(pruned.get(SHARED).objectsRemoved()).isZero();
        assertThat(pruned.get(SHARED).kept().objects()).isPositive();
    }

    @Test
    void pullRequestsReadTheSharedNamespaceAndWriteOnlyTheirOwn() throws Exception {
        try (LoopbackObjectServer server = serve(branch(), "b")) {
            build(server, "disk-b", "./svc/hello", "hello", "--prefetch-key", "hello/main").assertOk();
        }
        Path sharedObjects = ControllerObjectServer.objectsDir(root(), SHARED);
        Map<String, Long> sharedBefore = GoCacheGoTest.snapshot(sharedObjects);

        // A PR reads the shared namespace: what the branch built is not compiled again.
        try (LoopbackObjectServer server = serve(pullRequest(false), "pr0")) {
            Run pr = build(server, "disk-pr0", "./svc/hello", "hello-pr", "--prefetch-key", "hello/main").assertOk();
            assertThat(pr.compiles()).as("a PR build of what the branch built").isEmpty();
        }
        // The PR builds another service: the shared library comes from the shared namespace, its own outputs go to the PR's.
        try (LoopbackObjectServer server = serve(pullRequest(false), "pr")) {
            Run pr = build(server, "disk-pr", "./svc/adder", "adder-pr", "--prefetch-key", "adder/main").assertOk();
            assertThat(pr.warnings()).isEmpty();
            assertThat(pr.compiles()).as("the PR compiles its own packages").isNotEmpty();
        }
        assertThat(GoCacheGoTest.snapshot(sharedObjects)).as("the shared namespace after a PR build").isEqualTo(sharedBefore);
        Path prObjects = ControllerObjectServer.objectsDir(root(), PR);
        assertThat(prObjects.resolve("o")).isDirectoryContaining(p -> true);

        // The PR reads its own outputs back: a fresh agent of the PR compiles nothing.
        try (LoopbackObjectServer server = serve(pullRequest(false), "pr2")) {
            Run again = build(server, "disk-pr2", "./svc/adder", "adder-pr2", "--prefetch-key", "adder/main").assertOk();
            assertThat(again.compiles()).as("a PR re-run reads its own namespace").isEmpty();
        }
        // The branch never sees what the PR wrote: its build of adder compiles.
        try (LoopbackObjectServer server = serve(branch(), "b2")) {
            Run b = build(server, "disk-b2", "./svc/adder", "adder-b", "--prefetch-key", "adder/main").assertOk();
            assertThat(b.compiles()).as("the branch does not read the PR's objects").isNotEmpty();
        }

        // A read-only PR writes nothing anywhere, and still builds.
        Map<String, Long> all = GoCacheGoTest.snapshot(root());
        try (LoopbackObjectServer server = serve(pullRequest(true), "ro")) {
            build(server, "disk-ro", "./svc/hello", "hello-ro").assertOk();
            ObjectStore store = ObjectStores.open(ObjectStores.CONTROLLER + server.endpointFile(), null, Duration.ofSeconds(10));
            assertThatThrownBy(() -> store.put("o/abc", new ByteArrayInputStream(new byte[] {1}), 1))
                    .isInstanceOf(AccessDeniedException.class).hasMessageContaining("read-only");
            assertThat(store.get("o/abc")).isEmpty();
        }
        assertThat(GoCacheGoTest.snapshot(root())).as("the whole store after a read-only PR").isEqualTo(all);

        // Another folder sees none of it.
        ControllerObjectServer other = ControllerObjectServer.forAgent(root(), StoreAccess.forBuild(OTHER, "job:acme/other/main", false, false));
        String anObject = "o/" + Files.list(sharedObjects.resolve("o")).findFirst().orElseThrow().getFileName();
        assertThat(other.size(anObject)).isEqualTo(-1);
        assertThat(other.read(anObject, 0, 10)).isNull();
        assertThat(other.list("o/")).isEmpty();
        assertThat(ControllerObjectServer.forAgent(root(), branch()).size(anObject)).isPositive();
    }

    @Test
    void bigObjectsNamesTokensAndTheEndOfTheStep() throws Exception {
        LoopbackObjectServer server = serve(branch(), "api");
        Path endpoint = server.endpointFile();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(endpoint))).isEqualTo("rw-------");
        ControllerObjectStore store = new ControllerObjectStore(endpoint, Duration.ofSeconds(10));

        // Bigger than one remoting call: staged in parts on the controller, published at once.
        byte[] big = new byte[9 << 20 | 12345];
        new Random(7).nextBytes(big);
        store.put("p/big.pack", new ByteArrayInputStream(big), big.length);
        assertThat(store.get("p/big.pack")).get().isEqualTo(big);
        try (InputStream in = store.open("p/big.pack")) {
            assertThat(in.readAllBytes()).isEqualTo(big);
        }
        assertThat(store.list("p/")).extracting(StoredObject::name, StoredObject::size).containsExactly(org.assertj.core.groups.Tuple.tuple("p/big.pack", (long) big.length));
        assertThat(Files.readAllBytes(ControllerObjectServer.objectsDir(root(), SHARED).resolve("p/big.pack"))).isEqualTo(big);
        assertThat(ControllerObjectServer.objectsDir(root(), SHARED).resolve("tmp")).isEmptyDirectory();
        // A short upload is refused and leaves nothing.
        assertThatThrownBy(() -> store.put("p/short.pack", new ByteArrayInputStream(big, 0, 5 << 20), 6 << 20)).isInstanceOf(IOException.class);
        assertThat(store.exists("p/short.pack")).isFalse();

        store.put("a/x", new ByteArrayInputStream("rec".getBytes(StandardCharsets.UTF_8)), 3);
        assertThat(store.exists("a/x")).isTrue();
        assertThat(store.exists("a/y")).isFalse();
        assertThatThrownBy(() -> store.delete("a/x")).isInstanceOf(AccessDeniedException.class);

        // The controller checks names, whatever the agent sends.
        ControllerObjectServer rules = ControllerObjectServer.forAgent(root(), branch());
        for (String bad : List.of("../ns", "a/../../x", "/etc/passwd", "tmp/evil", "", "a b")) {
            assertThatThrownBy(() -> rules.read(bad, 0, 1)).as(bad).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> rules.put(bad, new byte[] {1})).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> rules.write("no-such-upload", 0, new byte[] {1})).isInstanceOf(IOException.class);

        // The loopback server wants the token and checks names too.
        List<String> lines = Files.readAllLines(endpoint);
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(URI.create(lines.get(0) + "o/a/x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(noToken.statusCode()).isEqualTo(403);
        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(lines.get(0) + "o/a/x"))
                .header("X-Gopipe-Token", "0".repeat(64)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(403);
        HttpResponse<String> traversal = http.send(HttpRequest.newBuilder(URI.create(lines.get(0) + "o/..%2F..%2Fnamespace"))
                .header("X-Gopipe-Token", lines.get(1)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(traversal.statusCode()).isEqualTo(400);
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(lines.get(0) + "o/a/x"))
                .header("X-Gopipe-Token", lines.get(1)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.body()).isEqualTo("rec");

        // When the step ends the server goes, with its endpoint file: later calls fail (the program's miss).
        server.close();
        assertThat(endpoint).doesNotExist();
        assertThatThrownBy(() -> store.get("a/x")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> new ControllerObjectStore(endpoint, Duration.ofSeconds(5)).get("a/x"))
                .isInstanceOf(IOException.class).hasMessageContaining("endpoint file is missing");
    }

    private static Run go(Map<String, String> env, String... args) throws Exception {
        return new GoCmd(env, module, new ArrayList<>()).args(args).run();
    }
}
