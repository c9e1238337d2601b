package io.gopipe.core.gocache;

import com.github.luben.zstd.Zstd;
import io.gopipe.core.gocache.store.ObjectStore;
import io.gopipe.core.gocache.store.ObjectStores;
import io.gopipe.core.report.Reporter;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The {@code GOCACHEPROG} program: answers the go command's get/put/close over stdin/stdout with a
 * local tier in front of an {@link ObjectStore}. Store layout: {@code o/<output>} (zstd-compressed
 * output, stored once whatever action made it), {@code a/<action>} (the {@link ActionRecord}),
 * {@code p/<hash>.pack} and {@code m/<key>.json} (prefetch). Nothing here can fail the build: a
 * store problem is a miss or a skipped upload with one warning.
 *
 * <p>One instance serves one go process; many may share a local tier and a store.
 */
public final class GoCacheProgram {

    private final GoCacheOptions options;
    private final Reporter reporter;
    private final Supplier<ObjectStore> opener;

    private final AtomicLong gets = new AtomicLong();
    private final AtomicLong localHits = new AtomicLong();
    private final AtomicLong prefetchHits = new AtomicLong();
    private final AtomicLong remoteHits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong puts = new AtomicLong();
    private final AtomicLong uploads = new AtomicLong();
    private final AtomicLong uploadsSkipped = new AtomicLong();
    private final AtomicLong hitBytes = new AtomicLong();
    private final AtomicLong bytesDown = new AtomicLong();
    private final AtomicLong bytesUp = new AtomicLong();
    private final AtomicLong waitNanos = new AtomicLong();
    private final Map<String, ActionRecord> used = new LinkedHashMap<>();

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

        DiskTier tier = new DiskTier(options.diskDir());
        StoreAccess store = new StoreAccess(opener, reporter, options.callTimeout());
        store.openInBackground();
        Prefetcher prefetcher = null;
        if (options.prefetchKey() != null && !options.prefetchKey().isBlank()) {
            prefetcher = new Prefetcher(store, tier, bytesDown, 8, System.getenv("GOPIPE_GOCACHE_DEBUG") != null ? reporter : null);
            prefetcher.start(options.prefetchKey());
        }
        ExecutorService handlers = Executors.newFixedThreadPool(16, daemon("gocache-get"));
        ThreadPoolExecutor uploader = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemon("gocache-upload"));
        ProtocolReader reader = new ProtocolReader(in);
        long flush = 0;
        try {
            ProgRequest req;
            while ((req = reader.next()) != null) {
                ProgRequest r = req;
                switch (r.command()) {
                    case "get" -> {
                        Prefetcher p = prefetcher;
                        handlers.execute(() -> {
                            try {
                                get(r, tier, store, p, writer);
                            } catch (Exception e) {
                                store.problem("get failed: " + e.getMessage());
                                missQuietly(writer, r.id());
                            }
                        });
                    }
                    case "put" -> {
                        InputStream body = r.bodySize() > 0 ? reader.readBody(r.bodySize()) : InputStream.nullInputStream();
                        answer(writer, r.id(), () -> put(r, body, tier, store, uploader, writer));
                        body.close();
                    }
                    case "close" -> {
                        handlers.shutdown();
                        handlers.awaitTermination(options.callTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
                        long t0 = System.nanoTime();
                        flush(store, uploader, prefetcher, tier, t0);
                        flush = (System.nanoTime() - t0) / 1_000_000;
                        GoCacheFigures f = figures(store, flush, startup);
                        report(f);
                        writer.done(r.id(), null);
                        return f;
                    }
                    default -> writer.done(r.id(), "gopipe gocache: unknown command " + r.command());
                }
            }
            // Input ended without close: the go command is gone; nothing to flush for.
            return figures(store, flush, startup);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return figures(store, flush, startup);
        } finally {
            handlers.shutdownNow();
            uploader.shutdownNow();
            if (prefetcher != null) {
                prefetcher.close();
            }
            store.close();
        }
    }

    private void get(ProgRequest r, DiskTier tier, StoreAccess store, Prefetcher prefetcher, ProtocolWriter writer) throws IOException {
        gets.incrementAndGet();
        String action = r.actionId();
        if (!Ids.isHex(action)) {
            writer.miss(r.id());
            misses.incrementAndGet();
            return;
        }
        ActionRecord rec = tier.lookup(action);
        if (rec == null && prefetcher != null) {
            long t0 = System.nanoTime();
            prefetcher.awaitAction(action, options.callTimeout());
            waitNanos.addAndGet(System.nanoTime() - t0);
            rec = tier.lookup(action);
        }
        if (rec != null) {
            (prefetcher != null && prefetcher.delivered(action) ? prefetchHits : localHits).incrementAndGet();
            hit(r, rec, tier, writer);
            return;
        }
        rec = fetch(action, tier, store);
        if (rec == null) {
            misses.incrementAndGet();
            writer.miss(r.id());
            return;
        }
        remoteHits.incrementAndGet();
        hit(r, rec, tier, writer);
    }

    private void hit(ProgRequest r, ActionRecord rec, DiskTier tier, ProtocolWriter writer) throws IOException {
        hitBytes.addAndGet(rec.size());
        synchronized (used) {
            used.putIfAbsent(r.actionId(), rec);
        }
        writer.hit(r.id(), rec.outputId(), rec.size(), rec.time(), tier.object(rec.outputId()));
    }

    /** One action from the store, object by object; null for a miss. */
    private ActionRecord fetch(String action, DiskTier tier, StoreAccess store) {
        if (!store.usable()) {
            return null;
        }
        long t0 = System.nanoTime();
        try {
            byte[] recBytes = store.call("reading action " + action, s -> s.get("a/" + action).orElse(null));
            if (recBytes == null) {
                return null;
            }
            bytesDown.addAndGet(recBytes.length);
            ActionRecord rec = ActionRecord.parse(recBytes);
            if (rec == null) {
                store.problem("action record a/" + action + " in " + store.describe() + " is damaged");
                return null;
            }
            if (!tier.has(rec.outputId(), rec.size())) {
                byte[] packed = store.call("reading output " + rec.outputId(), s -> s.get("o/" + rec.outputId()).orElse(null));
                if (packed == null) {
                    return null;
                }
                bytesDown.addAndGet(packed.length);
                try {
                    byte[] body = Zstd.decompress(packed, (int) rec.size());
                    tier.store(rec.outputId(), new ByteArrayInputStream(body), rec.size());
                } catch (RuntimeException | IOException e) {
                    store.problem("object o/" + rec.outputId() + " in " + store.describe() + " is corrupt (" + e.getMessage() + ")");
                    return null;
                }
            }
            tier.index(action, rec);
            return rec;
        } catch (IOException e) {
            store.problem("local tier " + tier.root() + ": " + e.getMessage());
            return null;
        } finally {
            waitNanos.addAndGet(System.nanoTime() - t0);
        }
    }

    private void put(ProgRequest r, InputStream body, DiskTier tier, StoreAccess store, ExecutorService uploader,
                     ProtocolWriter writer) throws IOException {
        puts.incrementAndGet();
        if (!Ids.isHex(r.actionId()) || !Ids.isHex(r.outputId())) {
            writer.done(r.id(), "gopipe gocache: put without valid ActionID/OutputID");
            return;
        }
        Path file = tier.store(r.outputId(), body, r.bodySize());
        ActionRecord rec = new ActionRecord(r.outputId(), r.bodySize(), Instant.now());
        tier.index(r.actionId(), rec);
        synchronized (used) {
            used.put(r.actionId(), rec);
        }
        writer.stored(r.id(), file);
        if (!options.readOnly()) {
            uploader.execute(() -> upload(r.actionId(), rec, tier, store));
        }
    }

    /** Object first, then the action record: a record in the store always names a stored object. */
    private void upload(String action, ActionRecord rec, DiskTier tier, StoreAccess store) {
        if (!store.usable()) {
            return;
        }
        String object = "o/" + rec.outputId();
        Boolean has = store.call("checking " + object, s -> s.exists(object));
        if (has == null) {
            return;
        }
        if (has) {
            uploadsSkipped.incrementAndGet();
        } else {
            byte[] packed;
            try {
                packed = Zstd.compress(Files.readAllBytes(tier.object(rec.outputId())), 1);
            } catch (IOException e) {
                store.problem("local output " + rec.outputId() + " unreadable: " + e.getMessage());
                return;
            }
            if (store.call("uploading " + object, s -> {
                s.put(object, new ByteArrayInputStream(packed), packed.length);
                return Boolean.TRUE;
            }) == null) {
                return;
            }
            uploads.incrementAndGet();
            bytesUp.addAndGet(packed.length);
        }
        byte[] recBytes = rec.encode();
        if (store.call("recording action " + action, s -> {
            s.put("a/" + action, new ByteArrayInputStream(recBytes), recBytes.length);
            return Boolean.TRUE;
        }) != null) {
            bytesUp.addAndGet(recBytes.length);
        }
    }

    private void flush(StoreAccess store, ThreadPoolExecutor uploader, Prefetcher prefetcher, DiskTier tier, long t0)
            throws InterruptedException {
        long deadline = t0 + options.flushLimit().toNanos();
        uploader.shutdown();
        if (!uploader.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            int left = uploader.shutdownNow().size();
            store.problem("uploads not finished within " + options.flushLimit().toSeconds() + " s (" + left
                    + " not started); they are skipped");
            return;
        }
        if (prefetcher == null || options.readOnly() || !store.usable()) {
            return;
        }
        Map<String, ActionRecord> snapshot;
        synchronized (used) {
            snapshot = new LinkedHashMap<>(used);
        }
        PrefetchManifest previous = prefetcher.previous(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        // Packs the previous manifest listed and this run found in the store need no check or upload.
        Map<String, PrefetchManifest.Pack> known = new java.util.HashMap<>();
        if (previous != null) {
            previous.packs().stream().filter(p -> prefetcher.packsPresent().contains(p.name())).forEach(p -> known.put(p.name(), p));
        }
        List<List<Packs.Entry>> planned = PackPlanner.plan(snapshot);
        ExecutorService writers = Executors.newFixedThreadPool(2, daemon("gocache-pack"));
        try {
            List<java.util.concurrent.Future<PrefetchManifest.Pack>> made = new ArrayList<>();
            for (List<Packs.Entry> entries : planned) {
                PrefetchManifest.Pack old = known.get(PackPlanner.name(entries));
                made.add(old != null ? java.util.concurrent.CompletableFuture.completedFuture(old)
                        : writers.submit(() -> writePack(entries, tier, store)));
            }
            List<PrefetchManifest.Pack> packs = new ArrayList<>();
            for (var f : made) {
                PrefetchManifest.Pack p = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (p == null) {
                    return; // a pack failed: keep the old manifest
                }
                packs.add(p);
            }
            PrefetchManifest next = new PrefetchManifest(packs);
            byte[] bytes = next.encode();
            if (previous != null && java.util.Arrays.equals(previous.encode(), bytes)) {
                return; // unchanged: the store does not grow
            }
            String name = PrefetchManifest.objectName(options.prefetchKey());
            if (store.call("writing " + name, s -> {
                s.put(name, new ByteArrayInputStream(bytes), bytes.length);
                return Boolean.TRUE;
            }) != null) {
                bytesUp.addAndGet(bytes.length);
            }
        } catch (java.util.concurrent.TimeoutException e) {
            store.problem("prefetch packs not written within " + options.flushLimit().toSeconds() + " s");
        } catch (java.util.concurrent.ExecutionException | IOException e) {
            store.problem("prefetch manifest not written: " + e.getMessage());
        } finally {
            writers.shutdownNow();
        }
    }

    /** Writes and uploads a pack unless the store has it (another key cut the same pack). */
    private PrefetchManifest.Pack writePack(List<Packs.Entry> entries, DiskTier tier, StoreAccess store) throws IOException {
        String name = PackPlanner.name(entries);
        Boolean has = store.call("checking " + name, s -> s.exists(name));
        if (has == null) {
            return null;
        }
        if (has) {
            return new PrefetchManifest.Pack(name, -1, entries); // size unknown without another call; informational only
        }
        Path file = Files.createTempFile(tier.root().resolve("tmp"), "pack-", ".zst");
        try {
            Packs.write(entries, tier, file);
            long size = Files.size(file);
            Boolean ok = store.call("uploading " + name, s -> {
                try (InputStream in = Files.newInputStream(file)) {
                    s.put(name, in, size);
                }
                return Boolean.TRUE;
            });
            if (ok == null) {
                return null;
            }
            bytesUp.addAndGet(size);
            return new PrefetchManifest.Pack(name, size, entries);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private GoCacheFigures figures(StoreAccess store, long flushMillis, long startupMillis) {
        long l = localHits.get(), p = prefetchHits.get(), rh = remoteHits.get();
        return new GoCacheFigures(gets.get(), l + p + rh, l, p, rh, misses.get(), puts.get(), uploads.get(),
                uploadsSkipped.get(), hitBytes.get(), bytesDown.get(), bytesUp.get(), waitNanos.get() / 1_000_000, flushMillis,
                startupMillis, store.problems());
    }

    private void report(GoCacheFigures f) {
        if (!options.quiet()) {
            reporter.info(f.summary());
        }
        if (options.statsJson() != null) {
            try {
                Files.write(options.statsJson(), (f.toJson() + "\n").getBytes(StandardCharsets.UTF_8),
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            } catch (IOException e) {
                reporter.warn("gocache: cannot write figures to " + options.statsJson() + ": " + e.getMessage());
            }
        }
    }

    /** Runs a request; an unexpected failure becomes an error answer for that request, never a dead program. */
    private void answer(ProtocolWriter writer, long id, IoAction action) {
        try {
            action.run();
        } catch (Exception e) {
            try {
                writer.done(id, "gopipe gocache: " + e.getMessage());
            } catch (IOException gone) {
                // go has gone away
            }
        }
    }

    private void missQuietly(ProtocolWriter writer, long id) {
        misses.incrementAndGet();
        try {
            writer.miss(id);
        } catch (IOException gone) {
            // go has gone away
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws Exception;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
