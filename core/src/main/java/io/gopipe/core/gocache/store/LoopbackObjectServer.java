package io.gopipe.core.gocache.store;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves {@link ControllerObjects} (a remoting proxy to the controller) to the {@code gopipe
 * gocache} processes on the same machine. Go starts those itself, outside the agent JVM, so they
 * cannot use the agent's channel; this small HTTP server on 127.0.0.1 in the agent JVM forwards
 * their calls to it. Loopback only, and every request must carry a random token that only the
 * endpoint file holds (readable by its owner alone): the command line, which every local user can
 * see, names just that file. Kubernetes pod containers share the loopback interface, so
 * {@code container('go')} reaches it too.
 *
 * <p>Endpoint file: two lines, the base URL and the token. {@link ControllerObjectStore} reads it.
 */
public final class LoopbackObjectServer implements Closeable {

    static final String TOKEN_HEADER = "X-Gopipe-Token";

    private final ControllerObjects store;
    private final HttpServer server;
    private final ExecutorService pool;
    private final Path endpointFile;
    private final byte[] token;

    private LoopbackObjectServer(ControllerObjects store, HttpServer server, ExecutorService pool, Path endpointFile, byte[] token) {
        this.store = store;
        this.server = server;
        this.pool = pool;
        this.endpointFile = endpointFile;
        this.token = token;
    }

    /**
     * Starts serving {@code store} on an ephemeral loopback port and writes {@code endpointFile}
     * (owner-only) for the {@code gocache} processes.
     */
    public static LoopbackObjectServer start(ControllerObjects store, Path endpointFile) throws IOException {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String token = HexFormat.of().formatHex(raw);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        AtomicInteger n = new AtomicInteger();
        // go runs several compiles at once and each program uploads in the background: serve them in parallel
        ExecutorService pool = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "gopipe-gocache-loopback-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        LoopbackObjectServer s = new LoopbackObjectServer(store, server, pool, endpointFile.toAbsolutePath(),
                token.getBytes(StandardCharsets.US_ASCII));
        server.createContext("/", s::handle);
        server.start();
        try {
            s.writeEndpoint("http://127.0.0.1:" + server.getAddress().getPort() + "/", token);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** The endpoint file the {@code gocache} processes open ({@code --backend controller:<file>}). */
    public Path endpointFile() {
        return endpointFile;
    }

    /** The port served, for messages. */
    public int port() {
        return server.getAddress().getPort();
    }

    private void writeEndpoint(String url, String tok) throws IOException {
        Files.createDirectories(endpointFile.getParent());
        Path tmp = endpointFile.resolveSibling(endpointFile.getFileName() + ".tmp-" + System.nanoTime());
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(tmp); // Windows agents: the workspace's own ACLs apply
        } catch (FileAlreadyExistsException e) {
            throw new IOException("cannot create the endpoint file " + tmp + ": it exists", e);
        }
        Files.writeString(tmp, url + "\n" + tok + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, endpointFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Stops serving and removes the endpoint file; calls in flight fail, which their programs count as misses. */
    @Override
    public void close() throws IOException {
        server.stop(0);
        pool.shutdownNow();
        Files.deleteIfExists(endpointFile);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String given = ex.getRequestHeaders().getFirst(TOKEN_HEADER);
            if (given == null || !MessageDigest.isEqual(token, given.getBytes(StandardCharsets.US_ASCII))) {
                reply(ex, 403, "missing or wrong token");
                return;
            }
            String path = ex.getRequestURI().getRawPath();
            String method = ex.getRequestMethod();
            try {
                if (path.equals("/list") && method.equals("GET")) {
                    reply(ex, 200, store.list(query(ex, "prefix")));
                } else if (path.equals("/describe") && method.equals("GET")) {
                    reply(ex, 200, store.describe());
                } else if (path.startsWith("/o/")) {
                    String name = ObjectStore.check(URLDecoder.decode(path.substring(3), StandardCharsets.UTF_8));
                    switch (method) {
                        case "GET" -> get(ex, name);
                        case "HEAD" -> head(ex, name);
                        case "PUT" -> put(ex, name);
                        default -> reply(ex, 405, method + " is not served");
                    }
                } else {
                    reply(ex, 404, "unknown path " + path);
                }
            } catch (AccessDeniedException e) {
                reply(ex, 403, e.getMessage());
            } catch (IllegalArgumentException e) {
                reply(ex, 400, e.getMessage());
            } catch (IOException | RuntimeException e) {
                // The controller's refusal or a broken channel: the program turns it into a miss with a warning.
                reply(ex, 502, String.valueOf(e.getMessage()));
            }
        }
    }

    private void get(HttpExchange ex, String name) throws IOException {
        byte[] first = store.read(name, 0, ControllerObjects.CHUNK);
        if (first == null) {
            reply(ex, 404, name + " is not in " + store.describe());
            return;
        }
        if (first.length < ControllerObjects.CHUNK) {
            ex.sendResponseHeaders(200, first.length == 0 ? -1 : first.length);
            ex.getResponseBody().write(first);
            return;
        }
        long size = store.size(name);
        ex.sendResponseHeaders(200, size > 0 ? size : 0);
        OutputStream out = ex.getResponseBody();
        out.write(first);
        long offset = first.length;
        while (true) {
            byte[] part = store.read(name, offset, ControllerObjects.CHUNK);
            if (part == null || part.length == 0) {
                break;
            }
            out.write(part);
            offset += part.length;
            if (part.length < ControllerObjects.CHUNK) {
                break;
            }
        }
    }

    private void head(HttpExchange ex, String name) throws IOException {
        long size = store.size(name);
        ex.getResponseHeaders().set("X-Gopipe-Size", Long.toString(size));
        ex.sendResponseHeaders(size < 0 ? 404 : 200, -1);
    }

    private void put(HttpExchange ex, String name) throws IOException {
        InputStream in = ex.getRequestBody();
        byte[] first = in.readNBytes(ControllerObjects.CHUNK);
        if (first.length < ControllerObjects.CHUNK) {
            store.put(name, first);
            reply(ex, 204, null);
            return;
        }
        String upload = store.stage(name);
        boolean done = false;
        try {
            store.write(upload, 0, first);
            long offset = first.length;
            byte[] part;
            while ((part = in.readNBytes(ControllerObjects.CHUNK)).length > 0) {
                store.write(upload, offset, part);
                offset += part.length;
            }
            store.commit(upload, offset);
            done = true;
        } finally {
            if (!done) {
                store.discard(upload);
            }
        }
        reply(ex, 204, null);
    }

    private static String query(HttpExchange ex, String key) {
        String q = ex.getRequestURI().getRawQuery();
        if (q != null) {
            for (String kv : q.split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0 && kv.substring(0, eq).equals(key)) {
                    return URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                }
            }
        }
        throw new IllegalArgumentException("query parameter '" + key + "' is missing");
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        if (body == null) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            ex.getResponseBody().write(b);
        }
    }
}
