package io.gopipe.core.image;

/** BuildKit ran but the build or the push failed; the message carries the log's last lines. */
public final class ImageBuildFailedException extends ImageException {

    public ImageBuildFailedException(String message) {
        super(message);
    }
}
