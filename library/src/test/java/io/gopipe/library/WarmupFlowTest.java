package io.gopipe.library;

import io.gopipe.library.harness.Event;
import io.gopipe.library.harness.PipelineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * goMonorepoPipeline(engine: 'cli') warms the builder: right after the plan, a detached shell builds
 * `FROM <image>` + `RUN true` for the base image of each stage that RUNs something in the planned
 * services' Dockerfiles (real docker, real registry), while the Test stages run; a warm-up that fails
 * is one warning and the images are still built.
 */
class WarmupFlowTest {
    static final Path GO124 = Path.of("/usr/lib/go-1.24/bin");
    static final String GOLANG = "127.0.0.1:5000/gopipe/golang:1.24";

    @TempDir
    Path tmp;

    private Path tinyRepo(String dockerfile) throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("tiny"));
        Files.writeString(ws.resolve("go.mod"), "module example.com/tiny\n\ngo 1.24\n");
        Files.createDirectories(ws.resolve("cmd/hello"));
        Files.writeString(ws.resolve("cmd/hello/main.go"), "package main\n\n// run " + java.util.UUID.randomUUID()
                + "\n\nfunc main() { println(\"hello\") }\n");
        Files.writeString(ws.resolve("cmd/hello/Dockerfile"), dockerfile);
        ShopFixture.commitAll(ws, "tiny");
        return ws;
    }

    private PipelineHarness harness(Path ws) throws Exception {
        return new PipelineHarness(PluginFlowTest.VARS, ws, null)
                .env("BRANCH_NAME", "main").env("GIT_COMMIT", ShopFixture.git(ws, "rev-parse", "HEAD").trim())
                .env("PATH", GO124 + ":" + System.getenv("PATH")).env("HOME", tmp.resolve("home").toString())
                .env("GOCACHE", CliFlowTest.goCache().toString()).env("GOPATH", tmp.resolve("gopath").toString())
                .env("GOPROXY", "off").env("GOFLAGS", "-mod=mod").env("GOTOOLCHAIN", "local");
    }

    private static String flow(String extra) {
        return "goMonorepoPipeline(engine: 'cli', gopipe: '" + CliFlowTest.gopipeCommand() + "', caches: [], testCommand: 'go vet .'"
                + extra + ")";
    }

    private static List<Event> sh(PipelineHarness h) {
        return h.events().stream().filter(e -> e.kind().equals("sh")).toList();
    }

    private static int first(List<Event> sh, String contains) {
        for (int i = 0; i < sh.size(); i++) {
            if (sh.get(i).detail() != null && sh.get(i).detail().contains(contains)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void theBuildStagesBaseImageIsWarmedBeforeTheTestsAndTheImageStillBuilds() throws Exception {
        Path ws = tinyRepo("""
                FROM %s AS build
                WORKDIR /src
                COPY . .
                RUN --network=none CGO_ENABLED=0 GOFLAGS=-mod=mod GOPROXY=off go build -o /out/hello ./cmd/hello
                FROM 127.0.0.1:5000/gopipe/busybox:latest
                COPY --from=build /out/hello /hello
                """.formatted(GOLANG));
        PipelineHarness h = harness(ws);
        PipelineHarness.Result r = h.run(flow(", warmBuilder: true"));

        assertThat(r.failure()).as(h.log()).isNull();
        List<Event> sh = sh(h);
        int warm = first(sh, "gopipe-warmup");
        assertThat(warm).as(h.log()).isGreaterThanOrEqualTo(0);
        assertThat(warm).isLessThan(first(sh, "go vet")).isLessThan(first(sh, "'image' 'build'"));
        assertThat(h.log()).doesNotContain("WARNING");
        Path d = ws.resolveSibling("tiny@tmp").resolve("gopipe-warmup");
        // Only the build stage's image: the runtime stage RUNs nothing (and may have no shell).
        assertThat(Files.readAllLines(d.resolve("images"))).containsExactly(GOLANG);
        assertThat(Files.readString(d.resolve("warmup.log"))).contains("gopipe warm-up: " + GOLANG);
        String status = awaitStatus(d);
        // Finished (0), or stopped at the end because the image build no longer needed it (no status then).
        assertThat(status).isIn("0", "");
        assertThat(h.currentBuild().getDescription()).contains("hello");
    }

    @Test
    void aFailingWarmUpIsOneWarningAndTheImageIsStillBuilt() throws Exception {
        // An unused stage on an image without a shell: the real build never runs it, the warm-up's RUN fails.
        Path ws = tinyRepo("""
                FROM 127.0.0.1:5000/gopipe/static:nonroot AS unused
                RUN ["/nothing"]
                FROM 127.0.0.1:5000/gopipe/busybox:latest
                COPY cmd/hello/main.go /src/hello.go
                """);
        PipelineHarness h = harness(ws);
        PipelineHarness.Result r = h.run(flow(", warmBuilder: true"));

        assertThat(r.failure()).as(h.log()).isNull();
        String log = h.log();
        assertThat(log.split("WARNING", -1)).as(log).hasSize(2);
        assertThat(log).contains("gopipe: WARNING: the builder warm-up failed")
                .contains("127.0.0.1:5000/gopipe/static:nonroot failed");
        assertThat(h.currentBuild().getDescription()).contains("hello");
        com.fasterxml.jackson.databind.JsonNode s = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(ws.resolve("gopipe-summary.json").toFile()).at("/services/0");
        assertThat(s.get("status").asText()).isEqualTo("SUCCESS");
    }

    /** Off unless asked for (warmBuilder: true): by default, and with warmBuilder: false, nothing is warmed. */
    @Test
    void withoutWarmBuilderNothingIsWarmed() throws Exception {
        Path ws = tinyRepo("FROM " + GOLANG + "\nRUN --network=none true\n");
        for (String extra : List.of("", ", warmBuilder: false")) {
            PipelineHarness h = harness(ws);
            PipelineHarness.Result r = h.run(flow(extra));

            assertThat(r.failure()).as(h.log()).isNull();
            assertThat(first(sh(h), "gopipe-warmup")).as(extra).isEqualTo(-1);
        }
    }

    /** The images warmed: stages that RUN something, not ARG-built names, other stages, scratch or `--platform`. */
    @Test
    void theWarmUpReadsTheBaseImagesOfStagesThatRunSomething() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Files.writeString(ws.resolve("a.Dockerfile"), """
                # syntax=docker/dockerfile:1
                ARG GO=1.24
                FROM --platform=$BUILDPLATFORM golang:${GO} AS tools
                RUN go version
                from  --platform=linux/amd64  reg.local/base:1 as Build
                  run make
                FROM build AS again
                RUN true
                FROM scratch AS empty
                FROM reg.local/runtime:2
                COPY --from=build /x /x
                """);
        Files.writeString(ws.resolve("b.Dockerfile"), "FROM reg.local/base:1\nRUN true\nFROM reg.local/other:3 AS x\nRUN [\"/x\"]\n");
        PipelineHarness h = new PipelineHarness(PluginFlowTest.VARS, ws, null).env("PATH", System.getenv("PATH"));
        PipelineHarness.Result r = h.run("""
                writeFile(file: 'from.awk', text: gopipeWarmup.fromAwk())
                echo 'images=' + sh(script: 'awk -f from.awk a.Dockerfile b.Dockerfile | tr "\\n" " "', returnStdout: true)
                """);

        assertThat(r.failure()).as(h.log()).isNull();
        assertThat(h.log()).contains("images=reg.local/base:1 reg.local/base:1 reg.local/other:3 \n");
    }

    private static String awaitStatus(Path d) throws Exception {
        for (int i = 0; i < 300 && !Files.exists(d.resolve("status")); i++) {
            if (!Files.exists(d.resolve("pid")) || !alive(Files.readString(d.resolve("pid")).trim())) {
                break;
            }
            Thread.sleep(100);
        }
        return Files.exists(d.resolve("status")) ? Files.readString(d.resolve("status")).trim() : "";
    }

    private static boolean alive(String pid) {
        return !pid.isEmpty() && Files.exists(Path.of("/proc", pid));
    }
}
