package io.gopipe.core.gocache.store;

import io.gopipe.core.cache.backend.S3Clients;
import io.gopipe.core.cache.backend.S3Options;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Objects in an S3-compatible bucket under {@code <prefix>gocache/}. A PUT is atomic in S3, so a
 * killed writer leaves nothing visible. The client gives up quickly (short connect timeout, one
 * retry): for a build cache, a slow answer is worth less than compiling. With explicit credentials,
 * gets, heads and puts go through {@link S3Http}, and the SDK client is only built to list or delete.
 */
public final class S3ObjectStore implements ObjectStore {

    private final Supplier<S3Client> opener;
    private volatile S3Client s3;
    private final S3Http http;
    private final String bucket;
    private final String prefix;

    S3ObjectStore(Supplier<S3Client> s3, S3Http http, String bucket, String prefix) {
        this.opener = s3;
        this.http = http;
        this.bucket = bucket;
        String p = prefix == null ? "" : prefix.replaceAll("^/+", "");
        this.prefix = (p.isEmpty() || p.endsWith("/") ? p : p + "/") + "gocache/";
    }

    /** A store for {@code s3://bucket/prefix} with its own client. */
    public static S3ObjectStore create(String bucket, String prefix, S3Options options, Duration callTimeout) {
        Supplier<S3Client> sdk = () -> S3Clients.builder(options)
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(64)
                        .connectionTimeout(Duration.ofSeconds(2)).socketTimeout(callTimeout))
                .overrideConfiguration(o -> o.apiCallTimeout(callTimeout)
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(2).build()))
                .build();
        S3Http http = S3Http.of(bucket, options, callTimeout);
        return new S3ObjectStore(http == null ? memo(sdk.get()) : sdk, http, bucket, prefix);
    }

    private static Supplier<S3Client> memo(S3Client c) {
        return () -> c;
    }

    /** The SDK client, built on first use. */
    private S3Client s3() {
        S3Client c = s3;
        if (c == null) {
            synchronized (this) {
                c = s3;
                if (c == null) {
                    c = opener.get();
                    s3 = c;
                }
            }
        }
        return c;
    }

    @Override
    public String describe() {
        return "s3://" + bucket + "/" + prefix;
    }

    @Override
    public Optional<byte[]> get(String name) throws IOException {
        if (http != null) {
            try {
                return Optional.of(http.get(key(name)));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException e) {
                throw new IOException(describe() + ": " + e.getMessage(), e);
            }
        }
        try {
            return Optional.of(call(() -> s3().getObjectAsBytes(r -> r.bucket(bucket).key(key(name))).asByteArray()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public InputStream open(String name) throws IOException {
        if (http != null) {
            try {
                return http.open(key(name));
            } catch (NoSuchFileException e) {
                throw new NoSuchFileException(describe() + ": not found");
            } catch (IOException e) {
                throw new IOException(describe() + ": " + e.getMessage(), e);
            }
        }
        return call(() -> s3().getObject(r -> r.bucket(bucket).key(key(name))));
    }

    @Override
    public boolean exists(String name) throws IOException {
        if (http != null) {
            try {
                return http.exists(key(name));
            } catch (IOException e) {
                throw new IOException(describe() + ": " + e.getMessage(), e);
            }
        }
        try {
            call(() -> s3().headObject(r -> r.bucket(bucket).key(key(name))));
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    @Override
    public void put(String name, InputStream data, long size) throws IOException {
        if (http != null) {
            try {
                http.put(key(name), data, size);
                return;
            } catch (IOException e) {
                throw new IOException(describe() + ": " + e.getMessage(), e);
            }
        }
        call(() -> s3().putObject(r -> r.bucket(bucket).key(key(name)).contentLength(size),
                RequestBody.fromInputStream(data, size)));
    }

    @Override
    public List<StoredObject> list(String namePrefix) throws IOException {
        ListObjectsV2Request req = ListObjectsV2Request.builder().bucket(bucket).prefix(prefix + namePrefix).build();
        return call(() -> {
            List<StoredObject> all = new ArrayList<>();
            for (S3Object o : s3().listObjectsV2Paginator(req).contents()) {
                all.add(new StoredObject(o.key().substring(prefix.length()), o.size(), o.lastModified()));
            }
            return all;
        });
    }

    @Override
    public void delete(String name) throws IOException {
        try {
            call(() -> s3().deleteObject(r -> r.bucket(bucket).key(key(name))));
        } catch (NoSuchFileException ignored) {
            // already gone
        }
    }

    @Override
    public int sweepStaging(Duration olderThan) {
        return 0; // S3 PUTs are atomic; abandoned multipart uploads are not used here
    }

    @Override
    public void close() {
        S3Client c = s3;
        if (c != null) {
            c.close();
        }
    }

    private String key(String name) {
        return prefix + ObjectStore.check(name);
    }

    @FunctionalInterface
    private interface S3Call<T> {
        T run() throws IOException;
    }

    private <T> T call(S3Call<T> action) throws IOException {
        try {
            return action.run();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new NoSuchFileException(describe() + ": not found");
            }
            throw new IOException(describe() + ": HTTP " + e.statusCode()
                    + (e.awsErrorDetails() == null ? "" : " " + e.awsErrorDetails().errorMessage()), e);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (SdkException e) {
            throw new IOException(describe() + ": " + e.getMessage(), e);
        }
    }
}
