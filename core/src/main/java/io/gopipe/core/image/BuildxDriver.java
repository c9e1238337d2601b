package io.gopipe.core.image;

import io.gopipe.core.exec.CommandResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds with {@code docker buildx build --progress=plain}, against the Docker daemon's embedded
 * BuildKit or any buildx builder instance.
 *
 * @param dockerHost  DOCKER_HOST to use, or null for the environment's
 * @param builderName buildx builder instance ({@code --builder}), or null for the current one
 * @param runner      runs the probe command
 * @param localDocker set by {@link #checkReachable} when the builder is the local Docker daemon's own
 *                    BuildKit ({@link #stepsShareThisHostsNetwork})
 */
public record BuildxDriver(String dockerHost, String builderName, ProcessRunner runner,
                           java.util.concurrent.atomic.AtomicBoolean localDocker) implements BuildDriver {

    public BuildxDriver(String dockerHost, String builderName, ProcessRunner runner) {
        this(dockerHost, builderName, runner, new java.util.concurrent.atomic.AtomicBoolean());
    }

    @Override
    public boolean stepsShareThisHostsNetwork() {
        return localDocker.get();
    }

    /**
     * From {@code docker buildx inspect}: the builder is the Docker daemon's own BuildKit (driver
     * {@code docker}; a {@code docker-container} builder runs its steps in a container's network) on
     * the default endpoint, and that endpoint is a unix socket on this machine.
     */
    static boolean isLocalDocker(List<String> inspect, String dockerHost) {
        String driver = null;
        String endpoint = null;
        for (String l : inspect) {
            String t = l.strip();
            if (driver == null && t.startsWith("Driver:")) {
                driver = t.substring(7).strip();
            } else if (endpoint == null && t.startsWith("Endpoint:")) {
                endpoint = t.substring(9).strip();
            }
        }
        String host = dockerHost != null ? dockerHost : System.getenv("DOCKER_HOST");
        boolean localHost = host == null || host.isBlank() || host.startsWith("unix://");
        return "docker".equals(driver) && localHost
                && endpoint != null && (endpoint.equals("default") || endpoint.startsWith("unix://"));
    }

    @Override
    public String name() {
        return "buildx";
    }

    @Override
    public void checkReachable(Duration timeout) {
        List<String> argv = new ArrayList<>(List.of("docker", "buildx", "inspect", "--bootstrap"));
        if (builderName != null) {
            argv.add(builderName);
        }
        CommandResult r = runner.run(argv, baseEnv(), null, timeout, SecretMasker.none(), l -> { });
        if (r.timedOut()) {
            throw new BuilderUnreachableException("docker buildx did not answer within " + timeout.toSeconds()
                    + " s (" + where() + ")");
        }
        // buildx inspect exits 0 even when the daemon is down; it prints "Error: …" instead of a running node.
        String error = r.tail().stream().map(String::strip).filter(l -> l.startsWith("Error:")).findFirst().orElse(null);
        boolean running = r.tail().stream().anyMatch(l -> l.strip().matches("Status:\\s+running"));
        if (!r.succeeded() || error != null || !running) {
            throw new BuilderUnreachableException("docker buildx cannot reach its builder (" + where() + "): "
                    + (error != null ? error.substring("Error:".length()).strip() : lastMeaningfulLine(r)));
        }
        localDocker.set(isLocalDocker(r.tail(), dockerHost));
    }

    @Override
    public BuildInvocation invocation(BuildPlan p, Map<String, String> env) {
        List<String> a = new ArrayList<>(List.of("docker", "buildx", "build"));
        if (builderName != null) {
            a.addAll(List.of("--builder", builderName));
        }
        a.add("--progress=plain");
        a.addAll(List.of("--metadata-file", p.metadataFile().toString()));
        a.addAll(List.of("--file", p.dockerfile().toString()));
        if (p.target() != null) {
            a.addAll(List.of("--target", p.target()));
        }
        p.buildArgs().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> a.addAll(List.of("--build-arg", e.getKey() + "=" + e.getValue())));
        // A build arg without "=VALUE" takes its value from buildx's environment (set below).
        p.quietBuildArgs().keySet().stream().sorted().forEach(k -> a.addAll(List.of("--build-arg", k)));
        p.secrets().forEach(s -> a.addAll(List.of("--secret", s.toFlag())));
        p.ssh().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> a.addAll(List.of("--ssh", e.getKey() + "=" + e.getValue().toAbsolutePath())));
        if (!p.platforms().isEmpty()) {
            a.addAll(List.of("--platform", String.join(",", p.platforms())));
        }
        p.tags().forEach(t -> a.addAll(List.of("--tag", t)));
        p.labels().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> a.addAll(List.of("--label", e.getKey() + "=" + e.getValue())));
        if (p.push()) {
            a.add("--push");
        }
        if (p.load()) {
            a.add("--load");
        }
        if (p.localOutput() != null) {
            a.addAll(List.of("--output", "type=local,dest=" + p.localOutput().toAbsolutePath()));
        }
        if (p.noCache()) {
            a.add("--no-cache");
        }
        a.add("--provenance=" + p.provenance());
        a.add("--sbom=" + p.sbom());
        p.cache().importRefs().forEach(r -> a.addAll(List.of("--cache-from", CachePolicy.importSpec(r))));
        if (p.cache().exportRef() != null) {
            a.addAll(List.of("--cache-to", p.cache().exportSpec()));
        }
        p.namedContexts().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> a.addAll(List.of("--build-context", e.getKey() + "=" + e.getValue().toAbsolutePath())));
        if (p.network() != null) {
            a.addAll(List.of("--network", p.network()));
        }
        a.add(p.context().toAbsolutePath().toString());
        Map<String, String> all = new HashMap<>(baseEnv());
        all.putAll(env);
        all.putAll(p.quietBuildArgs());
        return new BuildInvocation(a, all);
    }

    @Override
    public ProgressParser newParser() {
        return new PlainProgressParser();
    }

    private Map<String, String> baseEnv() {
        Map<String, String> env = new HashMap<>();
        if (dockerHost != null) {
            env.put("DOCKER_HOST", dockerHost);
        }
        env.put("BUILDX_NO_DEFAULT_ATTESTATIONS", "1");
        return env;
    }

    private String where() {
        String host = dockerHost != null ? dockerHost : System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock");
        return "DOCKER_HOST=" + host + (builderName != null ? ", builder " + builderName : "");
    }

    static String lastMeaningfulLine(CommandResult r) {
        List<String> tail = r.tail();
        for (int i = tail.size() - 1; i >= 0; i--) {
            String l = tail.get(i).strip();
            if (!l.isEmpty()) {
                return l;
            }
        }
        return "exit code " + r.exitCode();
    }
}
