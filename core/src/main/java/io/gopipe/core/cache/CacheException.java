package io.gopipe.core.cache;

import io.gopipe.core.GopipeException;

/** A cache operation failed: a broken entry, a backend error, bad input. The message names the key or path. */
public class CacheException extends GopipeException {

    public CacheException(String message) {
        super(message);
    }

    public CacheException(String message, Throwable cause) {
        super(message, cause);
    }
}
