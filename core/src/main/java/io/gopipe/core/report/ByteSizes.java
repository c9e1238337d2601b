package io.gopipe.core.report;

import java.util.Locale;

/** Byte counts as people read them (binary units), shared by engine messages and the CLI. */
public final class ByteSizes {

    private ByteSizes() {
    }

    /**
     * @param bytes a byte count
     * @param gap   what stands between number and unit: {@code " "} in sentences, {@code ""} in key=value lines
     * @return e.g. {@code 82.7 MiB}
     */
    public static String human(long bytes, String gap) {
        if (bytes < 1024) {
            return bytes + gap + "B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        do {
            v /= 1024;
            u++;
        } while (v >= 1024 && u < units.length - 1);
        return String.format(Locale.ROOT, "%.1f%s%s", v, gap, units[u]);
    }
}
