package io.gopipe.core.gocache;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * What an action produced: the index entry stored under its action ID, locally and in the store.
 *
 * @param outputId hex SHA-256 of the output (also its object name)
 * @param size     output bytes
 * @param time     when it was put
 */
public record ActionRecord(String outputId, long size, Instant time) {

    /** Text form: {@code v1 <output> <size> <epoch-millis>}. */
    public byte[] encode() {
        return ("v1 " + outputId + " " + size + " " + time.toEpochMilli() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Parses {@link #encode()}'s form; null when damaged, which callers treat as a miss. */
    public static ActionRecord parse(byte[] bytes) {
        String[] p = new String(bytes, StandardCharsets.UTF_8).trim().split(" ");
        if (p.length != 4 || !p[0].equals("v1") || !Ids.isHex(p[1])) {
            return null;
        }
        try {
            return new ActionRecord(p[1], Long.parseLong(p[2]), Instant.ofEpochMilli(Long.parseLong(p[3])));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
