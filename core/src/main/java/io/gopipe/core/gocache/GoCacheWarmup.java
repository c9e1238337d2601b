package io.gopipe.core.gocache;

import com.fasterxml.jackson.databind.ObjectMapper;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Loads, on a second thread, what the daemon ({@code gocache serve}) needs on its first store answer: the zstd
 * native library (extracted from the jar and linked on first use), the JDK's crypto providers for
 * request signing, the HTTP client and Jackson's tree parser. A fresh agent's daemon otherwise
 * does all of this one piece after the other on the path to its first pack, after the command line
 * was parsed; started first thing in {@code main}, it overlaps the command-line parsing. Nothing it
 * does has an effect beyond the classes it initialises; a failure is ignored (the real use fails
 * the same way and reports it).
 */
public final class GoCacheWarmup {

    private GoCacheWarmup() {
    }

    /** Starts the warm-up on a daemon thread and returns at once. */
    public static void startInBackground() {
        Thread t = new Thread(GoCacheWarmup::run, "gocache-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.NORM_PRIORITY);
        t.start();
    }

    static void run() {
        try {
            // the native library: the first pack's decoding and the first upload wait for it otherwise
            byte[] packed = com.github.luben.zstd.Zstd.compress(new byte[64], 1);
            com.github.luben.zstd.Zstd.decompress(packed, 64);
            Class.forName("com.github.luben.zstd.ZstdInputStreamNoFinalizer");
            // request signing (SigV4): provider lookup and the HMAC/SHA-256 implementations
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
            mac.doFinal("warm".getBytes(StandardCharsets.UTF_8));
            MessageDigest.getInstance("SHA-256").digest(new byte[1]);
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").format(ZonedDateTime.now(ZoneOffset.UTC));
            // the HTTP client's classes (no connection is made)
            URI.create("http://127.0.0.1:9/").toURL().openConnection();
            // the manifest's parser
            new ObjectMapper().readTree("{\"version\":1,\"packs\":[{\"name\":\"p\",\"bytes\":1,\"entries\":[[\"a\",\"b\",1]]}]}");
        } catch (Exception | LinkageError ignored) {
            // best effort only
        }
    }
}
