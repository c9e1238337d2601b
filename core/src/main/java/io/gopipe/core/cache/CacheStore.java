package io.gopipe.core.cache;

import io.gopipe.core.cache.backend.CacheBackend;
import io.gopipe.core.cache.backend.CacheBackends;
import io.gopipe.core.cache.backend.S3Options;
import io.gopipe.core.cache.remote.RemoteBackend;
import io.gopipe.core.cache.remote.RemoteStore;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * Where cache entries live, as a value that can travel to the machine that restores or saves.
 *
 * @param address    {@code local:DIR}, a directory, or {@code s3://BUCKET/PREFIX}; ignored when {@code controller} is set
 * @param s3         how to reach S3 (null: the SDK's defaults)
 * @param create     create a missing local directory; otherwise a missing one is a store problem (an unmounted share)
 * @param controller a store on the other side of a channel (the Jenkins controller), or null
 * @param stagingDir with {@code controller}: a local directory for archives on their way there
 * @param problem    why no store can be reached (a configuration that names none), or null
 */
public record CacheStore(String address, S3Options s3, boolean create, RemoteStore controller, String stagingDir,
                         String problem) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** A store at {@code address} ({@code local:DIR}, a directory, {@code s3://BUCKET/PREFIX}). */
    public static CacheStore at(String address, S3Options s3, boolean create) {
        return new CacheStore(address, s3, create, null, null, null);
    }

    /**
     * A store that cannot be opened, for a configuration that names none: opening it fails like an
     * unreachable store, so the job's one policy applies (a warning and a miss, or failOnError).
     */
    public static CacheStore unavailable(String problem) {
        return new CacheStore(null, null, false, null, null, problem);
    }

    /** A store behind a channel; archives are staged in {@code stagingDir} first. */
    public static CacheStore remote(RemoteStore controller, String stagingDir) {
        return new CacheStore(null, null, false, controller, stagingDir, null);
    }

    /**
     * Checks the address without opening anything.
     *
     * @throws InvalidCacheInputException for an address that names no store
     */
    public void check() {
        if (controller == null && problem == null) {
            CacheBackends.localDirectory(address);
        }
    }

    /**
     * Opens the store.
     *
     * @throws CacheException with an {@link IOException} cause when it cannot be reached
     */
    public CacheBackend open() throws IOException {
        if (problem != null) {
            throw new IOException(problem);
        }
        if (controller != null) {
            return new RemoteBackend(controller, Path.of(stagingDir));
        }
        return CacheBackends.open(address, s3, create);
    }

    @Override
    public String toString() {
        // S3Options may hold a secret key; this ends up in messages and thread dumps.
        return problem != null ? "CacheStore[unavailable: " + problem + "]"
                : controller != null ? "CacheStore[controller]" : "CacheStore[" + address + "]";
    }
}
