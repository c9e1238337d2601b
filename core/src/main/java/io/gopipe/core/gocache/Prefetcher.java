package io.gopipe.core.gocache;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Brings in what the last run of a key used before go asks for it: reads the key's manifest, then
 * streams its packs in parallel into the local tier. A get for an action that a pack will bring
 * waits for that entry instead of fetching it alone; everything else goes object by object. What
 * it brings is answered from memory ({@link #recordOf}), without an index file per action.
 */
final class Prefetcher {

    private final StoreAccess store;
    private final DiskTier tier;
    private final AtomicLong bytesDown;
    private final ExecutorService pool;
    private final CompletableFuture<PrefetchManifest> manifest = new CompletableFuture<>();
    private final Map<String, CompletableFuture<Boolean>> pending = new ConcurrentHashMap<>();
    private final Set<String> delivered = ConcurrentHashMap.newKeySet();
    private final Set<String> packsPresent = ConcurrentHashMap.newKeySet();
    private final Map<String, PrefetchManifest.Pack> packOf = new ConcurrentHashMap<>();
    /** The output the manifest lists for each pending action: a pack may hold others for it. */
    private final Map<String, String> expected = new ConcurrentHashMap<>();
    /** Packs not started yet, in the order workers take them; guarded by itself, as is {@link #demanded}. */
    private final LinkedHashMap<String, PrefetchManifest.Pack> queue = new LinkedHashMap<>();
    private final ArrayDeque<String> demanded = new ArrayDeque<>();
    private final AtomicInteger active = new AtomicInteger();
    private final int threads;
    private final long t0 = System.nanoTime();
    private final AtomicLong doneNanos = new AtomicLong();
    private final DebugTimeline timeline;
    /** What each delivered action's output is, in place of its index file in the tier. */
    private final Map<String, ActionRecord> arrivedRecords = new ConcurrentHashMap<>();

    private void debug(String what) {
        timeline.mark(what);
    }

    Prefetcher(StoreAccess store, DiskTier tier, AtomicLong bytesDown, int threads, DebugTimeline timeline) {
        this.timeline = timeline;
        this.threads = threads;
        this.store = store;
        this.tier = tier;
        this.bytesDown = bytesDown;
        // Threads end when idle: a daemon keeps a job's prefetch for a while after its downloads are done.
        ThreadPoolExecutor p = new ThreadPoolExecutor(threads, threads, 10, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), GoCacheSession.daemon("gocache-prefetch"));
        p.allowCoreThreadTimeOut(true);
        this.pool = p;
    }

    /** Starts reading {@code key}'s manifest and its packs; returns at once. */
    void start(String key) {
        pool.execute(() -> {
            PrefetchManifest m = null;
            try {
                debug("prefetch of " + key + " starts");
                byte[] bytes = null;
                String found = key;
                for (String k : PrefetchManifest.readOrder(key)) {
                    bytes = store.call("reading prefetch manifest", s -> {
                        debug("store client ready");
                        return s.get(PrefetchManifest.objectName(k)).orElse(null);
                    });
                    if (bytes != null) {
                        found = k;
                        break;
                    }
                }
                if (bytes != null) {
                    bytesDown.addAndGet(bytes.length);
                    m = PrefetchManifest.parse(bytes);
                    if (m == null) {
                        store.problem("prefetch manifest " + PrefetchManifest.objectName(found) + " is damaged");
                    }
                }
                debug("manifest read");
                if (m != null) {
                    schedule(m);
                }
            } catch (RuntimeException e) {
                store.problem("prefetch of " + key + " failed: " + e);
            } finally {
                manifest.complete(m);
            }
        });
    }

    private void schedule(PrefetchManifest m) {
        List<PrefetchManifest.Pack> toFetch = new ArrayList<>();
        for (PrefetchManifest.Pack pack : m.packs()) {
            List<Packs.Entry> missing = new ArrayList<>();
            for (Packs.Entry e : pack.entries()) {
                if (!tier.has(e.outputId(), e.size())) {
                    missing.add(e);
                } else {
                    indexQuietly(e);
                }
            }
            if (missing.isEmpty()) {
                packsPresent.add(pack.name()); // listed by the manifest; trusted until a prune says otherwise
                continue;
            }
            for (Packs.Entry e : missing) {
                pending.putIfAbsent(e.actionId(), new CompletableFuture<>());
                packOf.putIfAbsent(e.actionId(), pack);
                expected.putIfAbsent(e.actionId(), e.outputId());
            }
            toFetch.add(pack);
        }
        // In the order the last run first used them, so the first transfers hold what go asks for
        // first (it loads packages one after another, asking for hundreds of small entries). Measured
        // as fast as biggest first on the bench (bench/gocache/README.md, fourth round): packs of
        // small entries stream in output-ID order, so an early entry still waits for its pack.
        // Older manifests, in no order: biggest first. A pack go is waiting for jumps the queue (demand).
        if (!m.firstUse()) {
            toFetch.sort(Comparator.comparingLong((PrefetchManifest.Pack p) -> p.rawBytes()).reversed());
        }
        synchronized (queue) {
            toFetch.forEach(p -> queue.put(p.name(), p));
        }
        int workers = Math.min(threads, toFetch.size());
        active.set(workers);
        if (workers == 0) {
            doneNanos.set(System.nanoTime());
        }
        for (int i = 0; i < workers; i++) {
            pool.execute(this::work);
        }
    }

    /** A download worker: takes packs until none is left, demanded ones first. */
    private void work() {
        PrefetchManifest.Pack next;
        while ((next = take()) != null) {
            download(next);
        }
        if (active.decrementAndGet() == 0 && doneNanos.get() == 0) {
            doneNanos.set(System.nanoTime());
            debug("prefetch done");
        }
    }

    private PrefetchManifest.Pack take() {
        synchronized (queue) {
            String name;
            while ((name = demanded.pollFirst()) != null) {
                PrefetchManifest.Pack p = queue.remove(name);
                if (p != null) {
                    return p;
                }
                // already taken by another worker
            }
            Iterator<PrefetchManifest.Pack> it = queue.values().iterator();
            if (!it.hasNext()) {
                return null;
            }
            PrefetchManifest.Pack p = it.next();
            it.remove();
            return p;
        }
    }

    /** go waits for this action: its pack, if not started yet, is the next one a worker takes. */
    private void demand(String actionId) {
        PrefetchManifest.Pack p = packOf.get(actionId);
        if (p == null) {
            return;
        }
        synchronized (queue) {
            if (queue.containsKey(p.name())) {
                demanded.addLast(p.name());
            }
        }
    }

    private void download(PrefetchManifest.Pack pack) {
        debug("pack start " + pack.name());
        InputStream in = store.call("opening pack " + pack.name(), s -> s.open(pack.name()));
        debug("pack open " + pack.name());
        if (in == null) {
            failRemaining(pack);
            return;
        }
        try (InputStream counted = new FilterInputStream(in) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    bytesDown.addAndGet(n);
                }
                return n;
            }
        }) {
            Packs.read(counted, (entry, body) -> {
                CompletableFuture<Boolean> f = pending.get(entry.actionId());
                if (f == null || f.isDone() || !entry.outputId().equals(expected.get(entry.actionId()))) {
                    return; // not listed (a kept pack's outputs its key no longer uses), or already here
                }
                if (!tier.has(entry.outputId(), entry.size())) {
                    tier.store(entry.outputId(), body, entry.size(), false);
                }
                // No index file: the gets of this run are answered from memory (recordOf), and the
                // next prefetch of a key on this disk indexes the outputs it finds (schedule). An
                // index file is an inode, and a fresh agent's inodes were its largest kernel cost.
                arrivedRecords.put(entry.actionId(), new ActionRecord(entry.outputId(), entry.size(), Instant.now()));
                delivered.add(entry.actionId());
                f.complete(true);
            });
            packsPresent.add(pack.name());
            debug("pack done " + pack.name() + " " + pack.entries().size() + " entries");
        } catch (IOException | RuntimeException e) {
            store.problem("prefetch pack " + pack.name() + " is unreadable (" + e.getMessage() + ")");
        } finally {
            failRemaining(pack);
        }
    }

    private void failRemaining(PrefetchManifest.Pack pack) {
        for (Packs.Entry e : pack.entries()) {
            CompletableFuture<Boolean> f = pending.get(e.actionId());
            if (f != null) {
                f.complete(false);
            }
        }
    }

    private void indexQuietly(Packs.Entry e) {
        try {
            if (tier.lookup(e.actionId()) == null) {
                tier.index(e.actionId(), new ActionRecord(e.outputId(), e.size(), Instant.now()));
            }
        } catch (IOException ignored) {
            // the get will go to the store
        }
    }

    /** Waits (at most {@code max}) until the manifest is read and the action's entry, if any, has arrived. */
    void awaitAction(String actionId, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        try {
            manifest.get(max.toMillis(), TimeUnit.MILLISECONDS);
            CompletableFuture<Boolean> f = pending.get(actionId);
            if (f != null && !f.isDone()) {
                demand(actionId);
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            // slow prefetch: the get goes its own way
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Completes with true once the action's entry is in the local tier (at once when it was there
     * before the prefetch), with false when its pack failed. Call after the manifest is read.
     */
    CompletableFuture<Boolean> arrival(String actionId) {
        CompletableFuture<Boolean> f = pending.get(actionId);
        return f != null ? f : CompletableFuture.completedFuture(Boolean.TRUE);
    }

    /** Milliseconds from the start of the prefetch until its last pack was in; -1 while running or without a manifest. */
    long millisToDone() {
        long d = doneNanos.get();
        return d == 0 || !manifest.isDone() ? -1 : (d - t0) / 1_000_000;
    }

    /**
     * The record of an arrived action: from memory when this prefetch delivered it (no index file was
     * written) and its output is in the tier, else the tier's index (a put, a fetch, another key).
     */
    ActionRecord recordOf(String actionId) throws IOException {
        ActionRecord r = arrivedRecords.get(actionId);
        return r != null && tier.has(r.outputId(), r.size()) ? r : tier.lookup(actionId);
    }

    /** Whether this run's prefetch brought the action's output. */
    boolean delivered(String actionId) {
        return delivered.contains(actionId);
    }

    /** The manifest read at start (null when there was none), once it is read. */
    PrefetchManifest previous(Duration max) {
        try {
            return manifest.get(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    /** Where this prefetch's debug marks go (the daemon's log for a daemon's prefetch). */
    DebugTimeline timeline() {
        return timeline;
    }

    /** Packs known to be in the store: read completely, or not needed because everything was local. */
    Set<String> packsPresent() {
        return packsPresent;
    }

    void close() {
        pool.shutdownNow();
    }

    /**
     * Stops the downloads and waits up to {@code max} for them to end: a file a worker was writing is
     * then in place or removed. Returns whether they ended in time.
     */
    boolean closeAndAwait(Duration max) throws InterruptedException {
        close();
        return pool.awaitTermination(max.toMillis(), TimeUnit.MILLISECONDS);
    }
}
