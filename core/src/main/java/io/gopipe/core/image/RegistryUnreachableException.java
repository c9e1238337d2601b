package io.gopipe.core.image;

/** The registry an image is pushed to did not answer, even after retries. */
public final class RegistryUnreachableException extends ImageException {

    public RegistryUnreachableException(String message) {
        super(message);
    }
}
