package io.gopipe.core.cache;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Computes cache keys.
 *
 * <p>Module cache: {@code gomod-[salt-]GOOS-GOARCH-GOVERSION-<sha256 of the go.sum files>} with
 * restore keys for the same platform and Go version, then the same platform. Go's own skip
 * rules apply when looking for go.sum / go.work.sum: directories starting with {@code .} or
 * {@code _}, {@code testdata} and {@code vendor} are not searched.
 *
 * <p>Build cache: a rolling key {@code gobuild-[salt-]GOOS-GOARCH-GOVERSION-<branch>-<revision>}
 * with the ladder: same branch, then the default branch, then any branch of the same Go version
 * (GOCACHE is useless across Go versions, so the ladder never leaves it).
 */
public final class KeyCalculator {

    private KeyCalculator() {
    }

    /** The go.sum and go.work.sum files under {@code repo}, sorted by relative path. */
    public static List<Path> goSumFiles(Path repo) throws IOException {
        List<Path> found = new ArrayList<>();
        Files.walkFileTree(repo, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                if (!dir.equals(repo) && (name.startsWith(".") || name.startsWith("_")
                        || name.equals("testdata") || name.equals("vendor") || name.equals("node_modules"))) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String name = file.getFileName().toString();
                if (attrs.isRegularFile() && (name.equals("go.sum") || name.equals("go.work.sum"))) {
                    found.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        found.sort((a, b) -> repo.relativize(a).toString().compareTo(repo.relativize(b).toString()));
        return found;
    }

    /** Hex SHA-256 over the relative path and content of each file, in the given order. */
    public static String hashFiles(Path repo, List<Path> files) throws IOException {
        MessageDigest sha = sha256();
        for (Path f : files) {
            sha.update(repo.relativize(f).toString().replace('\\', '/').getBytes(java.nio.charset.StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(Files.readAllBytes(f));
            sha.update((byte) 0);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The module cache key for the go.sum files found in {@code repo}. */
    public static CacheKey moduleKey(Path repo, GoPlatform go, String salt) throws IOException {
        if (!java.nio.file.Files.isDirectory(repo)) {
            throw new CacheException("--repo " + repo + " is not a directory: pass --key, or point --repo at the Go code");
        }
        List<Path> sums = goSumFiles(repo);
        if (sums.isEmpty()) {
            throw new CacheException("no go.sum or go.work.sum below " + repo + ": pass --key, or point --repo at the Go code");
        }
        return moduleKey(hashFiles(repo, sums), go, salt);
    }

    /** The module cache key for a precomputed go.sum digest. */
    public static CacheKey moduleKey(String goSumHash, GoPlatform go, String salt) {
        String platform = "gomod-" + saltPart(salt) + go.goos() + "-" + go.goarch() + "-";
        String versioned = platform + go.goVersion() + "-";
        return new CacheKey(versioned + goSumHash.substring(0, Math.min(24, goSumHash.length())),
                List.of(versioned, platform));
    }

    /**
     * The rolling build cache key.
     *
     * @param branch        the branch being built
     * @param defaultBranch the repository's default branch (main), tried after the branch's own entries
     * @param revision      a commit or build id, unique per save
     */
    public static CacheKey buildKey(GoPlatform go, String salt, String branch, String defaultBranch, String revision) {
        String versioned = "gobuild-" + saltPart(salt) + go.goos() + "-" + go.goarch() + "-" + go.goVersion() + "-";
        String own = versioned + CacheKeys.segment(branch) + "-";
        List<String> ladder = new ArrayList<>();
        ladder.add(own);
        if (defaultBranch != null && !defaultBranch.isBlank() && !CacheKeys.segment(defaultBranch).equals(CacheKeys.segment(branch))) {
            ladder.add(versioned + CacheKeys.segment(defaultBranch) + "-");
        }
        ladder.add(versioned);
        return new CacheKey(own + CacheKeys.segment(revision), ladder);
    }

    private static String saltPart(String salt) {
        return salt == null || salt.isBlank() ? "" : CacheKeys.segment(salt) + "-";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
