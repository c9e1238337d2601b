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

    private DaemonPrefetch(String key, Prefetcher prefetcher, StoreAccess store, AtomicLong bytes) {
        this.key = key;
        this.prefetcher = prefetcher;
        this.store = store;
        this.bytes = bytes;
    }

    static DaemonPrefetch start(String key, StoreAccess store, DiskTier tier, io.gopipe.core.report.Reporter debug) {
        AtomicLong bytes = new AtomicLong();
        Prefetcher p = new Prefetcher(store, tier, bytes, 8, debug);
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

    /** The bytes downloaded so far, once: the session that claims them reports them. */
    long claimBytes() {
        return bytes.getAndSet(0);
    }

    void close() {
        prefetcher.close();
        store.close();
    }
}
