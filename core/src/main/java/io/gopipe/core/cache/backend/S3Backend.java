package io.gopipe.core.cache.backend;

import io.gopipe.core.cache.CacheException;
import io.gopipe.core.cache.CacheKeys;
import io.gopipe.core.cache.archive.ProgressMeter;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Entries in an S3-compatible bucket under a prefix: {@code blobs/<key>.<uuid>.tar.zst},
 * {@code entries/<key>.json}, {@code access/<key>}. The archive goes up first (multipart with
 * parallel parts when large), then the manifest with {@code If-None-Match: *}; a 412 means another
 * saver won, and our blob is deleted. Restores read chunks with parallel ranged GETs.
 */
public final class S3Backend implements CacheBackend {

    private static final String STAGE_PREFIX = "gopipe-cache-stage-";
    /** Owner locks of the local archives this instance is writing, by file. */
    private final java.util.Map<String, io.gopipe.core.cache.OwnerLock> staging = new java.util.concurrent.ConcurrentHashMap<>();

    static final long MULTIPART_THRESHOLD = 16L << 20;
    private static final int UPLOAD_THREADS = 4;

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final boolean conditionalWrites;
    private final boolean ownsClient;

    /** Uses {@code client} as is (the caller closes it). */
    public S3Backend(S3Client client, String bucket, String prefix, boolean conditionalWrites) {
        this(client, bucket, prefix, conditionalWrites, false);
    }

    private S3Backend(S3Client client, String bucket, String prefix, boolean conditionalWrites, boolean ownsClient) {
        this.s3 = client;
        this.bucket = bucket;
        String p = prefix == null ? "" : prefix.replaceAll("^/+", "");
        this.prefix = p.isEmpty() || p.endsWith("/") ? p : p + "/";
        this.conditionalWrites = conditionalWrites;
        this.ownsClient = ownsClient;
    }

    /** Builds a client from {@code options} for {@code s3://bucket/prefix}. */
    public static S3Backend create(String bucket, String prefix, S3Options options) {
        S3ClientBuilder b = S3Clients.builder(options)
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(64));
        return new S3Backend(b.build(), bucket, prefix, options.conditionalWrites(), true);
    }

    @Override
    public String describe() {
        return "s3://" + bucket + "/" + prefix;
    }

    @Override
    public List<EntryRef> list(String keyPrefix) throws IOException {
        String base = prefix + "entries/";
        List<EntryRef> found = new ArrayList<>();
        for (S3Object o : listObjects(base + keyPrefix)) {
            String name = o.key().substring(base.length());
            if (name.endsWith(".json")) {
                String key = name.substring(0, name.length() - 5);
                if (CacheKeys.isValid(key)) {
                    found.add(new EntryRef(key, o.lastModified()));
                }
            }
        }
        return found;
    }

    @Override
    public Optional<EntryRef> find(String key) throws IOException {
        try {
            Instant modified = call(() -> s3.headObject(r -> r.bucket(bucket).key(manifestKey(key))).lastModified());
            return Optional.of(new EntryRef(key, modified));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public byte[] readManifest(String key) throws IOException {
        return getBytes(manifestKey(key));
    }

    @Override
    public BlobReader openBlob(String blob) throws IOException {
        String objectKey = blobKey(blob);
        return new BlobReader() {
            @Override
            public InputStream open(long offset, long length) throws IOException {
                ResponseInputStream<GetObjectResponse> in = call(() -> s3.getObject(r -> r.bucket(bucket).key(objectKey)
                        .range("bytes=" + offset + "-" + (offset + length - 1))));
                return in;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public StagedBlob stage(String key) throws IOException {
        CacheKeys.check(key);
        // A local file under an owner lock: a save killed before its upload leaves it in the temp
        // folder, and the next save removes it (sweepAbandoned).
        Path file = Path.of(System.getProperty("java.io.tmpdir"), STAGE_PREFIX + UUID.randomUUID() + ".tar.zst");
        staging.put(file.toString(), io.gopipe.core.cache.OwnerLock.create(Path.of(file + ".lock")));
        Files.createFile(file);
        return new StagedBlob(key, key + "." + UUID.randomUUID() + ".tar.zst", file);
    }

    private void unstage(StagedBlob staged) throws IOException {
        try {
            Files.deleteIfExists(staged.file());
        } finally {
            io.gopipe.core.cache.OwnerLock lock = staging.remove(staged.file().toString());
            if (lock != null) {
                lock.close();
            }
        }
    }

    /** Local archives of saves that were killed before their upload: their owner lock is free. */
    @Override
    public int sweepAbandoned() throws IOException {
        int removed = 0;
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (java.nio.file.DirectoryStream<Path> files = Files.newDirectoryStream(tmp, STAGE_PREFIX + "*.tar.zst")) {
            for (Path p : files) {
                Path lock = Path.of(p + ".lock");
                boolean gone = Files.exists(lock) ? io.gopipe.core.cache.OwnerLock.isAbandoned(lock)
                        : io.gopipe.core.cache.OwnerLock.olderThan(p, Duration.ofHours(1));
                try {
                    if (gone && Files.deleteIfExists(p)) {
                        Files.deleteIfExists(lock);
                        removed++;
                    }
                } catch (java.nio.file.AccessDeniedException othersFile) {
                    // another user's save, in a shared temp folder
                }
            }
        }
        return removed;
    }

    @Override
    public Publish publish(StagedBlob staged, byte[] manifest, ProgressMeter upload) throws IOException {
        String blobKey = blobKey(staged.blob());
        String manifestKey = manifestKey(staged.key());
        try {
            if (!conditionalWrites && exists(manifestKey)) {
                return Publish.ALREADY_EXISTS;
            }
            upload(staged.file(), blobKey, upload);
            boolean won = conditionalWrites ? putIfAbsent(manifestKey, manifest) : putAndVerify(manifestKey, manifest);
            if (!won) {
                deleteQuietly(blobKey);
                return Publish.ALREADY_EXISTS;
            }
            return Publish.PUBLISHED;
        } finally {
            unstage(staged);
        }
    }

    private boolean putIfAbsent(String key, byte[] body) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                call(() -> s3.putObject(r -> r.bucket(bucket).key(key).ifNoneMatch("*").contentType("application/json"),
                        RequestBody.fromBytes(body)));
                return true;
            } catch (S3StatusException e) {
                if (e.status == 412) {
                    return false;
                }
                // 409: a concurrent conditional write is in flight; whoever finishes owns the key.
                if (e.status == 409 && attempt < 5) {
                    if (exists(key)) {
                        return false;
                    }
                    sleep(100L << attempt);
                    continue;
                }
                throw e;
            }
        }
    }

    /** For stores without conditional writes: write, read back, and keep only if it is ours. */
    private boolean putAndVerify(String key, byte[] body) throws IOException {
        call(() -> s3.putObject(r -> r.bucket(bucket).key(key).contentType("application/json"), RequestBody.fromBytes(body)));
        sleep(200); // let a racing writer's PUT land before we judge
        try {
            return Arrays.equals(getBytes(key), body);
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private void upload(Path file, String key, ProgressMeter meter) throws IOException {
        long size = Files.size(file);
        if (size <= MULTIPART_THRESHOLD) {
            call(() -> s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromFile(file)));
            meter.add(size, 0);
            meter.finish();
            return;
        }
        long partSize = Math.max(MULTIPART_THRESHOLD, (size + 9_999) / 10_000);
        int parts = (int) ((size + partSize - 1) / partSize);
        String uploadId = call(() -> s3.createMultipartUpload(r -> r.bucket(bucket).key(key)).uploadId());
        ExecutorService pool = Executors.newFixedThreadPool(UPLOAD_THREADS, r -> {
            Thread t = new Thread(r, "gopipe-cache-upload");
            t.setDaemon(true);
            return t;
        });
        boolean done = false;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            List<Future<CompletedPart>> futures = new ArrayList<>();
            for (int i = 0; i < parts; i++) {
                int number = i + 1;
                long offset = i * partSize;
                int length = (int) Math.min(partSize, size - offset);
                futures.add(pool.submit(() -> {
                    ByteBuffer buf = ByteBuffer.allocate(length);
                    while (buf.hasRemaining()) {
                        if (ch.read(buf, offset + buf.position()) < 0) {
                            throw new IOException("staged archive " + file + " shrank during upload");
                        }
                    }
                    String etag = call(() -> s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(uploadId)
                            .partNumber(number).contentLength((long) length), RequestBody.fromBytes(buf.array())).eTag());
                    meter.add(length, 0);
                    return CompletedPart.builder().partNumber(number).eTag(etag).build();
                }));
            }
            List<CompletedPart> completed = new ArrayList<>();
            for (Future<CompletedPart> f : futures) {
                completed.add(f.get());
            }
            completed.sort(Comparator.comparingInt(CompletedPart::partNumber));
            call(() -> s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(completed).build())));
            meter.finish();
            done = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("upload of " + key + " interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof IOException io ? io : new IOException("upload of " + key + " failed: " + c, c);
        } finally {
            pool.shutdownNow();
            if (!done) {
                try {
                    s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
                } catch (SdkException ignored) {
                    // the store expires abandoned uploads
                }
            }
        }
    }

    @Override
    public void discard(StagedBlob staged) throws IOException {
        unstage(staged);
    }

    @Override
    public Optional<AccessRecord> readAccess(String key) throws IOException {
        try {
            String[] parts = new String(getBytes(accessKey(key)), StandardCharsets.UTF_8).trim().split(" ");
            return Optional.of(new AccessRecord(Instant.ofEpochMilli(Long.parseLong(parts[1])), Long.parseLong(parts[0])));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public void recordAccess(String key, AccessRecord access) throws IOException {
        byte[] body = (access.hits() + " " + access.lastAccess().toEpochMilli() + "\n").getBytes(StandardCharsets.UTF_8);
        call(() -> s3.putObject(r -> r.bucket(bucket).key(accessKey(key)), RequestBody.fromBytes(body)));
    }

    @Override
    public void delete(String key, String blob) throws IOException {
        deleteQuietly(manifestKey(key));
        deleteQuietly(accessKey(key));
        if (blob != null && !blob.isEmpty()) {
            deleteQuietly(blobKey(blob));
        }
    }

    @Override
    public int sweep(Set<String> referenced, Duration olderThan) throws IOException {
        Instant cutoff = Instant.now().minus(olderThan);
        String base = prefix + "blobs/";
        int removed = 0;
        for (S3Object o : listObjects(base)) {
            String name = o.key().substring(base.length());
            if (!referenced.contains(name) && o.lastModified().isBefore(cutoff)) {
                deleteQuietly(o.key());
                removed++;
            }
        }
        return removed;
    }

    @Override
    public void close() {
        if (ownsClient) {
            s3.close();
        }
    }

    private List<S3Object> listObjects(String keyPrefix) throws IOException {
        ListObjectsV2Request req = ListObjectsV2Request.builder().bucket(bucket).prefix(keyPrefix).build();
        return call(() -> {
            List<S3Object> all = new ArrayList<>();
            s3.listObjectsV2Paginator(req).contents().forEach(all::add);
            return all;
        });
    }

    private boolean exists(String key) throws IOException {
        try {
            call(() -> s3.headObject(r -> r.bucket(bucket).key(key)));
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private byte[] getBytes(String key) throws IOException {
        ResponseBytes<GetObjectResponse> bytes = call(() -> s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)));
        return bytes.asByteArray();
    }

    private void deleteQuietly(String key) throws IOException {
        try {
            call(() -> s3.deleteObject(r -> r.bucket(bucket).key(key)));
        } catch (NoSuchFileException ignored) {
            // already gone
        }
    }

    private String manifestKey(String key) {
        return prefix + "entries/" + CacheKeys.check(key) + ".json";
    }

    private String accessKey(String key) {
        return prefix + "access/" + CacheKeys.check(key);
    }

    private String blobKey(String blob) throws NoSuchFileException {
        if (blob.isEmpty() || blob.contains("/") || blob.startsWith(".")) {
            throw new NoSuchFileException("blob name '" + blob + "' is not a name in " + describe());
        }
        return prefix + "blobs/" + blob;
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @FunctionalInterface
    private interface S3Call<T> {
        T run() throws IOException;
    }

    /** Maps SDK errors to IOExceptions: 404 to NoSuchFileException, other statuses to S3StatusException. */
    private <T> T call(S3Call<T> action) throws IOException {
        try {
            return action.run();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new NoSuchFileException(describe() + ": " + e.awsErrorDetails().errorCode());
            }
            throw new S3StatusException(e.statusCode(), describe() + ": HTTP " + e.statusCode() + " "
                    + (e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorMessage()), e);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (SdkException e) {
            throw new IOException(describe() + ": " + e.getMessage(), e);
        } catch (CacheException e) {
            throw e;
        }
    }

    /** An S3 error response. */
    static final class S3StatusException extends IOException {
        final int status;

        S3StatusException(int status, String message, Throwable cause) {
            super(message, cause);
            this.status = status;
        }
    }
}
