package io.gopipe.core.image;

import io.gopipe.core.exec.CommandResult;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds with {@code buildctl build --progress=rawjson} against a buildkitd (tcp with optional
 * mTLS, unix socket, {@code docker-container://}, {@code kube-pod://}).
 *
 * @param address the daemon
 * @param runner  runs the probe command
 */
public record BuildctlDriver(BuildkitAddress address, ProcessRunner runner) implements BuildDriver {

    @Override
    public String name() {
        return "buildctl";
    }

    @Override
    public void checkReachable(Duration timeout) {
        URI tcp = address.tcpEndpoint();
        if (tcp != null) {
            // A refused or filtered port is reported in milliseconds instead of buildctl's retries.
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(tcp.getHost(), tcp.getPort()), (int) Math.min(timeout.toMillis(), 5000));
            } catch (IOException e) {
                throw new BuilderUnreachableException("buildkitd at " + address.uri() + " is not reachable: " + e.getMessage());
            }
        }
        List<String> argv = new ArrayList<>(List.of("buildctl"));
        argv.addAll(address.buildctlFlags());
        argv.addAll(List.of("debug", "workers"));
        CommandResult r = runner.run(argv, Map.of(), null, timeout, SecretMasker.none(), l -> { });
        if (r.timedOut()) {
            throw new BuilderUnreachableException("buildkitd at " + address.uri() + " did not answer within "
                    + timeout.toSeconds() + " s");
        }
        if (!r.succeeded()) {
            throw new BuilderUnreachableException("buildkitd at " + address.uri() + " is not usable: "
                    + BuildxDriver.lastMeaningfulLine(r));
        }
    }

    @Override
    public BuildInvocation invocation(BuildPlan p, Map<String, String> env) {
        if (p.load()) {
            throw new InvalidImageConfigException("service '" + p.service()
                    + "': --load needs the buildx driver (buildctl has no Docker image store); use --push");
        }
        List<String> a = new ArrayList<>(List.of("buildctl"));
        a.addAll(address.buildctlFlags());
        a.add("build");
        a.addAll(List.of("--frontend", "dockerfile.v0"));
        a.addAll(List.of("--progress", "rawjson"));
        a.addAll(List.of("--metadata-file", p.metadataFile().toString()));
        a.addAll(List.of("--local", "context=" + abs(p.context())));
        Path df = p.dockerfile().toAbsolutePath();
        a.addAll(List.of("--local", "dockerfile=" + df.getParent()));
        a.addAll(List.of("--opt", "filename=" + df.getFileName()));
        if (p.target() != null) {
            a.addAll(List.of("--opt", "target=" + p.target()));
        }
        p.buildArgs().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> a.addAll(List.of("--opt", "build-arg:" + e.getKey() + "=" + e.getValue())));
        // buildctl has no environment form: quiet build args go on the command line (gopipe masks them in its log).
        p.quietBuildArgs().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> a.addAll(List.of("--opt", "build-arg:" + e.getKey() + "=" + e.getValue())));
        p.secrets().forEach(s -> a.addAll(List.of("--secret", s.toFlag())));
        p.ssh().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> a.addAll(List.of("--ssh", e.getKey() + "=" + e.getValue().toAbsolutePath())));
        if (!p.platforms().isEmpty()) {
            a.addAll(List.of("--opt", "platform=" + String.join(",", p.platforms())));
        }
        p.labels().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> a.addAll(List.of("--opt", "label:" + e.getKey() + "=" + e.getValue())));
        p.namedContexts().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            a.addAll(List.of("--local", e.getKey() + "=" + abs(e.getValue())));
            a.addAll(List.of("--opt", "context:" + e.getKey() + "=local:" + e.getKey()));
        });
        if (p.network() != null) {
            a.addAll(List.of("--opt", "force-network-mode=" + p.network()));
            if (p.network().equals("host")) {
                a.addAll(List.of("--allow", "network.host"));
            }
        }
        if (p.provenance()) {
            a.addAll(List.of("--opt", "attest:provenance=mode=max"));
        }
        if (p.sbom()) {
            a.addAll(List.of("--opt", "attest:sbom="));
        }
        if (p.localOutput() != null) {
            a.addAll(List.of("--output", "type=local,dest=" + abs(p.localOutput())));
        }
        if (p.noCache()) {
            a.add("--no-cache");
        }
        if (!p.tags().isEmpty()) {
            // buildctl reads --output as CSV: a comma-separated name list must be quoted.
            a.addAll(List.of("--output", "type=image,\"name=" + String.join(",", p.tags()) + "\",push=" + p.push()));
        }
        p.cache().importRefs().forEach(r -> a.addAll(List.of("--import-cache", CachePolicy.importSpec(r))));
        if (p.cache().exportRef() != null) {
            a.addAll(List.of("--export-cache", p.cache().exportSpec()));
        }
        return new BuildInvocation(a, new HashMap<>(env));
    }

    @Override
    public ProgressParser newParser() {
        return new RawJsonProgressParser();
    }

    private static String abs(Path p) {
        return p.toAbsolutePath().toString();
    }
}
