package io.gopipe.core;

/**
 * Base of every error the engine raises on purpose. Messages name the file, key or flag at fault
 * and say what to do, so adapters can show them to the user as they are.
 */
public class GopipeException extends RuntimeException {

    public GopipeException(String message) {
        super(message);
    }

    public GopipeException(String message, Throwable cause) {
        super(message, cause);
    }
}
