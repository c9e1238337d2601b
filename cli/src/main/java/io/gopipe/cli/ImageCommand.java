package io.gopipe.cli;

import io.gopipe.core.GopipeException;
import io.gopipe.core.image.BaseImages;
import io.gopipe.core.image.BuildResult;
import io.gopipe.core.image.GoServiceSpec;
import io.gopipe.core.image.ImageBuilder;
import io.gopipe.core.exec.LocalCommandRunner;
import io.gopipe.core.image.ImageJob;
import io.gopipe.core.image.ImageJobOptions;
import io.gopipe.core.image.InvalidImageConfigException;
import io.gopipe.core.report.Progress;
import io.gopipe.core.report.Reporter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
        @Option(names = "--plan", paramLabel = "FILE", description = "JSON this job's `gopipe affected --output FILE` wrote:"
                + " the --service entries are taken from it instead of discovering every service again (used only"
                + " when written for the checkout's HEAD; otherwise one warning and the services are planned again).")
        Path plan;

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
        @Option(names = "--dockerfile", description = "Dockerfile for a single --service, relative to --repo (default: the service's own, else generated). Not with --mode agent.")
        Path dockerfile;
        @Option(names = "--generate", description = "Ignore the services' own Dockerfiles and generate one.")
        boolean generate;
        @Option(names = "--context", description = "Build context for a single --service, relative to --repo.")
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
        @Option(names = "--tag", description = "Tag(s) for every image (default: the version); a full reference REGISTRY/REPO:TAG is used as is.")
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

        @Option(names = "--gomodcache", description = "Agent GOMODCACHE: fills the Dockerfile's module cache mount before the build and takes its new files back after (agent mode: used directly).")
        Path goModCache;
        @Option(names = "--gocache", description = "Agent GOCACHE: fills the Dockerfile's Go build cache mount before the build and takes its new entries back after (agent mode: used directly).")
        Path goCache;

        @Option(names = "--gocache-daemon", paramLabel = "unix:PATH|tcp:HOST:PORT",
                description = "Address of a running 'gopipe gocache serve': the Dockerfile's go build (generated or"
                        + " your own, RUN with a Go build cache mount) reaches the remote Go build cache through"
                        + " GOCACHEPROG: over a loopback link when the RUN steps share this host's network (--network host"
                        + " on the local Docker daemon), else tunnelled over the build's SSH forwarding (remote BuildKit)."
                        + " Instead of --gocache.")
        String goCacheDaemon;
        @Option(names = "--gocache-backend", paramLabel = "local:DIR|s3://BUCKET/PREFIX",
                description = "The remote Go build cache's store, served by this job itself: the same as starting"
                        + " 'gopipe gocache serve --backend ...' and passing --gocache-daemon, in one command and one JVM"
                        + " (the daemon starts while the job plans, stops when the builds end; uploads are flushed"
                        + " before). For a standalone image job; in a pipeline the agent's daemon serves tests and"
                        + " images alike (--gocache-daemon). Not with --gocache-daemon or --gocache.")
        String goCacheBackend;
        @Option(names = "--gocache-dir", paramLabel = "DIR",
                description = "Local tier of --gocache-backend's daemon, kept between jobs (default: $GOPIPE_GOCACHE_DIR,"
                        + " else ~/.cache/gopipe/gocache, as 'gopipe gocache serve').")
        Path goCacheDir;
        @Option(names = "--gocache-read-only", description = "--gocache-backend's daemon never writes to the store (pull requests).")
        boolean goCacheReadOnly;
        @Mixin
        GoCacheCommand.S3Flags s3 = new GoCacheCommand.S3Flags();
        @Option(names = "--go", defaultValue = "go", description = "go command for --mode agent (default: go on PATH, or a newer installed toolchain when go.mod asks for one).")
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

        @Option(names = "--version", description = "Version stamped into the version variable (default: the commit's short id).")
        String version;
        @Option(names = "--version-var", description = "String variable -X stamps, IMPORTPATH.name, or none (default: main.version when the main package declares it).")
        String versionVar;
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
            ImageJob job = new ImageJob(options(), System.getenv(), new LocalCommandRunner(), reporter);
            List<ImageBuilder.Outcome> outcomes = job.run();
            if (outcomes.isEmpty()) {
                out.println("no services to build");
                out.flush();
                return 0;
            }
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
                try {
                    Files.writeString(json, ImageJob.toJson(outcomes, job.timings()));
                } catch (IOException e) {
                    throw new InvalidImageConfigException("cannot write --json " + json + ": " + e.getMessage());
                }
            }
            return failed == 0 ? 0 : 1;
        }

        /** The flags as plain values; the password is read here, from the environment or stdin. */
        private ImageJobOptions options() {
            return ImageJobOptions.builder()
                    .repo(repo.toString()).services(services).affectedFile(str(affected)).planFile(str(plan))
                    .driver(driver).buildkitAddress(buildkitAddr).tlsCa(str(tlsCa)).tlsCert(str(tlsCert))
                    .tlsKey(str(tlsKey)).tlsServerName(tlsServerName).dockerHost(dockerHost).buildxBuilder(builder)
                    .mode(mode).dockerfile(str(dockerfile)).generate(generate).context(str(context)).target(target)
                    .buildArgs(buildArgs).secrets(secrets).platforms(platforms)
                    .registry(registry).tags(tags).push(push).load(load).provenance(provenance).sbom(sbom)
                    .labels(labels)
                    .cacheRepo(cacheRepo).registryCache(!noRegistryCache).cacheExport(!noCacheExport)
                    .cacheMode(cacheMode).branch(branch).defaultBranch(defaultBranch)
                    .goModCache(str(goModCache)).goCache(str(goCache)).goCacheDaemon(goCacheDaemon)
                    .goCacheBackend(goCacheBackend).goCacheDir(str(goCacheDir)).goCacheReadOnly(goCacheReadOnly)
                    .goCacheS3(goCacheBackend != null || s3.given() ? s3.options() : null).goBinary(goBinary)
                    .runtime(runtime).baseMirror(baseMirror).goImage(goImage).certsImage(certsImage)
                    .distrolessImage(distrolessImage).alpineImage(alpineImage).port(port)
                    .entrypointArgs(entrypointArgs).user(user)
                    .version(version).versionVariable(versionVar).network(network).registryUser(registryUser).registryPassword(password())
                    .parallel(parallel).retries(retries).streamLogs(!quiet)
                    .build();
        }

        private String password() {
            if (registryUser == null) {
                if (registryPasswordEnv != null || registryPasswordStdin) {
                    throw new InvalidImageConfigException("a registry password needs --registry-user");
                }
                return null;
            }
            if (registryPasswordEnv != null) {
                String password = System.getenv(registryPasswordEnv);
                if (password == null) {
                    throw new InvalidImageConfigException("--registry-password-env " + registryPasswordEnv + " is not set");
                }
                return password;
            }
            if (registryPasswordStdin) {
                try {
                    return new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    throw new InvalidImageConfigException("cannot read the registry password from stdin: " + e.getMessage());
                }
            }
            throw new InvalidImageConfigException("--registry-user needs --registry-password-env VAR or --registry-password-stdin");
        }

        private static String str(Path p) {
            return p == null ? null : p.toString();
        }
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
