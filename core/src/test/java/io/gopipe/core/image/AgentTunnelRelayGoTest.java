package io.gopipe.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.gopipe.core.exec.LocalCommandRunner;
import io.gopipe.core.gocache.BridgeBinary;
import io.gopipe.core.gocache.GoCacheGoTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Design (b)'s whole path without BuildKit in between: go (real Go 1.24) → relay (built from the
 * jar's source) → the ssh-agent framing → {@link AgentTunnel} → a real {@code gopipe gocache serve}
 * daemon, the relay talking to the tunnel socket directly where inside a build BuildKit forwards
 * it. A fresh agent's daemon and an empty bridge folder build {@code svc/hello} from the key's
 * prefetched set in a few tunnel write requests (before the set stream: one per get), compiling nothing.
 * Needs no docker, so it runs without the bench lock.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentTunnelRelayGoTest {

    static final Path GO = GoCacheGoTest.GO;
    static final Pattern TUNNEL = Pattern.compile("Go build cache tunnel: (\\d+) sessions, (\\d+) requests \\((\\d+) writes\\)");
    static final Pattern FIGURES = Pattern.compile("gopipe: gocache: (\\d+) gets, (\\d+) hits");

    Path shared;
    Path module;
    Path bridge;
    Path relay;
    Path plainHello;
    final List<ServingDaemon> daemons = new ArrayList<>();

    @BeforeAll
    void setUp() throws Exception {
        assertThat(GO).as("Go 1.24 toolchain").exists();
        shared = Files.createTempDirectory("gopipe-tunnel-relay-");
        module = shared.resolve("mod");
        copy(Path.of("..", "test-repos", "gocache-mod").toAbsolutePath().normalize(), module);
        bridge = BridgeBinary.build(new LocalCommandRunner(), GO.toString(), shared.resolve("bridges"));
        Path src = Files.createDirectories(shared.resolve("relay-src"));
        GoCacheProgDockerfile.sources().forEach((name, text) -> {
            if (name.startsWith("relay/")) {
                try {
                    Files.writeString(src.resolve(name.substring(6)), text);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        relay = shared.resolve("relay");
        go(src, Map.of("GOCACHE", shared.resolve("relay-cache").toString()), "build", "-o", relay.toString(), ".").assertOk();
        plainHello = shared.resolve("plain-hello");
        go(module, Map.of("GOCACHE", shared.resolve("plain-cache").toString()), "build", "-o", plainHello.toString(),
                "./svc/hello").assertOk();
    }

    @AfterEach
    void stop() throws Exception {
        for (ServingDaemon d : daemons) {
            d.stop();
        }
        daemons.clear();
    }

    @AfterAll
    void cleanUp() {
        ImageBuilder.deleteTree(shared);
    }

    @Test
    void aFreshAgentBuildsFromThePrefetchedSetWithFewTunnelWrites() throws Exception {
        Path store = shared.resolve("store");
        ImageEngineIntegrationTest.CapturingReporter coldLog = new ImageEngineIntegrationTest.CapturingReporter();
        GoCacheGoTest.Run cold = buildThroughTunnel(daemon(store, "cold"), coldLog, "own-cold", "hello@main");
        assertThat(cold.exit()).as(cold.output()).isZero();
        assertThat(cold.output()).doesNotContain("WARNING");

        // A fresh agent (new daemon, empty tier, same store) and an empty bridge folder (a pruned builder).
        ImageEngineIntegrationTest.CapturingReporter log = new ImageEngineIntegrationTest.CapturingReporter();
        GoCacheGoTest.Run r = buildThroughTunnel(daemon(store, "fresh"), log, "own-fresh", "hello@change|hello@main");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).doesNotContain("WARNING");
        assertThat(r.output().lines().filter(l -> l.contains("/compile "))).as("compiled packages").isEmpty();
        assertThat(Files.readAllBytes(shared.resolve("out-own-fresh"))).isEqualTo(Files.readAllBytes(plainHello));
        Matcher f = FIGURES.matcher(r.output());
        assertThat(f.find()).as(r.output()).isTrue();
        int hits = Integer.parseInt(f.group(2));
        assertThat(hits).isGreaterThan(30);
        // A get asked one by one costs a write request (and a read); the stream's answers are read in
        // blocks whose count depends on timing, so the writes are what shows the path.
        int writes = log.lines().stream().map(TUNNEL::matcher).filter(Matcher::find)
                .mapToInt(m -> Integer.parseInt(m.group(3))).sum();
        assertThat(writes).as("tunnel write requests for " + hits + " hits: " + log.lines()).isPositive().isLessThan(hits / 2);
        assertThat(daemons).allSatisfy(d -> assertThat(d.log().warnings()).as("the daemon's warnings (the early prefetch"
                + " connection ends cleanly)").isEmpty());
    }

    /**
     * The direct link (a local builder, {@code --network host}): the same fresh-agent build with the
     * link's value in the variable the Dockerfile's prefix hands to the relay, no ssh-agent framing.
     */
    @Test
    void theDirectLinkServesAFreshAgentFromThePrefetchedSet() throws Exception {
        Path store = shared.resolve("store-direct");
        GoCacheGoTest.Run cold = buildThroughLink(daemon(store, "d-cold"), "d-own-cold", "hello@main", null);
        assertThat(cold.exit()).as(cold.output()).isZero();
        assertThat(cold.output()).doesNotContain("WARNING");

        GoCacheGoTest.Run r = buildThroughLink(daemon(store, "d-fresh"), "d-own-fresh", "hello@change|hello@main", null);
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).doesNotContain("WARNING");
        assertThat(r.output().lines().filter(l -> l.contains("/compile "))).as("compiled packages").isEmpty();
        assertThat(Files.readAllBytes(shared.resolve("out-d-own-fresh"))).isEqualTo(Files.readAllBytes(plainHello));
        Matcher f = FIGURES.matcher(r.output());
        assertThat(f.find()).as(r.output()).isTrue();
        assertThat(Integer.parseInt(f.group(2))).as("hits").isGreaterThan(30);
        assertThat(daemons).allSatisfy(d -> assertThat(d.log().warnings()).isEmpty());
    }

    /** A connection without the link's token gets nothing: one warning from the bridge, a plain build. */
    @Test
    void theDirectLinkRefusesAWrongToken() throws Exception {
        GoCacheGoTest.Run r = buildThroughLink(daemon(shared.resolve("store-token"), "t-agent"), "t-own", "hello@main",
                "0123456789abcdef0123456789abcdef");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("WARNING");
        assertThat(r.output().lines().filter(l -> l.contains("/compile "))).as("compiled packages").isNotEmpty();
    }

    private GoCacheGoTest.Run buildThroughLink(String daemon, String own, String key, String wrongToken) throws Exception {
        try (DirectGoCacheLink link = DirectGoCacheLink.start(daemon)) {
            String value = link.buildArgValue(List.of("-prefetch-key=" + key));
            if (wrongToken != null) {
                value = value.replace(link.token(), wrongToken);
            }
            Map<String, String> env = new HashMap<>();
            env.put("GOPIPE_GOCACHE_DIRECT", value);
            env.put("GOCACHEPROG", relay + " -direct-env GOPIPE_GOCACHE_DIRECT " + bridge + " -copy -dir " + shared.resolve(own));
            env.put("GOCACHE", shared.resolve("gc-" + own).toString());
            GoCacheGoTest.Run r = go(module, env, "build", "-x", "-o", shared.resolve("out-" + own).toString(), "./svc/hello");
            if (wrongToken == null) {
                assertThat(link.connections()).as(link.figures()).isPositive();
            }
            return r;
        }
    }

    private GoCacheGoTest.Run buildThroughTunnel(String daemon, ImageEngineIntegrationTest.CapturingReporter log, String own, String key)
            throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "gopipe-tt-");
        try (AgentTunnel tunnel = AgentTunnel.start(dir, daemon, log)) {
            tunnel.prefetch(key);
            Path args = shared.resolve("args-" + own);
            Files.writeString(args, "-prefetch-key=" + key + "\n");
            Map<String, String> env = new HashMap<>();
            env.put("GOCACHEPROG", relay + " -agent " + tunnel.socket() + " -args-file " + args + " " + bridge
                    + " -copy -dir " + shared.resolve(own));
            env.put("GOCACHE", shared.resolve("gc-" + own).toString());
            return go(module, env, "build", "-x", "-o", shared.resolve("out-" + own).toString(), "./svc/hello");
        } finally {
            ImageBuilder.deleteTree(dir);
        }
    }

    private String daemon(Path store, String agent) throws Exception {
        ServingDaemon d = ServingDaemon.start(store, shared.resolve(agent + "-tier"),
                Files.createTempDirectory(Path.of("/tmp"), "gopipe-td-").resolve("d.sock"));
        daemons.add(d);
        return d.address();
    }

    private static GoCacheGoTest.Run go(Path dir, Map<String, String> env, String... args) throws Exception {
        return GoCacheGoTest.go(env).in(dir).args(args).run();
    }

    private static void copy(Path from, Path to) throws Exception {
        try (var s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}
