package io.gopipe.core.gocache.store;

import io.gopipe.core.cache.CacheException;
import io.gopipe.core.cache.backend.S3Options;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Opens the object store of a cache backend from the same {@code --backend} form the archive cache
 * uses: {@code local:DIR} (or a bare path) or {@code s3://bucket/prefix}. The objects live under
 * {@code gocache/} beside the archive entries, so one store serves both flavours. The Jenkins
 * plugin adds {@code controller:ENDPOINT-FILE}: the controller's store, served by the agent JVM
 * ({@link ControllerObjectStore}).
 */
public final class ObjectStores {

    /** The Jenkins controller's store through the agent's loopback server: {@code controller:ENDPOINT-FILE}. */
    public static final String CONTROLLER = "controller:";

    private ObjectStores() {
    }

    /** Checks the form of a spec without opening anything; throws {@link CacheException} naming the flag. */
    public static void check(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new CacheException("--backend is empty: use local:DIR or s3://bucket/prefix");
        }
        if (spec.startsWith(CONTROLLER)) {
            if (spec.length() == CONTROLLER.length()) {
                throw new CacheException("--backend " + spec + " names no endpoint file");
            }
            return;
        }
        if (spec.startsWith("s3://")) {
            if (spec.substring(5).isEmpty() || spec.substring(5).startsWith("/")) {
                throw new CacheException("--backend " + spec + " names no bucket");
            }
            return;
        }
        String dir = spec.startsWith("local:") ? spec.substring(6) : spec;
        if (dir.contains("://") || dir.isEmpty()) {
            throw new CacheException("--backend " + spec + ": unknown scheme, use local:DIR or s3://bucket/prefix");
        }
    }

    /** Opens without touching the store: nothing is read or written until the first call. */
    public static ObjectStore open(String spec, S3Options s3, Duration callTimeout) {
        check(spec);
        if (spec == null || spec.isBlank()) {
            throw new CacheException("--backend is empty: use local:DIR or s3://bucket/prefix");
        }
        if (spec.startsWith(CONTROLLER)) {
            return new ControllerObjectStore(Path.of(spec.substring(CONTROLLER.length())), callTimeout);
        }
        if (spec.startsWith("s3://")) {
            String rest = spec.substring(5);
            int slash = rest.indexOf('/');
            String bucket = slash < 0 ? rest : rest.substring(0, slash);
            String prefix = slash < 0 ? "" : rest.substring(slash + 1);
            if (bucket.isEmpty()) {
                throw new CacheException("--backend " + spec + " names no bucket");
            }
            return S3ObjectStore.create(bucket, prefix, s3 == null ? S3Options.defaults() : s3, callTimeout);
        }
        String dir = spec.startsWith("local:") ? spec.substring(6) : spec;
        if (dir.contains("://") || dir.isEmpty()) {
            throw new CacheException("--backend " + spec + ": unknown scheme, use local:DIR or s3://bucket/prefix");
        }
        return new LocalObjectStore(Path.of(dir).resolve("gocache"));
    }
}
