package io.gopipe.core.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a request into a {@link BuildPlan} inside a scratch directory: writes the generated
 * Dockerfile (with its own {@code .dockerignore}), or compiles on the agent and writes the
 * packaging context, and adds the build args.
 */
final class BuildPlanner {

    private final GoDockerfileGenerator generator = new GoDockerfileGenerator();
    private final AgentBinaryBuilder agent;

    BuildPlanner(AgentBinaryBuilder agent) {
        this.agent = agent;
    }

    /** The plan, and the agent-side steps that already ran (agent mode). */
    record Planned(BuildPlan plan, List<BuildStep> agentSteps) {
    }

    Planned plan(ImageBuildRequest req, Path work, SecretMasker masker) {
        try {
            return doPlan(req, work, masker);
        } catch (IOException e) {
            throw new ImageException("service '" + req.service() + "': cannot prepare the build in " + work + ": "
                    + e.getMessage(), e);
        }
    }

    private Planned doPlan(ImageBuildRequest req, Path work, SecretMasker masker) throws IOException {
        if (!Files.isDirectory(req.context())) {
            throw new InvalidImageConfigException("service '" + req.service() + "': build context " + req.context()
                    + " is not a directory");
        }
        Map<String, String> args = new LinkedHashMap<>(req.buildArgs());
        Map<String, Path> contexts = new LinkedHashMap<>(req.namedContexts());
        if (req.sourceDateEpoch() != null) {
            args.putIfAbsent("SOURCE_DATE_EPOCH", Long.toString(req.sourceDateEpoch()));
        }
        Path context = req.context();
        Path dockerfile;
        List<String> platforms = req.platforms();
        List<BuildStep> agentSteps = List.of();
        if (req.mode() == BuildMode.AGENT) {
            if (platforms.isEmpty()) {
                platforms = List.of(hostPlatform());
            }
            context = Files.createDirectories(work.resolve("context"));
            agentSteps = agent.build(req, platforms, context, masker);
            dockerfile = work.resolve("Dockerfile");
            Files.writeString(dockerfile, generator.packageOnly(req.goSpec()));
        } else if (req.dockerfile() != null) {
            dockerfile = req.dockerfile();
            if (!Files.isRegularFile(dockerfile)) {
                throw new InvalidImageConfigException("service '" + req.service() + "': Dockerfile " + dockerfile
                        + " does not exist (--dockerfile)");
            }
        } else {
            // The Go cache mounts are plain cache mounts; CacheMountSync fills them from the agent.
            GoServiceSpec spec = req.goSpec();
            args.putIfAbsent("VERSION", req.version());
            dockerfile = work.resolve("Dockerfile");
            Files.writeString(dockerfile, generator.multiStage(spec));
            writeIgnoreFile(req.context(), work.resolve("Dockerfile.dockerignore"));
        }
        for (Map.Entry<String, Path> e : contexts.entrySet()) {
            if (!Files.isDirectory(e.getValue())) {
                throw new InvalidImageConfigException("service '" + req.service() + "': named context '" + e.getKey()
                        + "' directory " + e.getValue() + " does not exist");
            }
        }
        BuildPlan plan = new BuildPlan(req.service(), context, dockerfile, req.target(), args, req.secrets(), platforms,
                req.tags(), req.labels(), req.push(), req.load(), req.provenance(), req.sbom(), req.cache(), contexts,
                req.network(), work.resolve("metadata.json"));
        return new Planned(plan, agentSteps);
    }

    /** The context's own ignore rules plus {@code .git}, which would otherwise change every commit. */
    private static void writeIgnoreFile(Path context, Path target) throws IOException {
        List<String> lines = new ArrayList<>(List.of(".git", "**/.git"));
        Path own = context.resolve(".dockerignore");
        if (Files.isRegularFile(own)) {
            lines.addAll(Files.readAllLines(own));
        }
        Files.write(target, lines);
    }

    static String hostPlatform() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String goArch = switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        };
        return "linux/" + goArch;
    }
}
