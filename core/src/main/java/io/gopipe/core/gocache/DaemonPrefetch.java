package io.gopipe.core.gocache;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A prefetch the daemon starts for {@code serve --prefetch-key} as soon as it starts, before any go
 * command connects: on a fresh agent the store's first answers (an S3 client's start, the manifest)
 * then overlap go's own start instead of following it. Sessions of that key wait on it like on their
 * own prefetch; the first session's figures count its bytes.
 */
final class DaemonPrefetch {

    private final String key;
    private final Prefetcher prefetcher;
    private final StoreAccess store;
    private final AtomicLong bytes;
    private final AtomicLong startupMillis = new AtomicLong();
    private volatile boolean closed;

    private DaemonPrefetch(String key, Prefetcher prefetcher, StoreAccess store, AtomicLong bytes) {
        this.key = key;
        this.prefetcher = prefetcher;
        this.store = store;
        this.bytes = bytes;
    }

    static DaemonPrefetch start(String key, StoreAccess store, DiskTier tier, DebugTimeline timeline) {
        AtomicLong bytes = new AtomicLong();
        Prefetcher p = new Prefetcher(store, tier, bytes, 8, timeline);
        store.openInBackground();
        p.start(key);
        return new DaemonPrefetch(key, p, store, bytes);
    }

    String key() {
        return key;
    }

    Prefetcher prefetcher() {
        return prefetcher;
    }

    /** The daemon's start-up (JVM start until it listened), set once it listens. */
    void startedAfter(long millis) {
        startupMillis.set(millis);
    }

    /** The daemon's start-up, once: the job's first session reports it as its own start-up. */
    long claimStartupMillis() {
        return startupMillis.getAndSet(0);
    }

    /** The bytes downloaded so far, once: the session that claims them reports them. */
    long claimBytes() {
        return bytes.getAndSet(0);
    }

    void close() {
        closed = true;
        prefetcher.close();
        store.close();
    }

    boolean closed() {
        return closed;
    }
}
