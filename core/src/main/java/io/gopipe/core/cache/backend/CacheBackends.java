package io.gopipe.core.cache.backend;

import io.gopipe.core.cache.CacheException;
import io.gopipe.core.cache.InvalidCacheInputException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/** Opens a backend from its command-line form: {@code local:DIR} (or a bare path) or {@code s3://bucket/prefix}. */
public final class CacheBackends {

    /** What the user may write; listed in every error about an address. */
    public static final String FORMS = "local:DIR, a path, or s3://BUCKET/PREFIX";
    /** {@code word:} at the start looks like a scheme: {@code lcoal:/x} is a typo, not a folder named "lcoal:". */
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*");

    private CacheBackends() {
    }

    /** As {@link #open(String, S3Options, boolean)} without creating a missing directory. */
    public static CacheBackend open(String spec, S3Options s3) {
        return open(spec, s3, false);
    }

    /**
     * Opens the store at {@code spec}.
     *
     * @param create create a missing {@code local:} directory; without it a missing directory (an
     *               unmounted share) is an error, so saves never land on the local disk by mistake
     * @throws InvalidCacheInputException for an address that names no store
     * @throws CacheException             with an {@link IOException} cause when the store cannot be opened
     */
    public static CacheBackend open(String spec, S3Options s3, boolean create) {
        Path dir = localDirectory(spec);
        try {
            if (dir == null) {
                String rest = spec.substring(5);
                int slash = rest.indexOf('/');
                String bucket = slash < 0 ? rest : rest.substring(0, slash);
                String prefix = slash < 0 ? "" : rest.substring(slash + 1);
                return S3Backend.create(bucket, prefix, s3 == null ? S3Options.defaults() : s3);
            }
            return new LocalBackend(dir, create);
        } catch (IOException e) {
            String why = e.getMessage();
            if (e instanceof java.nio.file.FileSystemException fs) {
                // the store's own folder is already named by the address
                boolean self = dir != null && dir.toAbsolutePath().normalize().toString().equals(fs.getFile()) && fs.getReason() != null;
                why = self ? fs.getReason() : io.gopipe.core.cache.FileProblems.describe(fs);
            }
            throw new CacheException("cannot open cache store " + spec + ": " + why, e);
        }
    }

    /**
     * Checks an address without opening it: the directory of a {@code local:} store, or null for S3.
     *
     * @throws InvalidCacheInputException for an empty address, an unknown scheme or an S3 address without bucket
     */
    public static Path localDirectory(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new InvalidCacheInputException("--backend is empty: use " + FORMS);
        }
        if (spec.startsWith("s3://")) {
            String rest = spec.substring(5);
            int slash = rest.indexOf('/');
            if ((slash < 0 ? rest : rest.substring(0, slash)).isEmpty()) {
                throw new InvalidCacheInputException("--backend " + spec + " names no bucket: use s3://BUCKET/PREFIX");
            }
            return null;
        }
        String dir;
        if (spec.startsWith("local:")) {
            dir = spec.substring(6);
        } else if (SCHEME.matcher(spec).matches()) {
            String scheme = spec.substring(0, spec.indexOf(':'));
            throw new InvalidCacheInputException("--backend " + spec + ": unknown scheme '" + scheme + "'; valid forms: " + FORMS);
        } else {
            dir = spec;
        }
        if (dir.isBlank()) {
            throw new InvalidCacheInputException("--backend " + spec + " names no directory: use local:DIR");
        }
        return Path.of(dir);
    }
}
