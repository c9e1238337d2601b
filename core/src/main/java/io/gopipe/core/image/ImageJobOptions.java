package io.gopipe.core.image;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link ImageJob} builds and how, as plain values: the options of {@code gopipe image build}
 * and of the Jenkins step {@code goBuildKitImage}. Paths are strings on the machine that builds, so
 * the whole record can be decided on the Jenkins controller and sent to the agent. Build one with
 * {@link #builder()}; unset values take the CLI's defaults.
 *
 * @param repo repository root on the machine that builds
 * @param services services to build by name ({@code cmd/NAME}, {@code services/NAME} or as discovered)
 * @param affectedFile JSON of {@code gopipe affected}: build every service listed; or null
 * @param planFile JSON of this job's {@code gopipe affected} ({@code --output}), used to find the
 *                 {@code services} without discovering them again; ignored, with a warning, when it
 *                 was written for another commit or cannot be read; or null
 * @param driver {@code auto}, {@code buildx} or {@code buildctl}
 * @param buildkitAddress buildkitd address for buildctl, or null for BUILDKIT_HOST
 * @param tlsCa CA certificate for a tcp:// buildkitd, or null
 * @param tlsCert client certificate for buildkitd mTLS, or null
 * @param tlsKey client key for buildkitd mTLS, or null
 * @param tlsServerName server name to verify on the buildkitd certificate, or null
 * @param dockerHost DOCKER_HOST for the buildx driver, or null
 * @param buildxBuilder buildx builder instance, or null
 * @param mode {@code dockerfile} (compile in BuildKit) or {@code agent} (go build here, package in BuildKit)
 * @param dockerfile Dockerfile for a single service, or null for the service's own (else generated)
 * @param generate ignore the services' own Dockerfiles and generate one
 * @param context build context for a single service, or null
 * @param target target stage, or null
 * @param buildArgs build arguments
 * @param secrets build secrets as {@code id=ID,src=FILE} or {@code id=ID,env=VAR}
 * @param platforms target platforms; empty for the builder's own
 * @param registry image repository prefix: images are {@code REGISTRY/SERVICE:TAG}; or null
 * @param tags tags of every image (empty: the version), or full references {@code REGISTRY/REPO:TAG}
 *             (then the registry may be omitted; the first one's repository names the cache)
 * @param push push the images
 * @param load load the images into Docker (buildx only)
 * @param provenance add a provenance attestation
 * @param sbom add an SBOM attestation
 * @param labels extra image labels (the OCI labels are added anyway)
 * @param cacheRepo registry cache repository, {@code {service}} and {@code {image}} replaced; null for {@code {image}-buildcache} when a registry is set
 * @param registryCache import and export a registry cache at all
 * @param cacheExport export the registry cache (off for untrusted builds)
 * @param cacheMode {@code max} or {@code min}
 * @param branch branch being built; null for BRANCH_NAME, GIT_BRANCH or the checkout's
 * @param defaultBranch default branch, whose cache ref is shared
 * @param goModCache the agent's GOMODCACHE to feed into the build, or null
 * @param goCache the agent's GOCACHE to feed into the build, or null
 * @param goCacheDaemon address of a running {@code gopipe gocache serve} ({@code unix:PATH} or
 *                      {@code tcp:HOST:PORT}): the Dockerfile's go commands reach the remote Go build
 *                      cache through it ({@code GOCACHEPROG}, tunnelled over the build's SSH
 *                      forwarding); or null. Excludes {@code goCache}.
 * @param goCacheBackend the remote Go build cache's store ({@code local:DIR}, {@code s3://BUCKET/PREFIX}):
 *                       the job serves it itself, from a {@code gocache} daemon in its own JVM that it
 *                       starts first and stops when the builds end; its address is used as
 *                       {@code goCacheDaemon} would be. For a standalone image job; in a pipeline, the
 *                       agent's daemon ({@code goCacheDaemon}) also serves the tests. Excludes
 *                       {@code goCacheDaemon} and {@code goCache}; or null
 * @param goCacheDir the embedded daemon's local tier; null for {@code $GOPIPE_GOCACHE_DIR}, else
 *                   {@code ~/.cache/gopipe/gocache} (the default of {@code gopipe gocache serve --dir})
 * @param goCacheReadOnly the embedded daemon never writes to the store (pull requests)
 * @param goCacheS3 how the embedded daemon reaches an {@code s3://} store, or null for the defaults
 * @param goBinary the go command for agent mode
 * @param runtime runtime of generated images: {@code scratch}, {@code distroless} or {@code alpine}
 * @param baseMirror registry mirror prefix for the base images, or null
 * @param goImage Go builder image, or null for the default
 * @param certsImage image scratch takes CA certificates from, or null for the Go image
 * @param distrolessImage distroless runtime image, or null for the default
 * @param alpineImage alpine-like runtime image, or null for the default
 * @param port port to EXPOSE, or null
 * @param entrypointArgs entrypoint arguments after the binary
 * @param user runtime user
 * @param version version stamped into the version variable; null for the commit's short id
 * @param versionVariable the string variable {@code -X} sets ({@code IMPORTPATH.name}); null for
 *                        {@code main.version} when the main package declares it, {@code none} for nothing
 * @param network network mode of RUN steps, or null
 * @param registryUser registry username, or null
 * @param registryPassword registry password or token, or null; never shown by {@link #toString()}
 * @param parallel services built at once
 * @param retries attempts for transient push errors
 * @param streamLogs forward every BuildKit output line to the reporter
 * @param workRoot where scratch directories go; null for the system temp directory
 * @param dockerConfig the user's Docker config directory; null for DOCKER_CONFIG or ~/.docker
 */
public record ImageJobOptions(String repo,
        List<String> services,
        String affectedFile,
        String planFile,
        String driver,
        String buildkitAddress,
        String tlsCa,
        String tlsCert,
        String tlsKey,
        String tlsServerName,
        String dockerHost,
        String buildxBuilder,
        String mode,
        String dockerfile,
        boolean generate,
        String context,
        String target,
        Map<String, String> buildArgs,
        List<String> secrets,
        List<String> platforms,
        String registry,
        List<String> tags,
        boolean push,
        boolean load,
        boolean provenance,
        boolean sbom,
        Map<String, String> labels,
        String cacheRepo,
        boolean registryCache,
        boolean cacheExport,
        String cacheMode,
        String branch,
        String defaultBranch,
        String goModCache,
        String goCache,
        String goCacheDaemon,
        String goCacheBackend,
        String goCacheDir,
        boolean goCacheReadOnly,
        io.gopipe.core.cache.backend.S3Options goCacheS3,
        String goBinary,
        String runtime,
        String baseMirror,
        String goImage,
        String certsImage,
        String distrolessImage,
        String alpineImage,
        Integer port,
        List<String> entrypointArgs,
        String user,
        String version,
        String versionVariable,
        String network,
        String registryUser,
        String registryPassword,
        int parallel,
        int retries,
        boolean streamLogs,
        String workRoot,
        String dockerConfig) implements Serializable {

    private static final long serialVersionUID = 1L;

    public ImageJobOptions {
        if (repo == null || repo.isBlank()) {
            throw new InvalidImageConfigException("the repository directory (--repo) is empty");
        }
        services = services == null ? List.of() : List.copyOf(services);
        buildArgs = buildArgs == null ? Map.of() : Map.copyOf(buildArgs);
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
        platforms = platforms == null ? List.of() : List.copyOf(platforms);
        tags = tags == null ? List.of() : List.copyOf(tags);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        entrypointArgs = entrypointArgs == null ? List.of() : List.copyOf(entrypointArgs);
        if (parallel < 1) {
            throw new InvalidImageConfigException("--parallel must be at least 1, got " + parallel);
        }
        checkGoCacheBackend(goCacheBackend, goCacheDir, goCacheReadOnly, goCacheS3, goCacheDaemon, goCache);
    }

    /** The embedded daemon's options: bad input names its flag, before anything runs. */
    private static void checkGoCacheBackend(String backend, String dir, boolean readOnly,
                                            io.gopipe.core.cache.backend.S3Options s3, String daemon, String goCache) {
        if (backend == null) {
            String needs = dir != null ? "--gocache-dir " + dir : readOnly ? "--gocache-read-only"
                    : s3 != null ? "--s3-endpoint/--s3-region/--s3-path-style" : null;
            if (needs != null) {
                throw new InvalidImageConfigException(needs + " needs --gocache-backend local:DIR|s3://BUCKET/PREFIX"
                        + " (they configure the Go build cache daemon the job starts itself)");
            }
            return;
        }
        if (daemon != null) {
            throw new InvalidImageConfigException("--gocache-backend " + backend + " and --gocache-daemon " + daemon
                    + " both name the remote Go build cache: --gocache-backend starts a daemon in this job, --gocache-daemon"
                    + " uses a running one; choose one");
        }
        if (goCache != null) {
            throw new InvalidImageConfigException("--gocache-backend " + backend + " and --gocache " + goCache
                    + " both carry the Go build cache: choose one (--gocache-backend: per-action remote cache, no archive;"
                    + " --gocache: a restored folder)");
        }
        try {
            io.gopipe.core.gocache.store.ObjectStores.check(backend);
        } catch (io.gopipe.core.GopipeException e) {
            throw new InvalidImageConfigException(e.getMessage().replaceFirst("^--backend\\b", "--gocache-backend"));
        }
    }

    /** A builder with the CLI's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String toString() {
        // The record's own toString would print the password; this one ends up in logs and stack traces.
        return "ImageJobOptions[repo=" + repo + ", services=" + services + ", affectedFile=" + affectedFile + ", planFile=" + planFile
                + ", registry=" + registry + ", push=" + push + ", goCacheBackend=" + goCacheBackend + ", registryUser=" + registryUser
                + ", registryPassword=" + (registryPassword == null ? "null" : "****") + "]";
    }

    /** Mutable builder of {@link ImageJobOptions}. */
    public static final class Builder {
        private String repo;
        private List<String> services = new ArrayList<>();
        private String affectedFile;
        private String planFile;
        private String driver = "auto";
        private String buildkitAddress;
        private String tlsCa;
        private String tlsCert;
        private String tlsKey;
        private String tlsServerName;
        private String dockerHost;
        private String buildxBuilder;
        private String mode = "dockerfile";
        private String dockerfile;
        private boolean generate;
        private String context;
        private String target;
        private Map<String, String> buildArgs = new LinkedHashMap<>();
        private List<String> secrets = new ArrayList<>();
        private List<String> platforms = new ArrayList<>();
        private String registry;
        private List<String> tags = new ArrayList<>();
        private boolean push;
        private boolean load;
        private boolean provenance;
        private boolean sbom;
        private Map<String, String> labels = new LinkedHashMap<>();
        private String cacheRepo;
        private boolean registryCache = true;
        private boolean cacheExport = true;
        private String cacheMode = "max";
        private String branch;
        private String defaultBranch = "main";
        private String goModCache;
        private String goCache;
        private String goCacheDaemon;
        private String goCacheBackend;
        private String goCacheDir;
        private boolean goCacheReadOnly;
        private io.gopipe.core.cache.backend.S3Options goCacheS3;
        private String goBinary = "go";
        private String runtime = "distroless";
        private String baseMirror;
        private String goImage;
        private String certsImage;
        private String distrolessImage;
        private String alpineImage;
        private Integer port;
        private List<String> entrypointArgs = new ArrayList<>();
        private String user = GoServiceSpec.NONROOT;
        private String version;
        private String versionVariable;
        private String network;
        private String registryUser;
        private String registryPassword;
        private int parallel = 1;
        private int retries = 3;
        private boolean streamLogs = true;
        private String workRoot;
        private String dockerConfig;

        private Builder() {
        }

        public Builder repo(String v) { repo = v; return this; }
        public Builder services(List<String> v) { services = v == null ? new ArrayList<>() : new ArrayList<>(v); return this; }
        public Builder affectedFile(String v) { affectedFile = v; return this; }
        public Builder planFile(String v) { planFile = v == null || v.isBlank() ? null : v; return this; }
        public Builder driver(String v) { driver = v == null || v.isBlank() ? "auto" : v; return this; }
        public Builder buildkitAddress(String v) { buildkitAddress = v; return this; }
        public Builder tlsCa(String v) { tlsCa = v; return this; }
        public Builder tlsCert(String v) { tlsCert = v; return this; }
        public Builder tlsKey(String v) { tlsKey = v; return this; }
        public Builder tlsServerName(String v) { tlsServerName = v; return this; }
        public Builder dockerHost(String v) { dockerHost = v; return this; }
        public Builder buildxBuilder(String v) { buildxBuilder = v; return this; }
        public Builder mode(String v) { mode = v == null || v.isBlank() ? "dockerfile" : v; return this; }
        public Builder dockerfile(String v) { dockerfile = v; return this; }
        public Builder generate(boolean v) { generate = v; return this; }
        public Builder context(String v) { context = v; return this; }
        public Builder target(String v) { target = v; return this; }
        public Builder buildArgs(Map<String, String> v) { buildArgs = v == null ? new LinkedHashMap<>() : new LinkedHashMap<>(v); return this; }
        public Builder secrets(List<String> v) { secrets = v == null ? new ArrayList<>() : new ArrayList<>(v); return this; }
        public Builder platforms(List<String> v) { platforms = v == null ? new ArrayList<>() : new ArrayList<>(v); return this; }
        public Builder registry(String v) { registry = v; return this; }
        public Builder tags(List<String> v) { tags = v == null ? new ArrayList<>() : new ArrayList<>(v); return this; }
        public Builder push(boolean v) { push = v; return this; }
        public Builder load(boolean v) { load = v; return this; }
        public Builder provenance(boolean v) { provenance = v; return this; }
        public Builder sbom(boolean v) { sbom = v; return this; }
        public Builder labels(Map<String, String> v) { labels = v == null ? new LinkedHashMap<>() : new LinkedHashMap<>(v); return this; }
        public Builder cacheRepo(String v) { cacheRepo = v; return this; }
        public Builder registryCache(boolean v) { registryCache = v; return this; }
        public Builder cacheExport(boolean v) { cacheExport = v; return this; }
        public Builder cacheMode(String v) { cacheMode = v == null || v.isBlank() ? "max" : v; return this; }
        public Builder branch(String v) { branch = v; return this; }
        public Builder defaultBranch(String v) { defaultBranch = v == null || v.isBlank() ? "main" : v; return this; }
        public Builder goModCache(String v) { goModCache = v; return this; }
        public Builder goCache(String v) { goCache = v; return this; }
        public Builder goCacheDaemon(String v) { goCacheDaemon = v == null || v.isBlank() ? null : v; return this; }
        public Builder goCacheBackend(String v) { goCacheBackend = v == null || v.isBlank() ? null : v; return this; }
        public Builder goCacheDir(String v) { goCacheDir = v == null || v.isBlank() ? null : v; return this; }
        public Builder goCacheReadOnly(boolean v) { goCacheReadOnly = v; return this; }
        public Builder goCacheS3(io.gopipe.core.cache.backend.S3Options v) { goCacheS3 = v; return this; }
        public Builder goBinary(String v) { goBinary = v == null || v.isBlank() ? "go" : v; return this; }
        public Builder runtime(String v) { runtime = v == null || v.isBlank() ? "distroless" : v; return this; }
        public Builder baseMirror(String v) { baseMirror = v; return this; }
        public Builder goImage(String v) { goImage = v; return this; }
        public Builder certsImage(String v) { certsImage = v; return this; }
        public Builder distrolessImage(String v) { distrolessImage = v; return this; }
        public Builder alpineImage(String v) { alpineImage = v; return this; }
        public Builder port(Integer v) { port = v; return this; }
        public Builder entrypointArgs(List<String> v) { entrypointArgs = v == null ? new ArrayList<>() : new ArrayList<>(v); return this; }
        public Builder user(String v) { user = v == null || v.isBlank() ? GoServiceSpec.NONROOT : v; return this; }
        public Builder version(String v) { version = v; return this; }
        public Builder versionVariable(String v) { versionVariable = v == null || v.isBlank() ? null : v; return this; }
        public Builder network(String v) { network = v; return this; }
        public Builder registryUser(String v) { registryUser = v; return this; }
        public Builder registryPassword(String v) { registryPassword = v; return this; }
        public Builder parallel(int v) { parallel = v; return this; }
        public Builder retries(int v) { retries = v; return this; }
        public Builder streamLogs(boolean v) { streamLogs = v; return this; }
        public Builder workRoot(String v) { workRoot = v; return this; }
        public Builder dockerConfig(String v) { dockerConfig = v; return this; }

        public ImageJobOptions build() {
            return new ImageJobOptions(repo, services, affectedFile, planFile, driver, buildkitAddress, tlsCa, tlsCert, tlsKey, tlsServerName, dockerHost, buildxBuilder, mode, dockerfile, generate, context, target, buildArgs, secrets, platforms, registry, tags, push, load, provenance, sbom, labels, cacheRepo, registryCache, cacheExport, cacheMode, branch, defaultBranch, goModCache, goCache, goCacheDaemon, goCacheBackend, goCacheDir, goCacheReadOnly, goCacheS3, goBinary, runtime, baseMirror, goImage, certsImage, distrolessImage, alpineImage, port, entrypointArgs, user, version, versionVariable, network, registryUser, registryPassword, parallel, retries, streamLogs, workRoot, dockerConfig);
        }
    }
}
