package io.gopipe.core.affected;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.gopipe.core.report.Reporter;

/** Base strategies and the "never a silent empty result" fallbacks. */
class ChangeDetectionTest {

    @TempDir
    Path tmp;

    private TestRepo r;
    private String base;
    private final AffectedEngine engine = new AffectedEngine(new ParseCache(), Reporter.silent());

    @BeforeEach
    void repo() {
        r = TestRepo.init(tmp.resolve("repo"));
        r.write("go.mod", "module example.com/m\n\ngo 1.22\n");
        r.go("cmd/a/main.go", "main", "example.com/m/lib");
        r.go("cmd/b/main.go", "main");
        r.go("lib/lib.go", "lib");
        base = r.commit("base");
    }

    private AffectedResult compute(BaseSpec spec) {
        return engine.compute(new AffectedRequest(r.dir(), spec));
    }

    @Test
    void mergeBaseWithTargetBranchIgnoresTheTargetsOwnChanges() throws Exception {
        r.git().branchCreate().setName("feature").call();
        r.go("cmd/b/main.go", "main", "fmt");
        r.commit("main moves on");
        r.git().checkout().setName("feature").call();
        r.go("lib/lib.go", "lib", "fmt");
        r.commit("feature change");
        AffectedResult res = compute(BaseSpec.mergeBaseWith("main"));
        assertThat(res.base()).isEqualTo(base);
        assertThat(res.changedFiles()).containsExactly("lib/lib.go");
        assertThat(AffectedEngineTest.names(res.services())).containsExactly("a");
        assertThat(compute(BaseSpec.mergeBaseWith("nope")).allReason()).contains("target branch 'nope' not found");
    }

    @Test
    void sinceCommitAndRevisionCompareTrees() {
        r.go("lib/lib.go", "lib", "fmt");
        r.commit("one");
        r.go("cmd/b/main.go", "main", "fmt");
        String head = r.commit("two");
        AffectedResult res = compute(BaseSpec.sinceCommit(base));
        assertThat(res.head()).isEqualTo(head);
        assertThat(AffectedEngineTest.names(res.services())).containsExactly("a", "b");
        assertThat(AffectedEngineTest.names(compute(BaseSpec.revision("HEAD~1")).services())).containsExactly("b");
        assertThat(compute(BaseSpec.revision("HEAD")).services()).isEmpty();
    }

    @Test
    void renamesAreDetectedAndBothPathsReported() {
        r.write("lib/big.go", "package lib\n\n// " + "x".repeat(400) + "\nconst Big = 1\n");
        base = r.commit("big");
        r.delete("lib/big.go");
        r.write("lib/moved.go", "package lib\n\n// " + "x".repeat(400) + "\nconst Big = 1\n");
        r.commit("rename");
        AffectedResult res = compute(BaseSpec.revision(base));
        assertThat(res.changedFiles()).containsExactly("lib/big.go", "lib/moved.go");
        assertThat(res.services().get(0).reasons()).extracting(Reason::file).containsExactly("lib/big.go", "lib/moved.go");
    }

    @Test
    void explicitChangedFilesUseTheHeadGraph() {
        AffectedResult res = compute(BaseSpec.changedFiles(List.of("./lib/lib.go", "README.md")));
        assertThat(res.base()).isNull();
        assertThat(res.changedFiles()).containsExactly("README.md", "lib/lib.go");
        assertThat(AffectedEngineTest.names(res.services())).containsExactly("a");
    }

    @Test
    void unusableBasesGiveEveryServiceWithTheReason() {
        for (BaseSpec spec : List.of(BaseSpec.sinceCommit("0000000000000000000000000000000000000000"),
                BaseSpec.revision("1234567890123456789012345678901234567890"), BaseSpec.revision("no-such-tag"),
                BaseSpec.sinceCommit(""))) {
            AffectedResult res = compute(spec);
            assertThat(res.all()).as(spec.toString()).isTrue();
            assertThat(res.allReason()).isNotBlank();
            assertThat(AffectedEngineTest.names(res.services())).containsExactly("a", "b");
            assertThat(res.services().get(0).reasons().get(0).chain()).containsExactly(res.allReason(), "a");
        }
    }

    @Test
    void headThatIsNotACommitFallsBackToTheWorkTree() throws Exception {
        String treeId = r.git().getRepository().resolve("HEAD^{tree}").name();
        AffectedResult res = engine.compute(new AffectedRequest(r.dir(), BaseSpec.revision(base), treeId, null, null));
        assertThat(res.all()).isTrue();
        assertThat(res.allReason()).contains("is not a commit");
        assertThat(AffectedEngineTest.names(res.services())).containsExactly("a", "b");
    }

    @Test
    void directoryThatIsNoRepositoryGivesAllFromItsFiles() throws Exception {
        Path plain = tmp.resolve("plain");
        Files.createDirectories(plain.resolve("cmd/x"));
        Files.writeString(plain.resolve("go.mod"), "module example.com/p\n\ngo 1.22\n");
        Files.writeString(plain.resolve("cmd/x/main.go"), "package main\n\nfunc main() {}\n");
        AffectedResult res = engine.compute(new AffectedRequest(plain, BaseSpec.revision("HEAD~1")));
        assertThat(res.all()).isTrue();
        assertThat(res.allReason()).contains("not a readable git repository");
        assertThat(AffectedEngineTest.names(res.services())).containsExactly("x");
        assertThatThrownBy(() -> engine.compute(new AffectedRequest(tmp.resolve("missing"), BaseSpec.revision("x"))))
                .isInstanceOf(AffectedException.class).hasMessageContaining("missing");
    }

    @Test
    void shallowCloneWithoutTheBaseGivesAll() throws Exception {
        r.go("lib/lib.go", "lib", "fmt");
        r.commit("second");
        Path clone = tmp.resolve("shallow");
        Process p = new ProcessBuilder("git", "clone", "-q", "--depth", "1", "file://" + r.dir(), clone.toString())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor()).isZero();
        AffectedResult res = engine.compute(new AffectedRequest(clone, BaseSpec.revision(base)));
        assertThat(res.all()).isTrue();
        assertThat(res.allReason()).contains("shallow clone");
        AffectedResult parent = engine.compute(new AffectedRequest(clone, BaseSpec.revision("HEAD~1")));
        assertThat(parent.all()).isTrue();
    }
}
