package io.gopipe.core.cache.archive;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes POSIX (ustar + pax) tar members. Chunks of one archive are written without the
 * end-of-archive marker so that their concatenation is still one valid tar stream.
 */
public final class TarWriter {

    static final int BLOCK = 512;
    private static final byte[] ZEROS = new byte[BLOCK * 2];
    private static final long MAX_OCTAL_11 = 077777777777L;

    private static final byte[] MAGIC = {'u', 's', 't', 'a', 'r', 0, '0', '0'};

    private final OutputStream out;
    /** One header block reused for every member: archives have tens of thousands of them. */
    private final byte[] block = new byte[BLOCK];

    public TarWriter(OutputStream out) {
        this.out = out;
    }

    /** Writes the header of {@code entry}; for files the caller then writes exactly {@code size} bytes and calls {@link #pad}. */
    public void writeHeader(TarEntry entry) throws IOException {
        String name = entry.type() == TarEntry.Type.DIRECTORY ? entry.path() + "/" : entry.path();
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        byte[] linkBytes = entry.linkTarget().getBytes(StandardCharsets.UTF_8);
        int split = ustarSplit(nameBytes);
        boolean paxPath = split < 0;
        boolean paxLink = linkBytes.length > 100;
        boolean paxSize = entry.size() > MAX_OCTAL_11;
        boolean paxTime = entry.mtime() < 0 || entry.mtime() > MAX_OCTAL_11;
        if (paxPath || paxLink || paxSize || paxTime) {
            StringBuilder records = new StringBuilder();
            if (paxPath) {
                records.append(paxRecord("path", name));
            }
            if (paxLink) {
                records.append(paxRecord("linkpath", entry.linkTarget()));
            }
            if (paxSize) {
                records.append(paxRecord("size", Long.toString(entry.size())));
            }
            if (paxTime) {
                records.append(paxRecord("mtime", Long.toString(entry.mtime())));
            }
            byte[] body = records.toString().getBytes(StandardCharsets.UTF_8);
            out.write(header("././@PaxHeader".getBytes(StandardCharsets.US_ASCII), -1, 0644, 0,
                    body.length, 'x', new byte[0]));
            out.write(body);
            pad(body.length);
        }
        char flag = switch (entry.type()) {
            case FILE -> '0';
            case DIRECTORY -> '5';
            case SYMLINK -> '2';
            case HARDLINK -> '1';
            default -> throw new IllegalArgumentException("cannot archive " + entry.type() + " " + entry.path());
        };
        byte[] shortName = paxPath ? truncate(nameBytes, 100) : nameBytes;
        out.write(header(shortName, paxPath ? -1 : split, entry.mode() & 07777,
                paxTime ? 0 : entry.mtime(), paxSize ? 0 : entry.size(), flag,
                paxLink ? truncate(linkBytes, 100) : linkBytes));
    }

    /** Pads file content of {@code size} bytes to the block boundary. */
    public void pad(long size) throws IOException {
        int rest = (int) (size % BLOCK);
        if (rest != 0) {
            out.write(ZEROS, 0, BLOCK - rest);
        }
    }

    /** The two zero blocks that end a tar stream. */
    public static byte[] endOfArchive() {
        return new byte[BLOCK * 2];
    }

    private static byte[] truncate(byte[] bytes, int max) {
        if (bytes.length <= max) {
            return bytes;
        }
        byte[] copy = new byte[max];
        System.arraycopy(bytes, 0, copy, 0, max);
        return copy;
    }

    /** Index of the '/' splitting name into prefix/name, {@code bytes.length} when no split is needed, -1 when pax is needed. */
    private static int ustarSplit(byte[] name) {
        if (name.length <= 100) {
            return name.length;
        }
        if (name.length > 256) {
            return -1;
        }
        for (int i = Math.min(155, name.length - 1); i > 0; i--) {
            if (name[i] == '/' && name.length - i - 1 <= 100 && name.length - i - 1 > 0) {
                return i;
            }
        }
        return -1;
    }

    private static String paxRecord(String key, String value) {
        int payload = key.length() + value.getBytes(StandardCharsets.UTF_8).length + 3; // ' ', '=', '\n'
        int len = payload + Integer.toString(payload).length();
        if (Integer.toString(len).length() != Integer.toString(payload).length()) {
            len++;
        }
        return len + " " + key + "=" + value + "\n";
    }

    private byte[] header(byte[] name, int split, int mode, long mtime, long size, char type, byte[] link) {
        byte[] h = block;
        Arrays.fill(h, (byte) 0);
        if (split >= 0 && split < name.length) {
            System.arraycopy(name, split + 1, h, 0, name.length - split - 1);
            System.arraycopy(name, 0, h, 345, split);
        } else {
            System.arraycopy(name, 0, h, 0, Math.min(100, name.length));
        }
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, mtime);
        h[156] = (byte) type;
        System.arraycopy(link, 0, h, 157, Math.min(100, link.length));
        System.arraycopy(MAGIC, 0, h, 257, MAGIC.length);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        return h;
    }

    /** Zero-padded octal, NUL-terminated, in {@code width} bytes. */
    private static void octal(byte[] h, int offset, int width, long value) {
        int digits = width - 1;
        if (value < 0 || (digits < 21 && value >>> (3 * digits) != 0)) {
            throw new IllegalArgumentException("value " + value + " does not fit a tar field");
        }
        long v = value;
        for (int i = offset + digits - 1; i >= offset; i--) {
            h[i] = (byte) ('0' + (v & 7));
            v >>>= 3;
        }
        h[offset + digits] = 0;
    }
}
