package io.gopipe.core.gocache;

import io.gopipe.core.exec.LocalCommandRunner;
import io.gopipe.core.report.RecordingReporter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.gopipe.core.gocache.GoCacheGoTest.GO;
import static io.gopipe.core.gocache.GoCacheGoTest.copyTree;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The prefetched-set stream of a bridge with a directory of its own (as inside BuildKit, where every
 * message is a tunnel round trip): a fresh agent's daemon and an empty bridge directory build
 * {@code svc/hello} without compiling and without asking get by get; a connection cut in the middle
 * of the stream is one warning, the rest misses, and a good build. Between bridge and daemon sits a
 * plain byte relay ({@link Relay}) that counts what the bridge sends and can cut the daemon's side,
 * as a broken tunnel would. Real Go 1.24, real daemon, real local store.
 */
class BridgeSetStreamGoTest {

    private static final Pattern SUMMARY = Pattern.compile("gopipe: gocache: (\\d+) gets, (\\d+) hits.*; (\\d+) outputs came in the prefetched set's stream");

    @TempDir
    static Path shared;
    static Path module;
    static Path bridge;
    static Path plainHello;

    @TempDir
    Path work;

    private final List<GoCacheDaemon> daemons = new ArrayList<>();
    private final List<Future<GoCacheDaemon.Outcome>> serving = new ArrayList<>();
    private final List<Relay> relays = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        assertThat(GO).as("Go 1.24 toolchain (GOCACHEPROG needs >= 1.24)").exists();
        module = shared.resolve("mod");
        copyTree(Path.of("..", "test-repos", "gocache-mod").toAbsolutePath().normalize(), module);
        plainHello = shared.resolve("plain-hello");
        GoCacheGoTest.go(Map.of("GOCACHE", shared.resolve("plain-cache").toString())).in(module)
                .args("build", "-o", plainHello.toString(), "./svc/hello").run().assertOk();
        bridge = BridgeBinary.build(new LocalCommandRunner(), GO.toString(), shared.resolve("bridges"));
    }

    @AfterEach
    void stop() throws Exception {
        for (Relay r : relays) {
            r.close();
        }
        for (GoCacheDaemon d : daemons) {
            d.stop();
        }
        for (Future<GoCacheDaemon.Outcome> f : serving) {
            f.get(1, TimeUnit.MINUTES);
        }
    }

    @Test
    void aFreshBridgeDirectoryGetsTheKeysSetInOneStreamAndAsksAlmostNothingGetByGet() throws Exception {
        Path store = work.resolve("store");
        // The cold job: its daemon writes the key's manifest at close.
        Path coldSocket = daemon(store, work.resolve("tier-cold"));
        GoCacheGoTest.Run cold = build(coldSocket, work.resolve("own-cold"), work.resolve("gc-cold"), "hello@main");
        cold.assertOk();
        assertThat(cold.warnings()).isEmpty();

        // The change job on a fresh agent (empty tier) and a pruned builder (empty bridge directory), on a branch.
        Relay relay = relay(daemon(store, work.resolve("tier-fresh")), Long.MAX_VALUE);
        Path own = work.resolve("own-fresh");
        Path out = work.resolve("hello");
        GoCacheGoTest.Run r = GoCacheGoTest.go(env(relay.socket, own, work.resolve("gc-fresh"), "hello@change|hello@main"))
                .in(module).args("build", "-x", "-o", out.toString(), "./svc/hello").run();
        r.assertOk();
        assertThat(r.warnings()).as(r.output()).isEmpty();
        assertThat(r.compiles()).as("nothing compiles: every package comes from the stream").isEmpty();
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(plainHello));
        Matcher m = SUMMARY.matcher(r.output());
        assertThat(m.find()).as(r.output()).isTrue();
        long gets = Long.parseLong(m.group(1));
        long hits = Long.parseLong(m.group(2));
        long streamed = Long.parseLong(m.group(3));
        assertThat(hits).as("hits of " + gets + " gets").isGreaterThan(30);
        assertThat(streamed).as("outputs that came in the stream").isGreaterThanOrEqualTo(hits - 2);
        assertThat(relay.getsFromBridge()).as("gets the bridge had to ask one by one, of " + gets).isLessThanOrEqualTo(3);
    }

    @Test
    void aStreamCutMidwayIsOneWarningMissesAndAGoodBuild() throws Exception {
        Path store = work.resolve("store");
        build(daemon(store, work.resolve("tier-cold")), work.resolve("own-cold"), work.resolve("gc-cold"), "hello@main")
                .assertOk();

        // The daemon's side is cut after 256 KiB: the stream's hello reply and set went through, part of its outputs too.
        Relay relay = relay(daemon(store, work.resolve("tier-fresh")), 256 << 10);
        Path out = work.resolve("hello");
        GoCacheGoTest.Run r = GoCacheGoTest.go(env(relay.socket, work.resolve("own-fresh"), work.resolve("gc-fresh"), "hello@main"))
                .in(module).args("build", "-x", "-o", out.toString(), "./svc/hello").run();
        r.assertOk();
        assertThat(relay.cut()).as("the relay cut the connection").isTrue();
        assertThat(r.warnings()).as(r.output()).singleElement()
                .satisfies(w -> assertThat(w).contains("gopipe gocache bridge").contains("goes on without the remote cache"));
        assertThat(r.compiles()).as("what the stream did not bring is compiled").isNotEmpty();
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(plainHello));
    }

    // ---- helpers ----

    private GoCacheGoTest.Run build(Path socket, Path own, Path gocache, String key) throws Exception {
        return GoCacheGoTest.go(env(socket, own, gocache, key)).in(module)
                .args("build", "-o", work.resolve("out-" + own.getFileName()).toString(), "./svc/hello").run();
    }

    private static Map<String, String> env(Path socket, Path own, Path gocache, String key) {
        Map<String, String> env = new HashMap<>();
        // The key goes in quotes-free: GOCACHEPROG is split at spaces, and '|' needs no quoting there.
        env.put("GOCACHEPROG", bridge + " -daemon unix:" + socket + " -copy -dir " + own + " -prefetch-key " + key);
        env.put("GOCACHE", gocache.toString());
        return env;
    }

    private Path daemon(Path store, Path tier) throws Exception {
        Path socket = Files.createTempDirectory(work, "sock").resolve("d.sock");
        Path ready = socket.resolveSibling("ready");
        GoCacheDaemonOptions o = new GoCacheDaemonOptions(GoCacheOptions.of("local:" + store, tier)
                .withLimits(Duration.ofSeconds(60), Duration.ofSeconds(10)), List.of("unix:" + socket), Duration.ZERO, null, ready);
        GoCacheDaemon d = new GoCacheDaemon(o, new RecordingReporter());
        ExecutorService t = Executors.newSingleThreadExecutor();
        serving.add(t.submit(d::serve));
        t.shutdown();
        daemons.add(d);
        GoCacheDaemonGoTest.waitFor(ready);
        return socket;
    }

    private Relay relay(Path daemon, long cutAfter) throws IOException {
        Relay r = new Relay(Files.createTempDirectory(work, "relay").resolve("r.sock"), daemon, cutAfter);
        relays.add(r);
        return r;
    }

    /**
     * A byte relay on a unix socket, one connection at a time: counts the get messages the bridge
     * sends and cuts both sides once {@code cutAfter} bytes of the daemon's have passed.
     */
    static final class Relay implements AutoCloseable {
        private static final byte[] GET = "{\"Op\":\"get\"".getBytes(StandardCharsets.US_ASCII);
        final Path socket;
        private final ServerSocketChannel server;
        private final ExecutorService pumps = Executors.newCachedThreadPool();
        private final AtomicLong gets = new AtomicLong();
        private volatile boolean cut;

        Relay(Path socket, Path daemon, long cutAfter) throws IOException {
            this.socket = socket;
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            pumps.execute(() -> {
                while (true) {
                    try {
                        SocketChannel b = server.accept();
                        SocketChannel d = SocketChannel.open(UnixDomainSocketAddress.of(daemon));
                        pumps.execute(() -> pump(b, d, false, Long.MAX_VALUE));
                        pumps.execute(() -> pump(d, b, true, cutAfter));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        private void pump(SocketChannel from, SocketChannel to, boolean daemonSide, long cutAfter) {
            ByteBuffer buf = ByteBuffer.allocate(64 << 10);
            long passed = 0;
            int matched = 0; // bytes of GET matched at a line start, across reads
            boolean lineStart = true;
            try {
                while (from.read(buf) >= 0) {
                    buf.flip();
                    if (daemonSide && passed + buf.remaining() > cutAfter) {
                        buf.limit(buf.position() + (int) (cutAfter - passed));
                        while (buf.hasRemaining()) {
                            to.write(buf);
                        }
                        cut = true;
                        break;
                    }
                    passed += buf.remaining();
                    if (!daemonSide) {
                        for (int i = buf.position(); i < buf.limit(); i++) {
                            byte c = buf.get(i);
                            if (lineStart || matched > 0) {
                                matched = c == GET[matched] ? matched + 1 : 0;
                                if (matched == GET.length) {
                                    gets.incrementAndGet();
                                    matched = 0;
                                }
                            }
                            lineStart = c == '\n';
                        }
                    }
                    while (buf.hasRemaining()) {
                        to.write(buf);
                    }
                    buf.clear();
                }
            } catch (IOException e) {
                // one side went away
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }

        long getsFromBridge() {
            return gets.get();
        }

        boolean cut() {
            return cut;
        }

        @Override
        public void close() throws IOException {
            server.close();
            pumps.shutdownNow();
        }
    }
}
