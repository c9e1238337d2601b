package io.gopipe.core.image;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.nio.charset.StandardCharsets;

/**
 * Replaces secret values (and their base64 forms, as written in a Docker config) with
 * {@code ****} in anything the engine echoes: command lines, log lines, error messages.
 */
public final class SecretMasker {

    private static final String MASK = "****";
    private final List<String> secrets;

    private SecretMasker(List<String> secrets) {
        this.secrets = secrets;
    }

    /** A masker for the given values; blank or very short values are ignored (they would mask noise). */
    public static SecretMasker of(List<String> values) {
        List<String> all = new ArrayList<>();
        for (String v : values) {
            if (v == null || v.length() < 3) {
                continue;
            }
            all.add(v);
            all.add(Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8)));
        }
        all.sort(Comparator.comparingInt(String::length).reversed());
        return new SecretMasker(List.copyOf(all));
    }

    /** A masker that hides nothing. */
    public static SecretMasker none() {
        return new SecretMasker(List.of());
    }

    /** A masker hiding these values as well as this one's. */
    public SecretMasker with(List<String> more) {
        List<String> values = new ArrayList<>(secrets);
        values.addAll(more);
        return of(values);
    }

    /** The text with every secret replaced by a mask. */
    public String mask(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String s : secrets) {
            out = out.replace(s, MASK);
        }
        return out;
    }
}
