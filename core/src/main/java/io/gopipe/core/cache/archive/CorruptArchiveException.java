package io.gopipe.core.cache.archive;

import io.gopipe.core.cache.CacheException;

/** An archive or its manifest is damaged, truncated or does not match its checksums. */
public class CorruptArchiveException extends CacheException {

    public CorruptArchiveException(String message) {
        super(message);
    }

    public CorruptArchiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
