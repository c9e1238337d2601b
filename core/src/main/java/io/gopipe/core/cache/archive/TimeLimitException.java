package io.gopipe.core.cache.archive;

import io.gopipe.core.cache.CacheException;

/** A restore or save ran past its time limit and was abandoned. */
public class TimeLimitException extends CacheException {

    public TimeLimitException(String message) {
        super(message);
    }
}
