package io.gopipe.core.gocache;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

/**
 * The packed prefetch transfer: one zstd stream of {@code GPK1} then, per entry, the raw action and
 * output IDs (32 bytes each), the size (8 bytes) and the output. Entries are in the order the last
 * run asked for them, so a streaming reader delivers first what go asks for first.
 */
final class Packs {

    private static final byte[] MAGIC = {'G', 'P', 'K', '1'};

    private Packs() {
    }

    /** One entry of a pack. */
    record Entry(String actionId, String outputId, long size) {
    }

    /** Writes a pack of {@code entries}, reading outputs from {@code tier}, to {@code target}. */
    static void write(List<Entry> entries, DiskTier tier, Path target) throws IOException {
        try (OutputStream file = Files.newOutputStream(target);
             ZstdOutputStream z = new ZstdOutputStream(file, 3);
             DataOutputStream out = new DataOutputStream(z)) {
            z.setWorkers(2);
            z.setChecksum(true); // readers rely on the frame checksum instead of hashing every output
            out.write(MAGIC);
            HexFormat hex = HexFormat.of();
            for (Entry e : entries) {
                out.write(hex.parseHex(e.actionId()));
                out.write(hex.parseHex(e.outputId()));
                out.writeLong(e.size());
                try (InputStream in = Files.newInputStream(tier.object(e.outputId()))) {
                    long copied = in.transferTo(out);
                    if (copied != e.size()) {
                        throw new IOException("local output " + e.outputId() + " changed size while packing");
                    }
                }
            }
        }
    }

    /** Called for each entry read; must consume exactly {@code size} bytes of {@code body} or none (skip). */
    interface Sink {
        void entry(Entry entry, InputStream body) throws IOException;
    }

    /** Reads a pack stream, handing each entry to {@code sink}. */
    static void read(InputStream compressed, Sink sink) throws IOException {
        try (DataInputStream in = new DataInputStream(new ZstdInputStream(compressed))) {
            byte[] magic = new byte[4];
            in.readFully(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new IOException("not a gopipe gocache pack");
            }
            HexFormat hex = HexFormat.of();
            byte[] id = new byte[32];
            while (true) {
                int first = in.read();
                if (first < 0) {
                    return;
                }
                id[0] = (byte) first;
                in.readFully(id, 1, 31);
                String action = hex.formatHex(id);
                in.readFully(id);
                String output = hex.formatHex(id);
                long size = in.readLong();
                BoundedInput body = new BoundedInput(in, size);
                sink.entry(new Entry(action, output, size), body);
                body.skipRest();
            }
        } catch (EOFException e) {
            throw new IOException("pack ended in the middle of an entry", e);
        }
    }

    /** A window of {@code size} bytes of the pack stream. */
    private static final class BoundedInput extends InputStream {
        private final InputStream in;
        private long left;

        BoundedInput(InputStream in, long size) {
            this.in = in;
            this.left = size;
        }

        @Override
        public int read() throws IOException {
            if (left == 0) {
                return -1;
            }
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            left--;
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            if (left == 0) {
                return -1;
            }
            int n = in.read(buf, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException();
            }
            left -= n;
            return n;
        }

        void skipRest() throws IOException {
            if (left == 0) {
                return; // the usual case: the sink read the body
            }
            byte[] buf = new byte[(int) Math.min(left, 64 << 10)];
            while (read(buf, 0, buf.length) >= 0) {
                // discard
            }
        }
    }
}
