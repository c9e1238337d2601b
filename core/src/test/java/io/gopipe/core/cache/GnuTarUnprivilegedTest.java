package io.gopipe.core.cache;

import io.gopipe.core.cache.archive.ArchiveChunk;
import io.gopipe.core.cache.archive.FileTrees;
import io.gopipe.core.cache.archive.Modes;
import io.gopipe.core.cache.backend.LocalBackend;
import io.gopipe.core.report.Reporter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 8, defect 1: an entry's archive is a plain POSIX tar.zst with every directory before its
 * contents, so GNU tar unpacks it as a user who cannot write into read-only directories once they
 * are finished, with the exact modes and mtimes of the saved tree. Under root (CI), the test drops
 * to uid/gid 65534 itself with {@code setpriv}.
 */
class GnuTarUnprivilegedTest {

    @TempDir
    Path tmp;

    private Path shared;

    @AfterEach
    void cleanUp() throws IOException {
        if (shared != null) {
            FileTrees.deleteTree(shared);
        }
    }

    @Test
    void gnuTarUnpacksASavedReadOnlyTreeAsAnUnprivilegedUserWithExactModesAndMtimes() throws Exception {
        Path src = tmp.resolve("gomodcache");
        readOnlyModuleTree(src);
        Path store = tmp.resolve("store");
        Files.createDirectories(store);
        // Many small chunks on several threads: finishing order differs from walk order.
        CacheService service = new CacheService(new LocalBackend(store), Reporter.silent(),
                CacheSettings.defaults().withThreads(4, 2));
        CacheRequest request = new CacheRequest(CachePolicy.BUILD, new CacheKey("gnutar-k", List.of()), src, null);
        assertThat(service.save(request).status()).isEqualTo(SaveResult.Status.SAVED);
        Manifest manifest = Manifest.parse(Files.readAllBytes(manifestOf(store, "gnutar-k")), "gnutar-k");
        assertThat(manifest.chunks().size()).as("enough chunks to be reordered").isGreaterThan(8);
        long expectedOffset = 0;
        for (ArchiveChunk c : manifest.chunks()) {
            assertThat(c.offset()).as("chunks are listed and stored in walk order").isEqualTo(expectedOffset);
            expectedOffset += c.length();
        }
        Path blob;
        try (var found = Files.walk(store)) {
            blob = found.filter(p -> p.getFileName().toString().equals(manifest.blob())).findFirst().orElseThrow();
        }

        shared = Files.createTempDirectory("gopipe-gnutar-");
        Files.setPosixFilePermissions(shared, Modes.fromBits(0755));
        Path archive = shared.resolve("entry.tar.zst");
        Files.copy(blob, archive);
        Files.setPosixFilePermissions(archive, Modes.fromBits(0644));
        Path work = shared.resolve("work");
        Files.createDirectories(work);
        Files.setPosixFilePermissions(work, Modes.fromBits(0777));
        Path out = work.resolve("out");

        // Members in archive order: every member's parent directory comes before it.
        Run listing = run(List.of("tar", "-I", "zstd", "-tf", archive.toString()));
        assertThat(listing.exit).as(listing.output).isZero();
        Set<String> seen = new HashSet<>();
        for (String line : listing.output.lines().toList()) {
            String name = line.endsWith("/") ? line.substring(0, line.length() - 1) : line;
            int slash = name.lastIndexOf('/');
            if (slash > 0) {
                assertThat(seen).as("parent of " + name + " listed before it").contains(name.substring(0, slash));
            }
            seen.add(name);
        }

        String script = "umask 022 && mkdir " + out + " && tar -I zstd -xf " + archive + " -C " + out;
        List<String> command = new ArrayList<>();
        if (isRoot()) {
            command.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        command.addAll(List.of("sh", "-c", script));
        Run tar = run(command);
        assertThat(tar.exit).as("GNU tar as an unprivileged user: " + tar.output).isZero();
        assertThat(tar.output).doesNotContain("Permission denied");
        if (isRoot()) {
            assertThat(Files.getOwner(out.resolve("example.com")).getName()).as("tar really ran unprivileged").isEqualTo("nobody");
        }

        Map<String, String> expected = TestTrees.snapshot(src);
        Map<String, String> actual = TestTrees.snapshot(out);
        assertThat(actual).as("paths, types, modes, mtimes (directories too), sizes, content").isEqualTo(expected);
        assertThat(expected.values()).as("the tree has read-only directories").anyMatch(v -> v.startsWith("dir 555 "));
    }

    /** ~25 MiB: 40 module versions with read-only directories and files, fixed mtimes, zips, a symlink. */
    private static void readOnlyModuleTree(Path root) throws IOException {
        Random rnd = new Random(11);
        String[] modules = new String[40];
        for (int i = 0; i < modules.length; i++) {
            modules[i] = "example.com/org" + (i % 7) + "/mod" + i + "@v1." + i + ".0";
        }
        TestTrees.moduleCache(root, 5, modules);
        for (int i = 0; i < modules.length; i++) {
            Path extra = root.resolve("cache/download/example.com/org" + (i % 7) + "/mod" + i + "/@v/blob.bin");
            byte[] b = new byte[300_000 + rnd.nextInt(200_000)];
            rnd.nextBytes(b);
            TestTrees.write(extra, b, 0644, 1_600_000_300L + i);
        }
        // Directory mtimes last, outermost last, as Go leaves them.
        try (var walk = Files.walk(root)) {
            for (Path d : walk.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.setLastModifiedTime(d, java.nio.file.attribute.FileTime.fromMillis(1_550_000_000_000L + d.getNameCount() * 1000L));
            }
        }
    }

    private static Path manifestOf(Path store, String key) throws IOException {
        try (var found = Files.walk(store)) {
            return found.filter(p -> p.getFileName().toString().startsWith(key) && p.toString().endsWith(".json"))
                    .findFirst().orElseThrow(() -> new AssertionError("no manifest for " + key + " in " + store));
        }
    }

    private static boolean isRoot() throws Exception {
        return run(List.of("id", "-u")).output.trim().equals("0");
    }

    private record Run(int exit, String output) {
    }

    private static Run run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).as(String.join(" ", command)).isTrue();
        return new Run(p.exitValue(), output);
    }
}
