package io.gopipe.core.image;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The standard OCI annotations gopipe puts on every image as labels. {@code created} should be the
 * commit time, not the wall clock, so that rebuilding the same commit gives the same digest.
 *
 * @param source   repository URL, or null
 * @param revision commit id, or null
 * @param created  creation time, or null
 * @param title    image title (the service name), or null
 */
public record OciLabels(String source, String revision, Instant created, String title) {

    /**
     * The origin URL if it names a public location ({@code https://…}, {@code ssh://…},
     * {@code git@host:path}); null for a local path or {@code file://} URL, which means nothing to
     * whoever pulls the image and only discloses the build machine's folders.
     */
    public static String publicSource(String origin) {
        if (origin == null || origin.isBlank()) {
            return null;
        }
        String o = origin.strip();
        if (o.matches("(?i)^file:.*")) {
            return null;
        }
        if (o.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://[^/]+.*")) {
            return o;
        }
        // scp-like user@host:path; a Windows drive letter (C:\x) or a path with ':' is not one
        return o.matches("^[^/\\\\:@]+@[^/:]+:.+") || o.matches("^[A-Za-z0-9.-]+\\.[A-Za-z]{2,}:[^/\\\\].*") ? o : null;
    }

    /** The labels, without null entries. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        if (source != null) {
            m.put("org.opencontainers.image.source", source);
        }
        if (revision != null) {
            m.put("org.opencontainers.image.revision", revision);
        }
        if (created != null) {
            m.put("org.opencontainers.image.created", created.toString());
        }
        if (title != null) {
            m.put("org.opencontainers.image.title", title);
        }
        return m;
    }
}
