package io.gopipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

class AffectedCommandTest {

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = GopipeCommand.newCommandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    private void write(String path, String content) throws Exception {
        Path p = tmp.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    private String commit(Git git) throws Exception {
        git.add().addFilepattern(".").call();
        return git.commit().setMessage("c").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").call().name();
    }

    private String repoWithChange() throws Exception {
        try (Git git = Git.init().setDirectory(tmp.toFile()).setInitialBranch("main").call()) {
            write("go.mod", "module example.com/m\n\ngo 1.22\n");
            write("cmd/api/main.go", "package main\n\nimport _ \"example.com/m/lib\"\n\nfunc main() {}\n");
            write("cmd/other/main.go", "package main\n\nfunc main() {}\n");
            write("lib/lib.go", "package lib\n");
            String base = commit(git);
            write("lib/lib.go", "package lib\n\nconst X = 1\n");
            commit(git);
            return base;
        }
    }

    @Test
    void jsonListsTheAffectedServiceWithItsChain() throws Exception {
        String base = repoWithChange();
        int code = run("affected", "--repo", tmp.toString(), "--base", base);
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("\"all\": false").contains("\"name\": \"api\"")
                .contains("[\"example.com/m/lib\", \"example.com/m/cmd/api\", \"api\"]")
                .doesNotContain("\"name\": \"other\"");
    }

    @Test
    void ciEnvComparesWithTheLastSuccessfulCommitOrBuildsEverythingOnAFirstBuild() throws Exception {
        String base = repoWithChange();
        CommandLine cl = GopipeCommand.newCommandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        AffectedCommand affected = cl.getSubcommands().get("affected").getCommand();
        affected.environment = java.util.Map.of("GIT_PREVIOUS_SUCCESSFUL_COMMIT", base, "BRANCH_NAME", "main");
        assertThat(cl.execute("affected", "--repo", tmp.toString(), "--ci-env")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("\"all\": false").contains("\"name\": \"api\"").doesNotContain("\"name\": \"other\"");
        assertThat(err.toString()).contains("last successful build's commit " + base);

        out.getBuffer().setLength(0);
        CommandLine first = GopipeCommand.newCommandLine();
        first.setOut(new PrintWriter(out));
        first.setErr(new PrintWriter(err));
        AffectedCommand firstBuild = first.getSubcommands().get("affected").getCommand();
        firstBuild.environment = java.util.Map.of("BRANCH_NAME", "feature/x");
        assertThat(first.execute("affected", "--repo", tmp.toString(), "--ci-env")).isZero();
        assertThat(out.toString()).contains("\"all\": true").contains("no previous successful build of feature/x")
                .contains("\"name\": \"other\"");
    }

    @Test
    void textAndMermaidFormatsExplainWhy() throws Exception {
        String base = repoWithChange();
        assertThat(run("affected", "--repo", tmp.toString(), "--base", base, "--format", "text")).isZero();
        assertThat(out.toString()).contains("1 service(s) to rebuild")
                .contains("why: lib/lib.go -> example.com/m/lib -> example.com/m/cmd/api -> api");
        out.getBuffer().setLength(0);
        Path file = tmp.resolve("out/graph.mmd");
        assertThat(run("affected", "--repo", tmp.toString(), "--base", base, "--format", "mermaid", "--output", file.toString())).isZero();
        assertThat(Files.readString(file)).startsWith("flowchart LR").contains("lib/lib.go").contains("--> n");
    }

    @Test
    void missingBaseGivesAllWithReason() throws Exception {
        repoWithChange();
        assertThat(run("affected", "--repo", tmp.toString(), "--since-commit", "0000000000000000000000000000000000000000")).isZero();
        assertThat(out.toString()).contains("\"all\": true").contains("all zeros").contains("\"name\": \"other\"");
    }

    @Test
    void changedFileListAndParseCacheWork() throws Exception {
        repoWithChange();
        Path list = tmp.resolve("changes.txt");
        Files.writeString(list, "lib/lib.go\n");
        Path cacheDir = tmp.resolve("pc");
        assertThat(run("affected", "--repo", tmp.toString(), "--files", list.toString(), "--parse-cache", cacheDir.toString())).isZero();
        assertThat(Files.exists(cacheDir.resolve("parse-cache.bin"))).isTrue();
        String first = out.toString();
        out.getBuffer().setLength(0);
        assertThat(run("affected", "--repo", tmp.toString(), "--files", list.toString(), "--parse-cache", cacheDir.toString())).isZero();
        assertThat(out.toString()).isEqualTo(first).contains("\"name\": \"api\"");
    }

    @Test
    void badInputExitsWithTwoAndNamesTheFlag() throws Exception {
        assertThat(run("affected", "--repo", tmp.resolve("nope").toString(), "--base", "HEAD~1")).isEqualTo(2);
        assertThat(err.toString()).contains("--repo").contains("nope");
        err.getBuffer().setLength(0);
        assertThat(run("affected", "--repo", tmp.toString(), "--base", "x", "--format", "yaml")).isEqualTo(2);
        assertThat(err.toString()).contains("--format");
        err.getBuffer().setLength(0);
        assertThat(run("affected", "--repo", tmp.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--base");
        err.getBuffer().setLength(0);
        assertThat(run("affected", "--repo", tmp.toString(), "--files", tmp.resolve("missing.txt").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--files");
    }

    @Test
    void malformedGoModExitsWithTwoNamingFileAndLine() throws Exception {
        try (Git git = Git.init().setDirectory(tmp.toFile()).setInitialBranch("main").call()) {
            write("go.mod", "module example.com/m\n\ngo 1.22\nrequire example.com/x\n");
            write("main.go", "package main\n\nfunc main() {}\n");
            commit(git);
        }
        assertThat(run("affected", "--repo", tmp.toString(), "--base", "HEAD")).isEqualTo(2);
        assertThat(err.toString()).contains("go.mod:4:");
    }
}
