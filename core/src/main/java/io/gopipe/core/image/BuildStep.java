package io.gopipe.core.image;

import java.time.Duration;

/**
 * One vertex of a BuildKit solve as the progress stream reported it.
 *
 * @param id       the vertex id ({@code #N} for plain progress, the digest for rawjson)
 * @param name     e.g. {@code [build 4/6] RUN go build ...}
 * @param duration how long it ran (zero when cached or unknown)
 * @param cached   whether BuildKit reused it from a cache
 * @param error    the error text, or null
 */
public record BuildStep(String id, String name, Duration duration, boolean cached, String error) {

    /** Whether this vertex is a Dockerfile instruction ({@code [stage n/m] ...}), not internal work. */
    public boolean isInstruction() {
        return name.matches("^\\[[^\\]]*\\b\\d+/\\d+\\] .*") && !name.startsWith("[internal]");
    }

    /** Whether this is a {@code FROM} instruction, i.e. resolving a base image rather than building. */
    public boolean isFrom() {
        return isInstruction() && name.replaceFirst("^\\[[^\\]]*\\] ", "").startsWith("FROM ");
    }

    /** Whether this vertex imports a registry cache. */
    public boolean isCacheImport() {
        return name.startsWith("importing cache manifest from ");
    }
}
