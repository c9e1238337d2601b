package io.gopipe.core.gocache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gopipe.core.report.Progress;
import io.gopipe.core.report.Reporter;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * One bridge (one go process) on the daemon: the daemon side of the bridge protocol described in
 * the bridge's main.go and docs/cache.md. Requests are read on the connection's thread; gets run
 * on the daemon's pool because they may wait for the prefetch or the store; answers are written
 * under one lock, a hit's bytes right after its line.
 */
final class BridgeConnection implements Runnable {

    static final int PROTOCOL_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int number;
    private final InputStream in;
    private final OutputStream out;
    private final AutoCloseable channel;
    private final GoCacheOptions base;
    private final DiskTier tier;
    private final SharedStore store;
    private final ExecutorService gets;
    private final Reporter log;
    private final KeySets keySets;
    private String key;
    private final Object writeLock = new Object();
    private GoCacheSession session;
    private boolean shared;
    private String client = "?";
    private final DebugTimeline timeline;
    private boolean firstGet = true;
    /** The bridge's answer to the set announcement: the actions it wants streamed. */
    private final java.util.concurrent.CompletableFuture<List<String>> wanted = new java.util.concurrent.CompletableFuture<>();
    private volatile boolean streamStopped;

    BridgeConnection(int number, InputStream in, OutputStream out, AutoCloseable channel, GoCacheOptions base, DiskTier tier,
                     SharedStore store, ExecutorService gets, Reporter log, KeySets keySets, DebugTimeline timeline) {
        this.timeline = timeline;
        this.keySets = keySets;
        this.number = number;
        this.in = new BufferedInputStream(in, 1 << 16);
        this.out = new BufferedOutputStream(out, 1 << 16);
        this.channel = channel;
        this.base = base;
        this.tier = tier;
        this.store = store;
        this.gets = gets;
        this.log = log;
    }

    @Override
    public void run() {
        boolean closed = false;
        try {
            JsonNode m;
            while ((m = next()) != null) {
                String op = m.path("Op").asText();
                if (session == null && !op.equals("hello")) {
                    throw new IOException("first message is " + op + ", not hello");
                }
                switch (op) {
                    case "hello" -> {
                        if (!hello(m)) {
                            return;
                        }
                    }
                    case "get" -> {
                        if (firstGet) {
                            firstGet = false;
                            timeline.mark("client " + number + ": first get");
                        }
                        long id = m.path("ID").asLong();
                        String action = m.path("A").asText();
                        gets.execute(() -> get(id, action));
                    }
                    case "put" -> put(m);
                    case "want" -> wanted.complete(m.path("List").asText("").lines().filter(Ids::isHex).toList());
                    case "used" -> session.usedLocally(m.path("A").asText(),
                            new ActionRecord(m.path("O").asText(), m.path("Size").asLong(), Instant.ofEpochMilli(m.path("T").asLong())));
                    case "close" -> {
                        closed = true;
                        streamStopped = true; // go is done: what the stream has not sent yet is not needed
                        timeline.mark("client " + number + ": close");
                        GoCacheFigures f = session.close(0);
                        timeline.mark("client " + number + ": closed");
                        log.info("client " + number + " (" + client + "): " + f.summary());
                        ObjectNode r = reply("close", m.path("ID").asLong());
                        r.put("Summary", f.summary());
                        r.set("Figures", JSON.readTree(f.toJson()));
                        send(r, null, 0);
                        return;
                    }
                    default -> throw new IOException("unknown message " + op);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (session != null) {
                log.warn("gocache daemon: client " + number + " (" + client + "): " + e.getMessage());
            }
        } finally {
            streamStopped = true;
            wanted.complete(List.of());
            if (session != null && !closed) {
                session.abandon(0); // the go process went away: nothing to flush for
            }
            if (key != null) {
                keySets.close(key);
            }
            try {
                channel.close();
            } catch (Exception ignored) {
                // already gone
            }
        }
    }

    private boolean hello(JsonNode m) throws IOException {
        ObjectNode r = reply("hello", 0);
        r.put("V", PROTOCOL_VERSION);
        if (m.path("V").asInt() != PROTOCOL_VERSION) {
            r.put("Err", "gopipe gocache daemon speaks bridge protocol " + PROTOCOL_VERSION + ", not " + m.path("V").asInt()
                    + ": rebuild the bridge from this gopipe");
            send(r, null, 0);
            return false;
        }
        client = m.path("Client").asText("?");
        timeline.mark("client " + number + ": hello");
        shared = probe(m.path("Probe").asText(""), m.path("Token").asText(""));
        String key = m.path("Key").asText("");
        GoCacheOptions o = base.withPrefetchKey(key.isBlank() ? null : key)
                .withReadOnly(base.readOnly() || m.path("ReadOnly").asBoolean())
                .withStatsJson(null).withQuiet(true);
        // The sessions of one key share what they used: the key's manifest covers the whole job.
        // They also share one prefetch: the manifest is read and the packs fetched once per job.
        String k = o.prefetchKey();
        this.key = k;
        session = k == null ? new GoCacheSession(o, new Forward(), tier, store.view())
                : new GoCacheSession(o, new Forward(), tier, store.view(), keySets.open(k), keySets.prefetch(k,
                        () -> DaemonPrefetch.start(k, new StoreAccess(store.view(), log, base.callTimeout()), tier, timeline)));
        r.put("Shared", shared);
        r.put("Dir", tier.root().toString());
        // A bridge with a directory of its own (inside BuildKit: every message is a tunnel round trip)
        // gets the key's prefetched set as one stream instead of get by get.
        boolean stream = m.path("Stream").asBoolean() && !shared && session.prefetcher() != null;
        r.put("Stream", stream);
        send(r, null, 0);
        if (stream) {
            Thread t = new Thread(this::streamSet, "gocache-set-stream-" + number);
            t.setDaemon(true);
            t.start();
        }
        return true;
    }

    /**
     * Announces the key's prefetched set (the actions of the manifest the prefetch read), waits for
     * the bridge's list of what it lacks, then sends those outputs in the order they reach the local
     * tier. Ends with {@code set-end}; an entry the prefetch could not bring is sent as a miss, and the
     * bridge then asks for it like for anything outside the set.
     */
    private void streamSet() {
        try {
            Prefetcher p = session.prefetcher();
            PrefetchManifest manifest = p.previous(base.callTimeout());
            java.util.Set<String> set = new java.util.LinkedHashSet<>();
            if (manifest != null) {
                manifest.packs().forEach(pack -> pack.entries().forEach(e -> set.add(e.actionId())));
            }
            timeline.mark("client " + number + ": set of " + set.size() + " announced");
            ObjectNode announce = reply("set", 0);
            announce.put("List", String.join("\n", set));
            send(announce, null, 0);
            List<String> want = wanted.get(base.callTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            java.util.concurrent.BlockingQueue<Map.Entry<String, Boolean>> arrived = new java.util.concurrent.LinkedBlockingQueue<>();
            int expected = 0;
            for (String action : want) {
                if (set.contains(action)) {
                    expected++;
                    p.arrival(action).whenComplete((ok, e) -> arrived.add(Map.entry(action, Boolean.TRUE.equals(ok))));
                }
            }
            long deadline = System.nanoTime() + base.callTimeout().toNanos();
            for (int i = 0; i < expected && !streamStopped; i++) {
                Map.Entry<String, Boolean> next = arrived.poll(Math.max(0, deadline - System.nanoTime()),
                        java.util.concurrent.TimeUnit.NANOSECONDS);
                if (next == null) {
                    break; // the prefetch is stuck: the bridge asks for the rest get by get
                }
                sendEntry(next.getKey(), next.getValue());
            }
            if (!streamStopped) {
                send(reply("set-end", 0), null, 0);
            }
            timeline.mark("client " + number + ": set streamed");
        } catch (java.util.concurrent.TimeoutException e) {
            // the bridge never said what it wants: it has gone or is stuck; its own timeout ends it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | java.util.concurrent.ExecutionException | RuntimeException e) {
            if (!streamStopped) {
                session.problem("streaming the prefetched set failed: " + e.getMessage());
            }
        }
    }

    private void sendEntry(String action, boolean arrived) throws IOException {
        ActionRecord rec = arrived ? session.prefetcher().recordOf(action) : null;
        ObjectNode r = answer("entry", 0, action, rec);
        if (rec == null) {
            send(r, null, 0);
            return;
        }
        r.put("Data", true);
        InputStream body;
        try {
            body = Files.newInputStream(tier.object(rec.outputId()));
        } catch (IOException e) {
            send(answer("entry", 0, action, null), null, 0);
            return;
        }
        try (body) {
            send(r, body, rec.size()); // a short file throws: the stream is out of step, the bridge hears eof
        } catch (IOException e) {
            closeQuietly();
            throw e;
        }
    }

    /** Whether the bridge's probe file, named by the bridge, is visible here with the token in it: one filesystem. */
    private static boolean probe(String file, String token) {
        if (file.isEmpty() || token.length() < 16) {
            return false;
        }
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8).equals(token);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** An answer about one action: a miss without {@code rec}, else its output, size and time. */
    private static ObjectNode answer(String op, long id, String action, ActionRecord rec) {
        ObjectNode r = reply(op, id);
        r.put("A", action);
        if (rec == null) {
            r.put("Miss", true);
        } else {
            r.put("O", rec.outputId());
            r.put("Size", rec.size());
            r.put("T", rec.time().toEpochMilli());
        }
        return r;
    }

    private void get(long id, String action) {
        ObjectNode r = reply("get", id);
        r.put("A", action);
        try {
            ActionRecord rec = session.get(action);
            r = answer("get", id, action, rec);
            if (rec == null) {
                send(r, null, 0);
                return;
            }
            Path file = tier.object(rec.outputId());
            if (shared) {
                r.put("Path", file.toString());
                send(r, null, 0);
            } else {
                r.put("Data", true);
                try (InputStream body = Files.newInputStream(file)) {
                    send(r, body, rec.size());
                } catch (IOException e) {
                    // Part of the bytes may be out: the stream is out of step, so end the connection;
                    // the bridge warns once and goes on without the daemon.
                    session.problem("sending output " + rec.outputId() + " failed: " + e.getMessage());
                    closeQuietly();
                }
            }
        } catch (NoSuchFileException e) {
            missQuietly(r, "local output vanished: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            missQuietly(r, "get failed: " + e.getMessage());
        }
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (Exception ignored) {
            // already gone
        }
    }

    private void missQuietly(ObjectNode r, String why) {
        session.problem(why);
        ObjectNode miss = reply("get", r.path("ID").asLong());
        miss.put("A", r.path("A").asText());
        miss.put("Miss", true);
        try {
            send(miss, null, 0);
        } catch (IOException gone) {
            // the bridge has gone away
        }
    }

    private void put(JsonNode m) throws IOException {
        String action = m.path("A").asText();
        String output = m.path("O").asText();
        long size = m.path("Size").asLong();
        if (m.path("Data").asBoolean()) {
            InputStream body = new BoundedStream(in, size);
            try {
                session.put(action, output, body, size, false);
            } catch (IllegalArgumentException | DiskTier.CorruptObjectException e) {
                session.problem("put of " + action + " refused: " + e.getMessage());
            } finally {
                body.close(); // the next message starts after the bytes, whatever happened
            }
            return;
        }
        Path file = Path.of(m.path("Path").asText());
        boolean inTier = file.equals(tier.object(output));
        try (InputStream body = Files.newInputStream(file)) {
            session.put(action, output, body, size, inTier);
        } catch (IOException | IllegalArgumentException e) {
            session.problem("put of " + action + " from " + file + " failed: " + e.getMessage());
        }
    }

    private JsonNode next() throws IOException {
        return readMessage(in);
    }

    /** The next message of the bridge protocol (one JSON object a line); null at the end of the input. */
    static JsonNode readMessage(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            line.write(c);
        }
        if (c < 0 && line.size() == 0) {
            return null;
        }
        return JSON.readTree(line.toByteArray());
    }

    private static ObjectNode reply(String op, long id) {
        ObjectNode n = JSON.createObjectNode();
        n.put("Op", op);
        if (id != 0) {
            n.put("ID", id);
        }
        return n;
    }

    private void send(ObjectNode m, InputStream data, long size) throws IOException {
        byte[] line = JSON.writeValueAsBytes(m);
        synchronized (writeLock) {
            out.write(line);
            out.write('\n');
            if (data != null) {
                long n = data.transferTo(new BoundedOutput(out, size));
                if (n != size) {
                    throw new IOException("sent " + n + " bytes of " + size + ": the connection is no longer usable");
                }
            }
            out.flush();
        }
    }

    /** Session messages go to the bridge (it prints them on go's stderr) and to the daemon's log. */
    private final class Forward implements Reporter {
        @Override
        public void info(String message) {
            forward("info", message);
        }

        @Override
        public void warn(String message) {
            log.warn("client " + number + " (" + client + "): " + message);
            forward("warn", message);
        }

        @Override
        public void progress(Progress progress) {
        }

        private void forward(String level, String message) {
            ObjectNode n = reply("log", 0);
            n.put("Level", level);
            n.put("Msg", message);
            try {
                send(n, null, 0);
            } catch (IOException gone) {
                // the bridge has gone away
            }
        }
    }

    /** Exactly {@code size} bytes of the connection; close skips what was not read. */
    private static final class BoundedStream extends InputStream {
        private final InputStream in;
        private long left;

        BoundedStream(InputStream in, long size) {
            this.in = in;
            this.left = size;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("connection ended inside a put body");
            }
            left -= n;
            return n;
        }

        @Override
        public void close() throws IOException {
            byte[] skip = new byte[8192];
            while (read(skip, 0, skip.length) >= 0) {
                // skip the rest of the body
            }
        }
    }

    /** Writes at most {@code size} bytes: a file that grew never shifts the stream. */
    private static final class BoundedOutput extends OutputStream {
        private final OutputStream out;
        private long left;

        BoundedOutput(OutputStream out, long size) {
            this.out = out;
            this.left = size;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int n = (int) Math.min(len, left);
            out.write(b, off, n);
            left -= n;
        }
    }
}
