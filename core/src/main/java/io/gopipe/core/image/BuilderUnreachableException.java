package io.gopipe.core.image;

/** Neither a buildkitd nor a Docker daemon with buildx answered in time. */
public final class BuilderUnreachableException extends ImageException {

    public BuilderUnreachableException(String message) {
        super(message);
    }
}
