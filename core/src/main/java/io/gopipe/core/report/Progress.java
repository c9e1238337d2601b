package io.gopipe.core.report;

import java.time.Duration;
import java.util.Optional;

/**
 * A snapshot of a long-running transfer (archive, upload, extraction).
 *
 * @param task       what is running, e.g. "restore gomod"
 * @param bytesDone  bytes processed so far
 * @param bytesTotal total bytes, or -1 when unknown
 * @param filesDone  files processed so far
 * @param filesTotal total files, or -1 when unknown
 * @param elapsed    time since the task started
 */
public record Progress(String task, long bytesDone, long bytesTotal, long filesDone, long filesTotal,
                       Duration elapsed) {

    /** Bytes per second since the start, 0 before any time has passed. */
    public double bytesPerSecond() {
        long millis = elapsed.toMillis();
        return millis <= 0 ? 0 : bytesDone * 1000.0 / millis;
    }

    /** Remaining time at the current rate, when the total is known and something was done. */
    public Optional<Duration> eta() {
        double rate = bytesPerSecond();
        if (bytesTotal < 0 || rate <= 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis((long) ((bytesTotal - bytesDone) * 1000 / rate)));
    }
}
