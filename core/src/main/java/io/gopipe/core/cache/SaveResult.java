package io.gopipe.core.cache;

import java.time.Duration;

/**
 * What a save did.
 *
 * @param status       outcome
 * @param key          the key saved (or not)
 * @param files        files archived
 * @param fileBytes    their total size
 * @param archiveBytes size of the stored archive
 * @param duration     wall time
 * @param problem      the warning for {@link Status#FAILED} / {@link Status#TOO_LARGE} / {@link Status#MISSING}, else null
 */
public record SaveResult(Status status, String key, long files, long fileBytes, long archiveBytes,
                         Duration duration, String problem) {

    /** Save outcomes; only {@link #FAILED} means something went wrong. */
    public enum Status {
        /** A new entry was published. */
        SAVED,
        /** The key already had an entry (entries are immutable). */
        EXISTS,
        /** Another saver published the key first; our copy was discarded. */
        LOST_RACE,
        /** Module cache without new module@version directories since the entry it came from. */
        UNCHANGED,
        /** Read-only mode. */
        READ_ONLY,
        /** Nothing to save: the directory is empty. */
        EMPTY,
        /** The directory to save does not exist (or is not a directory): one warning, an error with failOnError. */
        MISSING,
        /** Over the per-entry size cap. */
        TOO_LARGE,
        /** A cache problem, reported as one warning. */
        FAILED
    }

    public boolean saved() {
        return status == Status.SAVED;
    }
}
