package io.gopipe.core.image;

import io.gopipe.core.exec.LocalCommandRunner;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gopipe.core.report.Reporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@link ImageJob} turns options into build requests, on a real git checkout and without a builder. */
class ImageJobPlanTest {

    @TempDir
    Path repo;

    private RevCommit head;

    @BeforeEach
    void checkout() throws Exception {
        Files.writeString(repo.resolve("go.mod"), "module example.com/shop\n\ngo 1.24\n");
        Files.createDirectories(repo.resolve("cmd/orders"));
        Files.writeString(repo.resolve("cmd/orders/main.go"), "package main\n\nfunc main() {}\n");
        Files.createDirectories(repo.resolve("cmd/billing"));
        Files.writeString(repo.resolve("cmd/billing/main.go"), "package main\n\nfunc main() {}\n");
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("feature/fast-cache").call()) {
            StoredConfig cfg = git.getRepository().getConfig();
            cfg.setString("remote", "origin", "url", "https://ci-bot:s3cr3t@git.example.com/shop.git");
            cfg.save();
            git.add().addFilepattern(".").call();
            head = git.commit().setMessage("shop").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com")
                    .setSign(false).call();
        }
    }

    private ImageJobOptions.Builder options() {
        return ImageJobOptions.builder().repo(repo.toString()).services(List.of("orders"));
    }

    private static ImageBuildRequest only(ImageJob job) {
        List<ImageBuildRequest> plan = job.plan();
        assertThat(plan).hasSize(1);
        return plan.get(0);
    }

    private ImageJob job(ImageJobOptions o, Map<String, String> env) {
        return new ImageJob(o, env, new LocalCommandRunner(), Reporter.silent());
    }

    @Test
    void tagsAreRegistryServiceAndTheShortRevisionByDefault() {
        ImageBuildRequest r = only(job(options().registry("127.0.0.1:5000/shop/").build(), Map.of()));
        String shortRev = head.getName().substring(0, 12);
        assertThat(r.tags()).containsExactly("127.0.0.1:5000/shop/orders:" + shortRev);
        assertThat(r.version()).isEqualTo(shortRev);
    }

    @Test
    void explicitTagsReplaceTheDefault() {
        ImageBuildRequest r = only(job(options().registry("reg.example.com/shop").tags(List.of("1.2", "latest"))
                .version("1.2.0").build(), Map.of()));
        assertThat(r.tags()).containsExactly("reg.example.com/shop/orders:1.2", "reg.example.com/shop/orders:latest");
        assertThat(r.version()).isEqualTo("1.2.0");
    }

    @Test
    void fullReferencesAreUsedAsGivenAndNameTheCacheWithoutARegistry() {
        ImageBuildRequest r = only(job(options().tags(List.of("reg.example.com/shop/orders:1.2",
                "reg.example.com/shop/orders:latest")).push(true).build(), Map.of()));
        assertThat(r.tags()).containsExactly("reg.example.com/shop/orders:1.2", "reg.example.com/shop/orders:latest");
        assertThat(r.cache().exportRef()).isEqualTo("reg.example.com/shop/orders-buildcache:feature-fast-cache");
        ImageBuildRequest mixed = only(job(options().registry("reg.example.com/shop")
                .tags(List.of("1.2", "mirror.example.com/orders:1.2")).build(), Map.of()));
        assertThat(mixed.tags()).containsExactly("reg.example.com/shop/orders:1.2", "mirror.example.com/orders:1.2");
        assertThatThrownBy(() -> job(options().tags(List.of("1.2")).build(), Map.of()).plan())
                .isInstanceOf(InvalidImageConfigException.class).hasMessageContaining("--tag 1.2 needs --registry");
    }

    @Test
    void aBranchImportsItsOwnRefThenTheDefaultBranchsAndExportsOnlyItsOwn() {
        ImageBuildRequest r = only(job(options().registry("reg.example.com/shop").build(), Map.of()));
        CachePolicy c = r.cache();
        assertThat(c.importRefs()).containsExactly("reg.example.com/shop/orders-buildcache:feature-fast-cache",
                "reg.example.com/shop/orders-buildcache:main");
        assertThat(c.exportRef()).isEqualTo("reg.example.com/shop/orders-buildcache:feature-fast-cache");
    }

    @Test
    void aBranchPrefetchesItsOwnGoCacheSetElseTheDefaultBranchs() {
        ImageBuildRequest branch = only(job(options().registry("reg.example.com/shop").goCacheDaemon("unix:/tmp/gc.sock")
                .build(), Map.of()));
        assertThat(branch.remoteGoCacheKey())
                .isEqualTo("reg.example.com/shop/orders@feature/fast-cache|reg.example.com/shop/orders@main");
        ImageBuildRequest main = only(job(options().registry("reg.example.com/shop").goCacheDaemon("unix:/tmp/gc.sock")
                .build(), Map.of("BRANCH_NAME", "main")));
        assertThat(main.remoteGoCacheKey()).isEqualTo("reg.example.com/shop/orders@main");
        ImageBuildRequest env = only(job(options().registry("reg.example.com/shop").build(),
                Map.of("BRANCH_NAME", "main", "GOPIPE_GOCACHE_DAEMON", "unix:/tmp/gc.sock")));
        assertThat(env.remoteGoCacheKey()).as("the daemon from the environment").isEqualTo("reg.example.com/shop/orders@main");
    }

    @Test
    void theDefaultBranchWritesTheSharedRef() {
        ImageBuildRequest r = only(job(options().registry("reg.example.com/shop").defaultBranch("trunk").build(),
                Map.of("BRANCH_NAME", "trunk")));
        assertThat(r.cache().importRefs()).containsExactly("reg.example.com/shop/orders-buildcache:trunk");
        assertThat(r.cache().exportRef()).isEqualTo("reg.example.com/shop/orders-buildcache:trunk");
    }

    @Test
    void branchComesFromTheOptionThenBranchNameThenGitBranchThenTheCheckout() {
        ImageJobOptions o = options().registry("r.example.com").build();
        assertThat(only(job(o, Map.of("GIT_BRANCH", "origin/release-1"))).cache().exportRef())
                .endsWith(":release-1");
        assertThat(only(job(o, Map.of("BRANCH_NAME", "PR-7", "GIT_BRANCH", "origin/x"))).cache().exportRef())
                .endsWith(":PR-7");
        assertThat(only(job(options().registry("r.example.com").branch("hotfix").build(),
                Map.of("BRANCH_NAME", "PR-7"))).cache().exportRef()).endsWith(":hotfix");
    }

    @Test
    void cacheRepositoryTemplatesNameTheService() {
        ImageJob both = job(ImageJobOptions.builder().repo(repo.toString()).services(List.of("orders", "billing"))
                .registry("reg.example.com/shop").cacheRepo("cache.example.com/{service}").build(), Map.of());
        List<ImageBuildRequest> plan = both.plan();
        assertThat(plan).extracting(r -> r.cache().exportRef()).containsExactly(
                "cache.example.com/orders:feature-fast-cache", "cache.example.com/billing:feature-fast-cache");
        ImageBuildRequest image = only(job(options().registry("reg.example.com/shop").cacheRepo("{image}/cache")
                .build(), Map.of()));
        assertThat(image.cache().exportRef()).isEqualTo("reg.example.com/shop/orders/cache:feature-fast-cache");
    }

    @Test
    void withoutRegistryOrWhenDisabledThereIsNoRegistryCache() {
        assertThat(only(job(options().build(), Map.of())).cache().enabled()).isFalse();
        assertThat(only(job(options().registry("r.example.com").registryCache(false).build(), Map.of()))
                .cache().enabled()).isFalse();
        ImageBuildRequest readOnly = only(job(options().registry("r.example.com").cacheExport(false).build(), Map.of()));
        assertThat(readOnly.cache().importRefs()).hasSize(2);
        assertThat(readOnly.cache().exportRef()).isNull();
    }

    @Test
    void ociLabelsAndTimestampsComeFromTheCommit() {
        ImageBuildRequest r = only(job(options().labels(Map.of("team", "payments")).build(), Map.of()));
        assertThat(r.labels())
                .containsEntry("org.opencontainers.image.revision", head.getName())
                .containsEntry("org.opencontainers.image.source", "https://git.example.com/shop.git")
                .containsEntry("org.opencontainers.image.title", "orders")
                .containsEntry("team", "payments");
        assertThat(r.labels().toString()).doesNotContain("s3cr3t");
        assertThat(r.sourceDateEpoch()).isEqualTo((long) head.getCommitTime());
    }

    @Test
    void baseImagesFollowTheMirror() {
        ImageBuildRequest r = only(job(options().baseMirror("mirror.example.com/").runtime("alpine").generate(true)
                .build(), Map.of()));
        assertThat(r.goSpec().images().go()).isEqualTo("mirror.example.com/library/golang:1.24");
        assertThat(r.goSpec().images().alpine()).isEqualTo("mirror.example.com/library/alpine:3.21");
        assertThat(r.goSpec().runtime()).isEqualTo(Runtime.ALPINE);
    }

    @Test
    void credentialsNeedARegistryAndStayHidden() {
        ImageJobOptions noRegistry = options().registryUser("ci").registryPassword("canary-pw").build();
        assertThatThrownBy(() -> job(noRegistry, Map.of()).plan()).isInstanceOf(InvalidImageConfigException.class)
                .hasMessageContaining("--registry-user needs --registry");
        ImageJobOptions ok = options().registry("127.0.0.1:5000/shop").registryUser("ci").registryPassword("canary-pw")
                .build();
        assertThat(ok.toString()).doesNotContain("canary-pw");
        RegistryCredentials c = only(job(ok, Map.of())).credentials();
        assertThat(c.registry()).isEqualTo("127.0.0.1:5000");
        assertThat(c.username()).isEqualTo("ci");
        assertThatThrownBy(() -> job(options().registryPassword("x").build(), Map.of()).plan())
                .hasMessageContaining("a registry password needs --registry-user");
    }

    @Test
    void pushNeedsARegistryAndDockerfileNeedsOneService() {
        assertThatThrownBy(() -> job(options().push(true).build(), Map.of()).plan())
                .isInstanceOf(InvalidImageConfigException.class).hasMessageContaining("--push needs --registry");
        assertThatThrownBy(() -> job(ImageJobOptions.builder().repo(repo.toString())
                .services(List.of("orders", "billing")).context(repo.toString()).build(), Map.of()).plan())
                .hasMessageContaining("apply to exactly one service");
        assertThatThrownBy(() -> job(ImageJobOptions.builder().repo(repo.toString()).build(), Map.of()).plan())
                .hasMessageContaining("give --service NAME or --affected FILE");
    }

    @Test
    void outcomesBecomePlainMaps() {
        BuildResult ok = new BuildResult("orders", "buildx", BuildMode.DOCKERFILE, "sha256:abc",
                List.of("r/orders:1"), true, List.of(), 3, 1, java.time.Duration.ofMillis(2500), 1, List.of());
        List<Map<String, Object>> maps = ImageJob.toMaps(List.of(new ImageBuilder.Outcome("orders", ok, null),
                new ImageBuilder.Outcome("billing", null, new ImageBuildFailedException("billing broke"))));
        assertThat(maps.get(0)).containsEntry("service", "orders").containsEntry("digest", "sha256:abc")
                .containsEntry("tags", List.of("r/orders:1")).containsEntry("cachedSteps", 3)
                .containsEntry("executedSteps", 1).containsEntry("hitRatio", 0.75).containsEntry("seconds", 2.5);
        assertThat(maps.get(1)).containsEntry("service", "billing").containsEntry("error", "billing broke");
        assertThat(ImageJob.toJson(List.of(new ImageBuilder.Outcome("orders", ok, null))))
                .contains("\"name\" : \"orders\"").contains("\"hitRatio\" : 0.75").contains("\"pushed\" : true");
    }

    /** The JSON `gopipe affected --output` writes, as the engine writes it (every service at HEAD). */
    private String affectedJson() {
        return new io.gopipe.core.affected.AffectedEngine(new io.gopipe.core.affected.ParseCache(), Reporter.silent())
                .compute(new io.gopipe.core.affected.AffectedRequest(repo,
                        io.gopipe.core.affected.BaseSpec.revision("0".repeat(40)))).toJson();
    }

    private String planListing(String head, String dockerfile) {
        return "{\"head\": \"" + head + "\", \"services\": [{\"name\": \"orders\", \"path\": \"cmd/orders\","
                + " \"dockerfile\": \"" + dockerfile + "\", \"context\": null}], \"testAffected\": []}";
    }

    @Test
    void aPlanFileOfTheCheckoutsHeadReplacesDiscoveryAndGivesTheSameRequest() throws Exception {
        Path plan = repo.resolveSibling(repo.getFileName() + "-affected.json");
        Files.writeString(plan, affectedJson());
        io.gopipe.core.report.RecordingReporter rec = new io.gopipe.core.report.RecordingReporter();
        ImageBuildRequest fromPlan = only(new ImageJob(options().planFile(plan.toString()).build(), Map.of(),
                new LocalCommandRunner(), rec));
        ImageBuildRequest discovered = only(job(options().build(), Map.of()));
        assertThat(rec.warnings).isEmpty();
        assertThat(fromPlan.context()).isEqualTo(discovered.context());
        assertThat(fromPlan.dockerfile()).isEqualTo(discovered.dockerfile()).isNull();
        assertThat(fromPlan.goSpec().mainPackage()).isEqualTo(discovered.goSpec().mainPackage()).isEqualTo("./cmd/orders");

        // Taken from the plan, not discovered: an entry only the plan has (discovery finds no Dockerfile here).
        Files.writeString(repo.resolve("cmd/orders/Plan.Dockerfile"), "FROM scratch\n");
        Files.writeString(plan, planListing(head.getName(), "cmd/orders/Plan.Dockerfile"));
        ImageBuildRequest listed = only(new ImageJob(options().planFile(plan.toString()).build(), Map.of(),
                new LocalCommandRunner(), rec));
        assertThat(listed.dockerfile()).isEqualTo(repo.resolve("cmd/orders/Plan.Dockerfile").toAbsolutePath().normalize());
        assertThat(rec.warnings).isEmpty();
    }

    @Test
    void aStaleOrUnreadablePlanIsReplannedWithOneWarningNeverUsed() throws Exception {
        Files.writeString(repo.resolve("cmd/orders/Plan.Dockerfile"), "FROM scratch\n");
        Path plan = repo.resolveSibling(repo.getFileName() + "-affected.json");
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put(planListing("0123456789abcdef0123456789abcdef01234567", "cmd/orders/Plan.Dockerfile"),
                "it was written for 0123456789ab, the checkout is at " + head.getName().substring(0, 12));
        cases.put(planListing("", "cmd/orders/Plan.Dockerfile"), "it names no \"head\" commit");
        cases.put("{\"head\": \"" + head.getName() + "\"", "is not readable JSON");
        cases.put("{\"head\": \"" + head.getName() + "\"}", "has no \"services\" array");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Files.writeString(plan, c.getKey());
            io.gopipe.core.report.RecordingReporter rec = new io.gopipe.core.report.RecordingReporter();
            ImageBuildRequest r = only(new ImageJob(options().planFile(plan.toString()).build(), Map.of(),
                    new LocalCommandRunner(), rec));
            // Planned again: the service's discovered source, not the stale plan's Dockerfile.
            assertThat(r.dockerfile()).as(c.getValue()).isNull();
            assertThat(r.goSpec().mainPackage()).isEqualTo("./cmd/orders");
            assertThat(rec.warnings).as(c.getValue()).singleElement().asString()
                    .contains("--plan " + plan).contains(c.getValue()).contains("planning the services again");
        }
        Files.delete(plan);
        io.gopipe.core.report.RecordingReporter missing = new io.gopipe.core.report.RecordingReporter();
        assertThat(only(new ImageJob(options().planFile(plan.toString()).build(), Map.of(), new LocalCommandRunner(),
                missing)).dockerfile()).isNull();
        assertThat(missing.warnings).singleElement().asString().contains("is not readable JSON");
    }

    @Test
    void aServiceThePlanDoesNotListIsDiscoveredWithAWarning() throws Exception {
        Path plan = repo.resolveSibling(repo.getFileName() + "-affected.json");
        Files.writeString(plan, planListing(head.getName(), "cmd/orders/Plan.Dockerfile"));
        Files.writeString(repo.resolve("cmd/orders/Plan.Dockerfile"), "FROM scratch\n");
        io.gopipe.core.report.RecordingReporter rec = new io.gopipe.core.report.RecordingReporter();
        ImageBuildRequest r = only(new ImageJob(ImageJobOptions.builder().repo(repo.toString()).services(List.of("billing"))
                .planFile(plan.toString()).build(), Map.of(), new LocalCommandRunner(), rec));
        assertThat(r.service()).isEqualTo("billing");
        assertThat(r.goSpec().mainPackage()).isEqualTo("./cmd/billing");
        assertThat(rec.warnings).singleElement().asString().contains("does not list service 'billing'");
    }
}
