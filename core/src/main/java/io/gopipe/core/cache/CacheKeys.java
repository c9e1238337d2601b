package io.gopipe.core.cache;

import java.util.regex.Pattern;

/**
 * The key alphabet: letters, digits and {@code . _ - + = , @}, at most 200 characters, starting
 * with a letter or digit. Keys become file and object names, so nothing else is allowed.
 */
public final class CacheKeys {

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+=,@-]{0,199}");
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9._+=,@-]");

    private CacheKeys() {
    }

    public static boolean isValid(String key) {
        return key != null && KEY.matcher(key).matches();
    }

    /** Throws when {@code key} (or a restore-key prefix) is not in the key alphabet. */
    public static String check(String key) {
        if (!isValid(key)) {
            throw new InvalidCacheInputException("cache key '" + key + "' is invalid: use 1-200 of A-Z a-z 0-9 . _ - + = , @"
                    + " starting with a letter or digit");
        }
        return key;
    }

    /** Turns free text (a branch name) into one key segment: unsafe characters and '-' become '_'. */
    public static String segment(String text) {
        String s = UNSAFE.matcher(text).replaceAll("_").replace('-', '_');
        return s.length() > 60 ? s.substring(0, 60) : s;
    }
}
