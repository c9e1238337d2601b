package io.gopipe.core.gocache.store;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The Jenkins controller's store as a {@code gopipe gocache} process on an agent sees it: calls go
 * to the {@link LoopbackObjectServer} in the agent JVM named by an endpoint file
 * ({@code --backend controller:<file>}), which forwards them over the agent's channel. What the
 * build may read and write is decided on the controller; a refusal arrives here as an
 * {@link AccessDeniedException}, any other failure as an {@link IOException}, which the program
 * counts as a miss.
 */
public final class ControllerObjectStore implements ObjectStore {

    private final Path endpointFile;
    private final Duration callTimeout;
    private final HttpClient http;
    private volatile Endpoint endpoint;

    private record Endpoint(URI base, String token) {
    }

    /** Opens without touching anything: the endpoint file is read on the first call. */
    public ControllerObjectStore(Path endpointFile, Duration callTimeout) {
        this.endpointFile = endpointFile.toAbsolutePath().normalize();
        this.callTimeout = callTimeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public String describe() {
        return "controller:" + endpointFile;
    }

    @Override
    public Optional<byte[]> get(String name) throws IOException {
        HttpResponse<byte[]> r = send(request("o/" + enc(name)).GET(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        check(r.statusCode(), "get " + name, r.body());
        return Optional.of(r.body());
    }

    @Override
    public InputStream open(String name) throws IOException {
        HttpResponse<InputStream> r = send(request("o/" + enc(name)).GET(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            byte[] body;
            try (InputStream in = r.body()) {
                body = in.readNBytes(4096);
            }
            if (r.statusCode() == 404) {
                throw new NoSuchFileException(name + " is not in " + describe());
            }
            check(r.statusCode(), "open " + name, body);
        }
        return r.body();
    }

    @Override
    public boolean exists(String name) throws IOException {
        HttpResponse<byte[]> r = send(request("o/" + enc(name)).method("HEAD", HttpRequest.BodyPublishers.noBody()),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() == 404) {
            return false;
        }
        check(r.statusCode(), "check " + name, r.body());
        return true;
    }

    @Override
    public void put(String name, InputStream data, long size) throws IOException {
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> data), size);
        HttpResponse<byte[]> r = send(request("o/" + enc(name)).PUT(body), HttpResponse.BodyHandlers.ofByteArray());
        check(r.statusCode(), "put " + name, r.body());
    }

    @Override
    public List<StoredObject> list(String prefix) throws IOException {
        HttpResponse<byte[]> r = send(request("list?prefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8)).GET(),
                HttpResponse.BodyHandlers.ofByteArray());
        check(r.statusCode(), "list " + prefix, r.body());
        List<StoredObject> out = new ArrayList<>();
        for (String line : new String(r.body(), StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.split(" ", 3);
            if (f.length == 3) {
                out.add(new StoredObject(f[2], Long.parseLong(f[0]), Instant.ofEpochMilli(Long.parseLong(f[1]))));
            }
        }
        return out;
    }

    /** Refused: only the controller prunes its store. */
    @Override
    public void delete(String name) throws IOException {
        throw new AccessDeniedException(name, null, "objects in the controller's store are removed only by the controller's pruning");
    }

    /** Nothing to do here: uploads are staged on the controller, and it sweeps them. */
    @Override
    public int sweepStaging(Duration olderThan) {
        return 0;
    }

    @Override
    public void close() {
    }

    private HttpRequest.Builder request(String path) throws IOException {
        Endpoint e = endpoint();
        return HttpRequest.newBuilder(e.base().resolve(path)).timeout(callTimeout)
                .header(LoopbackObjectServer.TOKEN_HEADER, e.token());
    }

    private Endpoint endpoint() throws IOException {
        Endpoint e = endpoint;
        if (e == null) {
            List<String> lines;
            try {
                lines = Files.readAllLines(endpointFile, StandardCharsets.US_ASCII);
            } catch (NoSuchFileException missing) {
                throw new NoSuchFileException(endpointFile.toString(), null,
                        "the controller store's endpoint file is missing (the step that served it has ended)");
            }
            if (lines.size() < 2 || !lines.get(0).startsWith("http://127.0.0.1:") || lines.get(1).isBlank()) {
                throw new IOException(endpointFile + " is not a gopipe controller-store endpoint file");
            }
            e = new Endpoint(URI.create(lines.get(0).trim()), lines.get(1).trim());
            endpoint = e;
        }
        return e;
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return http.send(request.build(), handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(describe() + ": interrupted", e);
        } catch (IOException e) {
            throw new IOException(describe() + ": " + e, e);
        }
    }

    private void check(int status, String what, byte[] body) throws IOException {
        if (status / 100 == 2) {
            return;
        }
        String msg = describe() + ": " + what + ": " + new String(body, StandardCharsets.UTF_8).trim();
        if (status == 403) {
            throw new AccessDeniedException(what, null, msg);
        }
        if (status == 400) {
            throw new IllegalArgumentException(msg);
        }
        throw new IOException(msg + " (HTTP " + status + ")");
    }

    private static String enc(String name) {
        // names are [A-Za-z0-9._/-]: nothing to escape, but check before it becomes a URL
        return ObjectStore.check(name);
    }
}
