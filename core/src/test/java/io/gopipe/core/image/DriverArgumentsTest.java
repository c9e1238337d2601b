package io.gopipe.core.image;

import io.gopipe.core.exec.LocalCommandRunner;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriverArgumentsTest {

    @TempDir
    Path dir;

    private BuildPlan plan(boolean push, boolean load, CachePolicy cache) throws Exception {
        Path ctx = Files.createDirectories(dir.resolve("ctx"));
        Path df = Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\n");
        Path mod = Files.createDirectories(dir.resolve("gomod"));
        Path secret = Files.writeString(dir.resolve("token"), "s3cr3t");
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("org.opencontainers.image.title", "orders");
        labels.put("org.opencontainers.image.revision", "abc");
        return new BuildPlan("orders", ctx, df, "runtime", Map.of("VERSION", "1.2.3"),
                List.of(new SecretSpec("token", secret, null), new SecretSpec("npm", null, "NPM_TOKEN")),
                List.of("linux/amd64", "linux/arm64"), List.of("reg.example/shop/orders:1.2.3", "reg.example/shop/orders:main"),
                labels, push, load, false, false, cache, Map.of("gomodcache", mod), "host", dir.resolve("meta.json"));
    }

    @Test
    void buildxGetsEveryOptionAndOnlyExportsToItsOwnBranchRef() throws Exception {
        CachePolicy cache = CachePolicy.of("reg.example/shop/orders-buildcache", "feature/x", "main");
        BuildInvocation inv = new BuildxDriver(null, "ci", new ProcessRunner(new LocalCommandRunner()))
                .invocation(plan(true, false, cache), Map.of("DOCKER_CONFIG", "/tmp/cfg"));
        List<String> a = inv.argv();
        assertThat(a.subList(0, 5)).containsExactly("docker", "buildx", "build", "--builder", "ci");
        assertThat(a).containsSubsequence("--progress=plain", "--metadata-file", dir.resolve("meta.json").toString())
                .containsSubsequence("--file", dir.resolve("Dockerfile").toString())
                .containsSubsequence("--target", "runtime")
                .containsSubsequence("--build-arg", "VERSION=1.2.3")
                .containsSubsequence("--secret", "id=token,src=" + dir.resolve("token"))
                .containsSubsequence("--secret", "id=npm,env=NPM_TOKEN")
                .containsSubsequence("--platform", "linux/amd64,linux/arm64")
                .containsSubsequence("--tag", "reg.example/shop/orders:1.2.3", "--tag", "reg.example/shop/orders:main")
                .containsSubsequence("--label", "org.opencontainers.image.revision=abc")
                .contains("--push", "--provenance=false", "--sbom=false")
                .containsSubsequence("--cache-from", "type=registry,ref=reg.example/shop/orders-buildcache:feature-x",
                        "--cache-from", "type=registry,ref=reg.example/shop/orders-buildcache:main")
                .containsSubsequence("--cache-to", "type=registry,ref=reg.example/shop/orders-buildcache:feature-x,mode=max,"
                        + "image-manifest=true,oci-mediatypes=true,ignore-error=true")
                .containsSubsequence("--build-context", "gomodcache=" + dir.resolve("gomod"))
                .containsSubsequence("--network", "host");
        assertThat(a).doesNotContain("--load");
        assertThat(a.get(a.size() - 1)).isEqualTo(dir.resolve("ctx").toString());
        assertThat(inv.env()).containsEntry("DOCKER_CONFIG", "/tmp/cfg");
    }

    /** The direct link's value (a token) reaches buildx through its environment, never its command line. */
    @Test
    void quietBuildArgsGoThroughBuildxsEnvironment() throws Exception {
        BuildPlan p = plan(true, false, CachePolicy.disabled());
        BuildPlan quiet = new BuildPlan(p.service(), p.context(), p.dockerfile(), p.target(), p.buildArgs(), p.secrets(),
                p.platforms(), p.tags(), p.labels(), p.push(), p.load(), p.provenance(), p.sbom(), p.cache(),
                p.namedContexts(), p.network(), p.metadataFile(), null, false, Map.of(), Map.of("FTP_PROXY", "v1 t0ken"));
        BuildInvocation inv = new BuildxDriver(null, null, new ProcessRunner(new LocalCommandRunner())).invocation(quiet, Map.of());
        assertThat(inv.argv()).containsSubsequence("--build-arg", "FTP_PROXY").noneMatch(a -> a.contains("t0ken"));
        assertThat(inv.env()).containsEntry("FTP_PROXY", "v1 t0ken");
    }

    /** Only the Docker daemon's own BuildKit on this machine runs `--network host` steps in the agent's network. */
    @Test
    void theProbeTellsWhetherStepsShareThisHostsNetwork() {
        List<String> local = List.of("Name:          default", "Driver:        docker", "", "Nodes:", "Name:             default",
                "Endpoint:         default", "Status:           running");
        assertThat(BuildxDriver.isLocalDocker(local, "unix:///var/run/docker.sock")).isTrue();
        assertThat(BuildxDriver.isLocalDocker(local, "tcp://10.0.0.5:2376")).isFalse();
        List<String> container = List.of("Name:   ci", "Driver: docker-container", "Nodes:", "Name: ci0",
                "Endpoint: unix:///var/run/docker.sock", "Status: running");
        assertThat(BuildxDriver.isLocalDocker(container, "unix:///var/run/docker.sock")).isFalse();
        List<String> context = List.of("Name: remote", "Driver: docker", "Nodes:", "Name: remote", "Endpoint: remote");
        assertThat(BuildxDriver.isLocalDocker(context, "unix:///var/run/docker.sock")).isFalse();
        assertThat(new BuildxDriver(null, null, new ProcessRunner(new LocalCommandRunner())).stepsShareThisHostsNetwork())
                .as("unknown before the probe").isFalse();
    }

    @Test
    void defaultBranchImportsAndExportsTheSharedRefOnce() {
        CachePolicy main = CachePolicy.of("r/c", "main", "main");
        assertThat(main.importRefs()).containsExactly("r/c:main");
        assertThat(main.exportRef()).isEqualTo("r/c:main");
        CachePolicy readOnly = new CachePolicy("r/c", "pr-7", "main", false, "min", false);
        assertThat(readOnly.importRefs()).containsExactly("r/c:pr-7", "r/c:main");
        assertThat(readOnly.exportRef()).isNull();
        assertThat(CachePolicy.disabled().importRefs()).isEmpty();
    }

    @Test
    void branchNamesBecomeValidDistinctTags() {
        assertThat(CachePolicy.tagFor("feature/JIRA-12_x")).isEqualTo("feature-JIRA-12_x");
        assertThat(CachePolicy.tagFor(".hidden")).isEqualTo("b.hidden");
        String longA = "a".repeat(200);
        String longB = "a".repeat(199) + "b";
        assertThat(CachePolicy.tagFor(longA)).hasSize(128).isNotEqualTo(CachePolicy.tagFor(longB));
        assertThatThrownBy(() -> CachePolicy.of("r/c:tag", "x", "main")).hasMessageContaining("must not carry a tag");
        assertThatThrownBy(() -> new CachePolicy("r/c", "x", "main", true, "all", true)).hasMessageContaining("'max' or 'min'");
    }

    @Test
    void buildctlGetsLocalsOptsNamedContextsAndQuotedImageNames() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        Path key = Files.writeString(dir.resolve("key.pem"), "x");
        BuildkitAddress addr = new BuildkitAddress("tcp://buildkitd:1234", ca, cert, key, "buildkitd");
        CachePolicy cache = CachePolicy.of("reg.example/c", "dev", "main");
        BuildInvocation inv = new BuildctlDriver(addr, new ProcessRunner(new LocalCommandRunner())).invocation(plan(true, false, cache), Map.of());
        List<String> a = inv.argv();
        assertThat(a.subList(0, 11)).containsExactly("buildctl", "--addr", "tcp://buildkitd:1234", "--tlsservername",
                "buildkitd", "--tlscacert", ca.toString(), "--tlscert", cert.toString(), "--tlskey", key.toString());
        assertThat(a).containsSubsequence("build", "--frontend", "dockerfile.v0", "--progress", "rawjson")
                .containsSubsequence("--local", "context=" + dir.resolve("ctx"))
                .containsSubsequence("--local", "dockerfile=" + dir)
                .containsSubsequence("--opt", "filename=Dockerfile")
                .containsSubsequence("--opt", "target=runtime")
                .containsSubsequence("--opt", "build-arg:VERSION=1.2.3")
                .containsSubsequence("--opt", "platform=linux/amd64,linux/arm64")
                .containsSubsequence("--opt", "label:org.opencontainers.image.title=orders")
                .containsSubsequence("--local", "gomodcache=" + dir.resolve("gomod"), "--opt", "context:gomodcache=local:gomodcache")
                .containsSubsequence("--opt", "force-network-mode=host", "--allow", "network.host")
                .containsSubsequence("--output", "type=image,\"name=reg.example/shop/orders:1.2.3,reg.example/shop/orders:main\",push=true")
                .containsSubsequence("--import-cache", "type=registry,ref=reg.example/c:dev",
                        "--import-cache", "type=registry,ref=reg.example/c:main")
                .containsSubsequence("--export-cache", "type=registry,ref=reg.example/c:dev,mode=max,image-manifest=true,"
                        + "oci-mediatypes=true,ignore-error=true")
                .containsSubsequence("--metadata-file", dir.resolve("meta.json").toString());
        assertThat(a).noneMatch(s -> s.startsWith("attest:"));
    }

    @Test
    void buildctlRefusesLoadWithAClearMessage() {
        BuildctlDriver d = new BuildctlDriver(BuildkitAddress.of("unix:///run/buildkit/buildkitd.sock"), new ProcessRunner(new LocalCommandRunner()));
        assertThatThrownBy(() -> d.invocation(plan(false, true, CachePolicy.disabled()), Map.of()))
                .isInstanceOf(InvalidImageConfigException.class).hasMessageContaining("--load needs the buildx driver");
    }

    @Test
    void buildkitAddressesAreValidated() {
        assertThat(BuildkitAddress.of("docker-container://buildkitd").buildctlFlags())
                .containsExactly("--addr", "docker-container://buildkitd");
        assertThat(BuildkitAddress.of("kube-pod://buildkitd-0?namespace=ci").scheme()).isEqualTo("kube-pod");
        assertThat(BuildkitAddress.of("tcp://10.0.0.1:1234").tcpEndpoint().getPort()).isEqualTo(1234);
        assertThatThrownBy(() -> BuildkitAddress.of("http://x")).hasMessageContaining("unsupported scheme");
        assertThatThrownBy(() -> new BuildkitAddress("unix:///s", dir.resolve("ca"), null, null, null))
                .hasMessageContaining("only used with tcp://");
        assertThatThrownBy(() -> new BuildkitAddress("tcp://h:1", null, dir.resolve("missing.pem"), dir.resolve("k"), null))
                .hasMessageContaining("not readable");
    }

    @Test
    void displayedCommandLinesHideSecrets() {
        BuildInvocation inv = new BuildInvocation(List.of("docker", "buildx", "build", "--build-arg", "TOKEN=hunter22"), Map.of());
        assertThat(inv.display(SecretMasker.of(List.of("hunter22")))).isEqualTo("docker buildx build --build-arg TOKEN=****");
    }
}
