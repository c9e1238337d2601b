package io.gopipe.core.cache;

import io.gopipe.core.cache.archive.FileTrees;
import io.gopipe.core.cache.archive.Modes;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Builds module-cache-like trees and snapshots them for comparison. */
final class TestTrees {

    private TestTrees() {
    }

    /**
     * A small GOMODCACHE: read-only module@version dirs with read-only files, cache/download with
     * zips, a symlink, an empty dir, a path longer than 100 bytes, fixed mtimes.
     */
    static void moduleCache(Path root, long seed, String... modules) throws IOException {
        Random rnd = new Random(seed);
        Files.createDirectories(root);
        for (String module : modules) {
            Path dir = root.resolve(module);
            Files.createDirectories(dir.resolve("internal/very/deeply/nested/package/path/that/makes/the/name/longer/than/a/hundred/bytes"));
            for (int i = 0; i < 6; i++) {
                write(dir.resolve("file" + i + ".go"), goSource(rnd, 200 + rnd.nextInt(6000)), 0444, 1_600_000_000L + i);
            }
            write(dir.resolve("internal/very/deeply/nested/package/path/that/makes/the/name/longer/than/a/hundred/bytes/x.go"),
                    goSource(rnd, 300), 0444, 1_600_000_100L);
            write(dir.resolve("go.mod"), ("module " + module.substring(0, module.indexOf('@')) + "\n").getBytes(), 0444, 1_600_000_001L);
            String name = module.substring(0, module.indexOf('@'));
            String version = module.substring(module.indexOf('@') + 1);
            Path dl = root.resolve("cache/download/" + name + "/@v");
            Files.createDirectories(dl);
            byte[] zip = new byte[20_000 + rnd.nextInt(20_000)];
            rnd.nextBytes(zip);
            write(dl.resolve(version + ".zip"), zip, 0644, 1_600_000_200L);
            write(dl.resolve(version + ".mod"), "module x\n".getBytes(), 0644, 1_600_000_201L);
            makeReadOnlyTree(dir);
        }
        Files.createDirectories(root.resolve("cache/empty"));
        Files.createDirectories(root.resolve("cache/links"));
        Path link = root.resolve("cache/links/to-download");
        if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(link, Path.of("../download"));
        }
    }

    private static void makeReadOnlyTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Files.setLastModifiedTime(d, FileTime.fromMillis(1_500_000_000_000L));
                Files.setPosixFilePermissions(d, Modes.fromBits(0555));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static void write(Path file, byte[] content, int mode, long mtimeSeconds) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        Files.setPosixFilePermissions(file, Modes.fromBits(mode));
        Files.setLastModifiedTime(file, FileTime.fromMillis(mtimeSeconds * 1000));
    }

    static byte[] goSource(Random rnd, int size) {
        String[] words = {"func ", "return ", "if err != nil {\n", "}\n", "package main\n", "import \"fmt\"\n", "x := ", "fmt.Println(", ")\n", "\t"};
        StringBuilder sb = new StringBuilder(size + 32);
        while (sb.length() < size) {
            sb.append(words[rnd.nextInt(words.length)]);
        }
        return sb.substring(0, size).getBytes();
    }

    /** path -> "type mode mtime size sha" (directory mtimes and modes included). */
    static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> snap = new TreeMap<>();
        if (!Files.exists(root)) {
            return snap;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root)) {
                    snap.put(rel(dir), "dir " + mode(dir) + " " + attrs.lastModifiedTime().toMillis() / 1000);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isSymbolicLink()) {
                    snap.put(rel(file), "link " + Files.readSymbolicLink(file));
                } else {
                    snap.put(rel(file), "file " + mode(file) + " " + attrs.lastModifiedTime().toMillis() / 1000 + " "
                            + attrs.size() + " " + sha(Files.readAllBytes(file)));
                }
                return FileVisitResult.CONTINUE;
            }

            private String rel(Path p) {
                return root.relativize(p).toString();
            }
        });
        return snap;
    }

    private static String mode(Path p) throws IOException {
        return Integer.toOctalString(Modes.toBits(Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).permissions()));
    }

    static String sha(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void delete(Path p) throws IOException {
        FileTrees.deleteTree(p);
    }
}
