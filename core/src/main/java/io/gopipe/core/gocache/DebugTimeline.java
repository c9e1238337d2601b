package io.gopipe.core.gocache;

import io.gopipe.core.report.Reporter;

import java.time.Instant;

/**
 * Debug timings ({@code GOPIPE_GOCACHE_DEBUG} set): each mark is printed with the milliseconds since
 * this JVM started, so a job's log shows where a fresh agent's seconds go (JVM start, store client,
 * manifest, each pack, go's first request, close). A timeline without a reporter prints nothing.
 */
final class DebugTimeline {

    private static final DebugTimeline OFF = new DebugTimeline(null, 0);

    private final Reporter out;
    private final long jvmStartMillis;

    private DebugTimeline(Reporter out, long jvmStartMillis) {
        this.out = out;
        this.jvmStartMillis = jvmStartMillis;
    }

    /** A timeline printing to {@code out} when {@code GOPIPE_GOCACHE_DEBUG} is set, else one that prints nothing. */
    static DebugTimeline fromEnv(Reporter out) {
        return System.getenv("GOPIPE_GOCACHE_DEBUG") != null ? to(out) : OFF;
    }

    static DebugTimeline to(Reporter out) {
        return new DebugTimeline(out, jvmStart());
    }

    static DebugTimeline off() {
        return OFF;
    }

    boolean on() {
        return out != null;
    }

    void mark(String what) {
        if (out != null) {
            out.info(String.format("gocache debug: %6d ms after JVM start: %s", System.currentTimeMillis() - jvmStartMillis, what));
        }
    }

    /** Milliseconds since this JVM started (0 when the OS does not say). */
    static long sinceJvmStart() {
        long s = jvmStart();
        return s == 0 ? 0 : Math.max(0, System.currentTimeMillis() - s);
    }

    private static long jvmStart() {
        return ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }
}
