package io.gopipe.core.image;

import java.util.Locale;

/** The final stage of a generated image. */
public enum Runtime {
    /** Empty image: the static binary plus CA certificates and zoneinfo copied in. */
    SCRATCH,
    /** Distroless static: CA certificates, tzdata, a nonroot user, no shell. */
    DISTROLESS,
    /** Alpine-like: a small distribution with a shell, for services that need one. */
    ALPINE;

    /** Parses {@code scratch}, {@code distroless} or {@code alpine} (any case). */
    public static Runtime parse(String s) {
        try {
            return valueOf(s.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidImageConfigException("runtime '" + s + "' is not one of scratch, distroless, alpine");
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
