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
}
