package io.gopipe.core.gocache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gopipe.core.gocache.store.LocalObjectStore;
import io.gopipe.core.gocache.store.ObjectStore;
import io.gopipe.core.report.Reporter;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * Runs a daemon's hot paths on made-up outputs in a scratch folder, so that a daemon started ahead of
 * its jobs (with the agent: a pod's sidecar, an agent start script) has them compiled by the JIT
 * when the first job's go command connects. On a fresh agent the daemon otherwise interprets and
 * compiles them during that job's prefetch, on the cores go needs (bench/gocache: C1's compiling was a
 * quarter of a fresh job's daemon CPU).
 *
 * <p>What it runs is the real code, end to end, on a private store and tier: a private daemon over a
 * unix socket in the scratch folder, a client speaking the bridge protocol as the bridge does, puts
 * that a close packs and publishes under a key, then two fresh tiers that prefetch that key and get
 * every entry. It touches neither the daemon's store nor its tier, stops between steps as soon as
 * {@code stop} says so (a real client has connected; checked between rounds and every 16 gets), and
 * deletes its folder; a failure only ends it.
 */
final class GoCacheRehearsal {

    static final String KEY = "gopipe-rehearsal/main";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 16;

    private final Path scratch;
    private final BooleanSupplier stop;
    private final List<Entry> entries;

    record Entry(String action, String output, byte[] data) {
    }

    /** What a rehearsal did: rounds completed (one write, then reads) and entries each read round got as hits. */
    record Result(int rounds, List<Integer> hits, boolean stopped) {
    }

    GoCacheRehearsal(Path scratch, int count, BooleanSupplier stop) {
        this.scratch = scratch;
        this.stop = stop;
        this.entries = entries(count);
    }

    /** The made-up outputs: sizes spread like a library tree's cache (most small, a few of megabytes), compressible. */
    static List<Entry> entries(int count) {
        Random r = new Random(20261205L);
        byte[] block = new byte[4096];
        r.nextBytes(block);
        List<Entry> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            double p = r.nextDouble();
            int size = p < 0.70 ? 256 + r.nextInt(16 << 10) : p < 0.97 ? (16 << 10) + r.nextInt(240 << 10) : (1 << 20) + r.nextInt(1 << 20);
            byte[] data = new byte[size];
            for (int off = 0; off < size; off += block.length) {
                System.arraycopy(block, 0, data, off, Math.min(block.length, size - off));
                data[off] ^= (byte) i; // entries differ, blocks within one repeat
            }
            String action = Ids.hex(Ids.sha256().digest(("gopipe rehearsal action " + i).getBytes(StandardCharsets.UTF_8)));
            list.add(new Entry(action, Ids.hex(Ids.sha256().digest(data)), data));
        }
        return list;
    }

    /**
     * Writes the entries through one private daemon, then reads them through {@code readRounds} fresh
     * ones, over {@code store}: a local folder, or the real S3 client against an endpoint in memory.
     */
    Result run(int readRounds, boolean s3) throws IOException {
        if (!s3) {
            return run(readRounds, new LocalObjectStore(scratch.resolve("store")));
        }
        try (RehearsalS3Endpoint endpoint = new RehearsalS3Endpoint()) {
            ObjectStore store = endpoint.store();
            try {
                return run(readRounds, store);
            } finally {
                store.close();
            }
        }
    }

    private Result run(int readRounds, ObjectStore store) throws IOException {
        Path source = scratch.resolve("source");
        Files.createDirectories(source);
        for (Entry e : entries) {
            Files.write(source.resolve(e.output()), e.data());
        }
        List<Integer> hits = new ArrayList<>();
        int rounds = 0;
        for (int round = 0; round <= readRounds; round++) {
            if (stop.getAsBoolean()) {
                return new Result(rounds, hits, true);
            }
            Path dir = scratch.resolve("round-" + round);
            GoCacheDaemonOptions o = new GoCacheDaemonOptions(GoCacheOptions.of(store.describe(), dir.resolve("tier")),
                    List.of("unix:" + dir.resolve("d.sock")), Duration.ZERO, dir.resolve("d.lock"), null);
            GoCacheDaemon daemon = new GoCacheDaemon(o, Reporter.silent(), () -> store);
            Thread serving = new Thread(() -> {
                try {
                    daemon.serve();
                } catch (IOException ignored) {
                    // the client below fails to connect and ends the rehearsal
                }
            }, "gocache-rehearsal-daemon");
            serving.setDaemon(true);
            serving.start();
            try {
                int got = client(dir, round == 0 ? null : source, awaitAddress(daemon));
                if (round > 0) {
                    hits.add(got);
                }
                rounds++;
            } finally {
                daemon.stop();
                try {
                    serving.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new Result(rounds, hits, true);
                }
            }
        }
        return new Result(rounds, hits, false);
    }

    private static Path awaitAddress(GoCacheDaemon daemon) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (daemon.addresses().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the rehearsal's daemon did not listen");
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the rehearsal's daemon started");
            }
        }
        return Path.of(daemon.addresses().get(0).substring("unix:".length()));
    }

    /**
     * One go command's worth of bridge messages: hello with the key, a get of every entry (a fresh
     * agent's misses), and, writing ({@code readFrom == null}, the outputs in {@code dir/../source}),
     * a put of each by path; then close. Returns the number of hits.
     */
    private int client(Path dir, Path readFrom, Path socket) throws IOException {
        boolean writing = readFrom == null;
        Path probe = dir.resolve("probe");
        String token = UUID.randomUUID().toString();
        Files.writeString(probe, token);
        try (var ch = java.nio.channels.SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            InputStream in = new BufferedInputStream(ChannelStreams.in(ch), 1 << 16);
            OutputStream out = ChannelStreams.out(ch);
            ObjectNode hello = JSON.createObjectNode().put("Op", "hello").put("V", BridgeConnection.PROTOCOL_VERSION)
                    .put("Key", KEY).put("Dir", dir.toString()).put("Probe", probe.toString()).put("Token", token)
                    .put("Client", "gopipe rehearsal");
            send(out, hello);
            JsonNode answer = BridgeConnection.readMessage(in);
            if (answer == null || answer.has("Err")) {
                throw new IOException("the rehearsal's daemon refused the hello");
            }
            int hits = 0;
            long id = 0;
            for (int from = 0; from < entries.size() && !stop.getAsBoolean(); from += BATCH) {
                List<Entry> batch = entries.subList(from, Math.min(entries.size(), from + BATCH));
                for (Entry e : batch) {
                    send(out, JSON.createObjectNode().put("Op", "get").put("ID", ++id).put("A", e.action()));
                }
                for (int i = 0; i < batch.size(); i++) {
                    JsonNode a = nextAnswer(in);
                    if (!a.path("Miss").asBoolean()) {
                        hits++;
                    }
                }
                if (writing) {
                    Path source = dir.resolveSibling("source");
                    for (Entry e : batch) {
                        send(out, JSON.createObjectNode().put("Op", "put").put("A", e.action()).put("O", e.output())
                                .put("Size", e.data().length).put("T", System.currentTimeMillis())
                                .put("Path", source.resolve(e.output()).toString()));
                    }
                }
            }
            send(out, JSON.createObjectNode().put("Op", "close").put("ID", ++id));
            while (!"close".equals(nextAnswer(in).path("Op").asText())) {
                // log lines before the close's answer
            }
            return hits;
        }
    }

    /** The next message that is not a log line; a hit with data has its bytes skipped. */
    private static JsonNode nextAnswer(InputStream in) throws IOException {
        while (true) {
            JsonNode m = BridgeConnection.readMessage(in);
            if (m == null) {
                throw new EOFException("the rehearsal's daemon hung up");
            }
            if (m.path("Data").asBoolean()) {
                in.skipNBytes(m.path("Size").asLong());
            }
            if (!"log".equals(m.path("Op").asText())) {
                return m;
            }
        }
    }

    private static void send(OutputStream out, ObjectNode m) throws IOException {
        byte[] line = JSON.writeValueAsBytes(m);
        byte[] withEnd = new byte[line.length + 1];
        System.arraycopy(line, 0, withEnd, 0, line.length);
        withEnd[line.length] = '\n';
        out.write(withEnd);
    }
}
