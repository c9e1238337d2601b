package io.gopipe.core.image;

import io.gopipe.core.report.RecordingReporter;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tunnel's early prefetch: one hello per key however often a build asks (a batch starts each
 * build's key as the build begins, and the first builds' keys already at open), each naming its key.
 * The daemon side is a plain socket that records the hellos and hangs up when the tunnel does.
 */
class AgentTunnelPrefetchTest {

    @Test
    void eachKeyIsPrefetchedOnce() throws Exception {
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "gp-pf-");
        Path sock = dir.resolve("d.sock");
        List<String> hellos = new CopyOnWriteArrayList<>();
        List<Thread> readers = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            Thread acceptor = new Thread(() -> {
                while (server.isOpen()) {
                    try {
                        SocketChannel c = server.accept();
                        Thread t = new Thread(() -> {
                            try (c; BufferedReader r = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8))) {
                                String line = r.readLine();
                                if (line != null) {
                                    hellos.add(line);
                                }
                                while (r.readLine() != null) {
                                    // until the tunnel ends its side
                                }
                            } catch (Exception e) {
                                // the test reads what arrived
                            }
                        });
                        readers.add(t);
                        t.start();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();

            AgentTunnel tunnel = AgentTunnel.start(dir.resolve("t"), "unix:" + sock, new RecordingReporter());
            tunnel.prefetch("svc-a@main");
            tunnel.prefetch("svc-b@main");
            tunnel.prefetch("svc-a@main");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (hellos.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(200); // a third hello, if one were sent, arrives meanwhile
            tunnel.close();
            for (Thread t : readers) {
                t.join(5000);
            }
        } finally {
            ImageBuilder.deleteTree(dir);
        }
        assertThat(hellos).hasSize(2);
        assertThat(hellos).anySatisfy(h -> assertThat(h).contains("\"Key\":\"svc-a@main\"").contains("early prefetch"));
        assertThat(hellos).anySatisfy(h -> assertThat(h).contains("\"Key\":\"svc-b@main\""));
    }
}
