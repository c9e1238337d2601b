package io.gopipe.core.image;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where an image job's wall time went, phase by phase (JVM start, plan, builder probe, tunnel,
 * bridge image, each BuildKit solve and its heaviest vertices), printed as one line at the end of a
 * job and written to {@code --json}. Why: on a small service a job's fixed costs decide whether it
 * beats a plain Dockerfile; they must be visible to be cut. Thread-safe: services build in parallel.
 */
public final class JobTimings {

    private final Map<String, Double> seconds = new LinkedHashMap<>();

    /** Adds {@code nanos} to a phase (phases that run per service add up). */
    public synchronized void add(String phase, long nanos) {
        seconds.merge(phase, nanos / 1e9, Double::sum);
    }

    /** Adds the time since {@code startNanos} ({@link System#nanoTime()}) to a phase. */
    public void since(String phase, long startNanos) {
        add(phase, System.nanoTime() - startNanos);
    }

    /** The BuildKit vertices worth naming: the slow ones, by kind (RUN steps, exports, pushes). */
    void addSolve(String service, List<BuildStep> steps, long nanos) {
        add("buildkit", nanos);
        for (BuildStep s : steps) {
            String kind = kind(s);
            if (kind != null) {
                add("buildkit " + kind, s.duration().toNanos());
            }
        }
    }

    private static String kind(BuildStep s) {
        String n = s.name();
        if (n.startsWith("exporting to image")) {
            return "image export";
        }
        if (n.startsWith("exporting cache")) {
            return "cache export";
        }
        if (n.startsWith("pushing ")) {
            return "push";
        }
        if (s.isCacheImport()) {
            return "cache import";
        }
        if (s.isInstruction() && !s.cached() && n.replaceFirst("^\\[[^\\]]*\\] ", "").startsWith("RUN ")) {
            return "RUN steps";
        }
        return null;
    }

    /** Phase → seconds, in the order the phases first ran. */
    public synchronized Map<String, Double> asMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        seconds.forEach((k, v) -> m.put(k, Math.round(v * 1000) / 1000.0));
        return m;
    }

    /** {@code timings: jvm 0.61 s | plan 0.20 s | ...}; the BuildKit vertices in brackets after its solve. */
    public synchronized String summary() {
        List<String> top = new ArrayList<>();
        List<String> inner = new ArrayList<>();
        seconds.forEach((k, v) -> {
            String t = String.format("%s %.2f s", k.startsWith("buildkit ") ? k.substring(9) : k, v);
            (k.startsWith("buildkit ") ? inner : top).add(t);
        });
        String s = String.join(" | ", top);
        if (!inner.isEmpty()) {
            s = s.replaceFirst("buildkit ([0-9.]+ s)", "buildkit $1 (" + String.join(", ", inner) + ")");
        }
        return "timings: " + s;
    }
}
