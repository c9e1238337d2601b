package io.gopipe.core.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.gopipe.core.exec.CommandRunner;
import io.gopipe.core.report.Reporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code image build} job, the same for the CLI and the Jenkins step: resolves the services,
 * turns {@link ImageJobOptions} into one {@link ImageBuildRequest} per service (tags
 * {@code REGISTRY/SERVICE:TAG}, registry cache refs per branch, OCI labels and reproducible
 * timestamps from the checkout, base images, credentials), picks the driver and builds.
 * Configuration errors are thrown before any builder is probed.
 */
public final class ImageJob {

    private final ImageJobOptions options;
    private final Map<String, String> environment;
    private final CommandRunner commands;
    private final Reporter reporter;
    private final JobTimings timings = new JobTimings();
    /** The last {@link #run()} got as far as building: its timings are printed. */
    private boolean buildsStarted;

    /**
     * @param options     what to build
     * @param environment the build's environment: BRANCH_NAME, GIT_BRANCH, BUILDKIT_HOST, DOCKER_CONFIG
     * @param commands    where {@code go}, {@code docker} and {@code buildctl} run (the caller's choice)
     * @param reporter    where progress and warnings go
     */
    public ImageJob(ImageJobOptions options, Map<String, String> environment, CommandRunner commands, Reporter reporter) {
        this.options = options;
        this.environment = Map.copyOf(environment);
        this.commands = commands;
        this.reporter = reporter;
    }

    /**
     * The build requests, one per service, without touching any builder. Empty when the affected
     * file lists no service.
     *
     * @throws InvalidImageConfigException for a missing service, conflicting options or bad credentials
     */
    public List<ImageBuildRequest> plan() {
        Path repo = Path.of(options.repo());
        ServiceResolver resolver = new ServiceResolver(repo);
        SourceInfo src = SourceInfo.read(repo);
        List<ServiceSource> sources = new ArrayList<>();
        if (options.affectedFile() != null) {
            sources.addAll(resolver.fromAffected(Path.of(options.affectedFile())));
        }
        PlanFile planned = planFile(src.revision());
        for (String name : options.services()) {
            sources.add(planned == null ? resolver.byName(name) : fromPlan(planned, resolver, name));
        }
        if (options.affectedFile() == null && options.services().isEmpty()) {
            throw new InvalidImageConfigException("give --service NAME or --affected FILE");
        }
        if (sources.isEmpty()) {
            return List.of();
        }
        if ((options.dockerfile() != null || options.context() != null) && sources.size() != 1) {
            throw new InvalidImageConfigException("--dockerfile and --context apply to exactly one service");
        }
        RegistryCredentials creds = credentials();
        warnAboutSecretBuildArgs();
        BaseImages images = baseImages();
        String version = options.version() != null ? options.version()
                : src.shortRevision() != null ? src.shortRevision() : "dev";
        String branch = options.branch() != null ? options.branch()
                : firstNonBlank(environment.get("BRANCH_NAME"), stripOrigin(environment.get("GIT_BRANCH")),
                        src.branch(), options.defaultBranch());
        List<ImageBuildRequest> requests = new ArrayList<>();
        for (ServiceSource s : sources) {
            requests.add(request(s, version, branch, src, creds, images, sources.size() == 1));
        }
        return requests;
    }

    /**
     * The {@code --plan} file when it may be used for this checkout, else null: none given, or one
     * warning saying why it is not used (stale, unreadable) and the services are planned again.
     */
    private PlanFile planFile(String checkoutHead) {
        if (options.planFile() == null || options.services().isEmpty()) {
            return null;
        }
        Path file = Path.of(options.planFile());
        String why;
        try {
            PlanFile p = PlanFile.read(file);
            java.util.Optional<String> stale = p.staleFor(checkoutHead);
            if (stale.isEmpty()) {
                return p;
            }
            why = stale.get();
        } catch (PlanFile.Unusable e) {
            why = e.getMessage();
        }
        reporter.warn("--plan " + file + " is not used: " + why + "; planning the services again");
        return null;
    }

    /** A service from the job's plan; one the plan does not list is discovered, with a warning. */
    private ServiceSource fromPlan(PlanFile planned, ServiceResolver resolver, String name) {
        java.util.Optional<PlanFile.Entry> e = planned.service(name);
        if (e.isPresent()) {
            return resolver.listed(e.get());
        }
        reporter.warn("--plan " + planned.file() + " does not list service '" + name + "'; planning it again");
        return resolver.byName(name);
    }

    /**
     * Plans, picks the driver (within {@link DriverSelector#DEFAULT_BUDGET}) and builds every service,
     * {@link ImageJobOptions#parallel()} at a time. One service's failure is its outcome, not an exception.
     *
     * @throws InvalidImageConfigException  for bad options
     * @throws BuilderUnreachableException when no builder answers
     */
    public List<ImageBuilder.Outcome> run() {
        long jobStart = System.nanoTime();
        jvmStart();
        // --gocache-backend: the job's own gocache daemon binds while the job plans and probes the builder.
        EmbeddedGoCacheDaemon embedded = options.goCacheBackend() == null ? null
                : EmbeddedGoCacheDaemon.start(embeddedGoCache(), reporter);
        String agentDaemon = environment.get("GOPIPE_GOCACHE_DAEMON");
        if (embedded != null && agentDaemon != null && !agentDaemon.isBlank()) {
            reporter.info("--gocache-backend: this job serves the Go build cache itself; the agent's daemon"
                    + " (GOPIPE_GOCACHE_DAEMON=" + agentDaemon + ") is not used");
        }
        buildsStarted = false;
        try {
            return run(embedded);
        } finally {
            if (embedded != null) {
                // After the builds: every go process has closed its session, which flushed its uploads.
                long t = System.nanoTime();
                embedded.close();
                timings.since("gocache daemon stop", t);
            }
            if (buildsStarted) {
                timings.since("job", jobStart);
                reporter.info(timings.summary());
            }
        }
    }

    private List<ImageBuilder.Outcome> run(EmbeddedGoCacheDaemon embedded) {
        long t = System.nanoTime();
        // The builder probe (a docker/buildctl process, 0.1-0.3 s) runs while the job is planned. Bad input
        // still wins: the plan's exception is thrown first and the probe's result is dropped.
        java.util.concurrent.CompletableFuture<BuildDriver> probe = startProbe();
        List<ImageBuildRequest> requests;
        try {
            requests = plan();
        } catch (RuntimeException e) {
            probe.cancel(true);
            throw e;
        }
        timings.since("plan", t);
        if (requests.isEmpty()) {
            probe.cancel(true);
            return List.of();
        }
        t = System.nanoTime();
        BuildDriver driver;
        try {
            driver = probe.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        timings.since("probe (after plan)", t);
        reporter.info("using the " + driver.name() + " driver");
        String daemon = goCacheDaemon();
        if (embedded != null) {
            t = System.nanoTime();
            daemon = embedded.address();
            timings.since("gocache daemon start (after probe)", t);
        }
        ProcessRunner runner = new ProcessRunner(commands);
        ImageBuilder engine = new ImageBuilder(driver, runner, reporter, engineOptions(daemon), timings);
        buildsStarted = true;
        return engine.buildAll(requests, options.parallel());
    }

    /** What the last {@link #run()} spent where ({@code --json}'s {@code timings}). */
    public JobTimings timings() {
        return timings;
    }

    private java.util.concurrent.CompletableFuture<BuildDriver> startProbe() {
        BuildkitAddress addr = options.buildkitAddress() == null ? null
                : new BuildkitAddress(options.buildkitAddress(), path(options.tlsCa()), path(options.tlsCert()),
                        path(options.tlsKey()), options.tlsServerName());
        ProcessRunner runner = new ProcessRunner(commands);
        java.util.concurrent.CompletableFuture<BuildDriver> f = new java.util.concurrent.CompletableFuture<>();
        Thread th = new Thread(() -> {
            try {
                f.complete(new DriverSelector(runner, environment).select(options.driver(), addr, options.dockerHost(),
                        options.buildxBuilder(), DriverSelector.DEFAULT_BUDGET));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        }, "gopipe-builder-probe");
        th.setDaemon(true);
        th.start();
        return f;
    }

    /** A CLI run's JVM start-up, up to this job (skipped in a long-running JVM such as a Jenkins agent). */
    private void jvmStart() {
        try {
            long up = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
            if (up < 60_000) {
                timings.add("jvm start", up * 1_000_000L);
            }
        } catch (RuntimeException | LinkageError e) {
            // no management module: nothing to report
        }
    }

    /**
     * The embedded daemon's store options: {@code --gocache-backend}, the local tier (default as
     * {@code gopipe gocache serve}'s), read-only, S3 with the keys from the job's environment
     * ({@code GOPIPE_S3_ACCESS_KEY}/{@code GOPIPE_S3_SECRET_KEY}, as {@code gopipe gocache}).
     * Quiet: each client's figures are the daemon's log lines, which go to the job's reporter.
     */
    private io.gopipe.core.gocache.GoCacheOptions embeddedGoCache() {
        io.gopipe.core.cache.backend.S3Options s3 = (options.goCacheS3() != null ? options.goCacheS3()
                : io.gopipe.core.cache.backend.S3Options.defaults()).withKeysFrom(environment);
        Path tier = options.goCacheDir() != null ? Path.of(options.goCacheDir())
                : io.gopipe.core.gocache.GoCacheOptions.defaultDiskDir(environment);
        return io.gopipe.core.gocache.GoCacheOptions.of(options.goCacheBackend(), tier.toAbsolutePath())
                .withS3(s3).withReadOnly(options.goCacheReadOnly()).withQuiet(true);
    }

    private ImageBuilder.Options engineOptions(String goCacheDaemon) {
        Path work = options.workRoot() != null ? Path.of(options.workRoot())
                : Path.of(System.getProperty("java.io.tmpdir"));
        String envConfig = environment.get("DOCKER_CONFIG");
        Path dockerConfig = options.dockerConfig() != null ? Path.of(options.dockerConfig())
                : envConfig != null ? Path.of(envConfig) : Path.of(System.getProperty("user.home"), ".docker");
        return new ImageBuilder.Options(new RetryPolicy(options.retries(), Duration.ofSeconds(2), 2.0), true,
                Duration.ofHours(1), options.streamLogs(), work, dockerConfig, goCacheDaemon);
    }

    private ImageBuildRequest request(ServiceSource s, String version, String branch, SourceInfo src,
                                      RegistryCredentials creds, BaseImages images, boolean single) {
        Path repo = Path.of(options.repo()).toAbsolutePath().normalize();
        Path ctx = options.context() != null ? repo.resolve(options.context()).normalize() : s.context();
        BuildMode mode = BuildMode.parse(options.mode());
        if (mode == BuildMode.AGENT && options.dockerfile() != null) {
            throw new InvalidImageConfigException("--dockerfile " + options.dockerfile() + " has no effect with --mode agent:"
                    + " the binary built on the agent is packaged with the generated go-binary.Dockerfile;"
                    + " drop --dockerfile, or use --mode dockerfile");
        }
        Path df = options.generate() ? null
                : options.dockerfile() != null ? repo.resolve(options.dockerfile()).normalize() : s.dockerfile();
        if (options.dockerfile() != null && !options.generate() && !Files.isRegularFile(df)) {
            throw new InvalidImageConfigException("--dockerfile " + options.dockerfile() + ": " + df
                    + " does not exist (relative paths are resolved against --repo " + repo + ")");
        }
        Path goModCache = path(options.goModCache());
        Path goCache = path(options.goCache());
        if (goCacheDaemon() != null) {
            if (goCache != null && options.goCacheDaemon() != null) {
                throw new InvalidImageConfigException("--gocache and --gocache-daemon both carry the Go build cache:"
                        + " choose one (--gocache-daemon: per-action remote cache, no archive; --gocache: a restored folder)");
            }
            AgentTunnel.address(goCacheDaemon());
        }
        if (mode == BuildMode.DOCKERFILE && df != null && (goModCache != null || goCache != null)) {
            String problem = missingCacheMounts(s.name(), df, goCache != null, goModCache != null);
            if (problem != null && single) {
                throw new InvalidImageConfigException(problem);
            } else if (problem != null) {
                // One service's Dockerfile among many: the others still use the caches.
                reporter.warn(problem);
            }
        }
        GoServiceSpec go = s.mainPackage() == null ? null : new GoServiceSpec(s.name(), s.moduleDir(), s.mainPackage(),
                Runtime.parse(options.runtime()), images, options.port(), options.entrypointArgs(), options.user(),
                versionVariable(s, ctx));
        String goBinary = options.goBinary();
        if (mode == BuildMode.AGENT && go != null) {
            // Checked here, before any builder is probed: a module newer than the agent's Go is bad input.
            boolean explicit = goBinary != null && !goBinary.isBlank() && !goBinary.equals("go");
            String requested = explicit ? goBinary : "go";
            goBinary = new GoToolchain(new ProcessRunner(commands), GoToolchain.defaultSearchRoots())
                    .select(s.name(), requested, explicit, ctx.resolve(go.moduleDir()).normalize());
            if (!goBinary.equals(requested)) {
                reporter.info("[" + s.name() + "] `" + requested + "` is older than the module's go.mod asks for; using "
                        + goBinary + " (pass --go to choose)");
            }
        }
        ImageBuildRequest.Builder b = ImageBuildRequest.builder(s.name(), ctx)
                .dockerfile(mode == BuildMode.AGENT ? null : df)
                .goSpec(go).mode(mode).target(options.target()).push(options.push()).load(options.load())
                .provenance(options.provenance()).sbom(options.sbom())
                .goModCache(goModCache).goBuildCache(goCache).network(options.network()).version(version)
                .credentials(creds).goBinary(goBinary)
                .remoteGoCacheKey(goCacheDaemon() == null && options.goCacheBackend() == null ? null : prefetchKey(s.name(), branch))
                .labels(new OciLabels(OciLabels.publicSource(src.originUrl()), src.revision(), src.commitTime(), s.name()));
        if (src.commitTime() != null) {
            b.sourceDateEpoch(src.commitTime().getEpochSecond());
        }
        options.buildArgs().forEach(b::buildArg);
        options.labels().forEach(b::label);
        options.secrets().forEach(x -> b.secret(SecretSpec.parse(x)));
        options.platforms().forEach(b::platform);
        String image = imageName(s.name());
        if (image != null) {
            (options.tags().isEmpty() ? List.of(version) : options.tags()).forEach(t -> b.tag(tagRef(image, t)));
        } else if (options.push()) {
            throw new InvalidImageConfigException("--push needs --registry (images are REGISTRY/SERVICE:TAG)");
        }
        b.cache(cachePolicy(s.name(), image, branch));
        return b.build();
    }

    /**
     * The gocache prefetch key of a service on a branch: {@code IMAGE@BRANCH}, and on any other branch
     * than the default one {@code IMAGE@BRANCH|IMAGE@DEFAULT}: the daemon prefetches what the default
     * branch's last build used when the branch has no set of its own yet (its first build; measured on
     * bench/image: 877 outputs fetched one by one, 14.6 s of a 22 s change job), and records the
     * branch's own set under {@code IMAGE@BRANCH}.
     */
    private String prefetchKey(String service, String branch) {
        String image = imageName(service) != null ? imageName(service) : service;
        String key = image + "@" + branch;
        String def = options.defaultBranch();
        return def == null || def.isBlank() || def.equals(branch) ? key : key + "|" + image + "@" + def;
    }

    /**
     * The version variable of a generated build: the one given, none for {@code none}, else
     * {@code main.version} when the main package declares it (the linker ignores {@code -X} for a
     * missing variable, so the version would silently not be stamped).
     */
    private String versionVariable(ServiceSource s, Path ctx) {
        String given = options.versionVariable();
        if (given != null) {
            return given.equals("none") ? null : given;
        }
        Path mainDir = ctx.resolve(s.moduleDir()).resolve(s.mainPackage()).normalize();
        if (VersionVariable.declaredIn(mainDir)) {
            return VersionVariable.DEFAULT;
        }
        reporter.info("[" + s.name() + "] " + mainDir + " declares no package-level `var version`: the version is"
                + " not stamped into the binary (name the variable with --version-var IMPORTPATH.name)");
        return null;
    }

    /**
     * A user's Dockerfile gets the agent's Go caches through its cache mounts; without one for a
     * given cache the flag would do nothing: the message saying so, or null. An error when the job
     * builds that one service, a warning when it is one of several.
     */
    private static String missingCacheMounts(String service, Path dockerfile, boolean goCache, boolean goModCache) {
        List<GoCacheMounts.Mount> mounts = GoCacheMounts.of(dockerfile);
        boolean hasCache = mounts.stream().anyMatch(m -> m.kind() == GoCacheMounts.Kind.GOCACHE);
        boolean hasMod = mounts.stream().anyMatch(m -> m.kind() == GoCacheMounts.Kind.GOMODCACHE);
        if (goCache && !hasCache) {
            return ("--gocache has no effect for service '" + service + "': " + dockerfile
                    + " has no `RUN --mount=type=cache,target=" + GoCacheMounts.DEFAULT_GOCACHE + "` (or at its ENV GOCACHE);"
                    + " add that mount to its go build step, or drop --gocache");
        }
        if (goModCache && !hasMod) {
            return ("--gomodcache has no effect for service '" + service + "': " + dockerfile
                    + " has no `RUN --mount=type=cache,target=" + GoCacheMounts.DEFAULT_GOMODCACHE + "` (or at its ENV"
                    + " GOMODCACHE); add that mount to its go build step, or drop --gomodcache");
        }
        return null;
    }

    /** Build args are kept in the image history: a credential there leaks to everyone who can pull. */
    private void warnAboutSecretBuildArgs() {
        options.buildArgs().forEach((k, v) -> {
            if (SecretLike.key(k) || SecretLike.value(v)) {
                reporter.warn("--build-arg " + k + " looks like a credential: build args stay in the image history for"
                        + " anyone who can pull it. Pass it with --secret id=" + k + ",env=" + k
                        + " and read it in a RUN --mount=type=secret,id=" + k + " step instead.");
            }
        });
    }

    /**
     * {@code REGISTRY/SERVICE} without tag; without a registry, the repository of the first tag given
     * as a full reference ({@code registry.example.com/shop/orders:1.2}); else null.
     */
    private String imageName(String service) {
        if (options.registry() != null) {
            return options.registry().replaceAll("/+$", "") + "/" + service;
        }
        for (String t : options.tags()) {
            if (isFullReference(t)) {
                return repositoryOf(t);
            }
        }
        if (!options.tags().isEmpty()) {
            throw new InvalidImageConfigException("--tag " + options.tags().get(0) + " needs --registry, or give it as"
                    + " a full reference REGISTRY/SERVICE:TAG");
        }
        return null;
    }

    /** A tag as an image reference: a full reference as given, else {@code image:tag}. */
    private static String tagRef(String image, String tag) {
        return isFullReference(tag) ? tag : image + ":" + tag;
    }

    /** Whether a tag names its repository too: a plain tag cannot contain '/'. */
    private static boolean isFullReference(String tag) {
        return tag.contains("/");
    }

    private static String repositoryOf(String ref) {
        String r = ref.contains("@") ? ref.substring(0, ref.indexOf('@')) : ref;
        int colon = r.lastIndexOf(':');
        return colon > r.lastIndexOf('/') ? r.substring(0, colon) : r;
    }

    private CachePolicy cachePolicy(String service, String image, String branch) {
        String cache = options.cacheRepo() != null ? options.cacheRepo() : image != null ? "{image}-buildcache" : null;
        if (!options.registryCache() || cache == null) {
            return CachePolicy.disabled();
        }
        String repoName = cache.replace("{service}", service).replace("{image}", image == null ? service : image);
        return new CachePolicy(repoName, branch, options.defaultBranch(), options.cacheExport(), options.cacheMode(),
                true);
    }

    private RegistryCredentials credentials() {
        if (options.registryUser() == null) {
            if (options.registryPassword() != null) {
                throw new InvalidImageConfigException("a registry password needs --registry-user");
            }
            return null;
        }
        if (options.registryPassword() == null || options.registryPassword().isEmpty()) {
            throw new InvalidImageConfigException("--registry-user " + options.registryUser() + " has no password");
        }
        if (options.registry() == null) {
            throw new InvalidImageConfigException("--registry-user needs --registry");
        }
        return new RegistryCredentials(ImageReference.registry(options.registry() + "/x"), options.registryUser(),
                options.registryPassword());
    }

    private BaseImages baseImages() {
        BaseImages d = BaseImages.defaults().withMirror(options.baseMirror());
        String goImage = options.goImage();
        return new BaseImages(goImage != null ? goImage : d.go(),
                options.certsImage() != null ? options.certsImage() : goImage != null ? goImage : d.certs(),
                options.distrolessImage() != null ? options.distrolessImage() : d.distroless(),
                options.alpineImage() != null ? options.alpineImage() : d.alpine());
    }

    /**
     * The outcomes as plain maps and lists (what the Jenkins step returns): {@code service},
     * {@code digest}, {@code tags}, {@code cachedSteps}, {@code executedSteps}, {@code hitRatio},
     * {@code seconds}; a failed service has {@code service} and {@code error} only.
     */
    public static List<Map<String, Object>> toMaps(List<ImageBuilder.Outcome> outcomes) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ImageBuilder.Outcome o : outcomes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("service", o.service());
            if (!o.ok()) {
                m.put("error", o.error().getMessage());
            } else {
                BuildResult r = o.result();
                m.put("digest", r.digest());
                m.put("tags", new ArrayList<>(r.tags()));
                m.put("cachedSteps", r.cachedSteps());
                m.put("executedSteps", r.executedSteps());
                m.put("hitRatio", r.hitRatio());
                m.put("seconds", r.total().toMillis() / 1000.0);
            }
            out.add(m);
        }
        return out;
    }

    /**
     * The JSON document of {@code gopipe image build --json}: {@code {"services": [...]}} with, per
     * service, name, digest, driver, mode, tags, pushed, cache figures, seconds, attempts, warnings and
     * every step; or name and error.
     */
    public static String toJson(List<ImageBuilder.Outcome> outcomes) {
        return toJson(outcomes, null);
    }

    /** As {@link #toJson(List)}, with the job's {@code timings} (phase → seconds) when given. */
    public static String toJson(List<ImageBuilder.Outcome> outcomes, JobTimings timings) {
        List<Map<String, Object>> services = new ArrayList<>();
        for (ImageBuilder.Outcome o : outcomes) {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("name", o.service());
            services.add(n);
            if (!o.ok()) {
                n.put("error", o.error().getMessage());
                continue;
            }
            BuildResult r = o.result();
            n.put("digest", r.digest());
            n.put("driver", r.driver());
            n.put("mode", r.mode().name().toLowerCase());
            n.put("tags", r.tags());
            n.put("pushed", r.pushed());
            n.put("cachedSteps", r.cachedSteps());
            n.put("executedSteps", r.executedSteps());
            n.put("hitRatio", r.hitRatio());
            n.put("seconds", r.total().toMillis() / 1000.0);
            n.put("attempts", r.attempts());
            n.put("warnings", r.warnings());
            List<Map<String, Object>> steps = new ArrayList<>();
            for (BuildStep st : r.steps()) {
                Map<String, Object> sn = new LinkedHashMap<>();
                sn.put("name", st.name());
                sn.put("cached", st.cached());
                sn.put("seconds", st.duration().toMillis() / 1000.0);
                if (st.error() != null) {
                    sn.put("error", st.error());
                }
                steps.add(sn);
            }
            n.put("steps", steps);
        }
        try {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("services", services);
            if (timings != null) {
                doc.put("timings", timings.asMap());
            }
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new ImageException("cannot render the image results as JSON: " + e.getMessage(), e);
        }
    }

    /**
     * The running gocache daemon the job uses: {@code --gocache-daemon}, else {@code GOPIPE_GOCACHE_DAEMON}
     * from the environment (set where the agent's daemon was started) unless {@code --gocache} asks for
     * the folder design or {@code --gocache-backend} for the job's own daemon; null for none. Design (b) is the default wherever a daemon runs: it was the
     * faster one on the bench (bench/image/README.md).
     */
    private String goCacheDaemon() {
        if (options.goCacheDaemon() != null) {
            return options.goCacheDaemon();
        }
        String env = environment.get("GOPIPE_GOCACHE_DAEMON");
        return env == null || env.isBlank() || options.goCache() != null || options.goCacheBackend() != null ? null : env;
    }

    private static Path path(String p) {
        return p == null || p.isBlank() ? null : Path.of(p);
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
