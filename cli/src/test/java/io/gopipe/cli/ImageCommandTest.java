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

    // --gocache-backend (the job's own gocache daemon): conflicting or malformed flags are exit 2, one line
    // naming the flag, before the builder probe (the unreachable Docker daemon would otherwise be the error).
    @Test
    void theEmbeddedGoCacheFlagsAreCheckedBeforeTheBuilderProbe() throws Exception {
        shop();
        String noDocker = "unix://" + tmp.resolve("no-docker.sock");
        String store = "local:" + tmp.resolve("store");
        String[][] bad = {
                {"--gocache-backend", store, "--gocache-daemon", "unix:/tmp/d.sock"},
                {"--gocache-backend", store, "--gocache", tmp.resolve("gc").toString()},
                {"--gocache-backend", "ftp://host/x"},
                {"--gocache-backend", "s3://"},
                {"--gocache-dir", tmp.resolve("tier").toString()},
                {"--gocache-read-only"},
                {"--s3-endpoint", "http://127.0.0.1:9"},
        };
        String[] named = {"--gocache-backend " + store + " and --gocache-daemon unix:/tmp/d.sock",
                "--gocache-backend " + store + " and --gocache " + tmp.resolve("gc"),
                "--gocache-backend ftp://host/x: unknown scheme",
                "--gocache-backend s3:// names no bucket",
                "--gocache-dir " + tmp.resolve("tier") + " needs --gocache-backend",
                "--gocache-read-only needs --gocache-backend",
                "--s3-endpoint/--s3-region/--s3-path-style needs --gocache-backend"};
        for (int i = 0; i < bad.length; i++) {
            out.getBuffer().setLength(0);
            err.getBuffer().setLength(0);
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("image", "build", "--repo", tmp.toString(),
                    "--service", "orders", "--driver", "buildx", "--docker-host", noDocker));
            args.addAll(java.util.List.of(bad[i]));
            assertThat(run(args.toArray(String[]::new))).as(String.join(" ", bad[i])).isEqualTo(2);
            assertThat(err.toString()).as(String.join(" ", bad[i])).startsWith("error: ").contains(named[i])
                    .doesNotContain("cannot reach its builder").doesNotContain("gocache daemon: serving");
            assertThat(err.toString().strip().lines()).as("one line").hasSize(1);
        }
    }

    // A good --gocache-backend starts the job's daemon at once, in this JVM (its log is the job's), and the
    // job stops it and removes its socket folder however it ends: here the builder cannot be reached.
    @Test
    void theEmbeddedDaemonServesInTheJobAndIsGoneWhenTheJobEnds() throws Exception {
        shop();
        Path tier = tmp.resolve("tier");
        int code = run("image", "build", "--repo", tmp.toString(), "--service", "orders", "--driver", "buildx",
                "--docker-host", "unix://" + tmp.resolve("no-docker.sock"),
                "--gocache-backend", "local:" + tmp.resolve("store"), "--gocache-dir", tier.toString());
        assertThat(code).isEqualTo(2);
        String log = err.toString();
        assertThat(log).contains("docker buildx cannot reach its builder").contains("gocache daemon: stopping after 0 clients");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("gocache daemon: serving unix:(\\S+) \\(store local:"
                + java.util.regex.Pattern.quote(tmp.resolve("store").toString()) + ", local tier "
                + java.util.regex.Pattern.quote(tier.toAbsolutePath().toString()) + "\\)").matcher(log);
        assertThat(m.find()).as(log).isTrue();
        Path socket = Path.of(m.group(1));
        assertThat(socket.toString().length()).as("a unix socket path must stay short").isLessThanOrEqualTo(100);
        assertThat(socket.getParent()).as("the daemon's socket folder is removed").doesNotExist();
        assertThat(tier).as("the local tier is kept for the next job").isDirectory();
    }
}
