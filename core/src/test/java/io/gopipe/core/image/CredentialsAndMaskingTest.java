package io.gopipe.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsAndMaskingTest {

    @TempDir
    Path dir;

    @Test
    void temporaryDockerConfigHoldsTheLoginPrivatelyAndIsRemoved() throws Exception {
        Path user = Files.createDirectories(dir.resolve("user-docker"));
        Files.createDirectories(user.resolve("buildx/instances"));
        Files.writeString(user.resolve("config.json"), "{\"currentContext\":\"remote\",\"auths\":{\"x\":{\"auth\":\"old\"}}}");
        RegistryCredentials creds = new RegistryCredentials("127.0.0.1:5000", "ci", "p@ss:word");
        Path cfgDir;
        try (TemporaryDockerConfig cfg = TemporaryDockerConfig.create(dir, creds, user)) {
            cfgDir = cfg.dir();
            assertThat(cfg.env()).containsEntry("DOCKER_CONFIG", cfgDir.toString());
            Path json = cfgDir.resolve("config.json");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(json))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cfgDir))).isEqualTo("rwx------");
            JsonNode root = new ObjectMapper().readTree(json.toFile());
            String auth = root.path("auths").path("127.0.0.1:5000").path("auth").asText();
            assertThat(new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8)).isEqualTo("ci:p@ss:word");
            assertThat(root.path("auths").has("x")).isFalse();
            assertThat(root.path("currentContext").asText()).isEqualTo("remote");
            assertThat(Files.isSymbolicLink(cfgDir.resolve("buildx"))).isTrue();
        }
        assertThat(cfgDir).doesNotExist();
        assertThat(user.resolve("buildx/instances")).isDirectory();
        assertThat(creds.toString()).doesNotContain("p@ss:word");
    }

    @Test
    void dockerHubLoginUsesItsHistoricalKey() {
        assertThat(TemporaryDockerConfig.authKey("docker.io")).isEqualTo("https://index.docker.io/v1/");
        assertThat(ImageReference.registry("golang:1.24")).isEqualTo("docker.io");
        assertThat(ImageReference.registry("127.0.0.1:5000/a/b:1")).isEqualTo("127.0.0.1:5000");
        assertThat(ImageReference.registry("localhost/a")).isEqualTo("localhost");
        assertThat(ImageReference.repository("r:5000/a/b:1@sha256:00")).isEqualTo("r:5000/a/b");
        assertThat(ImageReference.endpoint("r.example").getPort()).isEqualTo(443);
    }

    @Test
    void maskerHidesValuesAndTheirBase64() {
        SecretMasker m = SecretMasker.of(List.of("CANARY-123", "ab"));
        String b64 = Base64.getEncoder().encodeToString("CANARY-123".getBytes(StandardCharsets.UTF_8));
        assertThat(m.mask("x CANARY-123 y " + b64 + " ab")).isEqualTo("x **** y **** ab");
        assertThat(SecretMasker.none().mask("CANARY-123")).isEqualTo("CANARY-123");
    }

    @Test
    void secretsAndCredentialsAreValidated() throws Exception {
        Path f = Files.writeString(dir.resolve("tok"), "t");
        assertThat(SecretSpec.parse("id=tok,src=" + f).toFlag()).isEqualTo("id=tok,src=" + f.toAbsolutePath());
        assertThat(SecretSpec.parse("id=npm,env=NPM_TOKEN").env()).isEqualTo("NPM_TOKEN");
        assertThatThrownBy(() -> SecretSpec.parse("id=x")).hasMessageContaining("exactly one of src=FILE or env=VAR");
        assertThatThrownBy(() -> SecretSpec.parse("id=x,src=/nope/file")).hasMessageContaining("not readable");
        assertThatThrownBy(() -> SecretSpec.parse("id=x,type=file")).hasMessageContaining("unknown key 'type'");
        assertThatThrownBy(() -> new RegistryCredentials("r", "u", "")).hasMessageContaining("username and a password");
    }

    @Test
    void originUrlsLoseTheirCredentials() {
        assertThat(SourceInfo.withoutUserInfo("https://bot:tok3n@git.example/shop.git")).isEqualTo("https://git.example/shop.git");
        assertThat(SourceInfo.withoutUserInfo("git@github.com:o/r.git")).isEqualTo("git@github.com:o/r.git");
    }

    @Test
    void retryBackoffGrows() {
        RetryPolicy p = new RetryPolicy(4, java.time.Duration.ofSeconds(1), 2);
        assertThat(p.backoffBefore(1)).isZero();
        assertThat(p.backoffBefore(2)).hasSeconds(1);
        assertThat(p.backoffBefore(4)).hasSeconds(4);
        assertThat(BuildFailure.isTransientPushError(List.of(new BuildStep("#9", "exporting to image",
                java.time.Duration.ZERO, false, "failed to push r/a:1: 503 Service Unavailable")),
                List.of("ERROR: failed to push r/a:1: 503 Service Unavailable"))).isTrue();
        assertThat(BuildFailure.isTransientPushError(List.of(), List.of("undefined: fmt.Printn"))).isFalse();
    }
}
