package io.gopipe.core.image;

import io.gopipe.core.report.Reporter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The agent's end of the tunnel that lets {@code go build} inside a BuildKit build reach the
 * {@code gopipe gocache serve} daemon: a unix socket handed to the build with
 * {@code --ssh gopipe-gocache=SOCKET}. The client forwards it over its BuildKit session, so this
 * works with a remote builder as well as the local one, with no network between builder and agent.
 *
 * <p>buildx/buildctl (up to buildx 0.25, BuildKit 0.23) forward such a socket as an ssh-agent, not as
 * raw bytes: they speak the agent protocol to it and pass on only agent requests (BuildKit's
 * {@code session/sshforward/sshprovider/agentprovider.go}: a read-only agent that refuses
 * extensions). A sign request carries arbitrary data and its answer an arbitrary signature, so the
 * relay in the build ({@code resources/io/gopipe/core/image/gocache-relay/main.go}, where the message
 * layout is described) carries the bridge's byte stream in sign requests, and this class turns them
 * back into a connection to the daemon. Everything else is refused like an agent without keys.
 */
final class AgentTunnel implements AutoCloseable {

    static final String KEY_FORMAT = "gopipe-tunnel-v1";
    private static final int MAX_MESSAGE = 16 << 20;
    private static final int READ_CHUNK = 1 << 20;
    /**
     * Raw bytes per compressed answer: Go build outputs compress ~3x, and even incompressible bytes
     * stay below the 16 MiB agent limit. Large, because the daemon streams a job's prefetched set
     * (hundreds of MiB) and every answer is a round trip through the BuildKit session.
     */
    private static final int COMPRESSED_READ = 12 << 20;
    /** Chunks of the daemon's bytes held per session before its socket is left unread (back-pressure). */
    private static final int QUEUED_CHUNKS = 48;
    private static final byte REQUEST_IDENTITIES = 11;
    private static final byte IDENTITIES_ANSWER = 12;
    private static final byte SIGN_REQUEST = 13;
    private static final byte SIGN_RESPONSE = 14;
    private static final byte FAILURE = 5;

    private final Path socket;
    private final String daemon;
    private final Reporter reporter;
    private final ServerSocketChannel server;
    private final ExecutorService threads;
    private final Map<String, SocketChannel> sessions = new ConcurrentHashMap<>();
    /** Per session, what the daemon sent and no 'R' has taken yet; an empty array is its end. */
    private final Map<String, java.util.concurrent.BlockingQueue<byte[]>> inbound = new ConcurrentHashMap<>();
    /** Per session that reads with 'Z', the answers its packer made ahead (an empty one is its end). */
    private final Map<String, Packer> compressed = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong answersRaw = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong answersCompressed = new java.util.concurrent.atomic.AtomicLong();
    private static final byte[] EOF = new byte[0];
    private final java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong bytesIn = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong bytesSent = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong daemonWait = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong firstRequest = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong lastRequest = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong bytesOut = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong sessionCount = new java.util.concurrent.atomic.AtomicLong();
    private final SecureRandom random = new SecureRandom();
    /** Connections that only started the daemon's prefetch of a key; held until the builds end. */
    private final List<SocketChannel> prefetches = java.util.Collections.synchronizedList(new ArrayList<>());
    /** The keys whose prefetch was started: one early connection per key. */
    private final java.util.Set<String> prefetched = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean warned = new AtomicBoolean();
    private volatile boolean closed;

    private AgentTunnel(Path socket, String daemon, Reporter reporter, ServerSocketChannel server) {
        this.socket = socket;
        this.daemon = daemon;
        this.reporter = reporter;
        this.server = server;
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "gopipe-gocache-tunnel");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Listens on a new socket in {@code dir} (private to this user) and forwards every tunnel session
     * to {@code daemon} ({@code unix:PATH} or {@code tcp:HOST:PORT}).
     */
    static AgentTunnel start(Path dir, String daemon, Reporter reporter) throws IOException {
        address(daemon); // bad input fails here, not inside the build
        Files.createDirectories(dir);
        dir.toFile().setReadable(false, false);
        dir.toFile().setReadable(true, true);
        dir.toFile().setExecutable(false, false);
        dir.toFile().setExecutable(true, true);
        Path socket = dir.resolve("t.sock");
        Files.deleteIfExists(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        AgentTunnel t = new AgentTunnel(socket, daemon, reporter, server);
        t.threads.submit(t::acceptLoop);
        return t;
    }

    /**
     * Starts the daemon's prefetch of {@code key} now, while BuildKit starts, sends the context and
     * unpacks the base image (seconds on a fresh builder), instead of when {@code go build} inside the
     * build first connects: a bridge hello with the key and no get. The connection stays open until
     * {@link #close()}, so the daemon counts the job's key as in use and the bridge's session shares
     * this prefetch. Once per key. Best effort: a daemon that cannot be told is the bridge's warning
     * later, not ours.
     */
    void prefetch(String key) {
        if (!prefetched.add(key)) {
            return;
        }
        threads.submit(() -> {
            try {
                SocketChannel d = SocketChannel.open(address(daemon));
                prefetches.add(d);
                String hello = "{\"Op\":\"hello\",\"V\":1,\"Key\":\"" + key.replace("\\", "\\\\").replace("\"", "\\\"")
                        + "\",\"Client\":\"gopipe image build (early prefetch)\"}\n";
                ByteBuffer b = ByteBuffer.wrap(hello.getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) {
                    d.write(b);
                }
            } catch (IOException | RuntimeException e) {
                // best effort, see above
            }
        });
    }

    /**
     * Ends the early-prefetch connections the way a bridge that asked nothing would: our end, then
     * reading until the daemon hangs up (closing with its hello answer unread would be a reset, which
     * the daemon logs as a warning). A daemon that does not hang up within a second is cut.
     */
    private void endPrefetches() {
        List<SocketChannel> open;
        synchronized (prefetches) {
            open = List.copyOf(prefetches);
            prefetches.clear();
        }
        for (SocketChannel d : open) {
            java.util.concurrent.Future<?> drained = threads.submit(() -> {
                try {
                    d.shutdownOutput();
                    ByteBuffer sink = ByteBuffer.allocate(8192);
                    while (d.read(sink.clear()) >= 0) {
                        // the hello answer, perhaps a log line
                    }
                } catch (IOException ignored) {
                    // gone already
                }
            });
            try {
                drained.get(1, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                drained.cancel(true);
            }
            try {
                d.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    /** The socket to pass as {@code --ssh ID=SOCKET}. */
    Path socket() {
        return socket;
    }

    /** The daemon address as a socket address; {@link InvalidImageConfigException} for anything else. */
    static SocketAddress address(String daemon) {
        if (daemon != null && daemon.startsWith("unix:") && daemon.length() > 5) {
            return UnixDomainSocketAddress.of(daemon.substring(5));
        }
        if (daemon != null && daemon.startsWith("tcp:")) {
            String hp = daemon.substring(4);
            int colon = hp.lastIndexOf(':');
            if (colon > 0) {
                try {
                    return new InetSocketAddress(hp.substring(0, colon), Integer.parseInt(hp.substring(colon + 1)));
                } catch (NumberFormatException e) {
                    // falls through to the error
                }
            }
        }
        throw new InvalidImageConfigException("--gocache-daemon '" + daemon + "' must be unix:PATH or tcp:HOST:PORT"
                + " (the address `gopipe gocache serve --socket/--tcp` listens on)");
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel c = server.accept();
                threads.submit(() -> serve(c));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** One agent connection: request, answer, until the client hangs up. */
    private void serve(SocketChannel c) {
        List<String> opened = new ArrayList<>();
        try (c) {
            while (true) {
                ByteBuffer len = ByteBuffer.allocate(4);
                if (!readFully(c, len)) {
                    return;
                }
                int n = len.flip().getInt();
                if (n <= 0 || n > MAX_MESSAGE) {
                    return;
                }
                ByteBuffer body = ByteBuffer.allocate(n);
                if (!readFully(c, body)) {
                    return;
                }
                body.flip();
                byte type = body.get();
                byte[] answer;
                if (type == REQUEST_IDENTITIES) {
                    answer = new byte[] {IDENTITIES_ANSWER, 0, 0, 0, 0};
                } else if (type == SIGN_REQUEST) {
                    answer = sign(body, opened);
                } else {
                    answer = new byte[] {FAILURE};
                }
                ByteBuffer out = ByteBuffer.allocate(4 + answer.length).putInt(answer.length).put(answer).flip();
                while (out.hasRemaining()) {
                    c.write(out);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the build step ended or the client went away: its sessions end below
        } finally {
            for (String id : opened) {
                closeSession(id);
            }
        }
    }

    private byte[] sign(ByteBuffer body, List<String> opened) {
        byte[] key = string(body);
        byte[] data = string(body);
        if (key == null || data == null || data.length == 0
                || !KEY_FORMAT.equals(new String(firstString(key), StandardCharsets.UTF_8))) {
            return new byte[] {FAILURE};
        }
        requests.incrementAndGet();
        firstRequest.compareAndSet(0, System.nanoTime());
        lastRequest.set(System.nanoTime());
        try {
            char op = (char) data[0];
            String id = data.length >= 17 ? new String(data, 1, 16, StandardCharsets.US_ASCII) : null;
            switch (op) {
                case 'O' -> {
                    SocketChannel d = SocketChannel.open(address(daemon));
                    byte[] raw = new byte[8];
                    random.nextBytes(raw);
                    String sid = HexFormat.of().formatHex(raw);
                    sessions.put(sid, d);
                    sessionCount.incrementAndGet();
                    java.util.concurrent.BlockingQueue<byte[]> q = new java.util.concurrent.LinkedBlockingQueue<>(QUEUED_CHUNKS);
                    inbound.put(sid, q);
                    threads.submit(() -> readDaemon(d, q));
                    opened.add(sid);
                    return signature("ok", sid.getBytes(StandardCharsets.US_ASCII));
                }
                case 'W' -> {
                    SocketChannel d = session(id);
                    writes.incrementAndGet();
                    ByteBuffer b = ByteBuffer.wrap(data, 17, data.length - 17);
                    bytesOut.addAndGet(b.remaining());
                    while (b.hasRemaining()) {
                        d.write(b);
                    }
                    return signature("ok", new byte[0]);
                }
                case 'R' -> {
                    session(id);
                    java.util.concurrent.BlockingQueue<byte[]> q = inbound.get(id);
                    long w0 = System.nanoTime();
                    byte[] got = q == null ? EOF : take(q, READ_CHUNK);
                    daemonWait.addAndGet(System.nanoTime() - w0);
                    if (got.length == 0) {
                        closeSession(id);
                        return signature("eof", new byte[0]);
                    }
                    bytesIn.addAndGet(got.length);
                    bytesSent.addAndGet(got.length);
                    return signature("ok", got);
                }
                case 'Z' -> {
                    session(id);
                    Packer z = compressed.computeIfAbsent(id, this::startPacker);
                    long w0 = System.nanoTime();
                    z.link.requested(w0);
                    Answer got = z.ready.take();
                    daemonWait.addAndGet(System.nanoTime() - w0);
                    z.link.answered(got.bytes().length);
                    if (got.bytes().length == 0) {
                        closeSession(id);
                        return signature("eof", new byte[0]);
                    }
                    return signature(got.compressed() ? "okz" : "ok", got.bytes());
                }
                case 'C' -> {
                    endWrites(id); // nothing to do when the session already ended
                    return signature("ok", new byte[0]);
                }
                default -> {
                    return signature("err", ("unknown tunnel operation " + op).getBytes(StandardCharsets.UTF_8));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return signature("err", "the tunnel is closing".getBytes(StandardCharsets.UTF_8));
        } catch (SessionEnded e) {
            // The daemon hung up after its close answer (read as eof) before the relay's own close: normal.
            return signature("err", String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            if (warned.compareAndSet(false, true)) {
                reporter.warn("Go build cache tunnel: the daemon at " + daemon + " cannot be used (the build goes on"
                        + " without it): " + e.getMessage());
            }
            return signature("err", String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * The first chunk the daemon sent (waiting for it) and everything else it already sent, up to
     * {@code limit} bytes, in one array: an answer's header and body often arrive as two writes, and
     * each answer is a round trip through the BuildKit session. Empty at the session's end.
     */
    private static byte[] take(java.util.concurrent.BlockingQueue<byte[]> q, int limit) throws InterruptedException {
        byte[] first = q.take();
        if (first.length == 0) {
            q.offer(EOF); // the end stays visible to a later take
            return EOF;
        }
        ByteArrayOutputStream got = new ByteArrayOutputStream(first.length);
        got.writeBytes(first);
        byte[] more;
        while ((more = q.peek()) != null && more.length > 0 && got.size() + more.length <= limit) {
            got.writeBytes(q.poll());
        }
        return got.toByteArray();
    }

    /** One answer of a 'Z' session: deflated or as it came; empty bytes are the session's end. */
    private record Answer(boolean compressed, byte[] bytes) {
    }

    /** A 'Z' session's packer: the answers it made ahead, and what it measured of the link and the deflater. */
    private record Packer(java.util.concurrent.BlockingQueue<Answer> ready, LinkSpeed link) {
    }

    /**
     * The relay reads one answer at a time and asks for the next as soon as it has one, so the time
     * from an answer to the next request is that answer's trip through the BuildKit session: its
     * bytes over that time are the link's speed. Compared with the deflater's own speed, it says
     * whether deflating a block saves time (a slow link: a remote builder) or costs it (a fast local
     * one, where deflating at ~100-130 MiB/s on one core is the bottleneck).
     */
    private static final class LinkSpeed {
        private static final int SAMPLE_MIN = 1 << 20; // smaller answers measure the latency, not the speed
        private long answeredAt;
        private long answeredBytes;
        private double link = -1; // bytes per second, -1 unknown
        private double deflater = -1;

        synchronized void requested(long now) {
            if (answeredBytes >= SAMPLE_MIN && now > answeredAt) {
                double sample = answeredBytes / ((now - answeredAt) / 1e9);
                link = link < 0 ? sample : (link + sample) / 2;
            }
            answeredBytes = 0;
        }

        synchronized void answered(int bytes) {
            answeredAt = System.nanoTime();
            answeredBytes = bytes;
        }

        synchronized void deflated(int rawBytes, long nanos) {
            if (rawBytes >= SAMPLE_MIN && nanos > 0) {
                double sample = rawBytes / (nanos / 1e9);
                deflater = deflater < 0 ? sample : (deflater + sample) / 2;
            }
        }

        /** Deflate the next block? Unknown link: no (its first block measures it); unknown deflater: once. */
        synchronized boolean deflate() {
            if (link < 0) {
                return false;
            }
            return deflater < 0 || link < deflater;
        }
    }

    /**
     * Starts a session's packer, the only reader of what the daemon sent once the relay reads with
     * 'Z': it makes answers of up to {@link #COMPRESSED_READ} bytes ahead, deflated (Go build outputs
     * shrink ~5.7x) when the link is slower than the deflater, as they came otherwise ({@link LinkSpeed}).
     */
    private Packer startPacker(String id) {
        java.util.concurrent.BlockingQueue<byte[]> raw = inbound.get(id);
        Packer p = new Packer(new java.util.concurrent.LinkedBlockingQueue<>(2), new LinkSpeed());
        threads.submit(() -> {
            try {
                while (true) {
                    byte[] got = raw == null ? EOF : take(raw, COMPRESSED_READ);
                    if (got.length == 0) {
                        p.ready.put(new Answer(false, EOF));
                        return;
                    }
                    bytesIn.addAndGet(got.length);
                    if (p.link.deflate()) {
                        long t0 = System.nanoTime();
                        byte[] d = deflate(got);
                        p.link.deflated(got.length, System.nanoTime() - t0);
                        answersCompressed.incrementAndGet();
                        bytesSent.addAndGet(d.length);
                        p.ready.put(new Answer(true, d));
                    } else {
                        answersRaw.incrementAndGet();
                        bytesSent.addAndGet(got.length);
                        p.ready.put(new Answer(false, got));
                    }
                }
            } catch (InterruptedException e) {
                p.ready.offer(new Answer(false, EOF));
            }
        });
        return p;
    }

    /** Raw deflate at the fastest level: the tunnel is slower than one core's compression (measured). */
    private static byte[] deflate(byte[] in) {
        java.util.zip.Deflater d = new java.util.zip.Deflater(java.util.zip.Deflater.BEST_SPEED, true);
        try {
            d.setInput(in);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, in.length / 2));
            byte[] buf = new byte[64 << 10];
            while (!d.finished()) {
                int n = d.deflate(buf);
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    /** Reads the daemon's side of a session as it arrives, so an 'R' finds all of it at once. */
    private void readDaemon(SocketChannel d, java.util.concurrent.BlockingQueue<byte[]> q) {
        ByteBuffer b = ByteBuffer.allocate(READ_CHUNK);
        boolean ended = false;
        try {
            while (true) {
                b.clear();
                int n = d.read(b);
                if (n < 0) {
                    break;
                }
                if (n > 0) {
                    byte[] got = new byte[n];
                    b.flip().get(got);
                    q.put(got); // blocks while the relay is behind: the daemon's writes wait, memory stays bounded
                }
            }
            ended = true;
            q.put(EOF); // the relay reads on until it sees the end
        } catch (IOException | InterruptedException e) {
            // the session was closed or the tunnel is closing
        } finally {
            if (!ended) {
                q.clear(); // nobody needs the rest; make room for the end
                q.offer(EOF);
            }
        }
    }

    private SocketChannel session(String id) throws IOException {
        SocketChannel d = id == null ? null : sessions.get(id);
        if (d == null) {
            throw new SessionEnded("no tunnel session " + id);
        }
        return d;
    }

    /** A request for a session that already ended. */
    private static final class SessionEnded extends IOException {
        SessionEnded(String message) {
            super(message);
        }
    }

    /** The bridge is done writing: the daemon still answers its close, then hangs up (read as eof). */
    private void endWrites(String id) {
        SocketChannel d = id == null ? null : sessions.get(id);
        if (d != null) {
            try {
                d.shutdownOutput();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    private void closeSession(String id) {
        SocketChannel d = id == null ? null : sessions.remove(id);
        if (id != null) {
            inbound.remove(id);
            compressed.remove(id);
        }
        if (d != null) {
            try {
                d.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    /** An ssh-agent sign answer whose signature is {format, blob}. */
    private static byte[] signature(String format, byte[] blob) {
        ByteArrayOutputStream sig = new ByteArrayOutputStream();
        writeString(sig, format.getBytes(StandardCharsets.US_ASCII));
        writeString(sig, blob);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(SIGN_RESPONSE);
        writeString(out, sig.toByteArray());
        return out.toByteArray();
    }

    private static void writeString(ByteArrayOutputStream out, byte[] s) {
        out.write(s.length >>> 24);
        out.write(s.length >>> 16);
        out.write(s.length >>> 8);
        out.write(s.length);
        out.writeBytes(s);
    }

    private static byte[] string(ByteBuffer b) {
        if (b.remaining() < 4) {
            return null;
        }
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            return null;
        }
        byte[] s = new byte[n];
        b.get(s);
        return s;
    }

    private static byte[] firstString(byte[] blob) {
        byte[] s = string(ByteBuffer.wrap(blob));
        return s == null ? new byte[0] : s;
    }

    private static boolean readFully(SocketChannel c, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (c.read(b) < 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        if (requests.get() > 0) {
            reporter.info(String.format("Go build cache tunnel: %d sessions, %d requests (%d writes), %.1f MiB to the build (%.1f MiB"
                    + " sent: %d answers deflated, %d as they came), %.1f MiB from it; %.1f s from the first request to the"
                    + " last, %.1f s of reads waiting for the daemon or the deflater", sessionCount.get(), requests.get(), writes.get(),
                    bytesIn.get() / 1048576.0, bytesSent.get() / 1048576.0, answersCompressed.get(), answersRaw.get(),
                    bytesOut.get() / 1048576.0,
                    (lastRequest.get() - firstRequest.get()) / 1e9, daemonWait.get() / 1e9));
        }
        closed = true;
        endPrefetches();
        try {
            server.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
        for (String id : List.copyOf(sessions.keySet())) {
            SocketChannel d = sessions.remove(id);
            try {
                d.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
        threads.shutdownNow();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // a stale socket in a scratch folder is harmless
        }
    }
}
