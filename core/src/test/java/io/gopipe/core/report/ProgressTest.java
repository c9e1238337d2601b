package io.gopipe.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void rateAndEtaFollowFromBytesAndElapsedTime() {
        Progress p = new Progress("restore", 500, 1500, 10, -1, Duration.ofSeconds(5));
        assertThat(p.bytesPerSecond()).isEqualTo(100.0);
        assertThat(p.eta()).contains(Duration.ofSeconds(10));
    }

    @Test
    void etaIsUnknownWithoutTotalOrRate() {
        assertThat(new Progress("t", 10, -1, 0, -1, Duration.ofSeconds(1)).eta()).isEmpty();
        assertThat(new Progress("t", 0, 100, 0, -1, Duration.ZERO).eta()).isEmpty();
    }
}
