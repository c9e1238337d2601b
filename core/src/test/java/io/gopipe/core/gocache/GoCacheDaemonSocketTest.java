package io.gopipe.core.gocache;

import io.gopipe.core.report.Reporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A daemon whose folder was removed under it (a tmp cleaner, a wiped workspace) while a new daemon
 * started on the same socket path: the old one's exit leaves the new one's socket and ready file alone.
 */
class GoCacheDaemonSocketTest {

    @TempDir
    Path work;

    @Test
    void anOldDaemonExitingDeletesOnlyItsOwnSocketAndReadyFile() throws Exception {
        Path dir = work.resolve("run");
        Path socket = dir.resolve("d.sock");
        Path ready = dir.resolve("ready");
        Running old = start(socket, ready, work.resolve("lock-old"), work.resolve("tier-old"));
        assertThat(connects(socket)).isTrue();

        deleteTree(dir); // the folder goes, the old daemon keeps running
        Running next = start(socket, ready, work.resolve("lock-new"), work.resolve("tier-new"));
        old.stop();

        assertThat(socket).exists();
        assertThat(ready).exists();
        assertThat(connects(socket)).as("the new daemon still serves its socket").isTrue();
        next.stop();
        assertThat(socket).doesNotExist();
        assertThat(ready).doesNotExist();
    }

    private record Running(GoCacheDaemon daemon, Thread thread) {
        void stop() throws InterruptedException {
            daemon.stop();
            thread.join(10_000);
        }
    }

    private static Running start(Path socket, Path ready, Path lock, Path tier) throws Exception {
        GoCacheDaemonOptions o = new GoCacheDaemonOptions(GoCacheOptions.of("local:" + tier.resolveSibling(tier.getFileName() + "-store"), tier),
                List.of("unix:" + socket), Duration.ZERO, lock, ready);
        GoCacheDaemon d = new GoCacheDaemon(o, Reporter.silent());
        Thread t = new Thread(() -> {
            try {
                d.serve();
            } catch (Exception ignored) {
                // the assertions below fail instead
            }
        });
        t.start();
        for (int i = 0; i < 500 && !Files.exists(ready); i++) {
            Thread.sleep(10);
        }
        return new Running(d, t);
    }

    private static boolean connects(Path socket) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static void deleteTree(Path dir) throws Exception {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
