package io.gopipe.library;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gopipe.library.harness.Event;
import io.gopipe.library.harness.PipelineHarness;
import io.gopipe.library.harness.ShHandler;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bench/pipeline's inputs are what its README says: each scenario commit of the generated monorepo
 * affects exactly the services it is meant to (the real `gopipe affected`), and the naive pipeline
 * runs every service's test and image build with the registry cache as its only cache.
 */
class PipelineBenchFixtureTest {
    @TempDir
    static Path tmp;
    static Path repo;
    static Map<String, String> commits = new LinkedHashMap<>();

    @BeforeAll
    static void generate() throws Exception {
        repo = tmp.resolve("mono");
        Process p = new ProcessBuilder("python3", ShopFixture.root().resolve("bench/pipeline/gen_monorepo.py").toString(),
                repo.toString(), "--services", "8", "--funcs", "2").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        for (String line : out.split("\n")) {
            String[] f = line.split("\t");
            commits.put(f[0], f[1]);
        }
        assertThat(commits.keySet()).containsExactly("base", "one-service", "half-lib", "docs", "gomod");
    }

    private static List<String> affected(String since, String head) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(CliFlowTest.gopipeCommand().split(" ")));
        cmd.addAll(List.of("affected", "--repo", repo.toString(), "--since-commit", since, "--head", head, "--format", "json"));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String json = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(json).isZero();
        List<String> names = new ArrayList<>();
        for (JsonNode s : new ObjectMapper().readTree(json).get("services")) {
            names.add(s.get("name").asText());
        }
        return names;
    }

    @Test
    void eachScenarioCommitAffectsTheServicesItIsMeantTo() throws Exception {
        // 8 services: s01..s06 in the root module (s01..s04 import lib/shared), bill01..bill02 in billing/.
        assertThat(affected(commits.get("base"), commits.get("one-service"))).containsExactly("s06");
        assertThat(affected(commits.get("one-service"), commits.get("half-lib"))).containsExactlyInAnyOrder("s01", "s02", "s03", "s04");
        assertThat(affected(commits.get("half-lib"), commits.get("docs"))).isEmpty();
        assertThat(affected(commits.get("docs"), commits.get("gomod"))).containsExactlyInAnyOrder("bill01", "bill02");
    }

    @Test
    void theNaivePipelineTestsAndBuildsEveryServiceWithTheRegistryCacheOnly() throws Exception {
        List<String> docker = new ArrayList<>();
        List<String> tests = new ArrayList<>();
        // git runs for real; go test and docker are recorded (they run for real in the bench).
        ShHandler sh = (script, cwd, env) -> {
            if (script.startsWith("docker ")) {
                docker.add(script);
                return new ShHandler.Result(0, "");
            }
            if (script.startsWith("go test")) {
                tests.add(repo.relativize(cwd).toString());
                return new ShHandler.Result(0, "");
            }
            return PipelineHarness.realSh(script, cwd, env);
        };
        PipelineHarness h = new PipelineHarness(PluginFlowTest.VARS, repo, null).sh(sh)
                .env("REGISTRY", "127.0.0.1:5000/t/naive").env("GIT_COMMIT", commits.get("gomod")).env("BRANCH_NAME", "main");
        PipelineHarness.Result r = h.run(Files.readString(ShopFixture.root().resolve("bench/pipeline/naive.Jenkinsfile")));

        assertThat(r.failure()).as(h.log()).isNull();
        assertThat(tests).containsExactlyInAnyOrder("services/s01", "services/s02", "services/s03", "services/s04", "services/s05",
                "services/s06", "billing/cmd/bill01", "billing/cmd/bill02");
        assertThat(docker).hasSize(8).allSatisfy(d -> assertThat(d).startsWith("docker buildx build ").contains("--push")
                .contains("--cache-to type=registry,ref=127.0.0.1:5000/t/naive-cache/").contains("mode=max").endsWith(" ."));
        assertThat(docker).anySatisfy(d -> assertThat(d).contains("-f billing/cmd/bill02/Dockerfile")
                .contains("-t 127.0.0.1:5000/t/naive/bill02:" + commits.get("gomod").substring(0, 12)));
        // One parallel branch per service, each with its Test and Image stages.
        assertThat(h.events()).filteredOn(e -> e.kind().equals("parallel")).singleElement()
                .satisfies(e -> assertThat(e.detail().split(",")).hasSize(8));
        assertThat(h.events()).filteredOn(e -> e.kind().equals("sh") && e.branch().equals("s03"))
                .extracting(Event::stages).anySatisfy(s -> assertThat(s).contains("Image"));
    }
}
