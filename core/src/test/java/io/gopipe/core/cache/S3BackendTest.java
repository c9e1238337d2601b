package io.gopipe.core.cache;

import io.gopipe.core.cache.backend.CacheBackend;
import io.gopipe.core.cache.backend.S3Backend;
import io.gopipe.core.cache.backend.S3Options;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The backend contract against a real S3 server (s3proxy) running in this JVM. */
class S3BackendTest extends CacheBackendContract {

    static final String ACCESS = "gopipe-test";
    static final String SECRET = "gopipe-test-secret";
    static final String BUCKET = "gopipe-cache";

    static S3Proxy proxy;
    static URI endpoint;

    private String prefix;

    @BeforeAll
    static void startServer() throws Exception {
        proxy = S3Proxy.builder()
                .blobStore(new TransientNio2BlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET)
                .build();
        proxy.start();
        while (!proxy.getState().equals("STARTED")) {
            Thread.sleep(10);
        }
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
        {
            software.amazon.awssdk.services.s3.S3Client client = software.amazon.awssdk.services.s3.S3Client.builder()
                    .endpointOverride(endpoint).forcePathStyle(true)
                    .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                    .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                            software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(ACCESS, SECRET)))
                    .build();
            client.createBucket(r -> r.bucket(BUCKET));
            client.close();
        }
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (proxy != null) {
            proxy.stop();
        }
    }

    static S3Options options() {
        return new S3Options(endpoint, "us-east-1", true, ACCESS, SECRET, true);
    }

    @Override
    CacheBackend newBackend() {
        prefix = "run-" + UUID.randomUUID() + "/";
        return S3Backend.create(BUCKET, prefix, options());
    }

    @Override
    CacheBackend newBackendSameStore() {
        return S3Backend.create(BUCKET, prefix, options());
    }

    @Override
    List<String> processBackendArgs() {
        return List.of("s3://" + BUCKET + "/" + prefix, "--s3", endpoint.toString(), ACCESS, SECRET);
    }

    @Override
    List<String> killPoints() {
        return List.of("save", "upload"); // while archiving, and after the blob went up but before the manifest
    }

    @Test
    void localArchivesOfKilledSavesAreRemovedByTheNextSaveButLiveOnesKept() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        String id = java.util.UUID.randomUUID().toString();
        Path dead = Files.writeString(tmp.resolve("gopipe-cache-stage-" + id + "-dead.tar.zst"), "partial archive");
        Files.writeString(tmp.resolve(dead.getFileName() + ".lock"), ""); // its owner died: nobody holds the lock
        Path live = Files.writeString(tmp.resolve("gopipe-cache-stage-" + id + "-live.tar.zst"), "being written");
        try (OwnerLock held = OwnerLock.create(tmp.resolve(live.getFileName() + ".lock"))) {
            assertThat(service().save(mod("after-kill", sampleCache("m"))).saved()).isTrue();
            assertThat(dead).doesNotExist();
            assertThat(tmp.resolve(dead.getFileName() + ".lock")).doesNotExist();
            assertThat(live).exists();
        } finally {
            Files.deleteIfExists(live);
        }
    }

    @Test
    void largeArchivesUseMultipartUploadAndRangedReads() throws IOException {
        Path dir = work.resolve("big");
        java.util.Random rnd = new java.util.Random(1);
        for (int i = 0; i < 3; i++) {
            byte[] noise = new byte[8 << 20]; // incompressible, so the archive passes the multipart threshold
            rnd.nextBytes(noise);
            TestTrees.write(dir.resolve("cache/download/m" + i + "/@v/v1.0.0.zip"), noise, 0644, 1_600_000_000L);
        }
        SaveResult saved = service().save(mod("big", dir));
        assertThat(saved.saved()).isTrue();
        assertThat(saved.archiveBytes()).isGreaterThan(16L << 20);
        RestoreResult r = service().restore(mod("big", work.resolve("t")));
        assertThat(r.hit()).isTrue();
        assertThat(TestTrees.snapshot(work.resolve("t"))).isEqualTo(TestTrees.snapshot(dir));
    }

    @Test
    void storesWithoutConditionalWritesStillPublishOnce() throws Exception {
        Path dir = sampleCache("m");
        S3Options plain = new S3Options(endpoint, "us-east-1", true, ACCESS, SECRET, false);
        List<java.util.concurrent.Future<SaveResult>> results = new java.util.ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> {
                    try (CacheBackend own = S3Backend.create(BUCKET, prefix, plain)) {
                        return new CacheService(own, reporter, CacheSettings.defaults().withThreads(1, 2)).save(mod("plain", dir));
                    }
                }));
            }
            long saved = 0;
            for (var f : results) {
                SaveResult.Status s = f.get().status();
                assertThat(s).isNotEqualTo(SaveResult.Status.FAILED);
                saved += s == SaveResult.Status.SAVED ? 1 : 0;
            }
            assertThat(saved).isGreaterThanOrEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        RestoreResult r = service().restore(mod("plain", work.resolve("t")));
        assertThat(r.hit()).isTrue();
        assertThat(TestTrees.snapshot(work.resolve("t"))).isEqualTo(TestTrees.snapshot(dir));
    }
}
