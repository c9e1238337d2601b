package io.gopipe.core.gocache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GoCacheProgLineTest {

    @Test
    void s3StoreWithEveryOptionInTheOrderTheCommandReadsThem() {
        assertThat(new GoCacheProgLine("/opt/gopipe/bin/gopipe", "s3://ci/gopipe", "http://127.0.0.1:9000", "eu-west-1",
                true, "job/orders", true).value())
                .isEqualTo("/opt/gopipe/bin/gopipe gocache --backend s3://ci/gopipe --s3-endpoint http://127.0.0.1:9000"
                        + " --s3-region eu-west-1 --s3-path-style --prefetch-key job/orders --read-only");
    }

    @Test
    void aLocalStoreNeedsNoS3Words() {
        assertThat(new GoCacheProgLine(null, "local:/mnt/cache", null, null, false, null, false).value())
                .isEqualTo("gopipe gocache --backend local:/mnt/cache");
    }

    @Test
    void aWordWithASpaceCannotBeCarriedAndIsNamed() {
        assertThatThrownBy(() -> new GoCacheProgLine("gopipe", "local:/mnt/my cache", null, null, false, "k", false).value())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'local:/mnt/my cache'");
        assertThatThrownBy(() -> new GoCacheProgLine("gopipe", "local:/c", null, null, false, "", false).value())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theBridgeLineNamesTheDaemonAndThisBuildsKeyInTheBridgesFlags() {
        assertThat(new GoCacheProgLine.Bridge("/c/gopipe-gocache-bridge-ab", "unix:/tmp/g.sock", "/w/bridge", "svc-a/main", true,
                "/w/stats.jsonl").value())
                .isEqualTo("/c/gopipe-gocache-bridge-ab -daemon unix:/tmp/g.sock -dir /w/bridge -prefetch-key svc-a/main -read-only"
                        + " -stats-json /w/stats.jsonl");
        assertThat(new GoCacheProgLine.Bridge("/c/b", "tcp:127.0.0.1:4000", null, null, false, null).value())
                .isEqualTo("/c/b -daemon tcp:127.0.0.1:4000");
        assertThatThrownBy(() -> new GoCacheProgLine.Bridge("/c/b", "unix:/tmp/my sock", null, null, false, null).value())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'unix:/tmp/my sock'");
    }
}
