package io.gopipe.core.gocache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gopipe.core.exec.LocalCommandRunner;
import io.gopipe.core.report.RecordingReporter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.gopipe.core.gocache.GoCacheGoTest.GO;
import static io.gopipe.core.gocache.GoCacheGoTest.builds;
import static io.gopipe.core.gocache.GoCacheGoTest.copyTree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The bridge (built from the jar's Go source with the real Go 1.24) and {@code gopipe gocache serve}
 * ({@link GoCacheDaemon}) on {@code test-repos/gocache-mod}: binaries identical to a plain GOCACHE
 * build, nothing compiled on a warm agent or from a warm store, eight go processes on one daemon, a
 * daemon killed mid-build or never started, the lock, the protocol version, go older than 1.24.
 */
class GoCacheDaemonGoTest {

    @TempDir
    static Path shared;
    static Path module;
    static Path plain;
    static Path bridge;

    @TempDir
    Path work;

    private final List<Running> daemons = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        assertThat(GO).as("Go 1.24 toolchain (GOCACHEPROG needs >= 1.24)").exists();
        module = shared.resolve("mod");
        copyTree(Path.of("..", "test-repos", "gocache-mod").toAbsolutePath().normalize(), module);
        plain = shared.resolve("plain");
        Map<String, String> env = Map.of("GOCACHE", shared.resolve("plain-cache").toString());
        for (String[] build : builds()) {
            go(env, build[0], "-o", plain.resolve(build[1]).toString(), build[2]).assertOk();
        }
        bridge = BridgeBinary.build(new LocalCommandRunner(), GO.toString(), shared.resolve("bridges"));
    }

    @AfterEach
    void stopDaemons() throws Exception {
        for (Running d : daemons) {
            d.daemon.stop();
            d.serving.get(1, TimeUnit.MINUTES);
        }
    }

    @Test
    void theBridgeIsBuiltOfflineFromTheJarsSourceOncePerGoVersion() throws Exception {
        assertThat(bridge).isExecutable();
        assertThat(bridge.getFileName().toString()).startsWith("gopipe-gocache-bridge-");
        long built = Files.getLastModifiedTime(bridge).toMillis();
        Thread.sleep(20);
        assertThat(BridgeBinary.build(new LocalCommandRunner(), GO.toString(), shared.resolve("bridges"))).isEqualTo(bridge);
        assertThat(Files.getLastModifiedTime(bridge).toMillis()).as("reused, not rebuilt").isEqualTo(built);
        try (var s = Files.list(shared.resolve("bridges"))) {
            assertThat(s.map(p -> p.getFileName().toString()).collect(Collectors.toList()))
                    .as("no build directory or temporary binary left").containsExactly(bridge.getFileName().toString());
        }
        // The jar's source is what was built: another source makes another key.
        Map<String, byte[]> src = BridgeBinary.sources();
        assertThat(new String(src.get("main.go"), StandardCharsets.UTF_8)).contains("package main").doesNotContain("import \"golang.org");
        assertThat(BridgeBinary.key(src, "go1.24.4 linux/amd64")).isNotEqualTo(BridgeBinary.key(src, "go1.24.5 linux/amd64"));
        assertThat(bridge.getFileName().toString()).endsWith(BridgeBinary.key(src, goEnv("GOVERSION") + " " + goEnv("GOOS") + "/" + goEnv("GOARCH")));
    }

    @Test
    void goOlderThan124IsRefusedNamingItsVersion() {
        Path go119 = Path.of("/usr/lib/go-1.19/bin/go");
        assertThat(go119).exists();
        assertThatThrownBy(() -> BridgeBinary.build(new LocalCommandRunner(), go119.toString(), work.resolve("b")))
                .isInstanceOf(BridgeBinary.GoTooOldException.class).hasMessageContaining("go1.19").hasMessageContaining("GOCACHEPROG");
        GoCacheSupport old = GoCacheSupport.check(new LocalCommandRunner(), go119.toString(), null);
        assertThat(old.supported()).isFalse();
        assertThat(old.warning()).contains("go1.19").contains("ignores GOCACHEPROG").contains("archive");
        GoCacheSupport current = GoCacheSupport.check(new LocalCommandRunner(), GO.toString(), module);
        assertThat(current.supported()).isTrue();
        assertThat(current.goVersion()).startsWith("go1.24");
        assertThat(current.warning()).isNull();
        assertThat(GoCacheSupport.check(new LocalCommandRunner(), work.resolve("no-go").toString(), null).warning())
                .contains("no-go").contains("archive");
        assertThat(BridgeBinary.supportsGocacheprog("go1.24.0")).isTrue();
        assertThat(BridgeBinary.supportsGocacheprog("go1.23.9")).isFalse();
        assertThat(BridgeBinary.supportsGocacheprog("devel go1.25-abcdef")).isTrue();
    }

    @Test
    void buildsThroughBridgeAndDaemonAreIdenticalAndAWarmAgentOrStoreCompilesNothing() throws Exception {
        Path store = work.resolve("store");
        Running d = daemon(store, work.resolve("tier"));
        for (String[] build : builds()) {
            Path out = work.resolve("cold-" + build[1]);
            Run r = go(bridgeEnv(d, work.resolve("gc1"), "-prefetch-key", build[1]), build[0], "-o", out.toString(), build[2]);
            r.assertOk();
            assertThat(r.warnings()).isEmpty();
            assertThat(Files.readAllBytes(out)).as(build[1] + " through the bridge equals the plain build")
                    .isEqualTo(Files.readAllBytes(plain.resolve(build[1])));
        }
        // Same agent, new GOCACHE: every get is answered from the daemon's tier.
        Path stats = work.resolve("warm.jsonl");
        for (String[] build : builds()) {
            Path out = work.resolve("warm-" + build[1]);
            Run r = go(bridgeEnv(d, work.resolve("gc2"), "-prefetch-key", build[1], "-stats-json", stats.toString()),
                    build[0], "-x", "-o", out.toString(), build[2]);
            r.assertOk();
            assertThat(r.compiles()).as("compile steps of " + build[1] + " on a warm agent").isEmpty();
            assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(plain.resolve(build[1])));
            assertThat(r.output()).contains("gopipe: gocache: ");
        }
        List<JsonNode> warm = figures(stats);
        assertThat(warm).hasSize(3);
        assertThat(warm.get(0).path("localHits").asLong()).isPositive();
        d.daemon.stop();
        d.serving.get(1, TimeUnit.MINUTES);
        daemons.remove(d);

        // A fresh agent: a new daemon with an empty tier against the warm store; the prefetch brings everything.
        Running fresh = daemon(store, work.resolve("tier-fresh"));
        Path stats2 = work.resolve("fresh.jsonl");
        for (String[] build : builds()) {
            Path out = work.resolve("fresh-" + build[1]);
            Run r = go(bridgeEnv(fresh, work.resolve("gc3"), "-prefetch-key", build[1], "-stats-json", stats2.toString()),
                    build[0], "-x", "-o", out.toString(), build[2]);
            r.assertOk();
            assertThat(r.compiles()).as("compile steps of " + build[1] + " from a warm store").isEmpty();
            assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(plain.resolve(build[1])));
        }
        assertThat(figures(stats2).get(0).path("prefetchHits").asLong()).as("the first build's hits came from its prefetch").isPositive();
        assertThat(figures(stats2).get(0).path("remoteHits").asLong()).isZero();

        // Outputs over the socket (as inside BuildKit): a bridge with its own empty directory.
        Path out = work.resolve("copy-hello");
        Path bridgeDir = work.resolve("bridge-own");
        Run r = go(bridgeEnv(fresh, work.resolve("gc4"), "-copy", "-dir", bridgeDir.toString()), "build", "-x", "-o", out.toString(), "./svc/hello");
        r.assertOk();
        assertThat(r.compiles()).isEmpty();
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(plain.resolve("hello")));
        assertThat(r.output()).contains(bridgeDir.toString()); // go -x names the DiskPath files it links
        try (var s = Files.walk(bridgeDir.resolve("o1"))) {
            assertThat(s.filter(Files::isRegularFile).count()).as("outputs received into the bridge's own directory").isPositive();
        }
        // And go test itself runs through the bridge.
        GoCacheGoTest.go(bridgeEnv(fresh, work.resolve("gc5"))).in(module).args("test", "./...").run().assertOk();
    }

    @Test
    void eightConcurrentGoProcessesShareOneDaemon() throws Exception {
        Path store = work.resolve("store8");
        Running d = daemon(store, work.resolve("tier8"));
        Path stats = work.resolve("stats8.jsonl");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Run>> runs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String[] build = builds().get(i % 2);
                Path out = work.resolve("out" + i);
                List<String> extra = new ArrayList<>(List.of("-prefetch-key", build[1], "-stats-json", stats.toString()));
                if (i >= 4) {
                    extra.addAll(List.of("-copy", "-dir", work.resolve("own" + (i % 2)).toString())); // half over the socket
                }
                Map<String, String> env = bridgeEnv(d, work.resolve("gc" + i), extra.toArray(String[]::new));
                runs.add(pool.submit(() -> go(env, build[0], "-o", out.toString(), build[2])));
            }
            for (int i = 0; i < 8; i++) {
                Run r = runs.get(i).get(10, TimeUnit.MINUTES);
                r.assertOk();
                assertThat(r.warnings()).as(r.output()).isEmpty();
                assertThat(Files.readAllBytes(work.resolve("out" + i))).isEqualTo(Files.readAllBytes(plain.resolve(builds().get(i % 2)[1])));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(figures(stats)).as("one figures line per go process").hasSize(8);
        assertThat(d.log.infos.stream().filter(l -> l.startsWith("client ")).count()).isEqualTo(8);
        GoCacheGoTest.assertEveryObjectIntact(store);
        // The store alone (new daemon, empty tier) now serves a build without compiling.
        Running fresh = daemon(store, work.resolve("tier8-fresh"));
        Run r = go(bridgeEnv(fresh, work.resolve("gc-fresh")), "build", "-x", "-o", work.resolve("again").toString(), "./svc/adder");
        r.assertOk();
        assertThat(r.compiles()).isEmpty();
    }

    @Test
    void aDaemonKilledMidBuildIsOneWarningAndTheBuildSucceeds() throws Exception {
        // Fill a store, then serve it from a daemon process with an empty tier, and kill -9 that process mid-build.
        Path store = work.resolve("store-k");
        Running filler = daemon(store, work.resolve("tier-fill"));
        go(bridgeEnv(filler, work.resolve("gc-fill")), "build", "-o", work.resolve("h0").toString(), "./svc/hello").assertOk();
        Path socket = work.resolve("k.sock");
        Process daemon = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC",
                "-Xmx256m", "-cp", GoCacheGoTest.childClassPath(), GoCacheDaemonTestMain.class.getName(),
                "--backend", "local:" + store, "--dir", work.resolve("tier-k").toString(), "--socket", socket.toString(),
                "--signal-after-gets", "10").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            waitFor(work.resolve("k.sock.ready"));
            Path out = work.resolve("hello");
            Map<String, String> env = new HashMap<>();
            env.put("GOCACHEPROG", bridge + " -daemon unix:" + socket);
            env.put("GOCACHE", work.resolve("gc-k").toString());
            Process go = GoCacheGoTest.go(env).in(module).args("build", "-x", "-o", out.toString(), "./svc/hello").start();
            go.getOutputStream().close();
            Future<String> goErr = Executors.newSingleThreadExecutor().submit(() -> new String(go.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            boolean signalled = false;
            try (BufferedReader err = new BufferedReader(new InputStreamReader(daemon.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = err.readLine()) != null) {
                    if (line.equals("STORE-USED")) {
                        daemon.destroyForcibly(); // SIGKILL while go is still asking
                        signalled = true;
                        break;
                    }
                }
            }
            assertThat(signalled).as("the daemon reached the store").isTrue();
            assertThat(go.waitFor(5, TimeUnit.MINUTES)).isTrue();
            String output = goErr.get();
            assertThat(go.exitValue()).as(output).isZero();
            List<String> warnings = output.lines().filter(l -> l.startsWith("WARNING")).collect(Collectors.toList());
            assertThat(warnings).as(output).hasSize(1);
            assertThat(warnings.get(0)).contains("gopipe gocache bridge").contains("daemon");
            assertThat(output.lines().filter(l -> l.contains("/compile ")).count()).as("packages compiled after the daemon died").isPositive();
            assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(plain.resolve("hello")));
        } finally {
            daemon.destroyForcibly();
        }
    }

    @Test
    void theGoCommandsOfOneJobWriteOneManifestOfEverythingTheJobUsed() throws Exception {
        Path store = work.resolve("store-job");
        Running d = daemon(store, work.resolve("tier-job"));
        // One job, one key, two go commands (a build and another build): two sessions on the daemon.
        go(bridgeEnv(d, work.resolve("gc-a"), "-prefetch-key", "job"), "build", "-o", work.resolve("h").toString(), "./svc/hello").assertOk();
        go(bridgeEnv(d, work.resolve("gc-b"), "-prefetch-key", "job"), "build", "-o", work.resolve("a").toString(), "./svc/adder").assertOk();
        // A fresh agent's prefetch of that key brings what the first command used too.
        Running fresh = daemon(store, work.resolve("tier-job-fresh"));
        Path stats = work.resolve("job.jsonl");
        Run r = go(bridgeEnv(fresh, work.resolve("gc-c"), "-prefetch-key", "job", "-read-only", "-stats-json", stats.toString()),
                "build", "-x", "-o", work.resolve("h2").toString(), "./svc/hello");
        r.assertOk();
        assertThat(r.compiles()).isEmpty();
        JsonNode f = figures(stats).get(0);
        assertThat(f.path("remoteHits").asLong()).as(f.toString()).isZero();
        assertThat(f.path("prefetchHits").asLong()).as(f.toString()).isPositive();
        // The job's next go command shares that prefetch: the manifest is not read again, nothing is fetched.
        Path statsNext = work.resolve("job-next.jsonl");
        Run next = go(bridgeEnv(fresh, work.resolve("gc-c2"), "-prefetch-key", "job", "-read-only", "-stats-json", statsNext.toString()),
                "build", "-x", "-o", work.resolve("a3").toString(), "./svc/adder");
        next.assertOk();
        assertThat(next.compiles()).isEmpty();
        JsonNode n = figures(statsNext).get(0);
        assertThat(n.path("bytesDown").asLong()).as(n.toString()).isZero();
        assertThat(n.path("remoteHits").asLong()).as(n.toString()).isZero();

        // A daemon started with the job's key prefetches before go connects; its bytes count in the first session.
        Running keyed = daemon(store, work.resolve("tier-job-keyed"), "job");
        Path stats2 = work.resolve("keyed.jsonl");
        Run k = go(bridgeEnv(keyed, work.resolve("gc-d"), "-prefetch-key", "job", "-stats-json", stats2.toString()),
                "build", "-x", "-o", work.resolve("a2").toString(), "./svc/adder");
        k.assertOk();
        assertThat(k.compiles()).isEmpty();
        JsonNode g = figures(stats2).get(0);
        assertThat(g.path("remoteHits").asLong()).as(g.toString()).isZero();
        assertThat(g.path("prefetchHits").asLong()).as(g.toString()).isPositive();
        assertThat(g.path("bytesDown").asLong()).as(g.toString()).isPositive();
    }

    /**
     * A bridge with a warm directory of its own (a builder's cache mount inside BuildKit) answers its
     * hits itself, so their outputs never reach a fresh agent's daemon; the daemon still writes the
     * key's manifest, taking those outputs from the store, and the next fresh agent prefetches them.
     */
    @Test
    void aBridgeAnsweringFromItsOwnDirectoryStillLeavesAManifestForItsKey() throws Exception {
        Path store = work.resolve("store-own");
        Path own = work.resolve("bridge-own-warm");
        Running first = daemon(store, work.resolve("tier-own-1"));
        go(bridgeEnv(first, work.resolve("gc-o1"), "-copy", "-dir", own.toString(), "-prefetch-key", "img@a"),
                "build", "-o", work.resolve("o1").toString(), "./svc/hello").assertOk();
        stop(first);

        Running second = daemon(store, work.resolve("tier-own-2"));
        Path stats = work.resolve("own.jsonl");
        Run r = go(bridgeEnv(second, work.resolve("gc-o2"), "-copy", "-dir", own.toString(), "-prefetch-key", "img@b",
                "-stats-json", stats.toString()), "build", "-x", "-o", work.resolve("o2").toString(), "./svc/hello");
        r.assertOk();
        assertThat(r.compiles()).isEmpty();
        JsonNode f = figures(stats).get(0);
        assertThat(f.path("localHits").asLong()).as("answered by the bridge's own directory: " + f).isPositive();
        assertThat(f.path("warnings").asLong()).as(f.toString()).isZero();
        assertThat(r.warnings()).isEmpty();
        stop(second);
        assertThat(store.resolve("gocache/m/img_b.json")).as("the key's manifest").exists();

        Running fresh = daemon(store, work.resolve("tier-own-3"));
        Path stats3 = work.resolve("own-fresh.jsonl");
        Run again = go(bridgeEnv(fresh, work.resolve("gc-o3"), "-prefetch-key", "img@b", "-read-only", "-stats-json", stats3.toString()),
                "build", "-x", "-o", work.resolve("o3").toString(), "./svc/hello");
        again.assertOk();
        assertThat(again.compiles()).isEmpty();
        JsonNode g = figures(stats3).get(0);
        assertThat(g.path("prefetchHits").asLong()).as(g.toString()).isPositive();
        assertThat(g.path("remoteHits").asLong()).as(g.toString()).isZero();
    }

    private void stop(Running d) throws Exception {
        d.daemon.stop();
        d.serving.get(1, TimeUnit.MINUTES);
        daemons.remove(d);
    }

    @Test
    void aBridgeStartedBeforeItsDaemonWaitsForIt() throws Exception {
        // A job starts the daemon and go at once; the bridge (-wait) connects when the socket appears.
        Path socket = work.resolve("later").resolve("d.sock");
        Path stats = work.resolve("later.jsonl");
        Map<String, String> env = new HashMap<>();
        env.put("GOCACHEPROG", bridge + " -daemon unix:" + socket + " -wait 2m -stats-json " + stats);
        env.put("GOCACHE", work.resolve("gc").toString());
        Process go = GoCacheGoTest.go(env).in(module).args("build", "-o", work.resolve("h").toString(), "./svc/hello").start();
        go.getOutputStream().close();
        Future<String> err = Executors.newSingleThreadExecutor().submit(() -> new String(go.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        Thread.sleep(1500);
        assertThat(go.isAlive()).as("go waits for the daemon").isTrue();
        daemon(work.resolve("store-later"), work.resolve("tier-later"), null, socket);
        assertThat(go.waitFor(5, TimeUnit.MINUTES)).isTrue();
        String output = err.get();
        assertThat(go.exitValue()).as(output).isZero();
        assertThat(output).doesNotContain("WARNING");
        assertThat(figures(stats).get(0).path("puts").asLong()).as("the go command's puts reached the daemon").isPositive();
        assertThat(Files.readAllBytes(work.resolve("h"))).isEqualTo(Files.readAllBytes(plain.resolve("hello")));
    }

    @Test
    void anUnreachableDaemonIsOneWarningAndTheBuildSucceeds() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("GOCACHEPROG", bridge + " -daemon unix:" + work.resolve("nobody.sock") + " -dir " + work.resolve("bd"));
        env.put("GOCACHE", work.resolve("gc").toString());
        Path out = work.resolve("hello");
        Run r = go(env, "build", "-o", out.toString(), "./svc/hello");
        r.assertOk();
        assertThat(r.warnings()).hasSize(1);
        assertThat(r.warnings().get(0)).contains("unreachable").contains("nobody.sock");
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(plain.resolve("hello")));
        // Its own directory still works as a local cache for the next go command.
        Run again = go(env, "build", "-x", "-o", out.toString(), "./svc/hello");
        again.assertOk();
        assertThat(again.compiles()).isEmpty();
    }

    @Test
    void aReadOnlyBridgeWritesNothingToTheStore() throws Exception {
        Path store = work.resolve("store-ro");
        Running d = daemon(store, work.resolve("tier-ro"));
        Path stats = work.resolve("ro.jsonl");
        go(bridgeEnv(d, work.resolve("gc"), "-read-only", "-prefetch-key", "hello", "-stats-json", stats.toString()),
                "build", "-o", work.resolve("h").toString(), "./svc/hello").assertOk();
        assertThat(figures(stats).get(0).path("puts").asLong()).isPositive();
        assertThat(figures(stats).get(0).path("uploads").asLong()).isZero();
        assertThat(store).doesNotExist();
    }

    @Test
    void aSecondDaemonBacksOffAnIdleDaemonExitsAndAnotherProtocolIsRefused() throws Exception {
        Running d = daemon(work.resolve("store-l"), work.resolve("tier-l"));
        GoCacheDaemonOptions same = new GoCacheDaemonOptions(GoCacheOptions.of("local:" + work.resolve("store-l"), work.resolve("tier-2")),
                List.of("unix:" + d.socket), Duration.ZERO, null, null);
        assertThat(new GoCacheDaemon(same, new RecordingReporter()).serve()).isEqualTo(GoCacheDaemon.Outcome.ALREADY_RUNNING);
        assertThat(d.socket).as("the running daemon keeps its socket").exists();

        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(d.socket));
            ch.write(ByteBuffer.wrap("{\"Op\":\"hello\",\"V\":99}\n".getBytes(StandardCharsets.UTF_8)));
            String reply = new BufferedReader(new InputStreamReader(java.nio.channels.Channels.newInputStream(ch), StandardCharsets.UTF_8)).readLine();
            assertThat(new ObjectMapper().readTree(reply).path("Err").asText()).contains("protocol 1").contains("99");
        }

        Path idleSocket = work.resolve("idle.sock");
        GoCacheDaemonOptions idle = new GoCacheDaemonOptions(GoCacheOptions.of("local:" + work.resolve("store-i"), work.resolve("tier-i")),
                List.of("unix:" + idleSocket), Duration.ofMillis(300), null, null);
        assertThat(new GoCacheDaemon(idle, new RecordingReporter()).serve()).isEqualTo(GoCacheDaemon.Outcome.IDLE_EXIT);
        assertThat(idleSocket).as("socket removed at exit").doesNotExist();
    }

    // ---- helpers ----

    /** A daemon serving in this JVM on a fresh unix socket. */
    record Running(GoCacheDaemon daemon, Future<GoCacheDaemon.Outcome> serving, Path socket, RecordingReporter log) {
    }

    Running daemon(Path store, Path tier) throws Exception {
        return daemon(store, tier, null);
    }

    Running daemon(Path store, Path tier, String prefetchKey) throws Exception {
        return daemon(store, tier, prefetchKey, Files.createTempDirectory(work, "sock").resolve("d.sock"));
    }

    Running daemon(Path store, Path tier, String prefetchKey, Path socket) throws Exception {
        Path ready = socket.resolveSibling("ready");
        RecordingReporter log = new RecordingReporter();
        GoCacheDaemonOptions o = new GoCacheDaemonOptions(GoCacheOptions.of("local:" + store, tier)
                .withLimits(Duration.ofSeconds(60), Duration.ofSeconds(5)).withPrefetchKey(prefetchKey), List.of("unix:" + socket),
                Duration.ZERO, null, ready);
        GoCacheDaemon d = new GoCacheDaemon(o, log);
        ExecutorService t = Executors.newSingleThreadExecutor();
        Future<GoCacheDaemon.Outcome> f = t.submit(d::serve);
        t.shutdown();
        waitFor(ready);
        Running r = new Running(d, f, socket, log);
        daemons.add(r);
        return r;
    }

    static void waitFor(Path file) throws InterruptedException {
        for (int i = 0; i < 600 && !Files.exists(file); i++) {
            Thread.sleep(50);
        }
        assertThat(file).as("daemon ready").exists();
    }

    static Map<String, String> bridgeEnv(Running d, Path gocache, String... extra) {
        List<String> words = new ArrayList<>(List.of(bridge.toString(), "-daemon", "unix:" + d.socket));
        words.addAll(List.of(extra));
        Map<String, String> env = new HashMap<>();
        env.put("GOCACHEPROG", String.join(" ", words));
        env.put("GOCACHE", gocache.toString());
        return env;
    }

    static List<JsonNode> figures(Path stats) throws IOException {
        ObjectMapper m = new ObjectMapper();
        List<JsonNode> l = new ArrayList<>();
        for (String line : Files.readAllLines(stats)) {
            l.add(m.readTree(line));
        }
        return l;
    }

    static String goEnv(String name) throws Exception {
        Process p = new ProcessBuilder(GO.toString(), "env", name).start();
        String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return v;
    }

    static Run go(Map<String, String> env, String... args) throws Exception {
        GoCacheGoTest.Run r = GoCacheGoTest.go(env).in(module).args(args).run();
        return new Run(r);
    }

    /** A finished go command. */
    record Run(GoCacheGoTest.Run r) {
        Run assertOk() {
            r.assertOk();
            return this;
        }

        String output() {
            return r.output();
        }

        List<String> warnings() {
            return r.warnings();
        }

        List<String> compiles() {
            return r.compiles();
        }
    }

    static {
        // keep File imported for class path helpers used by the child JVM
        assert File.pathSeparator != null;
    }
}
