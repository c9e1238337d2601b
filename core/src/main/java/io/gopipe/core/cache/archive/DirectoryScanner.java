package io.gopipe.core.cache.archive;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Lists a directory tree as archive members in walk order (parents before children, siblings by
 * name). Symlinks
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

    /** Receives members in walk order. */
    @FunctionalInterface
    public interface EntrySink {
        void accept(TarEntry entry) throws IOException;
    }

    /** Scans {@code root}; {@code exclude} sees relative paths and can prune files and directories. */
    public static Scan scan(Path root, Predicate<String> exclude) throws IOException {
        List<TarEntry> entries = new ArrayList<>();
        long[] totals = new long[3];
        walk(root, exclude, e -> {
            entries.add(e);
            if (e.type() == TarEntry.Type.FILE) {
                totals[0] += e.size();
                totals[1]++;
            }
        }, () -> totals[2]++);
        return new Scan(root, entries, totals[0], totals[1], totals[2]);
    }

    /**
     * Walks {@code root} depth first and hands every member to {@code sink} as soon as it is seen,
     * so archiving can start before the walk ends. One {@code lstat} per entry; relative paths are
     * built by appending names instead of relativizing every path.
     *
     * @param skipped called for each socket, FIFO or device that is left out
     */
    public static void walk(Path root, Predicate<String> exclude, EntrySink sink, Runnable skipped) throws IOException {
        walkDirectory(root, "", exclude, sink, skipped);
    }

    private static void walkDirectory(Path dir, String rel, Predicate<String> exclude, EntrySink sink, Runnable skipped)
            throws IOException {
        // By name: the versions of one module lie side by side, so a chunk's compression window sees
        // the files they share (and the archive no longer depends on the file system's hash order).
        List<Path> sorted = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            for (Path child : children) {
                sorted.add(child);
            }
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        sorted.sort(Comparator.comparing(p -> p.getFileName().toString()));
        {
            for (Path child : sorted) {
                String name = child.getFileName().toString();
                String childRel = rel.isEmpty() ? name : rel + "/" + name;
                if (exclude.test(childRel)) {
                    continue;
                }
                BasicFileAttributes attrs;
                try {
                    attrs = attributes(child);
                } catch (NoSuchFileException gone) {
                    continue; // vanished while we walked
                }
                long mtime = attrs.lastModifiedTime().toMillis() / 1000;
                if (attrs.isDirectory()) {
                    sink.accept(TarEntry.directory(childRel, mode(child, attrs), mtime));
                    try {
                        walkDirectory(child, childRel, exclude, sink, skipped);
                    } catch (NoSuchFileException gone) {
                        // removed after we saw it: its entry stays, empty
                    }
                } else if (attrs.isRegularFile()) {
                    sink.accept(TarEntry.file(childRel, mode(child, attrs), mtime, attrs.size()));
                } else if (attrs.isSymbolicLink()) {
                    String target;
                    try {
                        target = Files.readSymbolicLink(child).toString();
                    } catch (NoSuchFileException gone) {
                        continue;
                    }
                    sink.accept(TarEntry.symlink(childRel, mtime, target));
                } else {
                    skipped.run();
                }
            }
        }
    }

    private static BasicFileAttributes attributes(Path p) throws IOException {
        try {
            return Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException notPosix) {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        }
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
