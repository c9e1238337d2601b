package io.gopipe.core.image;

import java.util.List;
import java.util.Locale;

/** Sorts a failed build's output into transient registry trouble and everything else. */
final class BuildFailure {

    private static final List<String> TRANSIENT = List.of(
            "connection refused", "connection reset", "i/o timeout", "tls handshake timeout",
            "unexpected eof", "broken pipe", "502 bad gateway", "503 service unavailable",
            "504 gateway timeout", "500 internal server error", "429 too many requests",
            "toomanyrequests", "server misbehaving", "context deadline exceeded");

    private BuildFailure() {
    }

    /** Whether the failure happened while pushing or exporting and looks like a network hiccup. */
    static boolean isTransientPushError(List<BuildStep> steps, List<String> tail) {
        boolean duringExport = steps.stream().anyMatch(s -> s.error() != null
                && (s.name().startsWith("exporting") || s.name().startsWith("pushing")));
        String text = String.join("\n", tail).toLowerCase(Locale.ROOT);
        boolean pushText = text.contains("failed to push") || text.contains("pushing") || text.contains("exporting to image");
        if (!duringExport && !pushText) {
            return false;
        }
        return TRANSIENT.stream().anyMatch(text::contains);
    }
}
