package io.gopipe.core.gocache;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code GOCACHEPROG} value that starts {@code gopipe gocache} for a build: what the Jenkins
 * step (and anything else that sets up a build's environment) puts there. The go command splits
 * the value on spaces itself, without quoting, so no word may hold whitespace; secrets never go
 * here (the program reads {@code GOPIPE_S3_*} or the SDK's default chain). This starts a JVM per go
 * command; {@link Bridge} is the line for the bridge + daemon pair, for go &gt;= 1.24 on the agent.
 *
 * @param gopipe      the gopipe command, e.g. {@code gopipe} or an absolute path
 * @param backend     {@code local:DIR} or {@code s3://BUCKET/PREFIX}
 * @param s3Endpoint  S3 endpoint URL, or null
 * @param s3Region    S3 region, or null
 * @param s3PathStyle path-style S3 addressing
 * @param prefetchKey the key whose recorded set is prefetched and then recorded, or null
 * @param readOnly    never write the store (pull requests)
 */
public record GoCacheProgLine(String gopipe, String backend, String s3Endpoint, String s3Region, boolean s3PathStyle,
                              String prefetchKey, boolean readOnly) {

    /**
     * The value for {@code GOCACHEPROG}.
     *
     * @throws IllegalArgumentException naming the word that is empty or holds whitespace
     */
    public String value() {
        List<String> words = new ArrayList<>(List.of(gopipe == null ? "gopipe" : gopipe, "gocache", "--backend", backend));
        if (s3Endpoint != null) {
            words.addAll(List.of("--s3-endpoint", s3Endpoint));
        }
        if (s3Region != null) {
            words.addAll(List.of("--s3-region", s3Region));
        }
        if (s3PathStyle) {
            words.add("--s3-path-style");
        }
        if (prefetchKey != null) {
            words.addAll(List.of("--prefetch-key", prefetchKey));
        }
        if (readOnly) {
            words.add("--read-only");
        }
        return join(words);
    }

    private static String join(List<String> words) {
        for (String w : words) {
            if (w == null || w.isEmpty() || w.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("GOCACHEPROG cannot hold '" + w + "': go splits it on spaces without quoting");
            }
        }
        return String.join(" ", words);
    }

    /**
     * The {@code GOCACHEPROG} value that starts the bridge ({@link BridgeBinary}) for a running
     * {@code gopipe gocache serve} daemon: milliseconds per go command instead of a JVM start. The
     * store settings live in the daemon; the line only names the daemon, the bridge's directory
     * and this build's key and mode.
     *
     * @param bridge      the bridge binary (absolute path)
     * @param daemon      {@code unix:PATH} or {@code tcp:127.0.0.1:PORT}
     * @param dir         the bridge's own directory for DiskPath files, or null for its default; when
     *                    it shares the daemon's filesystem it uses the daemon's local tier instead
     * @param prefetchKey the key whose recorded set is prefetched and then recorded, or null
     * @param readOnly    never write the store (pull requests)
     * @param statsJson   file that gets one JSON line of figures per go command, or null
     * @param connectWait how long the bridge keeps trying to reach a daemon that is still starting
     *                    (a Go duration such as {@code 20s}), or null to give up at once
     */
    public record Bridge(String bridge, String daemon, String dir, String prefetchKey, boolean readOnly, String statsJson,
                         String connectWait) {

        /**
         * The value for {@code GOCACHEPROG}.
         *
         * @throws IllegalArgumentException naming the word that is empty or holds whitespace
         */
        public String value() {
            List<String> words = new ArrayList<>(List.of(bridge, "-daemon", daemon));
            if (dir != null) {
                words.addAll(List.of("-dir", dir));
            }
            if (prefetchKey != null) {
                words.addAll(List.of("-prefetch-key", prefetchKey));
            }
            if (readOnly) {
                words.add("-read-only");
            }
            if (statsJson != null) {
                words.addAll(List.of("-stats-json", statsJson));
            }
            if (connectWait != null) {
                words.addAll(List.of("-wait", connectWait));
            }
            return join(words);
        }
    }
}
