package io.gopipe.core.cache.archive;

import io.gopipe.core.report.Progress;
import io.gopipe.core.report.Reporter;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts bytes and files of one transfer from many threads and forwards a {@link Progress} to the
 * reporter at most every {@code interval}, plus once at {@link #finish()}.
 */
public final class ProgressMeter {

    private final Reporter reporter;
    private final String task;
    private volatile long bytesTotal;
    private volatile long filesTotal;
    private final long intervalNanos;
    private final long start = System.nanoTime();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong files = new AtomicLong();
    private final AtomicLong nextReport;

    public ProgressMeter(Reporter reporter, String task, long bytesTotal, long filesTotal, Duration interval) {
        this.reporter = reporter;
        this.task = task;
        this.bytesTotal = bytesTotal;
        this.filesTotal = filesTotal;
        this.intervalNanos = interval.toNanos();
        this.nextReport = new AtomicLong(start + intervalNanos);
    }

    public void add(long byteCount, long fileCount) {
        bytes.addAndGet(byteCount);
        if (fileCount != 0) {
            files.addAndGet(fileCount);
        }
        long now = System.nanoTime();
        long due = nextReport.get();
        if (now - due >= 0 && nextReport.compareAndSet(due, now + intervalNanos)) {
            emit(now);
        }
    }

    /** Sets the totals once they are known (a save learns them when the walk ends, long before it finishes). */
    public void totals(long byteCount, long fileCount) {
        this.bytesTotal = byteCount;
        this.filesTotal = fileCount;
    }

    public long bytes() {
        return bytes.get();
    }

    public long files() {
        return files.get();
    }

    /** Reports the final figures. */
    public void finish() {
        emit(System.nanoTime());
    }

    private void emit(long now) {
        reporter.progress(new Progress(task, bytes.get(), bytesTotal, files.get(), filesTotal,
                Duration.ofNanos(now - start)));
    }
}
