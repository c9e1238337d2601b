package io.gopipe.core.gocache;

import com.github.luben.zstd.Zstd;
import io.gopipe.core.report.Reporter;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One go process's use of the cache, whoever carries its requests: the stdin/stdout program
 * ({@link GoCacheProgram}) or a bridge connection of the daemon ({@link GoCacheDaemon}). It counts
 * the figures, prefetches the key's set, uploads puts in the background and, at {@link #close},
 * flushes the uploads and the prefetch manifest within the flush limit. Store problems are misses
 * or skipped uploads with one warning per session; the session marks the store down for itself only.
 */
final class GoCacheSession {

    private final GoCacheOptions options;
    private final Reporter reporter;
    private final DiskTier tier;
    private final StoreAccess store;
    private final Prefetcher prefetcher;
    private final DaemonPrefetch started;
    private final ThreadPoolExecutor uploader;
    private final DebugTimeline timeline;

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
    private final Map<String, ActionRecord> used;
    private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Starts a session: opens (or reuses, through {@code store}) the store in the background and
     * starts the prefetch of {@code options.prefetchKey()}, if any.
     */
    GoCacheSession(GoCacheOptions options, Reporter reporter, DiskTier tier, Supplier<io.gopipe.core.gocache.store.ObjectStore> store) {
        this(options, reporter, tier, store, new LinkedHashMap<>(), null);
    }

    /**
     * As above, recording the actions used into {@code used}, which the caller may share between the
     * sessions of one key (the daemon: {@code go build}, {@code go vet} and {@code go test} of one job
     * then write one manifest of everything the job used, not the last command's set). Access to the
     * map is synchronized on the map.
     */
    GoCacheSession(GoCacheOptions options, Reporter reporter, DiskTier tier, Supplier<io.gopipe.core.gocache.store.ObjectStore> store,
                   Map<String, ActionRecord> used, DaemonPrefetch started) {
        this.used = used;
        this.started = started != null && started.key().equals(options.prefetchKey()) ? started : null;
        this.options = options;
        this.reporter = reporter;
        this.tier = tier;
        this.store = new StoreAccess(store, reporter, options.callTimeout());
        this.store.openInBackground();
        if (this.started != null) {
            prefetcher = this.started.prefetcher(); // the daemon's, started before this go command
        } else if (options.prefetchKey() != null && !options.prefetchKey().isBlank()) {
            prefetcher = new Prefetcher(this.store, tier, bytesDown, 8, DebugTimeline.fromEnv(reporter));
            prefetcher.start(options.prefetchKey());
        } else {
            prefetcher = null;
        }
        timeline = prefetcher != null ? prefetcher.timeline() : DebugTimeline.off();
        uploader = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemon("gocache-upload"));
    }

    DiskTier tier() {
        return tier;
    }

    /** This session's prefetch of its key (the daemon's shared one for the job), or null without a key. */
    Prefetcher prefetcher() {
        return prefetcher;
    }

    /** A problem outside the store calls (a failed get): one warning per session. */
    void problem(String message) {
        store.problem(message);
    }

    /**
     * The output of {@code action}: from the local tier, this session's prefetch, or the store
     * object by object; null for a miss. Counts the get.
     */
    ActionRecord get(String action) throws IOException {
        gets.incrementAndGet();
        if (!Ids.isHex(action)) {
            misses.incrementAndGet();
            return null;
        }
        ActionRecord rec = tier.lookup(action);
        if (rec == null && prefetcher != null) {
            long t0 = System.nanoTime();
            prefetcher.awaitAction(action, options.callTimeout());
            long waited = System.nanoTime() - t0;
            waitNanos.addAndGet(waited);
            rec = prefetcher.recordOf(action);
            if (timeline.on()) {
                timeline.mark("get " + action.substring(0, 12) + " waited " + waited / 1_000_000 + " ms"
                        + (rec == null ? ", miss" : ", " + rec.size() + " bytes"));
            }
        }
        if (rec != null) {
            hit(action, rec);
            return rec;
        }
        rec = fetch(action);
        if (rec == null) {
            misses.incrementAndGet();
            return null;
        }
        remoteHits.incrementAndGet();
        record(action, rec);
        return rec;
    }

    /** A hit the client answered from a tier it reads itself (the bridge on a shared disk): counted and recorded. */
    void usedLocally(String action, ActionRecord rec) {
        gets.incrementAndGet();
        hit(action, rec);
    }

    /** A get that never reached the store (the client could not ask): counted as a miss. */
    void missed() {
        gets.incrementAndGet();
        misses.incrementAndGet();
    }

    private void hit(String action, ActionRecord rec) {
        (prefetcher != null && prefetcher.delivered(action) ? prefetchHits : localHits).incrementAndGet();
        record(action, rec);
    }

    private void record(String action, ActionRecord rec) {
        hitBytes.addAndGet(rec.size());
        synchronized (used) {
            used.putIfAbsent(action, rec);
        }
    }

    /**
     * A put: stores {@code size} bytes of {@code body} in the local tier (unless {@code inTier}: the
     * client already wrote the file there), indexes it and queues the upload. Returns the file.
     *
     * @throws IllegalArgumentException for IDs that are not hex
     */
    Path put(String action, String output, InputStream body, long size, boolean inTier) throws IOException {
        puts.incrementAndGet();
        if (!Ids.isHex(action) || !Ids.isHex(output)) {
            throw new IllegalArgumentException("put without valid ActionID/OutputID");
        }
        Path file = inTier && tier.has(output, size) ? tier.object(output) : tier.store(output, body, size, !inTier);
        ActionRecord rec = new ActionRecord(output, size, Instant.now());
        tier.index(action, rec);
        synchronized (used) {
            used.put(action, rec);
        }
        if (!options.readOnly()) {
            uploader.execute(() -> upload(action, rec));
        }
        return file;
    }

    /** One action from the store, object by object; null for a miss. */
    private ActionRecord fetch(String action) {
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
            if (!tier.has(rec.outputId(), rec.size()) && !fetchObject(rec)) {
                return null;
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

    /** One output from the store into the local tier; false when the store lacks it or it is corrupt (told). */
    private boolean fetchObject(ActionRecord rec) throws IOException {
        byte[] packed = store.call("reading output " + rec.outputId(), s -> s.get("o/" + rec.outputId()).orElse(null));
        if (packed == null) {
            return false;
        }
        bytesDown.addAndGet(packed.length);
        try {
            byte[] body = Zstd.decompress(packed, (int) rec.size());
            tier.store(rec.outputId(), new ByteArrayInputStream(body), rec.size());
            return true;
        } catch (RuntimeException | IOException e) {
            store.problem("object o/" + rec.outputId() + " in " + store.describe() + " is corrupt (" + e.getMessage() + ")");
            return false;
        }
    }

    /** Object first, then the action record: a record in the store always names a stored object. */
    private void upload(String action, ActionRecord rec) {
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

    /**
     * The end of the go process: waits for the uploads and writes the prefetch manifest, together
     * within the flush limit, then prints and writes the figures (as the options say) and returns them.
     *
     * @param startupMillis the client's start-up, for the figures
     */
    GoCacheFigures close(long startupMillis) {
        long t0 = System.nanoTime();
        try {
            flush(t0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            release();
        }
        GoCacheFigures f = figures((System.nanoTime() - t0) / 1_000_000, startupMillis);
        report(f);
        return f;
    }

    /** The go process went away without close: nothing to flush for. Returns the figures so far. */
    GoCacheFigures abandon(long startupMillis) {
        release();
        return figures(0, startupMillis);
    }

    private void release() {
        if (released.getAndSet(true)) {
            return;
        }
        uploader.shutdownNow();
        if (prefetcher != null && started == null) {
            prefetcher.close();
        }
        store.close();
    }

    private void flush(long t0) throws InterruptedException {
        long deadline = t0 + options.flushLimit().toNanos();
        uploader.shutdown();
        if (!uploader.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            int left = uploader.shutdownNow().size();
            store.problem("uploads not finished within " + options.flushLimit().toSeconds() + " s (" + left
                    + " not started); they are skipped");
            return;
        }
        timeline.mark("close: uploads done");
        if (prefetcher == null || options.readOnly() || !store.usable()) {
            return;
        }
        Map<String, ActionRecord> snapshot;
        synchronized (used) {
            snapshot = new LinkedHashMap<>(used);
        }
        PrefetchManifest previous = prefetcher.previous(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        // Packs the previous manifest listed and this run found in the store need no check or upload;
        // those still mostly used are kept as they are.
        Map<String, PrefetchManifest.Pack> known = new HashMap<>();
        List<PrefetchManifest.Pack> keepable = new ArrayList<>();
        if (previous != null) {
            previous.packs().stream().filter(p -> prefetcher.packsPresent().contains(p.name())).forEach(p -> {
                known.put(p.name(), p);
                keepable.add(p);
            });
        }
        PackPlanner.Plan plan = PackPlanner.plan(snapshot, keepable);
        List<List<Packs.Entry>> planned = plan.fresh();
        ExecutorService writers = Executors.newFixedThreadPool(2, daemon("gocache-pack"));
        try {
            List<Future<PrefetchManifest.Pack>> made = new ArrayList<>();
            plan.kept().forEach(p -> made.add(CompletableFuture.completedFuture(p)));
            int toWrite = 0;
            for (List<Packs.Entry> entries : planned) {
                PrefetchManifest.Pack old = known.get(PackPlanner.name(entries));
                if (old == null) {
                    toWrite++;
                }
                // A pack's name is the hash of all it holds, and a kept pack's listing may be a subset:
                // list what this run cut, not what the last manifest listed under that name.
                made.add(old != null ? CompletableFuture.completedFuture(new PrefetchManifest.Pack(old.name(), old.bytes(), entries))
                        : writers.submit(() -> writePack(entries)));
            }
            timeline.mark("close: " + plan.kept().size() + " packs kept, " + planned.size() + " cut, " + toWrite + " to check and write");
            List<PrefetchManifest.Pack> packs = new ArrayList<>();
            for (var f : made) {
                PrefetchManifest.Pack p = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (p == null) {
                    return; // a pack failed: keep the old manifest
                }
                packs.add(p);
            }
            timeline.mark("close: packs stored");
            java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
            PrefetchManifest next = new PrefetchManifest(PrefetchManifest.inFirstUseOrder(packs, snapshot), today, true);
            byte[] bytes = next.encode();
            if (next.sameSet(previous) && today.equals(previous.used()) && previous.firstUse()) {
                return; // unchanged, ordered and already marked as used today: nothing is written
            }
            String name = PrefetchManifest.objectName(options.prefetchKey());
            if (store.call("writing " + name, s -> {
                s.put(name, new ByteArrayInputStream(bytes), bytes.length);
                return Boolean.TRUE;
            }) != null) {
                bytesUp.addAndGet(bytes.length);
            }
            timeline.mark("close: manifest written");
        } catch (TimeoutException e) {
            store.problem("prefetch packs not written within " + options.flushLimit().toSeconds() + " s");
        } catch (ExecutionException | IOException e) {
            store.problem("prefetch manifest not written: " + e.getMessage());
        } finally {
            writers.shutdownNow();
        }
    }

    /** Writes and uploads a pack unless the store has it (another key cut the same pack). */
    private PrefetchManifest.Pack writePack(List<Packs.Entry> entries) throws IOException {
        String name = PackPlanner.name(entries);
        // The check runs while the pack is compressed: at close go waits for this, and a changed pack
        // is almost always new, so its round trip need not come first.
        CompletableFuture<Boolean> has = store.callAsync("checking " + name, s -> s.exists(name));
        // A client with a tier of its own (a bridge inside BuildKit) answered some hits itself: their
        // outputs were never on this disk. They are in the store (that is where the client got them).
        for (Packs.Entry e : entries) {
            if (!tier.has(e.outputId(), e.size()) && !fetchObject(new ActionRecord(e.outputId(), e.size(), Instant.now()))) {
                store.problem("prefetch pack " + name + " not written: output " + e.outputId() + " is neither here nor in the store");
                return null;
            }
        }
        Path file = Files.createTempFile(tier.root().resolve("tmp"), "pack-", ".zst");
        try {
            Packs.write(entries, tier, file);
            long size = Files.size(file);
            Boolean present = has.join();
            if (present == null) {
                return null;
            }
            if (present) {
                return new PrefetchManifest.Pack(name, -1, entries); // another key cut it; size informational only
            }
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

    private GoCacheFigures figures(long flushMillis, long startupMillis) {
        if (started != null) {
            bytesDown.addAndGet(started.claimBytes());
            startupMillis = Math.max(startupMillis, started.claimStartupMillis());
        }
        long l = localHits.get(), p = prefetchHits.get(), rh = remoteHits.get();
        return new GoCacheFigures(gets.get(), l + p + rh, l, p, rh, misses.get(), puts.get(), uploads.get(),
                uploadsSkipped.get(), hitBytes.get(), bytesDown.get(), bytesUp.get(), waitNanos.get() / 1_000_000, flushMillis,
                startupMillis, store.problems(), prefetcher == null ? -1 : prefetcher.millisToDone());
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

    static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
