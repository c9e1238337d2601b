package io.gopipe.bench.affected;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Runs {@code java -jar gopipe.jar affected ... --format json} as a fresh process: a cold JVM, nothing cached. */
final class CliSide {

    private final Path jar;
    private final Path repo;
    private final Path scratch;

    CliSide(Path jar, Path repo, Path scratch) {
        this.jar = jar;
        this.repo = repo;
        this.scratch = scratch;
    }

    EngineSide.Outcome run(String base, String head) throws Exception {
        Path out = scratch.resolve("cli-out.json");
        Path cpu = scratch.resolve("cli-cpu.txt");
        List<String> cmd = CpuTime.timed(cpu, "java", "-jar", jar.toString(), "affected", "--repo", repo.toString(),
            "--base", base, "--head", head, "--format", "json");
        long t0 = System.nanoTime();
        GoListRunner.run(scratch, cmd, out, Map.of());
        long nanos = System.nanoTime() - t0;
        JsonNode root = new ObjectMapper().readTree(Files.readString(out));
        return new EngineSide.Outcome(paths(root.path("services")), paths(root.path("testAffected")),
            root.path("all").asBoolean(), nanos, CpuTime.read(cpu));
    }

    static Set<String> paths(JsonNode services) {
        Set<String> out = new TreeSet<>();
        for (JsonNode s : services) {
            out.add(s.path("path").asText());
        }
        return out;
    }
}
