package io.gopipe.core.cache;

import io.gopipe.core.cache.backend.LocalBackend;
import io.gopipe.core.report.Reporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A restore over the tree a previous restore left (the agent kept its GOMODCACHE) writes only what
 * differs: identical files keep their inodes, a changed file is replaced, the result equals the entry.
 */
class RestoreOverTreeTest {

    @TempDir
    Path tmp;

    @Test
    void identicalFilesAreNotWrittenAgainAndChangedOnesAreReplaced() throws Exception {
        Path src = tmp.resolve("src");
        TestTrees.moduleCache(src, 9, "example.com/a@v1.0.0", "example.com/b@v2.0.0");
        Path store = tmp.resolve("store");
        Files.createDirectories(store);
        CacheService service = new CacheService(new LocalBackend(store), Reporter.silent(), CacheSettings.defaults());
        CacheKey key = new CacheKey("over-k", List.of());
        assertThat(service.save(new CacheRequest(CachePolicy.MOD, key, src, null, ModuleLayout.TREE)).status())
                .isEqualTo(SaveResult.Status.SAVED);

        Path target = tmp.resolve("gomodcache");
        assertThat(service.restore(new CacheRequest(CachePolicy.MOD, key, target, null)).hit()).isTrue();
        Path kept = target.resolve("example.com/a@v1.0.0/file1.go");
        Object inodeBefore = Files.getAttribute(kept, "unix:ino");
        Path changed = target.resolve("cache/download/example.com/b/@v/v2.0.0.mod");
        Files.writeString(changed, "module tampered\n");
        Files.setLastModifiedTime(changed, FileTime.fromMillis(1_000_000_000_000L));
        Files.writeString(target.resolve("cache/download/extra.txt"), "the agent's own file stays");

        assertThat(service.restore(new CacheRequest(CachePolicy.MOD, key, target, null)).hit()).isTrue();

        assertThat(Files.getAttribute(kept, "unix:ino")).as("identical file left in place").isEqualTo(inodeBefore);
        assertThat(Files.readString(changed)).isEqualTo("module x\n");
        assertThat(target.resolve("cache/download/extra.txt")).exists();
        Files.delete(target.resolve("cache/download/extra.txt"));
        Files.setLastModifiedTime(target.resolve("cache/download"), Files.getLastModifiedTime(src.resolve("cache/download")));
        assertThat(TestTrees.snapshot(target)).isEqualTo(TestTrees.snapshot(src));
    }
}
