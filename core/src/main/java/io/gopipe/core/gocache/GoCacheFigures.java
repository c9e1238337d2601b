package io.gopipe.core.gocache;

/**
 * Figures of one run, printed at {@code close} and written as JSON for the build summary.
 *
 * @param gets           get requests
 * @param hits           gets answered with an output
 * @param localHits      hits already in the local tier
 * @param prefetchHits   hits brought in by this run's prefetch
 * @param remoteHits     hits fetched object by object from the store
 * @param misses         gets answered with a miss (go compiles)
 * @param puts           outputs go stored
 * @param uploads        objects uploaded
 * @param uploadsSkipped puts whose object the store already held
 * @param hitBytes       bytes of the outputs the hits handed to go (the build's cached closure)
 * @param bytesDown      bytes read from the store (compressed)
 * @param bytesUp        bytes written to the store (compressed)
 * @param storeWaitMillis time go's requests spent waiting on the store or prefetch
 * @param flushMillis    time {@code close} spent on uploads and the manifest
 * @param startupMillis  JVM start to the capabilities message; through the daemon, for the job that
 *                       started it with its prefetch key, the daemon's JVM start until it listened
 * @param warnings       store problems (each a miss or skipped upload; only the first is printed)
 * @param prefetchMillis prefetch start until its last pack was in the local tier (-1: no prefetch
 *                       manifest, or still running at close)
 */
public record GoCacheFigures(long gets, long hits, long localHits, long prefetchHits, long remoteHits, long misses,
                             long puts, long uploads, long uploadsSkipped, long hitBytes, long bytesDown, long bytesUp,
                             long storeWaitMillis, long flushMillis, long startupMillis, long warnings, long prefetchMillis) {

    /** One JSON object (no dependencies, so the summary can be appended line by line). */
    public String toJson() {
        return "{\"gets\":" + gets + ",\"hits\":" + hits + ",\"localHits\":" + localHits + ",\"prefetchHits\":" + prefetchHits
                + ",\"remoteHits\":" + remoteHits + ",\"misses\":" + misses + ",\"puts\":" + puts + ",\"uploads\":" + uploads
                + ",\"uploadsSkipped\":" + uploadsSkipped + ",\"hitBytes\":" + hitBytes + ",\"bytesDown\":" + bytesDown + ",\"bytesUp\":" + bytesUp
                + ",\"storeWaitMillis\":" + storeWaitMillis + ",\"flushMillis\":" + flushMillis
                + ",\"startupMillis\":" + startupMillis + ",\"warnings\":" + warnings + ",\"prefetchMillis\":" + prefetchMillis + "}";
    }

    /** The stderr line. */
    public String summary() {
        return String.format("gocache: %d gets, %d hits (%d local, %d prefetched, %d fetched), %d misses; %d puts "
                        + "(%d uploaded, %d already stored); %s down, %s up; store wait %.2fs, flush %.2fs, start-up %.2fs%s%s",
                gets, hits, localHits, prefetchHits, remoteHits, misses, puts, uploads, uploadsSkipped,
                human(bytesDown), human(bytesUp), storeWaitMillis / 1000.0, flushMillis / 1000.0, startupMillis / 1000.0,
                prefetchMillis < 0 ? "" : String.format(", prefetch %.2fs", prefetchMillis / 1000.0),
                warnings == 0 ? "" : "; " + warnings + " store problems");
    }

    static String human(long b) {
        if (b < 1024) {
            return b + " B";
        }
        if (b < 1 << 20) {
            return String.format("%.1f KiB", b / 1024.0);
        }
        if (b < 1L << 30) {
            return String.format("%.1f MiB", b / 1048576.0);
        }
        return String.format("%.2f GiB", b / 1073741824.0);
    }
}
