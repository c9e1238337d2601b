package io.gopipe.core.cache;

/**
 * The caller's input is wrong (a flag value, a key, a path, a store address), not the cache: the CLI
 * exits 2 on it and names the input. Never turned into a miss, even without failOnError.
 */
public class InvalidCacheInputException extends CacheException {

    public InvalidCacheInputException(String message) {
        super(message);
    }
}
