package io.gopipe.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.gopipe.core.gocache.GoCacheDaemon;
import io.gopipe.core.gocache.GoCacheDaemonOptions;
import io.gopipe.core.gocache.GoCacheOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A real {@code gopipe gocache serve} daemon serving in the test JVM on a unix socket (design (b) tests). */
record ServingDaemon(GoCacheDaemon daemon, CompletableFuture<GoCacheDaemon.Outcome> served, String address,
                     ImageEngineIntegrationTest.CapturingReporter log) {

    /** Serves {@code store} with its own local {@code tier} on {@code socket}; returns once it listens. */
    static ServingDaemon start(Path store, Path tier, Path socket) throws Exception {
        Path ready = socket.resolveSibling(socket.getFileName() + ".ready");
        GoCacheOptions cache = GoCacheOptions.of("local:" + store, tier).withQuiet(true);
        ImageEngineIntegrationTest.CapturingReporter log = new ImageEngineIntegrationTest.CapturingReporter();
        GoCacheDaemon d = new GoCacheDaemon(new GoCacheDaemonOptions(cache, List.of("unix:" + socket), Duration.ZERO, null, ready), log);
        CompletableFuture<GoCacheDaemon.Outcome> served = CompletableFuture.supplyAsync(() -> {
            try {
                return d.serve();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        for (int i = 0; i < 200 && !Files.exists(ready); i++) {
            Thread.sleep(50);
        }
        assertThat(ready).as("the daemon is listening").exists();
        return new ServingDaemon(d, served, "unix:" + socket, log);
    }

    void stop() throws Exception {
        daemon.stop();
        served.get();
    }
}
