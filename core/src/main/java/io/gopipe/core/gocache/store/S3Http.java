package io.gopipe.core.gocache.store;

import io.gopipe.core.cache.backend.S3Options;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * GET, HEAD and PUT of single objects, signed with AWS Signature Version 4 over the JDK's HTTP
 * client. These are all a build's store calls (the prefetch manifest and packs, object gets, the
 * uploads at close); building the AWS SDK client for them costs about 0.3 CPU-s and a few hundred
 * milliseconds on a loaded 2-core agent (bench/gocache), most of what a fresh agent's job spent
 * before its first byte arrived. The SDK still lists and deletes (housekeeping), built only then.
 * Used only with explicit credentials: the SDK's credential chain (profiles, instance roles) is
 * not repeated here. PUT bodies are streamed unsigned ({@code UNSIGNED-PAYLOAD}); the outputs are
 * content-addressed and checked by the reader.
 */
final class S3Http {

    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final String UNSIGNED = "UNSIGNED-PAYLOAD";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final HexFormat HEX = HexFormat.of();

    private final URI base;
    private final boolean virtualHost;
    private final String bucket;
    private final String region;
    private final String accessKey;
    private final byte[] secret;
    private final int connectMillis;
    private final int readMillis;
    private volatile DayKey dayKey;

    private S3Http(URI base, boolean virtualHost, String bucket, String region, String accessKey, String secretKey, Duration timeout) {
        this.base = base;
        this.virtualHost = virtualHost;
        this.bucket = bucket;
        this.region = region;
        this.accessKey = accessKey;
        this.secret = ("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8);
        this.connectMillis = 2000;
        this.readMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    }

    /** Reads for {@code bucket}, or null when the options leave credentials to the SDK's chain. */
    static S3Http of(String bucket, S3Options o, Duration timeout) {
        if (o == null || o.accessKey() == null || o.accessKey().isBlank()) {
            return null;
        }
        String region = o.region();
        if (region == null || region.isBlank()) {
            region = System.getenv("AWS_REGION") != null ? System.getenv("AWS_REGION") : "us-east-1";
        }
        URI endpoint = o.endpoint() != null ? o.endpoint() : URI.create("https://s3." + region + ".amazonaws.com");
        boolean virtualHost = !o.pathStyle() && bucket.matches("[a-z0-9][a-z0-9-]*[a-z0-9]");
        return new S3Http(endpoint, virtualHost, bucket, region, o.accessKey(), o.secretKey() == null ? "" : o.secretKey(), timeout);
    }

    /** The object's bytes as a stream (the caller closes it). */
    InputStream open(String key) throws IOException {
        HttpURLConnection c = request("GET", key);
        int status = c.getResponseCode();
        if (status == 200) {
            return c.getInputStream(); // read to its end and closed, the connection goes back to the keep-alive pool
        }
        throw failure(c, status, key);
    }

    /** The object's bytes. */
    byte[] get(String key) throws IOException {
        try (InputStream in = open(key)) {
            return in.readAllBytes();
        }
    }

    boolean exists(String key) throws IOException {
        HttpURLConnection c = request("HEAD", key);
        int status = c.getResponseCode();
        if (status == 200) {
            return true;
        }
        if (status == 404) {
            return false;
        }
        throw failure(c, status, key);
    }

    /** Writes {@code size} bytes of {@code data} as the object (one atomic PUT). */
    void put(String key, InputStream data, long size) throws IOException {
        HttpURLConnection c = request("PUT", key, UNSIGNED);
        c.setDoOutput(true);
        c.setFixedLengthStreamingMode(size);
        try (java.io.OutputStream out = c.getOutputStream()) {
            long n = data.transferTo(out);
            if (n != size) {
                throw new IOException("PUT of " + key + ": " + n + " bytes read, " + size + " announced");
            }
        }
        int status = c.getResponseCode();
        if (status / 100 != 2) {
            throw failure(c, status, key);
        }
        try (InputStream in = c.getInputStream()) {
            in.readAllBytes(); // to the end, so the connection is reused
        }
    }

    private IOException failure(HttpURLConnection c, int status, String key) throws IOException {
        String body = "";
        try (InputStream err = c.getErrorStream()) {
            if (err != null) {
                body = new String(err.readNBytes(400), StandardCharsets.UTF_8);
            }
        }
        if (status == 404) {
            return new NoSuchFileException(key);
        }
        String code = body.replaceAll("(?s).*<Code>([^<]*)</Code>.*", "$1");
        return new IOException("HTTP " + status + (code.equals(body) ? "" : " " + code) + " for " + key);
    }

    private HttpURLConnection request(String method, String key) throws IOException {
        return request(method, key, EMPTY_SHA256);
    }

    private HttpURLConnection request(String method, String key, String payloadHash) throws IOException {
        String path = (base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", ""))
                + (virtualHost ? "" : "/" + encode(bucket)) + "/" + encodePath(key);
        // The Host header the JDK sends, which the signature covers: the port only when it is not the scheme's default.
        int port = base.getPort();
        boolean defaultPort = port < 0 || (port == 80 && "http".equalsIgnoreCase(base.getScheme()))
                || (port == 443 && "https".equalsIgnoreCase(base.getScheme()));
        String host = (virtualHost ? bucket + "." : "") + base.getHost() + (defaultPort ? "" : ":" + port);
        URL url = URI.create(base.getScheme() + "://" + host + path).toURL();
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        String amzDate = AMZ_DATE.format(now);
        String day = amzDate.substring(0, 8);
        String scope = day + "/" + region + "/s3/aws4_request";
        String canonical = method + "\n" + path + "\n\n"
                + "host:" + host + "\nx-amz-content-sha256:" + payloadHash + "\nx-amz-date:" + amzDate + "\n\n"
                + "host;x-amz-content-sha256;x-amz-date\n" + payloadHash;
        String toSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + HEX.formatHex(sha256(canonical));
        String signature = HEX.formatHex(hmac(signingKey(day), toSign));

        HttpURLConnection c = (HttpURLConnection) url.openConnection();
        c.setRequestMethod(method);
        c.setConnectTimeout(connectMillis);
        c.setReadTimeout(readMillis);
        c.setUseCaches(false);
        c.setRequestProperty("x-amz-date", amzDate);
        c.setRequestProperty("x-amz-content-sha256", payloadHash);
        c.setRequestProperty("Authorization", "AWS4-HMAC-SHA256 Credential=" + accessKey + "/" + scope
                + ", SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" + signature);
        return c;
    }

    /** The day's SigV4 signing key: four HMACs, the same for every request of that day. */
    private byte[] signingKey(String day) {
        DayKey d = dayKey;
        if (d == null || !d.day().equals(day)) {
            byte[] k = hmac(secret, day);
            k = hmac(k, region);
            k = hmac(k, "s3");
            k = hmac(k, "aws4_request");
            d = new DayKey(day, k);
            dayKey = d;
        }
        return d.key();
    }

    private record DayKey(String day, byte[] key) {
    }

    /** RFC 3986 encoding of one path segment, as SigV4 wants it. */
    static String encode(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            char ch = (char) (x & 0xff);
            if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
                b.append(ch);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit((x >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(x & 0xf, 16)));
            }
        }
        return b.toString();
    }

    private static String encodePath(String key) {
        String[] parts = key.split("/", -1);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                b.append('/');
            }
            b.append(encode(parts[i]));
        }
        return b.toString();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
