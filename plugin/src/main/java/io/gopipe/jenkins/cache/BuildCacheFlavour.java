package io.gopipe.jenkins.cache;

import hudson.Util;

/** How the Go build cache travels: {@code archive} (restored and saved whole) or {@code remote} (GOCACHEPROG). */
public final class BuildCacheFlavour {

    public static final String ARCHIVE = "archive";
    public static final String REMOTE = "remote";

    private BuildCacheFlavour() {
    }

    /** The flavour trimmed and lower-cased, null when empty; anything else names the parameter. */
    public static String validOrNull(String flavour) {
        String f = Util.fixEmptyAndTrim(flavour);
        if (f == null) {
            return null;
        }
        f = f.toLowerCase(java.util.Locale.ROOT);
        if (!f.equals(ARCHIVE) && !f.equals(REMOTE)) {
            throw new IllegalArgumentException("flavour must be 'archive' or 'remote', got '" + flavour.trim() + "'");
        }
        return f;
    }
}
