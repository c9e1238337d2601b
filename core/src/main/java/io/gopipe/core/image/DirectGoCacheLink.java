package io.gopipe.core.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Go build cache's way into a build on a builder that runs its RUN steps in the agent's own
 * network ({@code --network host} on the local Docker daemon's BuildKit): a loopback TCP port that
 * passes each connection's bytes to the {@code gopipe gocache serve} daemon as they are, once the
 * relay in the build has sent the link's random token and a newline.
 *
 * <p>Why not always {@link AgentTunnel}: the tunnel needs a {@code --mount=type=ssh} (and the
 * prefetch key a {@code --mount=type=secret}) on the RUN, and BuildKit before v0.16 (dockerd 26's)
 * then computes a content checksum of the step's whole root file system before the step starts
 * (its exec op takes the session mount's zero input index for the rootfs; fixed upstream in
 * "exec: fix incorrect deps computation for special mounts"): measured 1.5–2.6 s per such RUN on a
 * pruned builder with the Go image (dockerd's CPU profile: contenthash.Checksum under
 * ExecOp.CacheMap). It also carries every message as an ssh-agent sign request. The link needs no
 * session mount: the address, the token and the prefetch key reach the RUN in the predefined
 * {@code FTP_PROXY} build arg, which BuildKit keeps out of the step's cache key and the image
 * history, and gopipe passes it through the environment, not the command line.
 */
final class DirectGoCacheLink implements AutoCloseable {

    /** The first field of the {@link #buildArgValue} value; the relay ignores anything else. */
    static final String MAGIC = "gopipe-gocache-v1";
    /** The predefined proxy build arg that carries the link into the RUN. */
    static final String BUILD_ARG = "FTP_PROXY";
    private static final int TOKEN_WAIT_MS = 10_000;

    private final String daemon;
    private final ServerSocket server;
    private final String token;
    private final ExecutorService threads;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong toBuild = new AtomicLong();
    private final AtomicLong fromBuild = new AtomicLong();
    private volatile boolean closed;

    private DirectGoCacheLink(String daemon, ServerSocket server, String token) {
        this.daemon = daemon;
        this.server = server;
        this.token = token;
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "gopipe-gocache-link");
            t.setDaemon(true);
            return t;
        });
    }

    /** Listens on a free loopback port and passes each connection to {@code daemon} ({@code unix:}/{@code tcp:}). */
    static DirectGoCacheLink start(String daemon) throws IOException {
        AgentTunnel.address(daemon); // bad input fails here
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        byte[] t = new byte[16];
        new SecureRandom().nextBytes(t);
        DirectGoCacheLink link = new DirectGoCacheLink(daemon, server, HexFormat.of().formatHex(t));
        link.threads.submit(link::acceptLoop);
        return link;
    }

    /** {@code tcp:127.0.0.1:PORT}. */
    String address() {
        return "tcp:" + server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
    }

    /** The link's token (a build secret: mask it in logs). */
    String token() {
        return token;
    }

    /**
     * The {@link #BUILD_ARG} value for one build: the magic word, the address, the token and the
     * bridge's extra arguments, each query-escaped and separated by spaces.
     */
    String buildArgValue(List<String> bridgeArgs) {
        StringBuilder b = new StringBuilder(MAGIC).append(' ').append(esc(address())).append(' ').append(esc(token));
        bridgeArgs.forEach(a -> b.append(' ').append(esc(a)));
        return b.toString();
    }

    /** One line for the job's log: how much went through, and refused connections if any. */
    String figures() {
        return String.format("Go build cache link: %d connections%s, %.1f MiB to the build, %.1f MiB from it",
                connections.get(), refused.get() > 0 ? " (" + refused.get() + " refused: wrong token)" : "",
                toBuild.get() / 1048576.0, fromBuild.get() / 1048576.0);
    }

    long connections() {
        return connections.get();
    }

    private static String esc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket c = server.accept();
                threads.submit(() -> serve(c));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket c) {
        open.add(c);
        try (c) {
            c.setSoTimeout(TOKEN_WAIT_MS);
            InputStream in = c.getInputStream();
            if (!tokenMatches(readLine(in))) {
                refused.incrementAndGet();
                return;
            }
            c.setSoTimeout(0);
            connections.incrementAndGet();
            try (SocketChannel d = SocketChannel.open(AgentTunnel.address(daemon))) {
                OutputStream out = c.getOutputStream();
                java.util.concurrent.Future<?> down = threads.submit(() -> {
                    ByteBuffer buf = ByteBuffer.allocate(1 << 16);
                    try {
                        int n;
                        while ((n = d.read(buf.clear())) >= 0) {
                            out.write(buf.array(), 0, n);
                            toBuild.addAndGet(n);
                        }
                        c.shutdownOutput();
                    } catch (IOException e) {
                        // either side went away: the bridge sees the end and warns once
                    }
                });
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                    while (b.hasRemaining()) {
                        d.write(b);
                    }
                    fromBuild.addAndGet(n);
                }
                d.shutdownOutput(); // the bridge is done: the daemon flushes and hangs up
                down.get();
            }
        } catch (SocketTimeoutException e) {
            refused.incrementAndGet();
        } catch (IOException | RuntimeException | InterruptedException | java.util.concurrent.ExecutionException e) {
            // the build step ended or the daemon went away: nothing to keep
        } finally {
            open.remove(c);
        }
    }

    private boolean tokenMatches(String line) {
        return line != null && MessageDigest.isEqual(line.getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8));
    }

    /** The first line, at most 128 bytes; null when there is none. */
    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 128; i++) {
            int ch = in.read();
            if (ch < 0) {
                return null;
            }
            if (ch == '\n') {
                return b.toString();
            }
            b.append((char) ch);
        }
        return null;
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
        threads.shutdownNow();
    }
}
