package io.gopipe.core.gocache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Reads the go command's side of the GOCACHEPROG protocol: one JSON object per line, a put followed
 * by its body as a base64 JSON string on the next line. The body is streamed, never held as one
 * string, because compiled packages can be tens of megabytes.
 */
public final class ProtocolReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BufferedInputStream in;

    public ProtocolReader(InputStream in) {
        this.in = in instanceof BufferedInputStream b ? b : new BufferedInputStream(in, 1 << 16);
    }

    /** The next request, or null at the end of the input. */
    public ProgRequest next() throws IOException {
        int c = skipWhitespace();
        if (c < 0) {
            return null;
        }
        if (c != '{') {
            throw new ProtocolException("expected a JSON request, got '" + (char) c + "'");
        }
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        line.write(c);
        while ((c = in.read()) >= 0 && c != '\n') {
            line.write(c);
        }
        JsonNode n = JSON.readTree(line.toByteArray());
        return new ProgRequest(n.path("ID").asLong(), n.path("Command").asText(""),
                hex(n.get("ActionID")), hex(n.has("OutputID") ? n.get("OutputID") : n.get("ObjectID")),
                n.path("BodySize").asLong(0));
    }

    /**
     * The body of the put just read: exactly {@code size} decoded bytes. The caller must read it to
     * the end before asking for the next request.
     */
    public InputStream readBody(long size) throws IOException {
        int c = skipWhitespace();
        if (c != '"') {
            throw new ProtocolException("expected a base64 body string after a put, got " + (c < 0 ? "end of input" : "'" + (char) c + "'"));
        }
        InputStream quoted = new InputStream() {
            boolean done;

            @Override
            public int read() throws IOException {
                if (done) {
                    return -1;
                }
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("body of a put ended early");
                }
                if (b == '"') {
                    done = true;
                    return -1;
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                if (done || len == 0) {
                    return done ? -1 : 0;
                }
                int n = 0;
                while (n < len) {
                    if (n > 0 && in.available() == 0) {
                        break;
                    }
                    int b = read();
                    if (b < 0) {
                        break;
                    }
                    buf[off + n++] = (byte) b;
                }
                return n == 0 ? -1 : n;
            }
        };
        InputStream decoded = Base64.getDecoder().wrap(quoted);
        return new InputStream() {
            long left = size;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                if (left == 0) {
                    drain();
                    return -1;
                }
                int n = decoded.read(buf, off, (int) Math.min(len, left));
                if (n < 0) {
                    throw new EOFException("body of a put has fewer than " + size + " bytes");
                }
                left -= n;
                return n;
            }

            @Override
            public void close() throws IOException {
                while (read(new byte[8192], 0, 8192) >= 0) {
                    // consume the rest so the next request starts at the right place
                }
            }

            private void drain() throws IOException {
                while (quoted.read() >= 0) {
                    // closing quote
                }
            }
        };
    }

    private int skipWhitespace() throws IOException {
        int c;
        do {
            c = in.read();
        } while (c == '\n' || c == '\r' || c == ' ' || c == '\t');
        return c;
    }

    private static String hex(JsonNode node) throws IOException {
        if (node == null || node.isNull()) {
            return null;
        }
        return HexFormat.of().formatHex(node.binaryValue());
    }

    /** The input does not follow the protocol. */
    public static final class ProtocolException extends IOException {
        public ProtocolException(String message) {
            super("GOCACHEPROG protocol: " + message);
        }
    }
}
