package io.gopipe.jenkins.image;

import hudson.model.Run;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jenkins.model.RunAction2;

/**
 * Shows on the build page each image the build made: service, digest and how much of it came from
 * the cache. One action per build; parallel branches add their service to it.
 */
public class ImageBuildAction implements RunAction2 {

    /**
     * One built image. A plain class, not a record: build.xml is written by XStream, which cannot
     * set the final fields of a record.
     */
    public static final class Entry implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String service;
        private final String digest;
        private final int cachedSteps;
        private final int executedSteps;
        private final double hitRatio;
        private final double seconds;

        Entry(String service, String digest, int cachedSteps, int executedSteps, double hitRatio, double seconds) {
            this.service = service;
            this.digest = digest;
            this.cachedSteps = cachedSteps;
            this.executedSteps = executedSteps;
            this.hitRatio = hitRatio;
            this.seconds = seconds;
        }

        public String getService() {
            return service;
        }

        public String getDigest() {
            return digest == null ? "(not exported)" : digest;
        }

        public String getCache() {
            return String.format("%d/%d steps cached (%.0f%%)", cachedSteps, cachedSteps + executedSteps,
                    hitRatio * 100);
        }

        public String getSeconds() {
            return String.format("%.1f s", seconds);
        }
    }

    /**
     * Guards finding or creating the action of a run. Our own lock: the Run's monitor is Jenkins
     * core's, which holds it around its own work (saving, loading actions).
     */
    private static final Object RECORD_LOCK = new Object();

    private final List<Entry> images = new ArrayList<>();
    private transient Run<?, ?> run;

    /** Adds one step result to the build's action, creating it on first use. */
    static void record(Run<?, ?> run, Map<String, Object> result) {
        Entry e = new Entry((String) result.get("service"), (String) result.get("digest"),
                ((Number) result.get("cachedSteps")).intValue(), ((Number) result.get("executedSteps")).intValue(),
                ((Number) result.get("hitRatio")).doubleValue(), ((Number) result.get("seconds")).doubleValue());
        // Parallel branches finish on different threads.
        synchronized (RECORD_LOCK) {
            ImageBuildAction a = run.getAction(ImageBuildAction.class);
            if (a == null) {
                a = new ImageBuildAction();
                run.addAction(a);
            }
            a.add(e);
        }
    }

    private synchronized void add(Entry e) {
        images.add(e);
    }

    /** A copy, for summary.jelly. */
    public synchronized List<Entry> getImages() {
        return new ArrayList<>(images);
    }

    public Run<?, ?> getRun() {
        return run;
    }

    @Override
    public void onAttached(Run<?, ?> r) {
        this.run = r;
    }

    @Override
    public void onLoad(Run<?, ?> r) {
        this.run = r;
    }

    @Override
    public String getIconFileName() {
        return null;
    }

    @Override
    public String getDisplayName() {
        return "Go service images";
    }

    @Override
    public String getUrlName() {
        return null;
    }
}
