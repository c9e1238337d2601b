package io.gopipe.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input to {@code gopipe gocache} is exit 2 with one line naming the flag, before any protocol traffic. */
class GoCacheCommandTest {

    record Run(int exit, String out, String err) {
    }

    private Run gopipe(String... args) {
        CommandLine cli = GopipeCommand.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return new Run(cli.execute(args), out.toString(), err.toString());
    }

    @Test
    void aBadDurationNamesTheFlag() {
        Run r = gopipe("gocache", "--backend", "local:/tmp/x", "--timeout", "soon");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("gopipe gocache: --timeout 'soon' is not a duration like 90s, 5m or 14d");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aMalformedBackendNamesIt() {
        Run r = gopipe("gocache", "--backend", "ftp://host/x");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("gopipe gocache: --backend ftp://host/x: unknown scheme, use local:DIR or s3://bucket/prefix");
    }

    @Test
    void theBackendIsRequired() {
        Run r = gopipe("gocache");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--backend");
    }

    @Test
    void serveNeedsAnAddressAndRefusesANonLoopbackOne() {
        Run none = gopipe("gocache", "serve", "--backend", "local:/tmp/x");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err().strip()).isEqualTo("gopipe gocache serve: give --socket PATH and/or --tcp 127.0.0.1:PORT");
        Run remote = gopipe("gocache", "serve", "--backend", "local:/tmp/x", "--tcp", "10.1.2.3:4000", "--lock",
                System.getProperty("java.io.tmpdir") + "/gopipe-serve-test.lock");
        assertThat(remote.exit()).isEqualTo(2);
        assertThat(remote.err().strip()).startsWith("gopipe gocache serve: gocache serve address 'tcp:10.1.2.3:4000' is not a loopback address");
        Run noBackend = gopipe("gocache", "serve", "--socket", "/tmp/x.sock");
        assertThat(noBackend.exit()).isEqualTo(2);
        assertThat(noBackend.err()).contains("--backend");
    }

    @Test
    void bridgeRefusesGoOlderThan124NamingItsVersion() {
        Run r = gopipe("gocache", "bridge", "--daemon", "unix:/tmp/x.sock", "--go", "/usr/lib/go-1.19/bin/go", "--cache-dir",
                System.getProperty("java.io.tmpdir") + "/gopipe-bridge-test");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("gopipe gocache bridge: '/usr/lib/go-1.19/bin/go' is go1.19");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void bridgeNamesABadBackendBeforeBuildingAnything() {
        Run r = gopipe("gocache", "bridge", "--daemon", "unix:/tmp/x.sock", "--backend", "ftp://somewhere/x", "--cache-dir",
                System.getProperty("java.io.tmpdir") + "/gopipe-bridge-test-backend");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("gopipe gocache bridge: --backend ftp://somewhere/x");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void bridgeTakesTheBridgeFromTheStoreWhenAnotherAgentBuiltIt() throws Exception {
        java.nio.file.Path tmp = java.nio.file.Files.createTempDirectory("gopipe-bridge-shelf");
        String go = System.getenv().getOrDefault("GOPIPE_GO124", "/usr/lib/go-1.24/bin/go");
        Run first = gopipe("gocache", "bridge", "--daemon", "tcp:127.0.0.1:1", "--go", go, "--backend", "local:" + tmp.resolve("store"),
                "--cache-dir", tmp.resolve("agent-a").toString());
        assertThat(first.exit()).as(first.err()).isEqualTo(0);
        try (var s = java.nio.file.Files.list(tmp.resolve("store").resolve("gocache").resolve("t"))) {
            assertThat(s.count()).as("published").isEqualTo(1);
        }
        Run second = gopipe("gocache", "bridge", "--daemon", "tcp:127.0.0.1:1", "--go", go, "--backend", "local:" + tmp.resolve("store"),
                "--cache-dir", tmp.resolve("agent-b").toString(), "--read-only", "--output", tmp.resolve("line").toString());
        assertThat(second.exit()).as(second.err()).isEqualTo(0);
        // --output holds the same line (the plugin reads it: a pod container's exec merges stderr into stdout).
        assertThat(java.nio.file.Files.readString(tmp.resolve("line"))).isEqualTo(second.out().strip() + "\n");
        String bin = second.out().strip().split(" ")[0];
        assertThat(bin).startsWith(tmp.resolve("agent-b").toString());
        assertThat(java.nio.file.Files.mismatch(java.nio.file.Path.of(first.out().strip().split(" ")[0]), java.nio.file.Path.of(bin)))
                .isEqualTo(-1L);
    }
}
