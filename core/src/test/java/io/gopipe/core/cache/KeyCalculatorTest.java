package io.gopipe.core.cache;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyCalculatorTest {

    @TempDir
    Path repo;

    static final GoPlatform GO = new GoPlatform("go1.24.2", "linux", "amd64");

    private void write(String rel, String content) throws IOException {
        Path p = repo.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    @Test
    void findsGoSumFilesTheWayTheGoToolWalks() throws IOException {
        write("go.sum", "a");
        write("services/api/go.sum", "b");
        write("go.work.sum", "w");
        write("testdata/go.sum", "ignored");
        write("_tools/go.sum", "ignored");
        write(".git/go.sum", "ignored");
        write("vendor/x/go.sum", "ignored");
        assertThat(KeyCalculator.goSumFiles(repo)).extracting(p -> repo.relativize(p).toString())
                .containsExactly("go.sum", "go.work.sum", "services/api/go.sum");
    }

    @Test
    void moduleKeyDependsOnEveryGoSumAndTheToolchainOnly() throws IOException {
        write("go.sum", "a");
        write("services/api/go.sum", "b");
        write("services/api/main.go", "package main");
        CacheKey first = KeyCalculator.moduleKey(repo, GO, null);
        assertThat(first.key()).matches("gomod-linux-amd64-go1\\.24\\.2-[0-9a-f]{24}");
        assertThat(first.restoreKeys()).containsExactly("gomod-linux-amd64-go1.24.2-", "gomod-linux-amd64-");

        write("services/api/main.go", "package main // edited");
        assertThat(KeyCalculator.moduleKey(repo, GO, null)).isEqualTo(first);

        write("services/api/go.sum", "b2");
        CacheKey changed = KeyCalculator.moduleKey(repo, GO, null);
        assertThat(changed.key()).isNotEqualTo(first.key());

        write("services/api/go.sum", "b");
        assertThat(KeyCalculator.moduleKey(repo, GO, null)).isEqualTo(first);
        assertThat(KeyCalculator.moduleKey(repo, new GoPlatform("go1.24.3", "linux", "amd64"), null).key())
                .startsWith("gomod-linux-amd64-go1.24.3-").endsWith(first.key().substring(first.key().lastIndexOf('-')));
        assertThat(KeyCalculator.moduleKey(repo, new GoPlatform("go1.24.2", "linux", "arm64"), null).key())
                .startsWith("gomod-linux-arm64-");
        assertThat(KeyCalculator.moduleKey(repo, GO, "v2").key()).startsWith("gomod-v2-linux-amd64-go1.24.2-");
    }

    @Test
    void movingAGoSumChangesTheKey() throws IOException {
        write("a/go.sum", "same");
        CacheKey before = KeyCalculator.moduleKey(repo, GO, null);
        Files.move(repo.resolve("a"), repo.resolve("b"));
        assertThat(KeyCalculator.moduleKey(repo, GO, null).key()).isNotEqualTo(before.key());
    }

    @Test
    void noGoSumIsAClearError() {
        assertThatThrownBy(() -> KeyCalculator.moduleKey(repo, GO, null))
                .isInstanceOf(CacheException.class).hasMessageContaining("no go.sum").hasMessageContaining("--key");
    }

    @Test
    void buildKeyLadderGoesBranchThenDefaultBranchThenAnyBranchOfTheSameGo() {
        CacheKey k = KeyCalculator.buildKey(GO, null, "feature/login-form", "main", "abc123");
        assertThat(k.key()).isEqualTo("gobuild-linux-amd64-go1.24.2-feature_login_form-abc123");
        assertThat(k.restoreKeys()).containsExactly("gobuild-linux-amd64-go1.24.2-feature_login_form-",
                "gobuild-linux-amd64-go1.24.2-main-", "gobuild-linux-amd64-go1.24.2-");
        // "-" in branch names cannot make one branch's prefix match another's entries
        assertThat(KeyCalculator.buildKey(GO, null, "feature-x", "main", "1").key())
                .doesNotStartWith("gobuild-linux-amd64-go1.24.2-feature-");
        assertThat(KeyCalculator.buildKey(GO, null, "main", "main", "r").restoreKeys())
                .containsExactly("gobuild-linux-amd64-go1.24.2-main-", "gobuild-linux-amd64-go1.24.2-");
    }

    @Test
    void keysOutsideTheAlphabetAreRefusedWithTheKeyInTheMessage() {
        for (String bad : List.of("", "../x", "a/b", "a b", "-leading", "x".repeat(201), "star*")) {
            assertThatThrownBy(() -> new CacheKey(bad, List.of())).isInstanceOf(CacheException.class)
                    .hasMessageContaining("'" + bad + "'");
        }
        assertThatThrownBy(() -> new CacheKey("ok", List.of("bad/prefix"))).hasMessageContaining("bad/prefix");
        assertThat(new CacheKey("gomod-linux-amd64-go1.24.2-abc_=,+@.x", List.of()).key()).isNotEmpty();
    }
}
