package io.gopipe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gopipe.core.GopipeException;
import io.gopipe.core.image.BaseImages;
import io.gopipe.core.image.BuildDriver;
import io.gopipe.core.image.BuildMode;
import io.gopipe.core.image.BuildResult;
import io.gopipe.core.image.BuildStep;
import io.gopipe.core.image.BuildkitAddress;
import io.gopipe.core.image.CachePolicy;
import io.gopipe.core.image.DriverSelector;
import io.gopipe.core.image.GoServiceSpec;
import io.gopipe.core.image.ImageBuildRequest;
import io.gopipe.core.image.ImageBuilder;
import io.gopipe.core.image.ImageReference;
import io.gopipe.core.image.InvalidImageConfigException;
import io.gopipe.core.image.OciLabels;
import io.gopipe.core.image.ProcessRunner;
import io.gopipe.core.image.RegistryCredentials;
import io.gopipe.core.image.RetryPolicy;
import io.gopipe.core.image.Runtime;
import io.gopipe.core.image.SecretSpec;
import io.gopipe.core.image.ServiceResolver;
import io.gopipe.core.image.ServiceSource;
import io.gopipe.core.image.SourceInfo;
import io.gopipe.core.report.Progress;
import io.gopipe.core.report.Reporter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gopipe image}: container images with BuildKit. */
@Command(name = "image", description = "Build service images with BuildKit and a registry cache.",
        mixinStandardHelpOptions = true, subcommands = ImageCommand.Build.class)
public final class ImageCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code gopipe image build}. */
    @Command(name = "build", sortOptions = false,
            description = {"Build (and push) the image of one or more services.",
                    "Prints one line per service: name, digest, cache hit ratio, seconds."})
    static final class Build implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        boolean help;

        @Option(names = "--repo", required = true, description = "Repository root.")
        Path repo;
        @Option(names = "--service", description = "Service to build (cmd/NAME or services/NAME); repeatable.")
        List<String> services = new ArrayList<>();
        @Option(names = "--affected", description = "JSON of `gopipe affected`: build every service listed.")
        Path affected;

        @Option(names = "--driver", defaultValue = "auto", description = "auto, buildx or buildctl (default: ${DEFAULT-VALUE}).")
        String driver;
        @Option(names = "--buildkit-addr", description = "buildkitd address for buildctl (tcp://, unix://, docker-container://, kube-pod://); default BUILDKIT_HOST.")
        String buildkitAddr;
        @Option(names = "--tls-ca", description = "CA certificate for a tcp:// buildkitd.")
        Path tlsCa;
        @Option(names = "--tls-cert", description = "Client certificate for buildkitd mTLS.")
        Path tlsCert;
        @Option(names = "--tls-key", description = "Client key for buildkitd mTLS.")
        Path tlsKey;
        @Option(names = "--tls-server-name", description = "Server name to verify on the buildkitd certificate.")
        String tlsServerName;
        @Option(names = "--docker-host", description = "DOCKER_HOST for the buildx driver.")
        String dockerHost;
        @Option(names = "--builder", description = "buildx builder instance.")
        String builder;

        @Option(names = "--mode", defaultValue = "dockerfile", description = "dockerfile (compile in BuildKit) or agent (go build here, package in BuildKit).")
        String mode;
        @Option(names = "--dockerfile", description = "Dockerfile to use for a single --service (default: the service's own, else generated).")
        Path dockerfile;
        @Option(names = "--generate", description = "Ignore the services' own Dockerfiles and generate one.")
        boolean generate;
        @Option(names = "--context", description = "Build context for a single --service.")
        Path context;
        @Option(names = "--target", description = "Target stage.")
        String target;
        @Option(names = "--build-arg", description = "KEY=VALUE; repeatable.")
        Map<String, String> buildArgs = new LinkedHashMap<>();
        @Option(names = "--secret", description = "id=ID,src=FILE or id=ID,env=VAR; repeatable.")
        List<String> secrets = new ArrayList<>();
        @Option(names = "--platform", split = ",", description = "Target platform(s), e.g. linux/amd64,linux/arm64.")
        List<String> platforms = new ArrayList<>();

        @Option(names = "--registry", description = "Image repository prefix: images are PREFIX/SERVICE:TAG.")
        String registry;
        @Option(names = "--tag", description = "Tag(s) for every image (default: the version).")
        List<String> tags = new ArrayList<>();
        @Option(names = "--push", description = "Push the images.")
        boolean push;
        @Option(names = "--load", description = "Load the images into Docker (buildx only).")
        boolean load;
        @Option(names = "--provenance", description = "Add a provenance attestation (off by default).")
        boolean provenance;
        @Option(names = "--sbom", description = "Add an SBOM attestation.")
        boolean sbom;
        @Option(names = "--label", description = "Extra image label KEY=VALUE; repeatable.")
        Map<String, String> labels = new LinkedHashMap<>();

        @Option(names = "--cache-repo", description = "Registry cache repository; {service} and {image} are replaced (default: {image}-buildcache when --registry is set).")
        String cacheRepo;
        @Option(names = "--no-registry-cache", description = "Neither import nor export a registry cache.")
        boolean noRegistryCache;
        @Option(names = "--no-cache-export", description = "Import the registry cache but never write it (untrusted builds).")
        boolean noCacheExport;
        @Option(names = "--cache-mode", defaultValue = "max", description = "max or min.")
        String cacheMode;
        @Option(names = "--branch", description = "Branch being built (default: BRANCH_NAME, GIT_BRANCH or the checkout's).")
        String branch;
        @Option(names = "--default-branch", defaultValue = "main", description = "Default branch, whose cache ref is shared (default: ${DEFAULT-VALUE}).")
        String defaultBranch;

        @Option(names = "--gomodcache", description = "Agent GOMODCACHE to feed into the build.")
        Path goModCache;
        @Option(names = "--gocache", description = "Agent GOCACHE to feed into the build.")
        Path goCache;
        @Option(names = "--go", defaultValue = "go", description = "go command for --mode agent.")
        String goBinary;

        @Option(names = "--runtime", defaultValue = "distroless", description = "Generated image runtime: scratch, distroless or alpine.")
        String runtime;
        @Option(names = "--base-mirror", description = "Registry mirror prefix for the base images.")
        String baseMirror;
        @Option(names = "--go-image", description = "Go builder image (default " + BaseImages.DEFAULT_GO + ").")
        String goImage;
        @Option(names = "--certs-image", description = "Image scratch takes CA certificates from (default: the Go image).")
        String certsImage;
        @Option(names = "--distroless-image", description = "Distroless runtime image.")
        String distrolessImage;
        @Option(names = "--alpine-image", description = "Alpine-like runtime image.")
        String alpineImage;
        @Option(names = "--port", description = "Port to EXPOSE.")
        Integer port;
        @Option(names = "--arg", description = "Entrypoint argument after the binary; repeatable.")
        List<String> entrypointArgs = new ArrayList<>();
        @Option(names = "--user", defaultValue = GoServiceSpec.NONROOT, description = "Runtime user (default ${DEFAULT-VALUE}).")
        String user;

        @Option(names = "--version", description = "Version stamped into main.version (default: the commit's short id).")
        String version;
        @Option(names = "--network", description = "Network mode of RUN steps (e.g. host).")
        String network;
        @Option(names = "--registry-user", description = "Registry username.")
        String registryUser;
        @Option(names = "--registry-password-env", description = "Environment variable holding the registry password.")
        String registryPasswordEnv;
        @Option(names = "--registry-password-stdin", description = "Read the registry password from standard input.")
        boolean registryPasswordStdin;

        @Option(names = "--parallel", defaultValue = "1", description = "Services built at once (default ${DEFAULT-VALUE}).")
        int parallel;
        @Option(names = "--retries", defaultValue = "3", description = "Attempts for transient push errors (default ${DEFAULT-VALUE}).")
        int retries;
        @Option(names = "--json", description = "Also write the results as JSON to this file.")
        Path json;
        @Option(names = {"-q", "--quiet"}, description = "Do not echo BuildKit output.")
        boolean quiet;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                return run(out, err);
            } catch (GopipeException e) {
                err.println("error: " + e.getMessage());
                err.flush();
                return 2;
            }
        }

        private int run(PrintWriter out, PrintWriter err) {
            Reporter reporter = new ConsoleReporter(err, quiet);
            ServiceResolver resolver = new ServiceResolver(repo);
            List<ServiceSource> sources = new ArrayList<>();
            if (affected != null) {
                sources.addAll(resolver.fromAffected(affected));
            }
            services.forEach(s -> sources.add(resolver.byName(s)));
            if (affected == null && services.isEmpty()) {
                throw new InvalidImageConfigException("give --service NAME or --affected FILE");
            }
            if (sources.isEmpty()) {
                out.println("no services to build");
                out.flush();
                return 0;
            }
            if ((dockerfile != null || context != null) && sources.size() != 1) {
                throw new InvalidImageConfigException("--dockerfile and --context apply to exactly one service");
            }
            RegistryCredentials creds = credentials();
            BaseImages images = baseImages();
            BuildkitAddress addr = buildkitAddr == null ? null
                    : new BuildkitAddress(buildkitAddr, tlsCa, tlsCert, tlsKey, tlsServerName);
            ProcessRunner runner = new ProcessRunner();
            BuildDriver d = new DriverSelector(runner, System.getenv())
                    .select(driver, addr, dockerHost, builder, DriverSelector.DEFAULT_BUDGET);
            reporter.info("using the " + d.name() + " driver");

            SourceInfo src = SourceInfo.read(repo);
            String ver = version != null ? version : src.shortRevision() != null ? src.shortRevision() : "dev";
            String br = branch != null ? branch : firstNonBlank(System.getenv("BRANCH_NAME"),
                    stripOrigin(System.getenv("GIT_BRANCH")), src.branch(), defaultBranch);

            List<ImageBuildRequest> requests = new ArrayList<>();
            for (ServiceSource s : sources) {
                requests.add(request(s, ver, br, src, creds, images));
            }
            Options opts = new Options();
            ImageBuilder engine = new ImageBuilder(d, runner, reporter, new ImageBuilder.Options(
                    new RetryPolicy(retries, Duration.ofSeconds(2), 2.0), true, Duration.ofHours(1), !quiet,
                    opts.workRoot, opts.dockerConfig));
            List<ImageBuilder.Outcome> outcomes = engine.buildAll(requests, parallel);
            int failed = 0;
            for (ImageBuilder.Outcome o : outcomes) {
                if (o.ok()) {
                    BuildResult r = o.result();
                    out.printf("%-20s %-71s cache %d/%d (%3.0f%%) %7.1f s%n", r.service(),
                            r.digest() == null ? "(not exported)" : r.digest(), r.cachedSteps(),
                            r.cachedSteps() + r.executedSteps(), r.hitRatio() * 100, r.total().toMillis() / 1000.0);
                } else {
                    failed++;
                    out.printf("%-20s FAILED%n", o.service());
                    err.println("error: " + o.error().getMessage());
                }
            }
            out.flush();
            err.flush();
            if (json != null) {
                writeJson(outcomes);
            }
            return failed == 0 ? 0 : 1;
        }

        private ImageBuildRequest request(ServiceSource s, String ver, String br, SourceInfo src,
                                          RegistryCredentials creds, BaseImages images) {
            Path ctx = context != null ? context.toAbsolutePath() : s.context();
            Path df = generate ? null : dockerfile != null ? dockerfile.toAbsolutePath() : s.dockerfile();
            BuildMode m = BuildMode.parse(mode);
            GoServiceSpec go = s.mainPackage() == null ? null : new GoServiceSpec(s.name(), s.moduleDir(), s.mainPackage(),
                    Runtime.parse(runtime), images, port, entrypointArgs, user, goModCache != null || goCache != null);
            ImageBuildRequest.Builder b = ImageBuildRequest.builder(s.name(), ctx).dockerfile(m == BuildMode.AGENT ? null : df)
                    .goSpec(go).mode(m).target(target).push(push).load(load).provenance(provenance).sbom(sbom)
                    .goModCache(goModCache).goBuildCache(goCache).network(network).version(ver).credentials(creds)
                    .goBinary(goBinary)
                    .labels(new OciLabels(src.originUrl(), src.revision(), src.commitTime(), s.name()));
            if (src.commitTime() != null) {
                b.sourceDateEpoch(src.commitTime().getEpochSecond());
            }
            buildArgs.forEach(b::buildArg);
            labels.forEach(b::label);
            secrets.forEach(x -> b.secret(SecretSpec.parse(x)));
            platforms.forEach(b::platform);
            String image = registry == null ? null : registry.replaceAll("/+$", "") + "/" + s.name();
            if (image != null) {
                (tags.isEmpty() ? List.of(ver) : tags).forEach(t -> b.tag(image + ":" + t));
            } else if (push) {
                throw new InvalidImageConfigException("--push needs --registry (images are REGISTRY/SERVICE:TAG)");
            }
            String cache = cacheRepo != null ? cacheRepo : image != null ? "{image}-buildcache" : null;
            if (noRegistryCache || cache == null) {
                b.cache(CachePolicy.disabled());
            } else {
                String repoName = cache.replace("{service}", s.name()).replace("{image}", image == null ? s.name() : image);
                b.cache(new CachePolicy(repoName, br, defaultBranch, !noCacheExport, cacheMode, true));
            }
            return b.build();
        }

        private RegistryCredentials credentials() {
            if (registryUser == null) {
                if (registryPasswordEnv != null || registryPasswordStdin) {
                    throw new InvalidImageConfigException("a registry password needs --registry-user");
                }
                return null;
            }
            String password;
            if (registryPasswordEnv != null) {
                password = System.getenv(registryPasswordEnv);
                if (password == null) {
                    throw new InvalidImageConfigException("--registry-password-env " + registryPasswordEnv + " is not set");
                }
            } else if (registryPasswordStdin) {
                try {
                    password = new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    throw new InvalidImageConfigException("cannot read the registry password from stdin: " + e.getMessage());
                }
            } else {
                throw new InvalidImageConfigException("--registry-user needs --registry-password-env VAR or --registry-password-stdin");
            }
            if (registry == null) {
                throw new InvalidImageConfigException("--registry-user needs --registry");
            }
            return new RegistryCredentials(ImageReference.registry(registry + "/x"), registryUser, password);
        }

        private BaseImages baseImages() {
            BaseImages d = BaseImages.defaults().withMirror(baseMirror);
            String go = goImage != null ? goImage : d.go();
            return new BaseImages(go, certsImage != null ? certsImage : goImage != null ? goImage : d.certs(),
                    distrolessImage != null ? distrolessImage : d.distroless(), alpineImage != null ? alpineImage : d.alpine());
        }

        private void writeJson(List<ImageBuilder.Outcome> outcomes) {
            ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode root = m.createObjectNode();
            ArrayNode arr = root.putArray("services");
            for (ImageBuilder.Outcome o : outcomes) {
                ObjectNode n = arr.addObject();
                n.put("name", o.service());
                if (!o.ok()) {
                    n.put("error", o.error().getMessage());
                    continue;
                }
                BuildResult r = o.result();
                n.put("digest", r.digest());
                n.put("driver", r.driver());
                n.put("mode", r.mode().name().toLowerCase());
                r.tags().forEach(n.putArray("tags")::add);
                n.put("pushed", r.pushed());
                n.put("cachedSteps", r.cachedSteps());
                n.put("executedSteps", r.executedSteps());
                n.put("hitRatio", r.hitRatio());
                n.put("seconds", r.total().toMillis() / 1000.0);
                n.put("attempts", r.attempts());
                r.warnings().forEach(n.putArray("warnings")::add);
                ArrayNode steps = n.putArray("steps");
                for (BuildStep st : r.steps()) {
                    ObjectNode sn = steps.addObject();
                    sn.put("name", st.name());
                    sn.put("cached", st.cached());
                    sn.put("seconds", st.duration().toMillis() / 1000.0);
                    if (st.error() != null) {
                        sn.put("error", st.error());
                    }
                }
            }
            try {
                m.writeValue(json.toFile(), root);
            } catch (IOException e) {
                throw new InvalidImageConfigException("cannot write --json " + json + ": " + e.getMessage());
            }
        }

        private static String firstNonBlank(String... values) {
            for (String v : values) {
                if (v != null && !v.isBlank()) {
                    return v;
                }
            }
            return "main";
        }

        private static String stripOrigin(String gitBranch) {
            return gitBranch == null ? null : gitBranch.replaceFirst("^origin/", "");
        }
    }

    /** Where scratch files and the user's Docker config are. */
    private static final class Options {
        final Path workRoot = Path.of(System.getProperty("java.io.tmpdir"));
        final Path dockerConfig = System.getenv("DOCKER_CONFIG") != null ? Path.of(System.getenv("DOCKER_CONFIG"))
                : Path.of(System.getProperty("user.home"), ".docker");
    }

    /** Renders engine events on stderr: warnings always, the rest unless quiet. */
    static final class ConsoleReporter implements Reporter {
        private final PrintWriter err;
        private final boolean quiet;

        ConsoleReporter(PrintWriter err, boolean quiet) {
            this.err = err;
            this.quiet = quiet;
        }

        @Override
        public synchronized void info(String message) {
            if (!quiet) {
                err.println(message);
                err.flush();
            }
        }

        @Override
        public synchronized void warn(String message) {
            err.println("WARNING: " + message);
            err.flush();
        }

        @Override
        public void progress(Progress progress) {
        }
    }
}
