package io.gopipe.core.affected;

import io.gopipe.core.GopipeException;

/** Bad input to the affected engine that no fallback can answer (e.g. the repository directory does not exist). */
public final class AffectedException extends GopipeException {
    public AffectedException(String message) {
        super(message);
    }

    public AffectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
