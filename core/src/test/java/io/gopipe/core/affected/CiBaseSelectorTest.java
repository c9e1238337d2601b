package io.gopipe.core.affected;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CiBaseSelectorTest {

    @Test
    void explicitOptionsWinOverTheEnvironment() {
        Map<String, String> pr = Map.of("CHANGE_TARGET", "main", "GIT_PREVIOUS_SUCCESSFUL_COMMIT", "abc");
        assertThat(CiBaseSelector.choose("v1.2", null, null, null, pr).spec()).isEqualTo(BaseSpec.revision("v1.2"));
        assertThat(CiBaseSelector.choose(null, "release", null, null, pr).spec())
                .isEqualTo(BaseSpec.mergeBaseWith("release"));
        assertThat(CiBaseSelector.choose(null, null, "def", null, pr).spec()).isEqualTo(BaseSpec.sinceCommit("def"));
        assertThat(CiBaseSelector.choose(null, null, null, List.of("a.go"), pr).spec())
                .isEqualTo(BaseSpec.changedFiles(List.of("a.go")));
    }

    @Test
    void pullRequestsUseTheMergeBaseOfTheirTarget() {
        var choice = CiBaseSelector.choose(null, null, null, null,
                Map.of("CHANGE_ID", "42", "CHANGE_TARGET", "main", "GIT_PREVIOUS_SUCCESSFUL_COMMIT", "abc"));
        assertThat(choice.spec()).isEqualTo(BaseSpec.mergeBaseWith("main"));
        assertThat(choice.explanation()).contains("pull request 42");
    }

    @Test
    void branchBuildsUseTheLastSuccessfulCommit() {
        var choice = CiBaseSelector.choose(null, null, "  ", null, Map.of("GIT_PREVIOUS_SUCCESSFUL_COMMIT", "abc"));
        assertThat(choice.spec()).isEqualTo(BaseSpec.sinceCommit("abc"));
    }

    @Test
    void aFirstBuildAffectsEveryServiceWithTheReasonInTheResult(@TempDir Path dir) throws Exception {
        var choice = CiBaseSelector.choose(null, null, null, null, Map.of("BRANCH_NAME", "feature/x"));
        assertThat(choice.spec()).isInstanceOf(BaseSpec.Everything.class);

        Files.createDirectories(dir.resolve("cmd/api"));
        Files.writeString(dir.resolve("go.mod"), "module example.com/shop\n\ngo 1.22\n");
        Files.writeString(dir.resolve("cmd/api/main.go"), "package main\n\nfunc main() {}\n");
        try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            git.commit().setMessage("first").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com")
                    .setSign(false).call();
        }
        AffectedResult result = new AffectedEngine(new ParseCache(), io.gopipe.core.report.Reporter.silent())
                .compute(new AffectedRequest(dir, choice.spec()));
        assertThat(result.all()).isTrue();
        assertThat(result.allReason()).contains("no previous successful build of feature/x");
        assertThat(result.services()).extracting(AffectedService::name).containsExactly("api");
    }
}
