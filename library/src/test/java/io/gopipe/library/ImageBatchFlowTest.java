package io.gopipe.library;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gopipe.library.harness.Event;
import io.gopipe.library.harness.PipelineHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fan-out's images in one `gopipe image build` (engine cli, batchImages by default), under the CPS harness with
 * the real command and docker: each service keeps its own branch and Image stage and reads its own
 * result; a service whose tests failed is not built; a failed image fails its own branch only; the
 * image steps take their services from the job's `gopipe affected` JSON (--plan).
 */
class ImageBatchFlowTest {
    @TempDir
    Path tmp;

    /** Three services with busybox Dockerfiles: ok builds, broken fails its RUN, untested fails its test. */
    private Path repo() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("mono"));
        Files.writeString(ws.resolve("go.mod"), "module example.com/mono\n\ngo 1.19\n");
        String run = java.util.UUID.randomUUID().toString();
        for (String s : List.of("ok", "broken", "untested")) {
            Path d = Files.createDirectories(ws.resolve("cmd").resolve(s));
            // A comment unique to this run: the shared builder may hold an earlier run's layers.
            Files.writeString(d.resolve("main.go"), "package main\n\n// run " + run + "\n\nfunc main() { println(\"" + s + "\") }\n");
            Files.writeString(d.resolve("Dockerfile"), "FROM 127.0.0.1:5000/gopipe/busybox:latest\nCOPY cmd/" + s + "/main.go /src/main.go\n"
                    + (s.equals("broken") ? "RUN false\n" : ""));
        }
        Files.writeString(ws.resolve("cmd/untested/FAIL"), "its test fails\n");
        ShopFixture.commitAll(ws, "mono");
        return ws;
    }

    private PipelineHarness harness(Path ws) throws Exception {
        return new PipelineHarness(PluginFlowTest.VARS, ws, null)
                .env("BRANCH_NAME", "main").env("GIT_COMMIT", ShopFixture.git(ws, "rev-parse", "HEAD").trim())
                .env("PATH", System.getenv("PATH")).env("HOME", tmp.toString())
                .env("GOCACHE", CliFlowTest.goCache().toString()).env("GOPATH", tmp.resolve("gopath").toString())
                .env("GOPROXY", "off").env("GOFLAGS", "-mod=mod").env("GOTOOLCHAIN", "local");
    }

    private static Map<String, JsonNode> summary(Path ws) throws Exception {
        Map<String, JsonNode> out = new HashMap<>();
        for (JsonNode s : new ObjectMapper().readTree(ws.resolve("gopipe-summary.json").toFile()).path("services")) {
            out.put(s.get("name").asText(), s);
        }
        return out;
    }

    @Test
    void oneCommandBuildsTheImagesOfTheServicesWhoseTestsPassedAndEachBranchReadsItsOwnResult() throws Exception {
        Path ws = repo();
        PipelineHarness h = harness(ws);
        PipelineHarness.Result r = h.run("goMonorepoPipeline(engine: 'cli', gopipe: '" + CliFlowTest.gopipeCommand()
                + "', caches: [], testCommand: 'test ! -f FAIL')");

        // The job fails (one test, one image), each failure in its own branch.
        assertThat(r.failure()).as(h.log()).isNotNull();
        List<Event> builds = h.events().stream().filter(e -> e.kind().equals("sh") && e.detail().contains("'image' 'build'")).toList();
        assertThat(builds).as(h.log()).singleElement().satisfies(e -> assertThat(e.detail())
                .contains("'--service' 'broken'").contains("'--service' 'ok'").doesNotContain("'untested'")
                .contains("'--parallel' '2'").contains("'--plan' '" + ws + "@gopipe/affected.json'"));
        // The affected stage wrote the plan the image step used, for this very commit: no re-planning.
        assertThat(ws.resolveSibling("mono@gopipe").resolve("affected.json")).exists();
        assertThat(h.log()).doesNotContain("planning the services again").doesNotContain("planning it again");

        Map<String, JsonNode> s = summary(ws);
        assertThat(s.get("ok").get("status").asText()).isEqualTo("SUCCESS");
        assertThat(s.get("ok").get("executedSteps").asInt()).isGreaterThan(0);
        assertThat(s.get("broken").get("status").asText()).isEqualTo("FAILURE");
        assertThat(s.get("broken").get("error").asText()).contains("gopipe image build broken");
        assertThat(s.get("untested").get("status").asText()).isEqualTo("FAILURE");
        assertThat(s.get("untested").get("executedSteps").isNull()).isTrue();
        // Every image branch has its own Image stage, though one command built them.
        assertThat(h.events().stream().filter(e -> e.kind().equals("stage.start") && e.detail().equals("Image"))
                .map(Event::branch).sorted().toList()).containsExactly("broken", "ok");
    }

    @Test
    void withoutBatchImagesEachBranchBuildsItsOwnImageFromThePlan() throws Exception {
        Path ws = repo();
        Files.delete(ws.resolve("cmd/untested/FAIL"));
        Files.writeString(ws.resolve("cmd/broken/Dockerfile"), "FROM 127.0.0.1:5000/gopipe/busybox:latest\nCOPY cmd/broken/main.go /src/main.go\n");
        ShopFixture.git(ws, "commit", "-q", "-am", "fixed");
        PipelineHarness h = harness(ws);
        PipelineHarness.Result r = h.run("goMonorepoPipeline(engine: 'cli', gopipe: '" + CliFlowTest.gopipeCommand()
                + "', caches: [], testCommand: 'true', batchImages: false)");

        assertThat(r.failure()).as(h.log()).isNull();
        List<Event> builds = h.events().stream().filter(e -> e.kind().equals("sh") && e.detail().contains("'image' 'build'")).toList();
        assertThat(builds).hasSize(3).allSatisfy(e -> assertThat(e.detail()).contains("'--plan' '" + ws + "@gopipe/affected.json'")
                .doesNotContain("--parallel"));
        assertThat(builds.stream().map(Event::branch).sorted().toList()).containsExactly("broken", "ok", "untested");
        assertThat(h.log()).doesNotContain("planning the services again");
        assertThat(summary(ws).values()).allSatisfy(j -> assertThat(j.get("status").asText()).isEqualTo("SUCCESS"));
    }
}
