package io.gopipe.core.image;

import io.gopipe.core.exec.CommandResult;
import io.gopipe.core.report.Reporter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Builds service images through a {@link BuildDriver}: prepares the Dockerfile (or the agent-built
 * binary), logs in through a temporary Docker config, runs BuildKit with registry cache import and
 * export, retries transient push errors, and reads digest and cache figures from the result.
 */
public final class ImageBuilder {

    /**
     * Engine settings that are not per service.
     *
     * @param retry             retries of transient push errors (and of the registry probe)
     * @param registryPreflight probe the push registry before building, to fail in seconds, not minutes
     * @param buildTimeout      how long one build may run
     * @param streamLogs        forward every BuildKit output line to the reporter
     * @param workRoot          where scratch directories go (Dockerfiles, metadata, Docker config)
     * @param userDockerConfig  the user's DOCKER_CONFIG (builders, contexts), or null
     * @param goCacheDaemon     address of the {@code gopipe gocache serve} daemon that requests with a
     *                          {@link ImageBuildRequest#remoteGoCacheKey()} reach through the tunnel
     *                          ({@code unix:PATH}, {@code tcp:HOST:PORT}), or null
     */
    public record Options(RetryPolicy retry, boolean registryPreflight, Duration buildTimeout, boolean streamLogs,
                          Path workRoot, Path userDockerConfig, String goCacheDaemon) {

        /** Without the remote Go build cache. */
        public Options(RetryPolicy retry, boolean registryPreflight, Duration buildTimeout, boolean streamLogs,
                       Path workRoot, Path userDockerConfig) {
            this(retry, registryPreflight, buildTimeout, streamLogs, workRoot, userDockerConfig, null);
        }

        /** Defaults: 3 attempts, preflight on, 1 h timeout, logs streamed, system temp dir, ~/.docker. */
        public static Options defaults() {
            Path home = Path.of(System.getProperty("user.home"), ".docker");
            String env = System.getenv("DOCKER_CONFIG");
            return new Options(RetryPolicy.defaults(), true, Duration.ofHours(1), true,
                    Path.of(System.getProperty("java.io.tmpdir")), env != null ? Path.of(env) : home);
        }
    }

    /** One service's result or error, for {@link #buildAll}. */
    public record Outcome(String service, BuildResult result, ImageException error) {
        public boolean ok() {
            return error == null;
        }
    }

    private final BuildDriver driver;
    private final ProcessRunner runner;
    private final Reporter reporter;
    private final Options options;
    private final BuildPlanner planner;
    private final CacheMountSync cacheSync;
    private final Map<String, java.util.Optional<String>> bridgeImages = new java.util.concurrent.ConcurrentHashMap<>();
    private final RegistryManifests manifests = new RegistryManifests(Duration.ofSeconds(5));
    private final JobTimings timings;

    public ImageBuilder(BuildDriver driver, ProcessRunner runner, Reporter reporter, Options options) {
        this(driver, runner, reporter, options, new JobTimings());
    }

    /** @param timings where the phases of the job's builds are added ({@link ImageJob} prints them) */
    public ImageBuilder(BuildDriver driver, ProcessRunner runner, Reporter reporter, Options options, JobTimings timings) {
        this.timings = timings;
        this.driver = driver;
        this.runner = runner;
        this.reporter = reporter;
        this.options = options;
        this.planner = new BuildPlanner(new AgentBinaryBuilder(runner, reporter,
                new GoToolchain(runner, GoToolchain.defaultSearchRoots()), options.goCacheDaemon(),
                new PreviousBinary(manifests)), reporter);
        this.cacheSync = new CacheMountSync(driver, runner, reporter, options.workRoot(), options.buildTimeout());
    }

    /**
     * Builds several services, {@code parallelism} at a time; one failure does not stop the others.
     * With {@code --gocache}/{@code --gomodcache} in Dockerfile mode, the Dockerfiles' Go cache
     * mounts are filled from those folders once before the builds and read back once after them.
     */
    public List<Outcome> buildAll(List<ImageBuildRequest> requests, int parallelism) {
        long t = System.nanoTime();
        CacheMountSync.Session sync = cacheSync.fill(requests);
        if (sync.active()) {
            timings.since("cache fill", t);
        }
        List<Outcome> out = null;
        t = System.nanoTime();
        AgentTunnel tunnel = openTunnel(requests, parallelism);
        DirectGoCacheLink link = tunnel == null ? null : openDirectLink(requests);
        if (tunnel != null) {
            timings.since("tunnel", t);
        }
        try {
            out = buildEach(requests, parallelism, tunnel, link);
            return out;
        } finally {
            if (link != null) {
                if (link.connections() > 0) {
                    reporter.info(link.figures());
                }
                link.close();
            }
            if (tunnel != null) {
                tunnel.close();
                ImageBuilder.deleteTree(tunnel.socket().getParent());
            }
            if (out == null || out.stream().anyMatch(ImageBuilder::mayHaveWrittenCaches)) {
                long e = System.nanoTime();
                sync.export();
                if (sync.active()) {
                    timings.since("cache read-back", e);
                }
            } else {
                reporter.info("no RUN step ran: the Go cache mounts have nothing new to read back");
            }
        }
    }

    /**
     * The tunnel to the gocache daemon when a request uses the remote Go build cache; null otherwise,
     * or (with a warning: the cache never fails a build) when it cannot be opened.
     */
    private AgentTunnel openTunnel(List<ImageBuildRequest> requests, int parallelism) {
        if (options.goCacheDaemon() == null || requests.stream()
                .noneMatch(r -> r.remoteGoCacheKey() != null && r.mode() == BuildMode.DOCKERFILE)) {
            return null;
        }
        try {
            // Checked once here: an unreachable daemon means plain Dockerfiles, not a warning per go command.
            try (java.nio.channels.SocketChannel probe = java.nio.channels.SocketChannel.open(
                    AgentTunnel.address(options.goCacheDaemon()))) {
                probe.isConnected();
            }
            // A unix socket path must stay under ~100 bytes: a short folder in the temp dir, not the work root.
            Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "gopipe-gc-");
            AgentTunnel tunnel = AgentTunnel.start(dir, options.goCacheDaemon(), reporter);
            // The builds that start now; each later one starts its own key's prefetch as it begins
            // (buildEach), so a batch of many services does not fetch every key's set at once while
            // its first builds run.
            requests.stream().limit(Math.max(1, parallelism)).forEach(r -> prefetch(tunnel, r));
            return tunnel;
        } catch (IOException e) {
            reporter.warn("the Go build cache daemon at " + options.goCacheDaemon() + " cannot be reached (building"
                    + " without the remote Go build cache): " + e.getMessage());
            return null;
        }
    }

    /** Starts the daemon's prefetch of a Dockerfile-mode request's key (once per key), if it has one. */
    private static void prefetch(AgentTunnel tunnel, ImageBuildRequest r) {
        if (tunnel != null && r.remoteGoCacheKey() != null && r.mode() == BuildMode.DOCKERFILE) {
            tunnel.prefetch(r.remoteGoCacheKey());
        }
    }

    /**
     * The direct link to the daemon ({@link DirectGoCacheLink}: no session mounts on the RUN steps) when
     * a remote-cache request's steps run in this machine's network: {@code --network host} on the
     * local Docker daemon's BuildKit. Null otherwise, or when it cannot listen (the tunnel is used).
     */
    private DirectGoCacheLink openDirectLink(List<ImageBuildRequest> requests) {
        if (!driver.stepsShareThisHostsNetwork() || requests.stream().noneMatch(ImageBuilder::canUseDirectLink)) {
            return null;
        }
        try {
            return DirectGoCacheLink.start(options.goCacheDaemon());
        } catch (IOException e) {
            reporter.info("cannot open a loopback port for the Go build cache (using the tunnel): " + e.getMessage());
            return null;
        }
    }

    /** A request whose RUN steps use the remote Go build cache in the agent's own network. */
    private static boolean canUseDirectLink(ImageBuildRequest r) {
        return r.remoteGoCacheKey() != null && r.mode() == BuildMode.DOCKERFILE && "host".equals(r.network());
    }

    /**
     * The pushed image with the gocache bridge for a bridge stage's {@code FROM}, built and pushed once
     * next to the service's registry cache ({@code <cache repo>:gopipe-gocache-bridge-<hash>}); null
     * (the stage is then built inside the build) without a registry cache or when that fails. Why:
     * an unchanged rebuild on the default branch re-exports that branch's cache ref with only the
     * layers it loaded (measured: the bridge stage's layer was gone), so the next change build would
     * compile the bridge again; a pushed image is never thinned out.
     */
    private String bridgeImage(ImageBuildRequest req, String from, Map<String, String> env, SecretMasker masker,
                               Path work) {
        if (!req.cache().enabled()) {
            return null;
        }
        String dockerfile = GoCacheProgDockerfile.bridgeImageDockerfile(from);
        String tagName;
        try {
            tagName = "gopipe-gocache-bridge-" + java.util.HexFormat.of().formatHex(java.security.MessageDigest
                    .getInstance("SHA-256").digest(dockerfile.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                    .substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        String tag = req.cache().repository() + ":" + tagName;
        return bridgeImages.computeIfAbsent(tag, t -> {
            long start = System.nanoTime();
            try {
                // One HEAD from here (~10 ms); `imagetools inspect` (~0.5 s) only when the registry's answer
                // does not say (token auth), and only with buildx, which has it.
                java.util.Optional<Boolean> present = manifests.exists(t, req.credentials());
                if (present.orElse(false) || present.isEmpty() && driver instanceof BuildxDriver
                        && runner.run(List.of("docker", "buildx", "imagetools", "inspect", t),
                        env, null, Duration.ofSeconds(30), masker, l -> { }).succeeded()) {
                    timings.since("bridge image", start);
                    return java.util.Optional.of(t);
                }
                Path dir = Files.createDirectories(work.resolve("gocache-bridge"));
                Path ctx = Files.createDirectories(dir.resolve("context"));
                Path file = Files.writeString(dir.resolve("Dockerfile"), dockerfile);
                // The image carries its own (inline) cache: a second job finds it even on a fresh builder.
                BuildPlan plan = new BuildPlan("gopipe-gocache-bridge", ctx, file, null,
                        Map.of("BUILDKIT_INLINE_CACHE", "1"), List.of(), List.of(), List.of(t), Map.of(), true, false,
                        false, false, new CachePolicy(req.cache().repository(), tagName, tagName, false, "max", true),
                        Map.of(), req.network(), dir.resolve("metadata.json"));
                BuildInvocation inv = driver.invocation(plan, env);
                CommandResult r = runner.run(inv.argv(), inv.env(), null, options.buildTimeout(), masker, l -> { });
                if (!r.succeeded()) {
                    reporter.warn("[" + req.service() + "] could not build the gocache bridge image " + t + " (building"
                            + " the bridge inside the build instead): " + BuildxDriver.lastMeaningfulLine(r));
                    return java.util.Optional.<String>empty();
                }
                reporter.info(String.format("[%s] built and pushed the gocache bridge image %s in %.1f s", req.service(), t,
                        (System.nanoTime() - start) / 1e9));
                timings.since("bridge image", start);
                return java.util.Optional.of(t);
            } catch (IOException | ImageException e) {
                reporter.warn("[" + req.service() + "] could not build the gocache bridge image " + t + ": " + e.getMessage());
                return java.util.Optional.<String>empty();
            }
        }).orElse(null);
    }

    /** Whether a build may have added Go cache entries: it failed, or one of its RUN steps ran. */
    private static boolean mayHaveWrittenCaches(Outcome o) {
        return !o.ok() || o.result().steps().stream()
                .anyMatch(s -> s.isInstruction() && !s.cached() && s.name().replaceFirst("^\\[[^\\]]*\\] ", "").startsWith("RUN "));
    }

    private List<Outcome> buildEach(List<ImageBuildRequest> requests, int parallelism, AgentTunnel tunnel,
                                    DirectGoCacheLink link) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(parallelism, requests.size())));
        Path socket = tunnel == null ? null : tunnel.socket();
        try {
            List<Future<BuildResult>> futures = new ArrayList<>();
            for (ImageBuildRequest r : requests) {
                futures.add(pool.submit(() -> {
                    prefetch(tunnel, r);
                    return buildOne(r, socket, link != null && canUseDirectLink(r) ? link : null);
                }));
            }
            List<Outcome> out = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                String service = requests.get(i).service();
                try {
                    out.add(new Outcome(service, futures.get(i).get(), null));
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    ImageException ie = c instanceof ImageException x ? x
                            : new ImageException("service '" + service + "': " + c, c);
                    out.add(new Outcome(service, null, ie));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ImageException("interrupted while building " + service, e);
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Builds one service image (with the Go cache mounts synced as in {@link #buildAll}). */
    public BuildResult build(ImageBuildRequest req) {
        List<Outcome> out = buildAll(List.of(req), 1);
        if (!out.get(0).ok()) {
            throw out.get(0).error();
        }
        return out.get(0).result();
    }

    private BuildResult buildOne(ImageBuildRequest req, Path tunnel, DirectGoCacheLink link) {
        long start = System.nanoTime();
        SecretMasker masker = maskerFor(req);
        Path work = createWork(req.service());
        TemporaryDockerConfig dockerConfig = null;
        try {
            if (req.credentials() != null) {
                dockerConfig = TemporaryDockerConfig.create(work, req.credentials(), options.userDockerConfig());
            }
            if (req.push() && options.registryPreflight()) {
                preflight(req, masker);
            }
            Map<String, String> env = dockerConfig == null ? Map.of() : dockerConfig.env();
            long p = System.nanoTime();
            BuildPlanner.Planned planned = planner.plan(req, work, masker, tunnel,
                    from -> bridgeImage(req, from, env, masker, work), link);
            timings.since(req.mode() == BuildMode.AGENT ? "agent go build + context" : "dockerfile", p);
            List<String> warnings = new ArrayList<>();
            RetryPolicy retry = options.retry();
            for (int attempt = 1; ; attempt++) {
                sleep(retry.backoffBefore(attempt));
                BuildInvocation inv = driver.invocation(planned.plan(), env);
                reporter.info("[" + req.service() + "] " + inv.display(masker));
                ProgressParser parser = driver.newParser();
                RegistryManifests.Manifest before = cacheBefore(req);
                long solve = System.nanoTime();
                CommandResult r = runner.run(inv.argv(), inv.env(), null, options.buildTimeout(), masker, line -> {
                    parser.accept(line);
                    if (options.streamLogs()) {
                        reporter.info("[" + req.service() + "] " + line);
                    }
                });
                List<BuildStep> steps = parser.steps();
                timings.addSolve(req.service(), steps, System.nanoTime() - solve);
                warnCacheTrouble(req, steps, warnings, masker);
                if (r.succeeded()) {
                    keepCacheOfAnAllCachedBuild(req, before, steps);
                    return result(req, planned, steps, start, attempt, warnings);
                }
                if (r.timedOut()) {
                    throw new ImageBuildFailedException("service '" + req.service() + "': build timed out after "
                            + options.buildTimeout().toMinutes() + " min");
                }
                boolean transientPush = req.push() && BuildFailure.isTransientPushError(steps, r.tail());
                if (transientPush && attempt < retry.attempts()) {
                    reporter.warn("[" + req.service() + "] push failed with a transient error (attempt " + attempt + " of "
                            + retry.attempts() + "), retrying in " + retry.backoffBefore(attempt + 1).toSeconds() + " s: "
                            + BuildxDriver.lastMeaningfulLine(r));
                    continue;
                }
                if (transientPush) {
                    throw new RegistryUnreachableException("service '" + req.service() + "': pushing "
                            + String.join(", ", req.tags()) + " failed after " + attempt + " attempts: "
                            + BuildxDriver.lastMeaningfulLine(r) + "\n" + r.tailText());
                }
                throw new ImageBuildFailedException("service '" + req.service() + "': " + driver.name()
                        + " build failed (exit " + r.exitCode() + "):\n" + r.tailText());
            }
        } finally {
            if (dockerConfig != null) {
                dockerConfig.close();
            }
            deleteTree(work);
        }
    }

    /**
     * The registry cache the build will overwrite, when it also imports it (an unchanged rebuild on
     * its own branch can only thin it); null otherwise.
     */
    private RegistryManifests.Manifest cacheBefore(ImageBuildRequest req) {
        String ref = req.cache().enabled() ? req.cache().exportRef() : null;
        if (ref == null || !req.cache().importRefs().contains(ref)) {
            return null;
        }
        return manifests.get(ref, req.credentials()).orElse(null);
    }

    private void keepCacheOfAnAllCachedBuild(ImageBuildRequest req, RegistryManifests.Manifest before,
                                             List<BuildStep> steps) {
        if (before != null && new RegistryCacheKeeper(manifests).keep(req.cache().exportRef(), before, steps,
                req.credentials())) {
            reporter.info("[" + req.service() + "] every step was cached: kept the registry cache "
                    + req.cache().exportRef() + " as it was (the build's export had only the layers it loaded)");
        }
    }

    private BuildResult result(ImageBuildRequest req, BuildPlanner.Planned planned, List<BuildStep> steps, long start,
                               int attempts, List<String> warnings) {
        BuildMetadata meta = BuildMetadata.read(planned.plan().metadataFile());
        List<BuildStep> all = new ArrayList<>(planned.agentSteps());
        all.addAll(steps);
        int[] counts = BuildResult.count(steps);
        Duration total = Duration.ofNanos(System.nanoTime() - start);
        BuildResult res = new BuildResult(req.service(), driver.name(), req.mode(), meta.digest(), req.tags(), req.push(),
                List.copyOf(all), counts[0], counts[1], total, attempts, List.copyOf(warnings));
        reporter.info(String.format("[%s] built %s: %d/%d steps cached (%.0f%%) in %.1f s", req.service(),
                res.digest() == null ? "(no image exported)" : res.digest(), res.cachedSteps(),
                res.cachedSteps() + res.executedSteps(), res.hitRatio() * 100, total.toMillis() / 1000.0));
        return res;
    }

    private void warnCacheTrouble(ImageBuildRequest req, List<BuildStep> steps, List<String> warnings, SecretMasker m) {
        for (BuildStep s : steps) {
            if (s.error() == null) {
                continue;
            }
            String msg = null;
            if (s.isCacheImport()) {
                msg = "[" + req.service() + "] cache import failed, building without it: " + s.name() + ": " + s.error();
            } else if (s.name().startsWith("exporting cache")) {
                msg = "[" + req.service() + "] cache export failed (the image is fine): " + s.error();
            }
            if (msg != null && !warnings.contains(m.mask(msg))) {
                warnings.add(m.mask(msg));
                reporter.warn(m.mask(msg));
            }
        }
    }

    private void preflight(ImageBuildRequest req, SecretMasker masker) {
        Set<String> registries = new LinkedHashSet<>();
        req.tags().forEach(t -> registries.add(ImageReference.registry(t)));
        RetryPolicy retry = options.retry();
        for (String registry : registries) {
            InetSocketAddress ep = ImageReference.endpoint(registry);
            String last = null;
            for (int attempt = 1; attempt <= retry.attempts(); attempt++) {
                sleep(retry.backoffBefore(attempt));
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(ep.getHostString(), ep.getPort()), 3000);
                    last = null;
                    break;
                } catch (IOException e) {
                    last = e.getMessage();
                    reporter.warn("[" + req.service() + "] registry " + registry + " is not reachable (attempt " + attempt
                            + " of " + retry.attempts() + "): " + last);
                }
            }
            if (last != null) {
                throw new RegistryUnreachableException(masker.mask("service '" + req.service() + "': registry " + registry
                        + " (of tag " + req.tags().get(0) + ") is not reachable at " + ep.getHostString() + ":"
                        + ep.getPort() + ": " + last + ", after " + retry.attempts()
                        + " attempts. Is it running, and is --tag/--registry right?"));
            }
        }
    }

    private static SecretMasker maskerFor(ImageBuildRequest req) {
        List<String> secrets = new ArrayList<>();
        if (req.credentials() != null) {
            secrets.add(req.credentials().password());
            secrets.add(req.credentials().username() + ":" + req.credentials().password());
        }
        for (SecretSpec s : req.secrets()) {
            if (s.env() != null && System.getenv(s.env()) != null) {
                secrets.add(System.getenv(s.env()));
            }
            if (s.src() != null) {
                try {
                    if (Files.size(s.src()) <= 4096) {
                        secrets.add(Files.readString(s.src()).strip());
                    }
                } catch (IOException | RuntimeException e) {
                    // unreadable or binary: BuildKit reports it; nothing to mask
                }
            }
        }
        return SecretMasker.of(secrets);
    }

    private Path createWork(String service) {
        try {
            Files.createDirectories(options.workRoot());
            return Files.createTempDirectory(options.workRoot(), "gopipe-image-" + service + "-");
        } catch (IOException e) {
            throw new ImageException("cannot create a work directory under " + options.workRoot() + ": " + e.getMessage(), e);
        }
    }

    /** Deletes a scratch folder, read-only module-cache folders included; null is nothing. */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (p.getParent() != null) {
                    p.getParent().toFile().setWritable(true);
                }
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a leftover scratch directory under the temp dir is harmless
        }
    }

    private static void sleep(Duration d) {
        if (d.isZero()) {
            return;
        }
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted while waiting to retry", e);
        }
    }
}
