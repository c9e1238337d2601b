package io.gopipe.cli;

import io.gopipe.core.cache.InvalidCacheInputException;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing and printing of sizes and durations on the command line. */
final class Units {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(?:i?b)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?", Pattern.CASE_INSENSITIVE);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private Units() {
    }

    /** "512", "300M", "2G", "1.5GiB" (binary units). */
    static long bytes(String text, String flag) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new InvalidCacheInputException(flag + " '" + text + "' is not a size like 500M or 2G");
        }
        double v = Double.parseDouble(m.group(1));
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        return (long) (v * (1L << shift));
    }

    /** "90s", "5m", "2h", "14d", "250ms", or ISO-8601 like PT5M; a bare number is seconds. */
    static Duration duration(String text, String flag) {
        String t = text.trim();
        if (t.toUpperCase(Locale.ROOT).startsWith("P")) {
            try {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            } catch (RuntimeException e) {
                throw new InvalidCacheInputException(flag + " '" + text + "' is not a duration like 90s, 5m or 14d");
            }
        }
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            throw new InvalidCacheInputException(flag + " '" + text + "' is not a duration like 90s, 5m or 14d");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
    }

    static String human(long bytes) {
        return io.gopipe.core.report.ByteSizes.human(bytes, "");
    }

    static String time(Instant t) {
        return TIME.format(t);
    }
}
