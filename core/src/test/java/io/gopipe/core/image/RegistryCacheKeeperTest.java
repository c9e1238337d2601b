package io.gopipe.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The thinning guard against the test environment's registry ({@code .ci/test-env up}): blobs and
 * manifests are written with the registry API, the "thinned" manifest lists a subset of the full
 * one's layers, as BuildKit's export of an all-cached build does.
 */
class RegistryCacheKeeperTest {

    static final String REGISTRY = "127.0.0.1:5000";
    static final String OCI = "application/vnd.oci.image.manifest.v1+json";

    final RegistryManifests manifests = new RegistryManifests(Duration.ofSeconds(5));
    String repo;
    RegistryManifests.Manifest full;
    RegistryManifests.Manifest thin;

    @BeforeEach
    void pushFullAndThinManifests() throws Exception {
        repo = "gopipe-keeper-" + UUID.randomUUID().toString().substring(0, 8) + "/cache";
        String config = blob("{}".getBytes(StandardCharsets.UTF_8));
        List<String> layers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            layers.add(blob(("layer " + i + " " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8)));
        }
        full = new RegistryManifests.Manifest(manifest(config, layers), OCI);
        thin = new RegistryManifests.Manifest(manifest(config, layers.subList(2, 4)), OCI);
        assertThat(manifests.put(ref("full"), full, null)).isTrue();
    }

    @Test
    void anAllCachedBuildsThinnerExportIsReplacedByTheManifestBeforeIt() {
        assertThat(manifests.put(ref("main"), thin, null)).isTrue();
        boolean kept = new RegistryCacheKeeper(manifests).keep(ref("main"), full, steps(true, true), null);
        assertThat(kept).isTrue();
        assertThat(manifests.get(ref("main"), null).orElseThrow().blobs()).isEqualTo(full.blobs()).hasSize(4);
    }

    @Test
    void aBuildThatRanAStepOrExportedSomethingNewKeepsItsExport() {
        assertThat(manifests.put(ref("main"), thin, null)).isTrue();
        RegistryCacheKeeper keeper = new RegistryCacheKeeper(manifests);
        assertThat(keeper.keep(ref("main"), full, steps(true, false), null)).as("a RUN ran").isFalse();
        assertThat(manifests.get(ref("main"), null).orElseThrow().blobs()).hasSize(2);
        // The export holds a layer the old manifest lacks: not a thinning, kept as it is.
        assertThat(keeper.keep(ref("main"), thin, steps(true, true), null)).isFalse();
        assertThat(manifests.put(ref("main"), full, null)).isTrue();
        assertThat(keeper.keep(ref("main"), thin, steps(true, true), null)).isFalse();
        assertThat(manifests.get(ref("main"), null).orElseThrow().blobs()).hasSize(4);
    }

    private static List<BuildStep> steps(boolean copyCached, boolean runCached) {
        return List.of(new BuildStep("#1", "[build 1/3] FROM golang", Duration.ZERO, false, null),
                new BuildStep("#2", "[build 2/3] COPY . .", Duration.ZERO, copyCached, null),
                new BuildStep("#3", "[build 3/3] RUN go build ./...", Duration.ofSeconds(1), runCached, null));
    }

    private String ref(String tag) {
        return REGISTRY + "/" + repo + ":" + tag;
    }

    private static byte[] manifest(String config, List<String> layers) {
        StringBuilder b = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + OCI + "\",\"config\":"
                + "{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + config + "\",\"size\":2},"
                + "\"layers\":[");
        for (int i = 0; i < layers.size(); i++) {
            String[] d = layers.get(i).split(" ");
            b.append(i == 0 ? "" : ",").append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"")
                    .append(d[0]).append("\",\"size\":").append(d[1]).append("}");
        }
        return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Uploads a blob monolithically; returns its digest (and, for layers, " size"). */
    private String blob(byte[] content) throws Exception {
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        HttpURLConnection post = (HttpURLConnection) URI.create("http://" + REGISTRY + "/v2/" + repo + "/blobs/uploads/")
                .toURL().openConnection();
        post.setRequestMethod("POST");
        assertThat(post.getResponseCode()).isEqualTo(202);
        String location = post.getHeaderField("Location");
        URI put = URI.create("http://" + REGISTRY).resolve(location);
        HttpURLConnection c = (HttpURLConnection) URI.create(put + (put.getQuery() == null ? "?" : "&") + "digest=" + digest)
                .toURL().openConnection();
        c.setRequestMethod("PUT");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/octet-stream");
        try (OutputStream out = c.getOutputStream()) {
            out.write(content);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        assertThat(c.getResponseCode()).isEqualTo(201);
        return content.length == 2 ? digest : digest + " " + content.length;
    }
}
