package io.gopipe.core.cache;

import java.nio.charset.StandardCharsets;

/** Hand-made tar headers for member types gopipe never writes. */
final class TarWriterHeaders {

    private TarWriterHeaders() {
    }

    static byte[] deviceHeader(String name) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, h, 0, n.length);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, "00000000000");
        put(h, 136, "00000000000");
        h[156] = '4'; // block device
        put(h, 257, "ustar");
        h[263] = '0';
        h[264] = '0';
        put(h, 329, "0000010");
        put(h, 337, "0000000");
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        return h;
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }
}
