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
 * next job, whose set must not carry the previous commit's outputs forever.
 */
final class KeySets {

    static final Duration JOB_GAP = Duration.ofMinutes(2);

    private final Map<String, Entry> keys = new HashMap<>();

    private static final class Entry {
        Map<String, ActionRecord> used = new LinkedHashMap<>();
        int open;
        long lastClose = System.nanoTime();
    }

    /** The set a new session of {@code key} records into (synchronize on it to use it). */
    synchronized Map<String, ActionRecord> open(String key) {
        Entry e = keys.computeIfAbsent(key, k -> new Entry());
        if (e.open == 0 && System.nanoTime() - e.lastClose > JOB_GAP.toNanos()) {
            e.used = new LinkedHashMap<>();
        }
        e.open++;
        return e.used;
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
