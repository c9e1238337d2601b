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

class FixtureCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = GopipeCommand.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    static String shop() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("test-repos/shop/base"))) {
                return d.resolve("test-repos/shop").toString();
            }
        }
        throw new IllegalStateException("test-repos/shop not found");
    }

    @Test
    void listShowsEveryChangeSetWithItsExpectation() {
        assertThat(run("fixture", "list", shop())).isZero();
        assertThat(out.toString())
                .contains("fixture shop: 38 change sets")
                .containsPattern("03-shared-package-fan-out +affected=\\[admin,catalog,gateway,inventory,orders,payments\\]")
                .containsPattern("16-legacy-plus-build-debug-tag +affected=\\[catalog,gateway\\] target=linux/amd64,tags=debug")
                .containsPattern("38-range-over-several-commits +affected=\\[catalog,shipping\\] base=35-global-path");
    }

    @Test
    void materializeWritesTheRepositoryUpToTheGivenChange(@TempDir Path temp) throws Exception {
        Path repo = temp.resolve("shop");
        assertThat(run("fixture", "materialize", shop(), "--out", repo.toString(), "--upto", "03")).isZero();
        assertThat(out.toString()).contains("  base").contains("  03-shared-package-fan-out").contains("4 commits in");
        try (Git git = Git.open(repo.toFile())) {
            assertThat(git.log().call()).hasSize(4);
        }
    }

    @Test
    void badFixtureExitsWithTwoAndSaysWhy(@TempDir Path temp) {
        assertThat(run("fixture", "list", temp.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("not a fixture: the directory base/ is missing");
    }
}
