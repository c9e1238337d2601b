package io.gopipe.core.image;

import io.gopipe.core.report.Reporter;
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
    private final Reporter reporter;

    BuildPlanner(AgentBinaryBuilder agent, Reporter reporter) {
        this.agent = agent;
        this.reporter = reporter;
    }

    /** The plan, and the agent-side steps that already ran (agent mode). */
    record Planned(BuildPlan plan, List<BuildStep> agentSteps) {
    }

    /**
     * @param tunnel the socket of the job's Go build cache tunnel ({@link AgentTunnel}), or null when
     *               the job does not use the remote Go build cache
     */
    Planned plan(ImageBuildRequest req, Path work, SecretMasker masker, Path tunnel) {
        return plan(req, work, masker, tunnel, null);
    }

    /** @param bridgeImage the pushed bridge image for a bridge stage's {@code FROM}, or null to build it in the build */
    Planned plan(ImageBuildRequest req, Path work, SecretMasker masker, Path tunnel,
                 java.util.function.UnaryOperator<String> bridgeImage) {
        return plan(req, work, masker, tunnel, bridgeImage, null);
    }

    /**
     * @param direct the job's {@link DirectGoCacheLink}, to use instead of the tunnel for this request (its
     *               RUN steps share the agent's network), or null
     */
    Planned plan(ImageBuildRequest req, Path work, SecretMasker masker, Path tunnel,
                 java.util.function.UnaryOperator<String> bridgeImage, DirectGoCacheLink direct) {
        try {
            return doPlan(req, work, masker, tunnel, bridgeImage, direct);
        } catch (IOException e) {
            throw new ImageException("service '" + req.service() + "': cannot prepare the build in " + work + ": "
                    + e.getMessage(), e);
        }
    }

    private Planned doPlan(ImageBuildRequest req, Path work, SecretMasker masker, Path tunnel,
                           java.util.function.UnaryOperator<String> bridgeImage, DirectGoCacheLink direct)
            throws IOException {
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
            Path built = Files.createDirectories(work.resolve("context"));
            agentSteps = agent.build(req, platforms, built, masker);
            // BuildKit keeps a local context by its folder's name and sends again only the files whose
            // size or time differ; the stamped binary's time never does, so a changed binary of the same
            // size would not reach the builder (measured: the previous build's file was used). A name
            // from the content makes a changed tree a new context; an unchanged one is found again.
            context = Files.move(built, work.resolve("context-" + AgentBinaryBuilder.contentName(built)));
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
        List<SecretSpec> secrets = new ArrayList<>(req.secrets());
        Map<String, Path> ssh = new LinkedHashMap<>();
        Map<String, String> quiet = new LinkedHashMap<>();
        if (tunnel != null && req.remoteGoCacheKey() != null && req.mode() == BuildMode.DOCKERFILE) {
            if (direct != null && args.keySet().stream().anyMatch(k -> k.equalsIgnoreCase(DirectGoCacheLink.BUILD_ARG))) {
                reporter.info("[" + req.service() + "] --build-arg " + DirectGoCacheLink.BUILD_ARG + " is set: the Go build"
                        + " cache goes through the tunnel (ssh forwarding), not the direct link");
                direct = null;
            }
            dockerfile = remoteGoCache(req, dockerfile, work, secrets, ssh, quiet, tunnel, bridgeImage, direct);
        }
        for (Map.Entry<String, Path> e : contexts.entrySet()) {
            if (!Files.isDirectory(e.getValue())) {
                throw new InvalidImageConfigException("service '" + req.service() + "': named context '" + e.getKey()
                        + "' directory " + e.getValue() + " does not exist");
            }
        }
        BuildPlan plan = new BuildPlan(req.service(), context, dockerfile, req.target(), args, secrets, platforms,
                req.tags(), req.labels(), req.push(), req.load(), req.provenance(), req.sbom(), req.cache(), contexts,
                req.network(), work.resolve("metadata.json"), null, false, ssh, quiet);
        return new Planned(plan, agentSteps);
    }

    /**
     * Rewrites the Dockerfile so its go commands use the remote Go build cache
     * ({@link GoCacheProgDockerfile}) and adds what the rewrite refers to: the tunnel socket as
     * {@code --ssh}, the prefetch key as a secret. A Dockerfile
     * without a Go build cache mount is left as it is, with a warning.
     */
    private Path remoteGoCache(ImageBuildRequest req, Path dockerfile, Path work, List<SecretSpec> secrets,
                               Map<String, Path> ssh, Map<String, String> quiet, Path tunnel,
                               java.util.function.UnaryOperator<String> bridgeImage, DirectGoCacheLink direct)
            throws IOException {
        String goImage = req.goSpec() != null ? req.goSpec().images().go() : BaseImages.defaults().go();
        GoCacheProgDockerfile.Result r = GoCacheProgDockerfile.augment(Files.readString(dockerfile), goImage, bridgeImage,
                direct != null);
        for (String s : r.skipped()) {
            reporter.warn("[" + req.service() + "] " + dockerfile + ": this RUN mounts the Go build cache but is in exec"
                    + " or heredoc form, so gopipe cannot set GOCACHEPROG for it (use the shell form): " + s);
        }
        if (r.runs() == 0) {
            reporter.warn("[" + req.service() + "] " + dockerfile + " has no shell-form RUN with a Go build cache mount"
                    + " (`--mount=type=cache,target=" + GoCacheMounts.DEFAULT_GOCACHE + "`): it builds without the"
                    + " remote Go build cache");
            return dockerfile;
        }
        Path out = work.resolve("Dockerfile.gocache");
        Files.writeString(out, r.dockerfile());
        // buildx reads <Dockerfile>.dockerignore next to the Dockerfile before the context's own.
        Path ignore = Path.of(dockerfile + ".dockerignore");
        if (Files.isRegularFile(ignore)) {
            Files.copy(ignore, Path.of(out + ".dockerignore"));
        }
        String keyArg = "-prefetch-key=" + req.remoteGoCacheKey();
        if (r.directRuns() > 0) {
            quiet.put(DirectGoCacheLink.BUILD_ARG, direct.buildArgValue(List.of(keyArg)));
        }
        if (r.usesTunnel()) {
            Path args = Files.writeString(work.resolve("gocache-args"), keyArg + "\n");
            secrets.add(new SecretSpec(GoCacheProgDockerfile.ARGS_SECRET, args, null));
            ssh.put(GoCacheProgDockerfile.SSH_ID, tunnel);
        }
        reporter.info("[" + req.service() + "] " + r.runs() + " RUN step(s) use the remote Go build cache"
                + " (GOCACHEPROG through the gocache daemon, key " + req.remoteGoCacheKey() + ": "
                + (r.directRuns() > 0 ? r.directRuns() + " through the direct link " + direct.address() : "")
                + (r.directRuns() > 0 && r.usesTunnel() ? ", " : "")
                + (r.usesTunnel() ? (r.runs() - r.directRuns()) + " through the tunnel (ssh forwarding)" : "") + ")");
        return out;
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
