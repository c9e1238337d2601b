package io.gopipe.core.cache.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads tar members (ustar, pax and GNU long names) from a stream. Every header checksum is
 * verified, so damage shows up as a {@link CorruptArchiveException} rather than garbage files.
 * After {@link #next()} returns a file, the caller must consume its content with
 * {@link #copyContent} or {@link #skipContent} before calling {@link #next()} again.
 */
public final class TarReader {

    private static final int BLOCK = TarWriter.BLOCK;
    private static final int MAX_META = 1 << 20;

    private final InputStream in;
    private final String source;
    private final byte[] header = new byte[BLOCK];
    private long remaining;
    private long padding;
    private long bytesRead;
    private boolean headerSums = true;

    public TarReader(InputStream in, String source) {
        this.in = in;
        this.source = source;
    }

    /**
     * Skips the header checksums: for bytes the caller has already checked against their chunk's
     * checksum, where a header sum can no longer fail (and summing 512 bytes per member was the
     * hottest Java loop of a restore without C2).
     */
    TarReader withVerifiedBytes() {
        headerSums = false;
        return this;
    }

    /** Uncompressed bytes consumed so far. */
    public long bytesRead() {
        return bytesRead;
    }

    /** The next member, or null at the end of the stream or at an end-of-archive marker. */
    public TarEntry next() throws IOException {
        if (remaining > 0 || padding > 0) {
            skipContent();
        }
        Map<String, String> pax = new HashMap<>();
        String gnuLongName = null;
        String gnuLongLink = null;
        while (true) {
            if (!readHeader()) {
                if (!pax.isEmpty() || gnuLongName != null || gnuLongLink != null) {
                    throw new CorruptArchiveException(source + ": archive ends after an extended header");
                }
                return null;
            }
            char flag = (char) header[156];
            long size = parseSize();
            if (flag == 'x' || flag == 'g' || flag == 'L' || flag == 'K') {
                if (size > MAX_META) {
                    throw new CorruptArchiveException(source + ": extended header of " + size + " bytes");
                }
                byte[] body = readFully((int) size);
                skipFully(padOf(size));
                if (flag == 'x') {
                    parsePax(body, pax);
                } else if (flag == 'L') {
                    gnuLongName = cString(body, 0, body.length);
                } else if (flag == 'K') {
                    gnuLongLink = cString(body, 0, body.length);
                }
                continue;
            }
            String name = cString(header, 0, 100);
            if (header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a'
                    && header[261] == 'r' && header[262] == 0) {
                String prefix = cString(header, 345, 155);
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
            }
            if (gnuLongName != null) {
                name = gnuLongName;
            }
            if (pax.containsKey("path")) {
                name = pax.get("path");
            }
            String link = cString(header, 157, 100);
            if (gnuLongLink != null) {
                link = gnuLongLink;
            }
            if (pax.containsKey("linkpath")) {
                link = pax.get("linkpath");
            }
            if (pax.containsKey("size")) {
                size = parseLong(pax.get("size"), "pax size");
            }
            long mtime = parseOctal(136, 12, "mtime");
            if (pax.containsKey("mtime")) {
                String m = pax.get("mtime");
                int dot = m.indexOf('.');
                mtime = parseLong(dot < 0 ? m : m.substring(0, dot), "pax mtime");
            }
            int mode = (int) (parseOctal(100, 8, "mode") & 07777);
            TarEntry.Type type = switch (flag) {
                case '0', 0, '7' -> TarEntry.Type.FILE;
                case '5' -> TarEntry.Type.DIRECTORY;
                case '2' -> TarEntry.Type.SYMLINK;
                case '1' -> TarEntry.Type.HARDLINK;
                case '3', '4' -> TarEntry.Type.DEVICE;
                case '6' -> TarEntry.Type.FIFO;
                default -> TarEntry.Type.OTHER;
            };
            if (type == TarEntry.Type.DIRECTORY && name.endsWith("/")) {
                name = name.substring(0, name.length() - 1);
            }
            if (size < 0) {
                throw new CorruptArchiveException(source + ": negative size for " + name);
            }
            long contentSize = type == TarEntry.Type.FILE || type == TarEntry.Type.OTHER ? size : 0;
            remaining = contentSize;
            padding = padOf(contentSize);
            return new TarEntry(name, type, mode, mtime, contentSize, link);
        }
    }

    /** Copies the current file's content to {@code out}. */
    public void copyContent(OutputStream out, byte[] buffer) throws IOException {
        while (remaining > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (n < 0) {
                throw new CorruptArchiveException(source + ": archive truncated inside a file");
            }
            out.write(buffer, 0, n);
            remaining -= n;
            bytesRead += n;
        }
        skipFully(padding);
        padding = 0;
    }

    /**
     * Writes the current file's content to {@code ch}: straight from the decompressed chunk when
     * the reader runs over one, else through {@code buffer}.
     */
    public void writeContent(java.nio.channels.FileChannel ch, byte[] buffer) throws IOException {
        if (in instanceof ArchiveExtractor.BufferInput bi) {
            java.nio.ByteBuffer slice = bi.take(remaining);
            if (slice.remaining() != remaining) {
                throw new CorruptArchiveException(source + ": archive truncated inside a file");
            }
            while (slice.hasRemaining()) {
                ch.write(slice);
            }
            bytesRead += remaining;
            remaining = 0;
            skipFully(padding);
            padding = 0;
            return;
        }
        copyContent(new java.io.OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        }, buffer);
    }

    /** Skips the rest of the current file's content. */
    public void skipContent() throws IOException {
        skipFully(remaining + padding);
        remaining = 0;
        padding = 0;
    }

    private boolean readHeader() throws IOException {
        int off = 0;
        while (off < BLOCK) {
            int n = in.read(header, off, BLOCK - off);
            if (n < 0) {
                if (off == 0) {
                    return false;
                }
                throw new CorruptArchiveException(source + ": archive truncated inside a header");
            }
            off += n;
        }
        bytesRead += BLOCK;
        boolean zero = true;
        for (byte b : header) {
            if (b != 0) {
                zero = false;
                break;
            }
        }
        if (zero) {
            return false;
        }
        if (!headerSums) {
            return true;
        }
        long stored = parseOctal(148, 8, "checksum");
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xff);
        }
        if (sum != stored) {
            throw new CorruptArchiveException(source + ": tar header checksum mismatch at byte " + (bytesRead - BLOCK));
        }
        return true;
    }

    private long parseSize() throws CorruptArchiveException {
        if ((header[124] & 0x80) != 0) {
            long v = 0;
            for (int i = 125; i < 136; i++) {
                v = (v << 8) | (header[i] & 0xff);
            }
            return v;
        }
        return parseOctal(124, 12, "size");
    }

    private long parseOctal(int offset, int width, String field) throws CorruptArchiveException {
        long v = 0;
        int i = offset;
        int end = offset + width;
        while (i < end && header[i] == ' ') {
            i++;
        }
        for (; i < end; i++) {
            byte b = header[i];
            if (b == 0 || b == ' ') {
                break;
            }
            if (b < '0' || b > '7') {
                throw new CorruptArchiveException(source + ": bad octal digit in tar " + field + " field");
            }
            v = (v << 3) + (b - '0');
        }
        return v;
    }

    private long parseLong(String s, String what) throws CorruptArchiveException {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new CorruptArchiveException(source + ": bad " + what + " '" + s + "'");
        }
    }

    private void parsePax(byte[] body, Map<String, String> pax) throws CorruptArchiveException {
        int pos = 0;
        while (pos < body.length) {
            int space = pos;
            while (space < body.length && body[space] != ' ') {
                space++;
            }
            int len;
            try {
                len = Integer.parseInt(new String(body, pos, space - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new CorruptArchiveException(source + ": bad pax record length");
            }
            if (len <= 0 || pos + len > body.length || space >= pos + len) {
                throw new CorruptArchiveException(source + ": bad pax record");
            }
            String record = new String(body, space + 1, pos + len - space - 2, StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq <= 0) {
                throw new CorruptArchiveException(source + ": bad pax record '" + record + "'");
            }
            pax.put(record.substring(0, eq), record.substring(eq + 1));
            pos += len;
        }
    }

    private static String cString(byte[] b, int offset, int max) {
        int end = offset;
        while (end < offset + max && b[end] != 0) {
            end++;
        }
        return new String(b, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static long padOf(long size) {
        long rest = size % BLOCK;
        return rest == 0 ? 0 : BLOCK - rest;
    }

    private byte[] readFully(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new CorruptArchiveException(source + ": archive truncated inside an extended header");
        }
        bytesRead += n;
        return b;
    }

    private void skipFully(long n) throws IOException {
        byte[] scratch = null;
        while (n > 0) {
            long skipped = in.skip(n);
            if (skipped <= 0) {
                if (scratch == null) {
                    scratch = new byte[8192];
                }
                int r = in.read(scratch, 0, (int) Math.min(scratch.length, n));
                if (r < 0) {
                    throw new CorruptArchiveException(source + ": archive truncated");
                }
                skipped = r;
            }
            n -= skipped;
            bytesRead += skipped;
        }
    }
}
