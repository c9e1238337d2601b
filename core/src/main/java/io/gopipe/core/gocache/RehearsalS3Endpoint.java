package io.gopipe.core.gocache;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gopipe.core.cache.backend.S3Options;
import io.gopipe.core.gocache.store.ObjectStore;
import io.gopipe.core.gocache.store.ObjectStores;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Object GET, HEAD and PUT in memory on a loopback port, so that {@link GoCacheRehearsal} drives the
 * real S3 client (request signing, the JDK's HTTP connection and its streams) without a store. It
 * checks no signature and keeps what it is given until {@link #close}: a rehearsal's few megabytes.
 */
final class RehearsalS3Endpoint implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, byte[]> objects = new ConcurrentHashMap<>();

    RehearsalS3Endpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The real S3 store over this endpoint (path style, throwaway keys). */
    ObjectStore store() {
        URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        return ObjectStores.open("s3://rehearsal/gocache", new S3Options(endpoint, "us-east-1", true, "rehearsal", "rehearsal", false),
                Duration.ofSeconds(10));
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            byte[] body = objects.get(path);
            switch (x.getRequestMethod()) {
                case "PUT" -> {
                    try (InputStream in = x.getRequestBody()) {
                        objects.put(path, in.readAllBytes());
                    }
                    x.sendResponseHeaders(200, -1);
                }
                case "HEAD" -> {
                    if (body == null) {
                        x.sendResponseHeaders(404, -1);
                    } else {
                        x.getResponseHeaders().set("Content-Length", Long.toString(body.length));
                        x.sendResponseHeaders(200, -1);
                    }
                }
                case "GET" -> {
                    if (body == null) {
                        byte[] error = "<Error><Code>NoSuchKey</Code></Error>".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                        x.sendResponseHeaders(404, error.length);
                        x.getResponseBody().write(error);
                    } else {
                        x.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
                        try (OutputStream out = x.getResponseBody()) {
                            out.write(body);
                        }
                    }
                }
                default -> x.sendResponseHeaders(405, -1);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        objects.clear();
    }
}
