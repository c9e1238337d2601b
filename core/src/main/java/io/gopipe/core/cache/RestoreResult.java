package io.gopipe.core.cache;

import java.time.Duration;
import java.util.Optional;

/**
 * What a restore did.
 *
 * @param hit          an entry was restored
 * @param exact        it was the exact key, not a restore-key fallback
 * @param matchedKey   the key restored, or null on a miss
 * @param files        files restored
 * @param fileBytes    their total size
 * @param archiveBytes size of the archive read
 * @param duration     wall time
 * @param problem      the warning that turned this into a miss, or null
 */
public record RestoreResult(boolean hit, boolean exact, String matchedKey, long files, long fileBytes,
                            long archiveBytes, Duration duration, String problem) {

    public Optional<String> matched() {
        return Optional.ofNullable(matchedKey);
    }

    static RestoreResult miss(Duration duration, String problem) {
        return new RestoreResult(false, false, null, 0, 0, 0, duration, problem);
    }
}
