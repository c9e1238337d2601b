package io.gopipe.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The one-HEAD lookup of the bridge image against the test environment's registry
 * ({@code .ci/test-env up} pushes the base images there): present, absent, and "don't know".
 */
class RegistryManifestsTest {

    final RegistryManifests manifests = new RegistryManifests(Duration.ofSeconds(5));

    @Test
    void aPushedTagExistsAndAnotherDoesNot() {
        String image = ImageEngineIntegrationTest.LOCAL_IMAGES.go();
        assertThat(manifests.exists(image, null)).as(image).contains(true);
        assertThat(manifests.exists(ImageReference.repository(image) + ":gopipe-no-such-tag", null)).contains(false);
        assertThat(manifests.exists("127.0.0.1:5000/gopipe/no-such-repo:latest", null)).contains(false);
    }

    @Test
    void whatTheRegistryDoesNotAnswerIsUnknownSoTheCallerFallsBack() {
        assertThat(manifests.exists("127.0.0.1:1/gopipe/x:y", null)).isEqualTo(Optional.empty());
        assertThat(manifests.exists("library/golang:1.24", null)).as("Docker Hub is not asked").isEmpty();
        assertThat(manifests.exists("127.0.0.1:5000/gopipe/x@sha256:00", null)).isEmpty();
    }

    @Test
    void plainHttpOnlyForLoopbackRegistries() {
        assertThat(RegistryManifests.loopback("127.0.0.1:5000")).isTrue();
        assertThat(RegistryManifests.loopback("localhost:5000")).isTrue();
        assertThat(RegistryManifests.loopback("[::1]:5000")).isTrue();
        assertThat(RegistryManifests.loopback("registry.example.com")).isFalse();
        assertThat(RegistryManifests.loopback("10.1.2.3:5000")).isFalse();
    }
}
