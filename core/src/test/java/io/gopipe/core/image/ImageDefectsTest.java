package io.gopipe.core.image;

import io.gopipe.core.exec.LocalCommandRunner;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gopipe.core.report.RecordingReporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.StoredConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defects 3, 4, 6 and 7 of issue 9, each reproduced on a real checkout through the one entry point
 * ({@link ImageJob#plan()}, which never touches a builder): flags that did nothing silently,
 * {@code --dockerfile} resolved against the wrong folder, a local path as the source label,
 * {@code -X main.version} without the variable, a token passed as a build arg.
 */
class ImageDefectsTest {

    @TempDir
    Path repo;
    @TempDir
    Path elsewhere;

    final RecordingReporter reporter = new RecordingReporter();
    final List<String> infos = reporter.infos;
    final List<String> warnings = reporter.warnings;

    @BeforeEach
    void checkout() throws Exception {
        Files.writeString(repo.resolve("go.mod"), "module example.com/shop\n\ngo 1.24\n");
        Files.createDirectories(repo.resolve("cmd/orders"));
        Files.writeString(repo.resolve("cmd/orders/main.go"), "package main\n\nvar (\n\tversion = \"dev\"\n\tcommit string\n)\n\nfunc main() {}\n");
        Files.createDirectories(repo.resolve("cmd/billing"));
        Files.writeString(repo.resolve("cmd/billing/main.go"), "package main\n\nfunc main() { println(\"version\") }\n");
        Files.createDirectories(repo.resolve("deploy"));
        Files.writeString(repo.resolve("deploy/plain.Dockerfile"), "FROM golang:1.24\nCOPY . /src\nRUN go build -o /app ./cmd/orders\n");
        Files.writeString(repo.resolve("deploy/cached.Dockerfile"), "FROM golang:1.24 AS build\nENV GOCACHE=/cache/go\n"
                + "RUN --mount=type=cache,target=/go/pkg/mod \\\n    --mount=type=cache,id=gobuild,target=/cache,uid=1000 \\\n"
                + "    go build -o /app ./cmd/orders\n");
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            StoredConfig cfg = git.getRepository().getConfig();
            cfg.setString("remote", "origin", "url", elsewhere.toString());
            cfg.save();
            git.add().addFilepattern(".").call();
            git.commit().setMessage("shop").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com")
                    .setSign(false).call();
        }
    }

    private ImageJobOptions.Builder options(String service) {
        return ImageJobOptions.builder().repo(repo.toString()).services(List.of(service));
    }

    private ImageBuildRequest plan(ImageJobOptions o) {
        List<ImageBuildRequest> p = new ImageJob(o, Map.of(), new LocalCommandRunner(), reporter).plan();
        assertThat(p).hasSize(1);
        return p.get(0);
    }

    @Test
    void goCacheDaemonExcludesGoCacheAndNeedsAnAddressAndKeysEachServiceByImageAndBranch() {
        assertThatThrownBy(() -> plan(options("orders").goCache("/tmp/gc").goCacheDaemon("unix:/tmp/d.sock").build()))
                .isInstanceOf(InvalidImageConfigException.class).hasMessageContaining("--gocache and --gocache-daemon");
        assertThatThrownBy(() -> plan(options("orders").goCacheDaemon("/tmp/d.sock").build()))
                .isInstanceOf(InvalidImageConfigException.class).hasMessageContaining("unix:PATH or tcp:HOST:PORT");
        ImageBuildRequest r = plan(options("orders").registry("reg.example/shop").branch("feature/x")
                .goCacheDaemon("unix:/tmp/d.sock").build());
        assertThat(r.remoteGoCacheKey()).isEqualTo("reg.example/shop/orders@feature/x|reg.example/shop/orders@main");
        assertThat(plan(options("orders").build()).remoteGoCacheKey()).isNull();
        // The agent's daemon from the environment is the default; --gocache chooses the folder design.
        List<ImageBuildRequest> viaEnv = new ImageJob(options("orders").build(),
                Map.of("GOPIPE_GOCACHE_DAEMON", "unix:/tmp/d.sock", "BRANCH_NAME", "main"), new LocalCommandRunner(),
                reporter).plan();
        assertThat(viaEnv.get(0).remoteGoCacheKey()).isEqualTo("orders@main");
        List<ImageBuildRequest> folder = new ImageJob(options("orders").goCache("/tmp/gc").build(),
                Map.of("GOPIPE_GOCACHE_DAEMON", "unix:/tmp/d.sock"), new LocalCommandRunner(), reporter).plan();
        assertThat(folder.get(0).remoteGoCacheKey()).isNull();
    }

    @Test
    void defect3DockerfileWithAgentModeIsAnError() {
        assertThatThrownBy(() -> plan(options("orders").mode("agent").dockerfile("deploy/plain.Dockerfile").build()))
                .isInstanceOf(InvalidImageConfigException.class)
                .hasMessageContaining("--dockerfile deploy/plain.Dockerfile has no effect with --mode agent");
    }

    @Test
    void defect3GoCachesWithAUserDockerfileAreHonouredThroughItsMountsOrRefused() {
        assertThatThrownBy(() -> plan(options("orders").dockerfile("deploy/plain.Dockerfile").goCache("/tmp/gc").build()))
                .isInstanceOf(InvalidImageConfigException.class)
                .hasMessageContaining("--gocache has no effect")
                .hasMessageContaining("--mount=type=cache,target=/root/.cache/go-build");
        ImageBuildRequest r = plan(options("orders").dockerfile("deploy/cached.Dockerfile").goCache("/tmp/gc")
                .goModCache("/tmp/gm").build());
        List<CacheMountSync.Link> links = CacheMountSync.links(List.of(r));
        assertThat(links).extracting(l -> l.mount().id() + "/" + l.mount().subdir() + " <- " + l.agentDir())
                .containsExactly("/go/pkg/mod/ <- /tmp/gm", "gobuild/go <- /tmp/gc");
        assertThat(links.get(1).mount().uid()).isEqualTo("1000");
    }

    @Test
    void defect3AmongSeveralServicesADockerfileWithoutMountsIsAWarningNotAFailedJob() throws Exception {
        Files.writeString(repo.resolve("cmd/billing/Dockerfile"), "FROM golang:1.24\nCOPY . /src\nRUN go build ./cmd/billing\n");
        try (Git git = Git.open(repo.toFile())) { // service discovery reads HEAD
            git.add().addFilepattern(".").call();
            git.commit().setMessage("billing image").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com")
                    .setSign(false).call();
        }
        List<ImageBuildRequest> p = new ImageJob(ImageJobOptions.builder().repo(repo.toString())
                .services(List.of("orders", "billing")).goCache("/tmp/gc").build(), Map.of(), new LocalCommandRunner(), reporter).plan();
        assertThat(p).hasSize(2);
        assertThat(warnings).singleElement().satisfies(w -> assertThat(w).contains("--gocache has no effect for service 'billing'"));
        assertThatThrownBy(() -> plan(options("billing").goCache("/tmp/gc").build()))
                .isInstanceOf(InvalidImageConfigException.class).hasMessageContaining("service 'billing'");
    }

    @Test
    void defect5AgentModeTakesTheModulesGoOrFailsInThePlanNamingGoAndTheGoModLine() throws Exception {
        Files.writeString(repo.resolve("go.mod"), "module example.com/shop\n\ngo 1.24.3\n");
        assertThatThrownBy(() -> plan(options("orders").mode("agent").goBinary(GoToolchainTest.GO119).build()))
                .isInstanceOf(InvalidImageConfigException.class)
                .hasMessageContaining("go.mod says `go 1.24.3`").hasMessageContaining("--go " + GoToolchainTest.GO119);
        // Without --go, a Go 1.19 first on PATH would be replaced by an installed toolchain that fits.
        ImageBuildRequest r = plan(options("orders").mode("agent").build());
        String onPath = new GoToolchain(new ProcessRunner(new LocalCommandRunner()), List.of()).version("go");
        boolean tooOld = onPath == null || GoToolchain.compare(onPath, "1.24.3") < 0; // go1.19.8 on this machine
        assertThat(r.goCommand()).isEqualTo(tooOld ? GoToolchainTest.GO124 : "go");
        assertThat(infos).filteredOn(i -> i.contains("older than the module's go.mod")).hasSize(tooOld ? 1 : 0);
    }

    @Test
    void defect4DockerfileResolvesAgainstTheRepoAndAMissingOneFailsInThePlan() {
        ImageBuildRequest r = plan(options("orders").dockerfile("deploy/plain.Dockerfile").build());
        assertThat(r.dockerfile()).isEqualTo(repo.resolve("deploy/plain.Dockerfile"));
        assertThatThrownBy(() -> plan(options("orders").dockerfile("deploy/missing.Dockerfile").build()))
                .isInstanceOf(InvalidImageConfigException.class)
                .hasMessageContaining("--dockerfile deploy/missing.Dockerfile")
                .hasMessageContaining(repo.resolve("deploy/missing.Dockerfile").toString())
                .hasMessageContaining("resolved against --repo");
    }

    @Test
    void defect6ALocalOriginIsNoSourceLabel() {
        ImageBuildRequest r = plan(options("orders").build());
        assertThat(r.labels()).doesNotContainKey("org.opencontainers.image.source")
                .containsKey("org.opencontainers.image.revision");
        assertThat(OciLabels.publicSource("/srv/git/shop.git")).isNull();
        assertThat(OciLabels.publicSource("file:///srv/git/shop.git")).isNull();
        assertThat(OciLabels.publicSource("../shop")).isNull();
        assertThat(OciLabels.publicSource("https://git.example.com/shop.git")).isEqualTo("https://git.example.com/shop.git");
        assertThat(OciLabels.publicSource("git@git.example.com:team/shop.git")).isEqualTo("git@git.example.com:team/shop.git");
    }

    @Test
    void defect6TheVersionIsStampedOnlyIntoAVariableThatExists() {
        assertThat(plan(options("orders").build()).goSpec().versionVariable()).isEqualTo("main.version");
        assertThat(plan(options("orders").build()).goSpec().ldflags("v1")).isEqualTo("-s -w -X main.version=v1");
        GoServiceSpec billing = plan(options("billing").build()).goSpec();
        assertThat(billing.versionVariable()).isNull();
        assertThat(billing.ldflags("v1")).isEqualTo("-s -w");
        assertThat(infos).anySatisfy(i -> assertThat(i).contains("declares no package-level `var version`")
                .contains("--version-var"));
        assertThat(plan(options("billing").versionVariable("example.com/shop/internal/build.Version").build())
                .goSpec().ldflags("v1")).isEqualTo("-s -w -X example.com/shop/internal/build.Version=v1");
        assertThat(plan(options("orders").versionVariable("none").build()).goSpec().versionVariable()).isNull();
    }

    @Test
    void defect7ATokenLookingBuildArgIsWarnedAboutWithTheSecretAlternative() {
        plan(options("orders").buildArgs(Map.of("GO_VERSION", "1.24", "NPM_TOKEN", "x")).build());
        assertThat(warnings).singleElement().satisfies(w -> assertThat(w).contains("--build-arg NPM_TOKEN")
                .contains("image history").contains("--secret id=NPM_TOKEN,env=NPM_TOKEN").doesNotContain("GO_VERSION"));
        warnings.clear();
        plan(options("orders").buildArgs(Map.of("GIT_REF", "ghp_" + "a".repeat(36))).build());
        assertThat(warnings).singleElement().satisfies(w -> assertThat(w).contains("--build-arg GIT_REF"));
    }
}
