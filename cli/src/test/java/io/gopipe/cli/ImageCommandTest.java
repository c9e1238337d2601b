package io.gopipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ImageCommandTest {

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = GopipeCommand.newCommandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    private void shop() throws Exception {
        Files.writeString(tmp.resolve("go.mod"), "module example.com/shop\n\ngo 1.24\n");
        Files.createDirectories(tmp.resolve("cmd/orders"));
        Files.writeString(tmp.resolve("cmd/orders/main.go"), "package main\n\nfunc main() {}\n");
    }

    @Test
    void needsAServiceOrAnAffectedFile() throws Exception {
        shop();
        assertThat(run("image", "build", "--repo", tmp.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("give --service NAME or --affected FILE");
    }

    @Test
    void anUnknownServiceIsNamed() throws Exception {
        shop();
        assertThat(run("image", "build", "--repo", tmp.toString(), "--service", "billing")).isEqualTo(2);
        assertThat(err.toString()).contains("--service billing");
    }

    @Test
    void anUnreachableDockerDaemonFailsClearlyAndQuickly() throws Exception {
        shop();
        long start = System.nanoTime();
        int code = run("image", "build", "--repo", tmp.toString(), "--service", "orders", "--driver", "buildx",
                "--docker-host", "unix://" + tmp.resolve("no-docker.sock"));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("docker buildx cannot reach its builder").contains("no-docker.sock");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aPasswordWithoutAUserIsRejected() throws Exception {
        shop();
        assertThat(run("image", "build", "--repo", tmp.toString(), "--service", "orders", "--registry-password-env", "X",
                "--docker-host", "unix://" + tmp.resolve("no-docker.sock"))).isEqualTo(2);
        assertThat(err.toString()).contains("a registry password needs --registry-user");
    }

    // Issue 9, defect 4: --dockerfile is relative to --repo, and a missing one is bad input reported
    // before any builder is probed (the unreachable daemon below would otherwise be the error).
    @Test
    void aMissingDockerfileIsExitTwoBeforeTheBuilderProbe() throws Exception {
        shop();
        int code = run("image", "build", "--repo", tmp.toString(), "--service", "orders", "--driver", "buildx",
                "--dockerfile", "deploy/orders.Dockerfile", "--docker-host", "unix://" + tmp.resolve("no-docker.sock"));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--dockerfile deploy/orders.Dockerfile")
                .contains(tmp.resolve("deploy/orders.Dockerfile").toString()).doesNotContain("cannot reach its builder");
    }

    // The job's `gopipe affected` JSON (--plan): trusted only for the checkout's HEAD; otherwise one
    // warning and the service is planned as without it (here: no git at all), then the build goes on.
    @Test
    void aPlanFileThatCannotBeTiedToTheCheckoutIsOneWarningAndTheBuildGoesOn() throws Exception {
        shop();
        Path plan = Files.writeString(tmp.resolve("affected.json"), "{\"head\": \"0123456789abcdef0123456789abcdef01234567\","
                + " \"services\": [{\"name\": \"orders\", \"path\": \"cmd/orders\"}]}");
        int code = run("image", "build", "--repo", tmp.toString(), "--service", "orders", "--plan", plan.toString(),
                "--driver", "buildx", "--docker-host", "unix://" + tmp.resolve("no-docker.sock"));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).containsOnlyOnce("WARNING: --plan " + plan + " is not used: the repository has no git HEAD"
                        + " to compare it with; planning the services again")
                .contains("docker buildx cannot reach its builder");
    }
}
