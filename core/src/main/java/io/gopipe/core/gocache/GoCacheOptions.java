package io.gopipe.core.gocache;

import io.gopipe.core.cache.backend.S3Options;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything one {@code gopipe gocache} run needs; the CLI and the plugin build this and call
 * {@link GoCacheProgram#run}.
 *
 * @param backend      {@code local:DIR} or {@code s3://bucket/prefix}; objects live under {@code gocache/}
 * @param s3           how to reach S3 (ignored for local stores)
 * @param diskDir      the local tier (DiskPath files), kept between runs on one agent
 * @param readOnly     never write to the store (pull requests); the local tier is still written
 * @param prefetchKey  service/branch key whose manifest is prefetched and rewritten, or null
 * @param flushLimit   how long {@code close} may wait for uploads and the manifest
 * @param callTimeout  a store call slower than this is a miss
 * @param statsJson    file that gets one JSON line of figures per run (appended), or null
 * @param quiet        no figures line on stderr
 */
public record GoCacheOptions(String backend, S3Options s3, Path diskDir, boolean readOnly, String prefetchKey,
                             Duration flushLimit, Duration callTimeout, Path statsJson, boolean quiet) {

    /**
     * The local tier of an agent when none is given ({@code gopipe gocache serve --dir}, {@code gopipe
     * image build --gocache-dir}): {@code $GOPIPE_GOCACHE_DIR}, else {@code ~/.cache/gopipe/gocache}.
     * One folder per machine user, kept between jobs, so a second job on the agent hits locally.
     *
     * @param environment where {@code GOPIPE_GOCACHE_DIR} is looked up (the job's environment)
     */
    public static Path defaultDiskDir(java.util.Map<String, String> environment) {
        String env = environment.get("GOPIPE_GOCACHE_DIR");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "gopipe", "gocache");
    }

    /** Defaults: a 60 s flush limit, a 10 s call timeout, figures on stderr. */
    public static GoCacheOptions of(String backend, Path diskDir) {
        return new GoCacheOptions(backend, S3Options.defaults(), diskDir, false, null,
                Duration.ofSeconds(60), Duration.ofSeconds(10), null, false);
    }

    public GoCacheOptions withS3(S3Options s) {
        return new GoCacheOptions(backend, s, diskDir, readOnly, prefetchKey, flushLimit, callTimeout, statsJson, quiet);
    }

    public GoCacheOptions withReadOnly(boolean r) {
        return new GoCacheOptions(backend, s3, diskDir, r, prefetchKey, flushLimit, callTimeout, statsJson, quiet);
    }

    public GoCacheOptions withPrefetchKey(String k) {
        return new GoCacheOptions(backend, s3, diskDir, readOnly, k, flushLimit, callTimeout, statsJson, quiet);
    }

    public GoCacheOptions withLimits(Duration flush, Duration call) {
        return new GoCacheOptions(backend, s3, diskDir, readOnly, prefetchKey, flush, call, statsJson, quiet);
    }

    public GoCacheOptions withStatsJson(Path p) {
        return new GoCacheOptions(backend, s3, diskDir, readOnly, prefetchKey, flushLimit, callTimeout, p, quiet);
    }

    public GoCacheOptions withQuiet(boolean q) {
        return new GoCacheOptions(backend, s3, diskDir, readOnly, prefetchKey, flushLimit, callTimeout, statsJson, q);
    }
}
