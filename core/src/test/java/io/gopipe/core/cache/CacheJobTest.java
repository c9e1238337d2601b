package io.gopipe.core.cache;

import io.gopipe.core.report.RecordingReporter;
import io.gopipe.core.exec.LocalCommandRunner;
import io.gopipe.core.cache.backend.S3Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one entry point of the CLI and the Jenkins step: options in, one warning and a miss (or an error) out. */
class CacheJobTest {

    @TempDir
    Path work;

    private final RecordingReporter reporter = new RecordingReporter();

    private CacheJobOptions.Builder options() throws IOException {
        Path repo = Files.createDirectories(work.resolve("ws/repo"));
        Files.writeString(repo.resolve("go.sum"), "example.com/alpha v1.0.0 h1:abc=\n");
        return CacheJobOptions.builder()
                .workDir(work.resolve("ws").toString())
                .repo("repo")
                .path("cache/mod")
                .modLayout("tree")
                .progressInterval(Duration.ZERO)
                .store(CacheStore.at("local:" + work.resolve("store"), null, true));
    }

    private CacheJob job(CacheJobOptions o) {
        return new CacheJob(o, Map.of(), reporter, new LocalCommandRunner());
    }

    private Path moduleCache() throws IOException {
        Path mod = work.resolve("ws/cache/mod");
        TestTrees.moduleCache(mod, 3, "example.com/alpha@v1.0.0");
        return mod;
    }

    @Test
    void aRelativePathResolvesAgainstTheWorkspaceAndTheKeyComesFromTheRealGo() throws IOException {
        Path mod = moduleCache();
        CacheJob save = job(options().build());
        SaveResult saved = save.save();
        assertThat(saved.status()).as("warnings %s", reporter.warnings).isEqualTo(SaveResult.Status.SAVED);
        assertThat(save.request()).get().satisfies(r -> {
            assertThat(r.path()).isEqualTo(mod);
            assertThat(r.key().key()).startsWith("gomod-linux-").contains("-go1.");
        });

        CacheJob restore = job(options().path("cache/other").build());
        assertThat(restore.restore().hit()).isTrue();
        assertThat(TestTrees.snapshot(work.resolve("ws/cache/other"))).isEqualTo(TestTrees.snapshot(mod));
        assertThat(CacheJob.cachePath(options().build())).isEqualTo(mod);
    }

    @Test
    void theCacheFolderComesFromTheEnvironmentWhenNotGiven() throws IOException {
        Path mod = moduleCache();
        CacheJob job = new CacheJob(options().path(null).key("k").build(), Map.of("GOMODCACHE", mod.toString()), reporter,
                new LocalCommandRunner());
        assertThat(job.save().saved()).isTrue();
        assertThat(job.request()).get().extracting(CacheRequest::path).isEqualTo(mod);
    }

    @Test
    void aGoThatCannotRunIsOneWarningAndAMissOrAnErrorNamingIt() throws IOException {
        moduleCache();
        CacheJobOptions noGo = options().goBinary(work.resolve("no/go").toString()).build();
        RestoreResult miss = job(noGo).restore();
        assertThat(miss.hit()).isFalse();
        assertThat(reporter.warnings).singleElement().asString().contains("no/go").contains("continuing without cache");
        SaveResult skipped = job(noGo).save();
        assertThat(skipped.status()).isEqualTo(SaveResult.Status.FAILED);
        assertThat(reporter.warnings).hasSize(2);
        assertThatThrownBy(() -> job(options().goBinary(work.resolve("no/go").toString()).failOnError(true).build()).restore())
                .isInstanceOf(CacheException.class).hasMessageContaining("no/go").hasMessageNotContaining("continuing");
        // With an explicit key, Go is only metadata: no Go, no problem.
        assertThat(job(options().goBinary(work.resolve("no/go").toString()).key("k").build()).save().saved()).isTrue();
    }

    @Test
    void anUnreachableStoreIsOneWarningAndAMissOrAnError() throws IOException {
        moduleCache();
        Path share = work.resolve("unmounted");
        CacheJobOptions o = options().key("k").store(CacheStore.at("local:" + share, null, false)).build();
        assertThat(job(o).restore().hit()).isFalse();
        assertThat(job(o).save().status()).isEqualTo(SaveResult.Status.FAILED);
        assertThat(reporter.warnings).hasSize(2).allMatch(w -> w.contains(share.toString()) && w.contains(" of k "));
        assertThat(share).doesNotExist();
        CacheJobOptions strict = o.toBuilder().failOnError(true).build();
        assertThatThrownBy(() -> job(strict).save()).isInstanceOf(CacheException.class)
                .hasMessageContaining("cache save of k").hasMessageContaining(share.toString());
    }

    @Test
    void aStoreSettingThatNamesNoStoreAndAGoneAgentFollowTheSamePolicy() throws IOException {
        moduleCache();
        CacheJobOptions o = options().key("k").store(CacheStore.unavailable("cache storage is S3 but no bucket is configured")).build();
        CacheJob.check(o);
        assertThat(job(o).restore().hit()).isFalse();
        assertThat(job(o).save().status()).isEqualTo(SaveResult.Status.FAILED);
        SaveResult gone = CacheJob.skipSave(o, reporter, "the agent went away");
        assertThat(gone.status()).isEqualTo(SaveResult.Status.FAILED);
        assertThat(reporter.warnings).hasSize(3);
        assertThat(reporter.warnings.subList(0, 2)).allMatch(w -> w.contains("no bucket is configured"));
        assertThat(reporter.warnings.get(2)).contains("the agent went away").contains("the build goes on");
        CacheJobOptions strict = o.toBuilder().failOnError(true).build();
        assertThatThrownBy(() -> job(strict).restore()).isInstanceOf(CacheException.class).hasMessageContaining("no bucket");
        assertThatThrownBy(() -> CacheJob.skipSave(strict, reporter, "the agent went away"))
                .isInstanceOf(CacheException.class).hasMessageContaining("agent went away");
    }

    @Test
    void badInputIsAnErrorOfItsOwnWhenCheckedAndAWarningWhenItGetsThrough() throws IOException {
        CacheJobOptions bad = options().policy("mdo").build();
        assertThatThrownBy(() -> CacheJob.check(bad)).isInstanceOf(InvalidCacheInputException.class).hasMessageContaining("'mdo'");
        assertThatThrownBy(() -> CacheJob.check(options().path("/").build())).isInstanceOf(InvalidCacheInputException.class);
        assertThatThrownBy(() -> CacheJob.check(options().store(CacheStore.at("lcoal:/x", null, false)).build()))
                .isInstanceOf(InvalidCacheInputException.class).hasMessageContaining("lcoal");
        assertThatThrownBy(() -> CacheJob.check(options().level(40).build())).isInstanceOf(InvalidCacheInputException.class);
        assertThat(job(bad).restore().hit()).isFalse();
        assertThat(reporter.warnings).singleElement().asString().contains("'mdo'");
    }

    @Test
    void aRestoreOverItsTimeLimitIsAMiss() throws IOException {
        moduleCache();
        assertThat(job(options().key("k").build()).save().saved()).isTrue();
        RestoreResult r = job(options().key("k").path("cache/t").timeLimit(Duration.ofNanos(1)).build()).restore();
        assertThat(r.hit()).isFalse();
        assertThat(reporter.warnings).singleElement().asString().contains("time limit").contains("continuing without cache");
    }

    @Test
    void optionsTravelAsJdkSerializationAndNeverShowTheSecret() throws Exception {
        CacheJobOptions o = options().key("k").restoreKeys(List.of("a-", "b-"))
                .store(CacheStore.at("s3://bucket/prefix", new S3Options(URI.create("http://127.0.0.1:1"), "us-east-1", true,
                        "AKIA", "very-secret", true), false)).build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        CacheJobOptions back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (CacheJobOptions) in.readObject();
        }
        assertThat(back.restoreKeys()).containsExactly("a-", "b-");
        assertThat(back.store().s3().secretKey()).isEqualTo("very-secret");
        assertThat(back.toString()).doesNotContain("very-secret");
        assertThat(back.store().s3().toString()).doesNotContain("very-secret").doesNotContain("AKIA");
    }
}
