package io.gopipe.core.gocache;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The daemon's record of what each prefetch key used, shared by the sessions of one job: a job's
 * {@code go build}, {@code go vet} and {@code go test} run one after another, each its own session,
 * and the key's manifest should name everything the job used, not only the last command's set. A
 * key's set starts afresh when no session of it has been open for {@link #JOB_GAP}: that is the
 * next job, whose set must not carry the previous commit's outputs forever. The sessions of one job
 * also share one prefetch of the key (the manifest is read and the packs fetched once per job, not
 * once per go command); it is dropped with the set.
 */
final class KeySets {

    static final Duration JOB_GAP = Duration.ofMinutes(2);

    private final Map<String, Entry> keys = new HashMap<>();
    private final long gapNanos;

    KeySets() {
        this(JOB_GAP);
    }

    /** With another gap between jobs (tests). */
    KeySets(Duration gap) {
        this.gapNanos = gap.toNanos();
    }

    private static final class Entry {
        Map<String, ActionRecord> used = new LinkedHashMap<>();
        int open;
        long lastClose = System.nanoTime();
        DaemonPrefetch prefetch;
    }

    /** The set a new session of {@code key} records into (synchronize on it to use it). */
    synchronized Map<String, ActionRecord> open(String key) {
        sweep(key);
        Entry e = keys.computeIfAbsent(key, k -> new Entry());
        if (e.open == 0 && System.nanoTime() - e.lastClose > gapNanos) {
            e.used = new LinkedHashMap<>();
            if (e.prefetch != null) {
                e.prefetch.close();
                e.prefetch = null;
            }
        }
        e.open++;
        return e.used;
    }

    /** The key's prefetch for the current job: the one already running, else a new one from {@code start}. */
    synchronized DaemonPrefetch prefetch(String key, java.util.function.Supplier<DaemonPrefetch> start) {
        Entry e = keys.computeIfAbsent(key, k -> new Entry());
        if (e.prefetch == null) {
            e.prefetch = start.get();
        }
        return e.prefetch;
    }

    /** Makes {@code p} (started with the daemon for its {@code --prefetch-key}) the key's prefetch. */
    synchronized void adopt(String key, DaemonPrefetch p) {
        keys.computeIfAbsent(key, k -> new Entry()).prefetch = p;
    }

    /** Forgets the other keys whose last job ended more than {@link #JOB_GAP} ago: a long-lived daemon sees many keys. */
    private void sweep(String keep) {
        long now = System.nanoTime();
        keys.entrySet().removeIf(en -> {
            Entry e = en.getValue();
            if (en.getKey().equals(keep) || e.open > 0 || now - e.lastClose <= gapNanos) {
                return false;
            }
            if (e.prefetch != null) {
                e.prefetch.close();
            }
            return true;
        });
    }

    /** Stops every prefetch (the daemon ends). */
    synchronized void closeAll() {
        for (Entry e : keys.values()) {
            if (e.prefetch != null) {
                e.prefetch.close();
                e.prefetch = null;
            }
        }
    }

    /** A session of {@code key} ended. */
    synchronized void close(String key) {
        Entry e = keys.get(key);
        if (e != null) {
            e.open = Math.max(0, e.open - 1);
            e.lastClose = System.nanoTime();
        }
    }
}
