package io.gopipe.core.report;

/**
 * The one channel through which the engine tells its caller what it is doing. The CLI renders
 * these events on a terminal, the Jenkins plugin as build-log lines; the engine never prints.
 *
 * <p>Implementations must be thread-safe: parallel restores and builds report from many threads.
 */
public interface Reporter {

    /** A step the user should see, e.g. "cache hit: gomod-linux-amd64-…". */
    void info(String message);

    /** Something went wrong but the build goes on (a cache miss caused by a broken entry). */
    void warn(String message);

    /** Throughput of a long transfer; emitted at most a few times per second per task. */
    void progress(Progress progress);

    /** A reporter that drops everything, for callers that only want the result. */
    static Reporter silent() {
        return SilentReporter.INSTANCE;
    }
}
