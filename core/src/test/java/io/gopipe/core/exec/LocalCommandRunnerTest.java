package io.gopipe.core.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local runner with real processes, and the line handling every runner shares. */
class LocalCommandRunnerTest {

    static final String GO = "/usr/lib/go-1.24/bin/go";
    final LocalCommandRunner runner = new LocalCommandRunner();

    @TempDir
    Path tmp;

    @Test
    void environmentChangesWorkingDirectoryAndMaskedLinesReachTheCommand() {
        List<String> lines = new CopyOnWriteArrayList<>();
        CommandResult r = runner.run(CommandRequest.of("sh", "-c", "pwd; echo \"$ADDED\"; echo \"${HOME:-unset}\"; echo s3cr3t >&2; exit 3")
                .withEnv(Map.of("ADDED", "added-value")).withUnset(Set.of("HOME")).withWorkDir(tmp)
                .withMasker(l -> l.replace("s3cr3t", "****")).withLines(lines::add));
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.succeeded()).isFalse();
        assertThat(lines).containsExactly(tmp.toString(), "added-value", "unset", "****");
        assertThat(r.tail()).isEqualTo(lines);
        assertThat(r.lastLine()).isEqualTo("****");
    }

    @Test
    void aMissingProgramIsTheShellsNotFoundWithTheReason() {
        CommandResult r = runner.run(CommandRequest.of(tmp.resolve("no-such-go").toString(), "env"));
        assertThat(r.notFound()).isTrue();
        assertThat(r.exitCode()).isEqualTo(CommandResult.NOT_FOUND);
        assertThat(r.lastLine()).contains("no-such-go").contains("No such file");
    }

    @Test
    void aCommandPastItsTimeoutIsKilled() {
        CommandResult r = runner.run(CommandRequest.of("sh", "-c", "echo started; exec sleep 60")
                .withTimeout(Duration.ofMillis(300)));
        assertThat(r.timedOut()).isTrue();
        assertThat(r.succeeded()).isFalse();
        assertThat(r.tail()).containsExactly("started");
    }

    @Test
    void theTailKeepsTheLastLines() {
        CommandResult r = runner.run(CommandRequest.of("sh", "-c", "i=0; while [ $i -lt 100 ]; do echo line$i; i=$((i+1)); done"));
        assertThat(r.tail()).hasSize(OutputLines.TAIL_LINES).endsWith("line99").startsWith("line60");
    }

    @Test
    void outputLinesJoinSplitWritesAndKeepALastLineWithoutNewline() {
        List<String> lines = new CopyOnWriteArrayList<>();
        OutputLines out = new OutputLines(l -> l.toUpperCase(), lines::add);
        byte[] bytes = "ab\r\ncd\nef".getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, 3);
        out.write(bytes, 3, 4);
        out.write(bytes, 7, 2);
        assertThat(lines).containsExactly("AB", "CD");
        out.close();
        assertThat(lines).containsExactly("AB", "CD", "EF");
        assertThat(out.tail()).containsExactly("AB", "CD", "EF");
    }

    @Test
    void goEnvAsksTheGivenGoInTheGivenDirectory() throws Exception {
        Files.writeString(tmp.resolve("go.mod"), "module example.com/x\n\ngo 1.24\n");
        Map<String, String> env = GoEnv.read(runner, GO, tmp, List.of("GOVERSION", "GOMOD", "GOOS"));
        assertThat(env.get("GOVERSION")).startsWith("go1.24");
        assertThat(env.get("GOMOD")).isEqualTo(tmp.resolve("go.mod").toString());
        assertThat(env.get("GOOS")).isEqualTo("linux");
    }

    @Test
    void goEnvNamesTheBinaryThatCannotRun() {
        assertThatThrownBy(() -> GoEnv.read(runner, tmp.resolve("go").toString(), null, List.of("GOVERSION")))
                .isInstanceOf(CommandException.class)
                .hasMessageContaining("cannot run '" + tmp.resolve("go") + "'");
    }
}
