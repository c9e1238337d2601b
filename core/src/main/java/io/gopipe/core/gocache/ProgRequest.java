package io.gopipe.core.gocache;

/**
 * One request from the go command (cmd/go/internal/cacheprog.Request). The body of a put is not
 * part of it: {@link ProtocolReader#readBody} streams it from the input right after the request.
 *
 * @param id       echoed in the response
 * @param command  {@code get}, {@code put} or {@code close}
 * @param actionId hex action ID, or null
 * @param outputId hex output ID (puts), or null
 * @param bodySize body bytes following a put
 */
public record ProgRequest(long id, String command, String actionId, String outputId, long bodySize) {
}
