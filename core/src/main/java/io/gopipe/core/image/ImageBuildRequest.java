package io.gopipe.core.image;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to build one service image. Build one with {@link #builder(String, Path)}.
 *
 * @param service         service name, shown in every message
 * @param context         build context directory (for a generated Dockerfile: the module or repo root)
 * @param dockerfile      the service's own Dockerfile, or null to generate one from {@code goSpec}
 * @param goSpec          what to generate (required without a Dockerfile and in agent mode)
 * @param mode            compile inside BuildKit or on the agent
 * @param target          target stage, or null
 * @param buildArgs       build arguments
 * @param secrets         build secrets
 * @param platforms       target platforms; empty means the builder's own
 * @param tags            image references to name (and push)
 * @param labels          image labels (OCI labels included)
 * @param push            push the tags
 * @param load            load the image into the Docker image store (buildx only)
 * @param provenance      add a provenance attestation (off by default: it adds {@code unknown/unknown}
 *                        entries some registries and tools reject)
 * @param sbom            add an SBOM attestation
 * @param cache           registry cache settings
 * @param goModCache      the agent's GOMODCACHE to feed into the build, or null
 * @param goBuildCache    the agent's GOCACHE to feed into the build, or null
 * @param namedContexts   further named contexts ({@code --build-context name=dir})
 * @param network         network mode for RUN steps ({@code host}, {@code none}), or null for the default
 * @param version         stamped into {@code main.version} (build arg {@code VERSION})
 * @param sourceDateEpoch reproducible timestamps (seconds), usually the commit time; or null
 * @param credentials     registry login, or null
 * @param goBinary        the {@code go} command used in agent mode, or null (or {@code go}) to take
 *                        {@code go} from PATH, or a newer installed toolchain when the module needs one
 * @param remoteGoCacheKey  non-null: the Dockerfile's go commands use the remote Go build cache
 *                        ({@code GOCACHEPROG} through the job's {@code gopipe gocache serve} daemon) with
 *                        this prefetch key; null: not
 */
public record ImageBuildRequest(String service, Path context, Path dockerfile, GoServiceSpec goSpec,
                                BuildMode mode, String target, Map<String, String> buildArgs,
                                List<SecretSpec> secrets, List<String> platforms, List<String> tags,
                                Map<String, String> labels, boolean push, boolean load, boolean provenance,
                                boolean sbom, CachePolicy cache, Path goModCache, Path goBuildCache,
                                Map<String, Path> namedContexts, String network, String version,
                                Long sourceDateEpoch, RegistryCredentials credentials, String goBinary,
                                String remoteGoCacheKey) {

    public ImageBuildRequest {
        if (service == null || service.isBlank()) {
            throw new InvalidImageConfigException("service name is empty");
        }
        if (context == null) {
            throw new InvalidImageConfigException("service '" + service + "' has no build context");
        }
        if (dockerfile == null && goSpec == null) {
            throw new InvalidImageConfigException("service '" + service + "' has neither a Dockerfile nor a Go service spec to generate one");
        }
        if (mode == BuildMode.AGENT && goSpec == null) {
            throw new InvalidImageConfigException("service '" + service + "': agent mode needs a Go service spec (main package)");
        }
        mode = mode == null ? BuildMode.DOCKERFILE : mode;
        buildArgs = Map.copyOf(buildArgs);
        secrets = List.copyOf(secrets);
        platforms = List.copyOf(platforms);
        tags = List.copyOf(tags);
        labels = Map.copyOf(labels);
        namedContexts = Map.copyOf(namedContexts);
        cache = cache == null ? CachePolicy.disabled() : cache;
        version = version == null || version.isBlank() ? "dev" : version;
        goBinary = goBinary == null || goBinary.isBlank() || goBinary.equals("go") ? null : goBinary;
        if (push && tags.isEmpty()) {
            throw new InvalidImageConfigException("service '" + service + "': --push needs at least one tag");
        }
    }

    /** The go command agent mode starts with: the one given, else {@code go}. */
    public String goCommand() {
        return goBinary == null ? "go" : goBinary;
    }

    /** Whether the user chose the go command ({@code --go}); then it is never replaced by another toolchain. */
    public boolean goBinaryExplicit() {
        return goBinary != null;
    }

    /** A builder with the defaults: generated Dockerfile mode, no push, provenance and SBOM off. */
    public static Builder builder(String service, Path context) {
        return new Builder(service, context);
    }

    /** A builder pre-filled with this request, to derive a variant. */
    public Builder toBuilder() {
        Builder b = new Builder(service, context);
        b.dockerfile = dockerfile;
        b.goSpec = goSpec;
        b.mode = mode;
        b.target = target;
        b.buildArgs.putAll(buildArgs);
        b.secrets.addAll(secrets);
        b.platforms.addAll(platforms);
        b.tags.addAll(tags);
        b.labels.putAll(labels);
        b.push = push;
        b.load = load;
        b.provenance = provenance;
        b.sbom = sbom;
        b.cache = cache;
        b.goModCache = goModCache;
        b.goBuildCache = goBuildCache;
        b.namedContexts.putAll(namedContexts);
        b.network = network;
        b.version = version;
        b.sourceDateEpoch = sourceDateEpoch;
        b.credentials = credentials;
        b.goBinary = goBinary;
        b.remoteGoCacheKey = remoteGoCacheKey;
        return b;
    }

    /** Mutable builder of {@link ImageBuildRequest}. */
    public static final class Builder {
        private final String service;
        private final Path context;
        private Path dockerfile;
        private GoServiceSpec goSpec;
        private BuildMode mode = BuildMode.DOCKERFILE;
        private String target;
        private final Map<String, String> buildArgs = new LinkedHashMap<>();
        private final List<SecretSpec> secrets = new ArrayList<>();
        private final List<String> platforms = new ArrayList<>();
        private final List<String> tags = new ArrayList<>();
        private final Map<String, String> labels = new LinkedHashMap<>();
        private boolean push;
        private boolean load;
        private boolean provenance;
        private boolean sbom;
        private CachePolicy cache = CachePolicy.disabled();
        private Path goModCache;
        private Path goBuildCache;
        private final Map<String, Path> namedContexts = new LinkedHashMap<>();
        private String network;
        private String version;
        private Long sourceDateEpoch;
        private RegistryCredentials credentials;
        private String goBinary;
        private String remoteGoCacheKey;

        private Builder(String service, Path context) {
            this.service = service;
            this.context = context;
        }

        public Builder dockerfile(Path v) { dockerfile = v; return this; }
        public Builder goSpec(GoServiceSpec v) { goSpec = v; return this; }
        public Builder mode(BuildMode v) { mode = v; return this; }
        public Builder target(String v) { target = v; return this; }
        public Builder buildArg(String k, String v) { buildArgs.put(k, v); return this; }
        public Builder secret(SecretSpec v) { secrets.add(v); return this; }
        public Builder platform(String v) { platforms.add(v); return this; }
        public Builder tag(String v) { tags.add(v); return this; }
        public Builder label(String k, String v) { labels.put(k, v); return this; }
        public Builder labels(OciLabels v) { labels.putAll(v.toMap()); return this; }
        public Builder push(boolean v) { push = v; return this; }
        public Builder load(boolean v) { load = v; return this; }
        public Builder provenance(boolean v) { provenance = v; return this; }
        public Builder sbom(boolean v) { sbom = v; return this; }
        public Builder cache(CachePolicy v) { cache = v; return this; }
        public Builder goModCache(Path v) { goModCache = v; return this; }
        public Builder goBuildCache(Path v) { goBuildCache = v; return this; }
        public Builder namedContext(String name, Path dir) { namedContexts.put(name, dir); return this; }
        public Builder network(String v) { network = v; return this; }
        public Builder version(String v) { version = v; return this; }
        public Builder sourceDateEpoch(Long v) { sourceDateEpoch = v; return this; }
        public Builder credentials(RegistryCredentials v) { credentials = v; return this; }
        public Builder goBinary(String v) { goBinary = v; return this; }
        public Builder remoteGoCacheKey(String v) { remoteGoCacheKey = v; return this; }

        public ImageBuildRequest build() {
            return new ImageBuildRequest(service, context, dockerfile, goSpec, mode, target, buildArgs, secrets,
                    platforms, tags, labels, push, load, provenance, sbom, cache, goModCache, goBuildCache,
                    namedContexts, network, version, sourceDateEpoch, credentials, goBinary, remoteGoCacheKey);
        }
    }
}
