package io.gopipe.core.image;

import java.util.Locale;

/** Where the Go binary is compiled. */
public enum BuildMode {
    /** Inside BuildKit, with a (given or generated) multi-stage Dockerfile. */
    DOCKERFILE,
    /** On the agent with its warm Go caches; BuildKit only packages the binary (ko-style). */
    AGENT;

    /** Parses {@code dockerfile} or {@code agent}. */
    public static BuildMode parse(String s) {
        try {
            return valueOf(s.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidImageConfigException("build mode '" + s + "' is not one of dockerfile, agent");
        }
    }
}
