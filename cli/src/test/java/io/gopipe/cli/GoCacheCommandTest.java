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
}
