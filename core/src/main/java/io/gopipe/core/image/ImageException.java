package io.gopipe.core.image;

import io.gopipe.core.GopipeException;

/** Base of the image engine's errors: a build that cannot start, run or publish. */
public class ImageException extends GopipeException {

    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
