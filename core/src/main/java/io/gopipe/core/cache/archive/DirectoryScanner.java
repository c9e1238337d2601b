package io.gopipe.core.cache.archive;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Lists a directory tree as archive members in walk order (parents before children). Symlinks
 * are recorded, never followed; sockets and devices are skipped. One stat per file: the walk's
 * own attributes carry the POSIX mode.
 */
public final class DirectoryScanner {

    /** The scanned tree. */
    public record Scan(Path root, List<TarEntry> entries, long fileBytes, long files, long skipped) {

        /**
         * Drops the least recently modified files until the content fits {@code maxBytes}; used for
         * the Go build cache, where a missing file is only a cache miss.
         */
        public Scan keepNewest(long maxBytes) {
            if (fileBytes <= maxBytes) {
                return this;
            }
            List<TarEntry> byAge = new ArrayList<>(entries.stream().filter(e -> e.type() == TarEntry.Type.FILE).toList());
            byAge.sort(Comparator.comparingLong(TarEntry::mtime).reversed());
            long budget = maxBytes;
            Set<String> keep = new java.util.HashSet<>();
            for (TarEntry e : byAge) {
                if (e.size() <= budget) {
                    budget -= e.size();
                    keep.add(e.path());
                }
            }
            List<TarEntry> kept = new ArrayList<>();
            long bytes = 0;
            long files = 0;
            for (TarEntry e : entries) {
                if (e.type() != TarEntry.Type.FILE || keep.contains(e.path())) {
                    kept.add(e);
                    if (e.type() == TarEntry.Type.FILE) {
                        bytes += e.size();
                        files++;
                    }
                }
            }
            return new Scan(root, kept, bytes, files, skipped + (this.files - files));
        }
    }

    private DirectoryScanner() {
    }

    /** Scans {@code root}; {@code exclude} sees relative paths and can prune files and directories. */
    public static Scan scan(Path root, Predicate<String> exclude) throws IOException {
        List<TarEntry> entries = new ArrayList<>();
        long[] totals = new long[3];
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (dir.equals(root)) {
                    return FileVisitResult.CONTINUE;
                }
                String rel = relative(root, dir);
                if (exclude.test(rel)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                entries.add(TarEntry.directory(rel, mode(dir, attrs), attrs.lastModifiedTime().toMillis() / 1000));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String rel = relative(root, file);
                if (exclude.test(rel)) {
                    return FileVisitResult.CONTINUE;
                }
                long mtime = attrs.lastModifiedTime().toMillis() / 1000;
                if (attrs.isRegularFile()) {
                    entries.add(TarEntry.file(rel, mode(file, attrs), mtime, attrs.size()));
                    totals[0] += attrs.size();
                    totals[1]++;
                } else if (attrs.isSymbolicLink()) {
                    entries.add(TarEntry.symlink(rel, mtime, Files.readSymbolicLink(file).toString()));
                } else {
                    totals[2]++;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // vanished while we walked
                }
                throw exc;
            }
        });
        return new Scan(root, entries, totals[0], totals[1], totals[2]);
    }

    static String relative(Path root, Path p) {
        String rel = root.relativize(p).toString();
        return p.getFileSystem().getSeparator().equals("/") ? rel : rel.replace(p.getFileSystem().getSeparator(), "/");
    }

    private static int mode(Path p, BasicFileAttributes attrs) {
        Set<PosixFilePermission> perms;
        if (attrs instanceof PosixFileAttributes posix) {
            perms = posix.permissions();
        } else {
            try {
                perms = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).permissions();
            } catch (IOException | UnsupportedOperationException e) {
                return attrs.isDirectory() ? 0755 : 0644;
            }
        }
        return Modes.toBits(perms);
    }
}
