package io.gopipe.core.image;

import java.time.Duration;
import java.util.List;

/**
 * How an external command ended.
 *
 * @param exitCode the exit code, or -1 when it was killed on timeout
 * @param tail     the last lines of its combined output (already masked)
 * @param elapsed  wall time
 * @param timedOut whether it was killed because it ran too long
 */
public record ProcessResult(int exitCode, List<String> tail, Duration elapsed, boolean timedOut) {

    public boolean succeeded() {
        return exitCode == 0 && !timedOut;
    }

    /** The tail as one block of text. */
    public String tailText() {
        return String.join("\n", tail);
    }
}
