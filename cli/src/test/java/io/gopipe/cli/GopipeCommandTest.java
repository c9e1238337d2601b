package io.gopipe.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class GopipeCommandTest {

    @Test
    void aRunBuildsOnlyTheSubcommandItNames() {
        assertThat(GopipeCommand.newCommandLine("cache").getSubcommands()).containsOnlyKeys("cache");
        assertThat(GopipeCommand.newCommandLine("gocache").getSubcommands()).containsOnlyKeys("gocache");
        assertThat(GopipeCommand.newCommandLine("help").getSubcommands())
                .containsOnlyKeys("help", "affected", "fixture", "cache", "image", "gocache");
        assertThat(GopipeCommand.newCommandLine("--version").getSubcommands()).hasSize(6);
    }

    @Test
    void helpForASubcommandAndAnUnknownCommandStillWork() {
        StringWriter out = new StringWriter();
        CommandLine help = GopipeCommand.newCommandLine("help");
        help.setOut(new PrintWriter(out));
        assertThat(help.execute("help", "cache")).isZero();
        assertThat(out.toString()).contains("restore").contains("save");

        StringWriter err = new StringWriter();
        CommandLine unknown = GopipeCommand.newCommandLine("bogus");
        unknown.setErr(new PrintWriter(err));
        assertThat(unknown.execute("bogus")).isNotZero();
        assertThat(err.toString()).contains("bogus");
    }
}
