package io.gopipe.core.exec;

import java.time.Duration;
import java.util.List;

/**
 * How a command ended.
 *
 * @param exitCode its exit code; {@link #NOT_FOUND} when it could not be started, -1 when killed on timeout
 * @param tail     the last masked output lines (stdout and stderr together)
 * @param elapsed  wall time
 * @param timedOut whether it was killed for running past its timeout
 */
public record CommandResult(int exitCode, List<String> tail, Duration elapsed, boolean timedOut) {

    /** POSIX shells' "command not found"; every runner reports a start failure this way. */
    public static final int NOT_FOUND = 127;

    public CommandResult {
        tail = List.copyOf(tail);
    }

    public boolean succeeded() {
        return exitCode == 0 && !timedOut;
    }

    /** Whether the program was not found or could not be started. */
    public boolean notFound() {
        return exitCode == NOT_FOUND || exitCode == 126;
    }

    public String tailText() {
        return String.join("\n", tail);
    }

    /** The last non-blank output line, or {@code exit code N}. */
    public String lastLine() {
        for (int i = tail.size() - 1; i >= 0; i--) {
            if (!tail.get(i).isBlank()) {
                return tail.get(i).strip();
            }
        }
        return timedOut ? "timed out" : "exit code " + exitCode;
    }
}
