package io.gopipe.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.gopipe.core.gocache.GoCacheOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image job's own gocache daemon without any build: where it listens, how it ends, how it fails. */
class EmbeddedGoCacheDaemonTest {

    @TempDir
    Path tmp;

    @Test
    void listensOnAShortUnixSocketInItsOwnFolderAndRemovesItAtClose() throws Exception {
        ImageEngineIntegrationTest.CapturingReporter log = new ImageEngineIntegrationTest.CapturingReporter();
        EmbeddedGoCacheDaemon d = EmbeddedGoCacheDaemon.start(GoCacheOptions.of("local:" + tmp.resolve("store"),
                tmp.resolve("tier")).withQuiet(true), log);
        assertThat(d).isNotNull();
        String address = d.address();
        assertThat(address).startsWith("unix:" + d.dir());
        assertThat(address.length() - 5).isLessThanOrEqualTo(EmbeddedGoCacheDaemon.MAX_SOCKET_PATH);
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(address.substring(5)))) {
            assertThat(c.isConnected()).isTrue();
        }
        assertThat(d.dir().resolve("daemon.lock")).as("its lock file is in its own folder").exists();
        assertThat(tmp.resolve("tier")).isDirectory();
        d.close();
        assertThat(d.dir()).doesNotExist();
        assertThat(log.warnings()).isEmpty();
        assertThat(log.lines()).anySatisfy(l -> assertThat(l).startsWith("gocache daemon: serving " + address))
                .anySatisfy(l -> assertThat(l).startsWith("gocache daemon: stopping after "));
    }

    @Test
    void aTempFolderTooDeepForAUnixSocketGivesALoopbackPort() throws Exception {
        Path deep = Files.createDirectories(tmp.resolve("a-temp-folder-whose-path-is-long".repeat(3)));
        ImageEngineIntegrationTest.CapturingReporter log = new ImageEngineIntegrationTest.CapturingReporter();
        EmbeddedGoCacheDaemon d = EmbeddedGoCacheDaemon.start(GoCacheOptions.of("local:" + tmp.resolve("store"),
                tmp.resolve("tier")).withQuiet(true), log, deep);
        String address = d.address();
        assertThat(address).startsWith("tcp:127.0.0.1:");
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        try (SocketChannel c = SocketChannel.open(new java.net.InetSocketAddress("127.0.0.1", port))) {
            assertThat(c.isConnected()).isTrue();
        }
        assertThat(d.dir()).startsWith(deep);
        d.close();
        assertThat(d.dir()).doesNotExist();
        assertThat(log.warnings()).isEmpty();
    }

    @Test
    void aDaemonThatCannotStartIsOneWarningAndNoAddress() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        ImageEngineIntegrationTest.CapturingReporter log = new ImageEngineIntegrationTest.CapturingReporter();
        EmbeddedGoCacheDaemon d = EmbeddedGoCacheDaemon.start(GoCacheOptions.of("local:" + tmp.resolve("store"),
                file.resolve("tier")).withQuiet(true), log);
        assertThat(d.address()).isNull();
        assertThat(d.address()).as("asked again: no second warning").isNull();
        d.close();
        assertThat(log.warnings()).singleElement().satisfies(w -> assertThat(w)
                .contains("the Go build cache daemon of this job did not start").contains("building without the remote Go build cache")
                .contains(file.resolve("tier").toString()));
        assertThat(d.dir()).doesNotExist();
    }

    @Test
    void aJobThatEndsBeforeTheBuildsStillStopsItsDaemon() throws Exception {
        ImageEngineIntegrationTest.CapturingReporter log = new ImageEngineIntegrationTest.CapturingReporter();
        EmbeddedGoCacheDaemon d = EmbeddedGoCacheDaemon.start(GoCacheOptions.of("local:" + tmp.resolve("store"),
                tmp.resolve("tier")).withQuiet(true), log);
        d.close(); // never asked for its address: the plan failed, or listed no service
        assertThat(d.dir()).doesNotExist();
        assertThat(log.warnings()).isEmpty();
    }

    @Test
    void theJobKeysEachServiceForItsOwnDaemonAsForARunningOne() throws Exception {
        Files.writeString(tmp.resolve("go.mod"), "module example.com/shop\n\ngo 1.24\n");
        Files.createDirectories(tmp.resolve("cmd/orders"));
        Files.writeString(tmp.resolve("cmd/orders/main.go"), "package main\n\nfunc main() {}\n");
        ImageJobOptions o = ImageJobOptions.builder().repo(tmp.toString()).services(java.util.List.of("orders"))
                .registry("reg.example/shop").branch("feature/x").goCacheBackend("local:" + tmp.resolve("store")).build();
        java.util.List<ImageBuildRequest> plan = new ImageJob(o, java.util.Map.of(), new io.gopipe.core.exec.LocalCommandRunner(),
                new ImageEngineIntegrationTest.CapturingReporter()).plan();
        assertThat(plan).singleElement().satisfies(r -> assertThat(r.remoteGoCacheKey())
                .isEqualTo("reg.example/shop/orders@feature/x|reg.example/shop/orders@main"));
    }

    @Test
    void theOptionsRefuseWhatTheEmbeddedDaemonCannotHonour() {
        ImageJobOptions.Builder b = ImageJobOptions.builder().repo(tmp.toString()).services(java.util.List.of("orders"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.goCacheBackend("local:/s").goCacheDaemon("unix:/d.sock").build())
                .isInstanceOf(InvalidImageConfigException.class).hasMessageContaining("--gocache-backend local:/s and --gocache-daemon unix:/d.sock");
        b.goCacheDaemon(null);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.goCacheBackend("local:/s").goCache("/gc").build())
                .isInstanceOf(InvalidImageConfigException.class).hasMessageContaining("--gocache-backend local:/s and --gocache /gc");
        b.goCache(null);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.goCacheBackend("gs://bucket").build())
                .isInstanceOf(InvalidImageConfigException.class).hasMessageStartingWith("--gocache-backend gs://bucket: unknown scheme");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.goCacheBackend(null).goCacheDir("/tier").build())
                .isInstanceOf(InvalidImageConfigException.class).hasMessageStartingWith("--gocache-dir /tier needs --gocache-backend");
        assertThat(b.goCacheBackend("s3://bucket/prefix").build().goCacheDir()).isEqualTo("/tier");
    }
}
