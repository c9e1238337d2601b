package io.gopipe.core.image;

/** An option, file or address given to the image engine is wrong; the message names it. */
public final class InvalidImageConfigException extends ImageException {

    public InvalidImageConfigException(String message) {
        super(message);
    }
}
