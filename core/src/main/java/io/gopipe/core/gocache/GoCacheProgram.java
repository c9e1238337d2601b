package io.gopipe.core.gocache;

import io.gopipe.core.gocache.store.ObjectStore;
import io.gopipe.core.gocache.store.ObjectStores;
import io.gopipe.core.report.Reporter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The {@code GOCACHEPROG} program: answers the go command's get/put/close over stdin/stdout with a
 * local tier in front of an {@link ObjectStore}. Store layout: {@code o/<output>} (zstd-compressed
 * output, stored once whatever action made it), {@code a/<action>} (the {@link ActionRecord}),
 * {@code p/<hash>.pack} and {@code m/<key>.json} (prefetch). Nothing here can fail the build: a
 * store problem is a miss or a skipped upload with one warning.
 *
 * <p>One instance serves one go process, and pays a JVM start for it; many may share a local tier
 * and a store. {@link GoCacheDaemon} serves many go processes from one JVM through the bridge.
 */
public final class GoCacheProgram {

    private final GoCacheOptions options;
    private final Reporter reporter;
    private final Supplier<ObjectStore> opener;

    /** The engine for {@code options}, opening the store named by its backend. */
    public GoCacheProgram(GoCacheOptions options, Reporter reporter) {
        this(options, reporter, () -> ObjectStores.open(options.backend(), options.s3(), options.callTimeout()));
    }

    /** The engine over a store of the caller's (the plugin's controller store, tests' wrappers). */
    public GoCacheProgram(GoCacheOptions options, Reporter reporter, Supplier<ObjectStore> store) {
        this.options = options;
        this.reporter = reporter;
        this.opener = store;
    }

    /**
     * Serves one go process until it sends {@code close} or its input ends, and returns the run's
     * figures. Capabilities go out first, before the store is even opened, because go waits for them.
     */
    public GoCacheFigures run(InputStream in, OutputStream out) throws IOException {
        ProtocolWriter writer = new ProtocolWriter(out);
        writer.capabilities(List.of("get", "put", "close"));
        long startup = ProcessHandle.current().info().startInstant()
                .map(t -> Duration.between(t, Instant.now()).toMillis()).orElse(0L);

        GoCacheSession session = new GoCacheSession(options, reporter, new DiskTier(options.diskDir()), opener);
        ExecutorService handlers = Executors.newFixedThreadPool(16, GoCacheSession.daemon("gocache-get"));
        ProtocolReader reader = new ProtocolReader(in);
        boolean closed = false;
        try {
            ProgRequest req;
            while ((req = reader.next()) != null) {
                ProgRequest r = req;
                switch (r.command()) {
                    case "get" -> handlers.execute(() -> get(r, session, writer));
                    case "put" -> {
                        InputStream body = r.bodySize() > 0 ? reader.readBody(r.bodySize()) : InputStream.nullInputStream();
                        try {
                            Path file = session.put(r.actionId(), r.outputId(), body, r.bodySize(), false);
                            writer.stored(r.id(), file);
                        } catch (Exception e) {
                            writer.done(r.id(), "gopipe gocache: " + e.getMessage());
                        }
                        body.close();
                    }
                    case "close" -> {
                        handlers.shutdown();
                        handlers.awaitTermination(options.callTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
                        closed = true;
                        GoCacheFigures f = session.close(startup);
                        writer.done(r.id(), null);
                        return f;
                    }
                    default -> writer.done(r.id(), "gopipe gocache: unknown command " + r.command());
                }
            }
            // Input ended without close: the go command is gone; nothing to flush for.
            return session.abandon(startup);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return session.abandon(startup);
        } finally {
            handlers.shutdownNow();
            if (!closed) {
                session.abandon(startup);
            }
        }
    }

    private static void get(ProgRequest r, GoCacheSession session, ProtocolWriter writer) {
        try {
            ActionRecord rec = session.get(r.actionId());
            if (rec == null) {
                writer.miss(r.id());
            } else {
                writer.hit(r.id(), rec.outputId(), rec.size(), rec.time(), session.tier().object(rec.outputId()));
            }
        } catch (Exception e) {
            session.problem("get failed: " + e.getMessage());
            try {
                writer.miss(r.id());
            } catch (IOException gone) {
                // go has gone away
            }
        }
    }
}
