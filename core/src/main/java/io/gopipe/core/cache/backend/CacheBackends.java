package io.gopipe.core.cache.backend;

import io.gopipe.core.cache.CacheException;

import java.io.IOException;
import java.nio.file.Path;

/** Opens a backend from its command-line form: {@code local:DIR} (or a bare path) or {@code s3://bucket/prefix}. */
public final class CacheBackends {

    private CacheBackends() {
    }

    public static CacheBackend open(String spec, S3Options s3) {
        if (spec == null || spec.isBlank()) {
            throw new CacheException("--backend is empty: use local:DIR or s3://bucket/prefix");
        }
        try {
            if (spec.startsWith("s3://")) {
                String rest = spec.substring(5);
                int slash = rest.indexOf('/');
                String bucket = slash < 0 ? rest : rest.substring(0, slash);
                String prefix = slash < 0 ? "" : rest.substring(slash + 1);
                if (bucket.isEmpty()) {
                    throw new CacheException("--backend " + spec + " names no bucket");
                }
                return S3Backend.create(bucket, prefix, s3 == null ? S3Options.defaults() : s3);
            }
            String dir = spec.startsWith("local:") ? spec.substring(6) : spec;
            if (dir.contains("://")) {
                throw new CacheException("--backend " + spec + ": unknown scheme, use local:DIR or s3://bucket/prefix");
            }
            return new LocalBackend(Path.of(dir));
        } catch (IOException e) {
            throw new CacheException("cannot open cache backend " + spec + ": " + e.getMessage(), e);
        }
    }
}
