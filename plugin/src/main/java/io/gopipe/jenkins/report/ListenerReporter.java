package io.gopipe.jenkins.report;

import hudson.model.TaskListener;
import io.gopipe.core.report.Progress;
import io.gopipe.core.report.Reporter;
import java.io.PrintStream;
import java.io.Serializable;

/**
 * Renders engine events as build-log lines. Serializable so it travels with a callable to the
 * agent; the listener's stream is remoted back to the controller's log by Jenkins.
 */
public final class ListenerReporter implements Reporter, Serializable {

    private static final long serialVersionUID = 1L;
    /** A build log is read by people: one progress line every few seconds is plenty. */
    private static final long PROGRESS_EVERY_MILLIS = 5_000;

    private final TaskListener listener;
    private transient long lastProgress;

    public ListenerReporter(TaskListener listener) {
        this.listener = listener;
    }

    @Override
    public void info(String message) {
        log().println("[gopipe] " + message);
    }

    @Override
    public void warn(String message) {
        log().println("[gopipe] WARNING: " + message);
    }

    @Override
    public synchronized void progress(Progress p) {
        long now = System.currentTimeMillis();
        boolean finished = p.bytesTotal() >= 0 && p.bytesDone() >= p.bytesTotal();
        if (!finished && now - lastProgress < PROGRESS_EVERY_MILLIS) {
            return;
        }
        lastProgress = now;
        String eta = p.eta().map(d -> ", ETA " + d.toSeconds() + " s").orElse("");
        log().printf("[gopipe] %s: %d MB, %d files, %.1f MB/s%s%n", p.task(), p.bytesDone() >> 20, p.filesDone(),
                p.bytesPerSecond() / (1 << 20), eta);
    }

    private PrintStream log() {
        return listener.getLogger();
    }
}
