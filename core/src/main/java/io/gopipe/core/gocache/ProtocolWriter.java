package io.gopipe.core.gocache;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/** Writes responses (cmd/go/internal/cacheprog.Response), one JSON line each, from any thread. */
public final class ProtocolWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OutputStream out;

    public ProtocolWriter(OutputStream out) {
        this.out = out;
    }

    /** The first message: what this program answers. */
    public void capabilities(List<String> commands) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("ID", 0);
        ArrayNode known = n.putArray("KnownCommands");
        commands.forEach(known::add);
        write(n);
    }

    /** A get that found nothing. */
    public void miss(long id) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("ID", id);
        n.put("Miss", true);
        write(n);
    }

    /** A get hit. */
    public void hit(long id, String outputHex, long size, Instant time, Path diskPath) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("ID", id);
        n.put("OutputID", HexFormat.of().parseHex(outputHex));
        n.put("Size", size);
        n.put("Time", time.toString());
        n.put("DiskPath", diskPath.toString());
        write(n);
    }

    /** A stored put. */
    public void stored(long id, Path diskPath) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("ID", id);
        n.put("DiskPath", diskPath.toString());
        write(n);
    }

    /** A plain acknowledgement (close) or an error. */
    public void done(long id, String error) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("ID", id);
        if (error != null) {
            n.put("Err", error);
        }
        write(n);
    }

    private void write(ObjectNode n) throws IOException {
        byte[] line = JSON.writeValueAsBytes(n);
        synchronized (this) {
            out.write(line);
            out.write('\n');
            out.flush();
        }
    }
}
