package io.gopipe.core.cache.archive;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Moves restored trees into place and deletes trees, coping with Go's read-only module
 * directories: a directory is made writable before anything inside it is replaced or deleted,
 * and its mode is put back afterwards.
 */
public final class FileTrees {

    private FileTrees() {
    }

    /**
     * Puts the restored tree {@code source} at {@code target}. When the target is missing or empty
     * this is one rename; otherwise the trees are merged: missing entries are renamed in whole,
     * files that differ in size or mtime are replaced, identical ones kept. {@code source} is gone
     * afterwards.
     */
    public static void moveIntoPlace(Path source, Path target) throws IOException {
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS) && isEmpty(target)) {
            try {
                Files.delete(target);
            } catch (DirectoryNotEmptyException raced) {
                // someone wrote into it meanwhile: merge below
            }
        }
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
                return;
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                // created meanwhile: merge
            }
        }
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("restore target " + target + " exists and is not a directory");
        }
        merge(source, target);
        deleteTree(source);
    }

    private static void merge(Path from, Path to) throws IOException {
        java.nio.file.attribute.FileTime archivedTime = Files.getLastModifiedTime(from);
        Set<PosixFilePermission> toMode = writable(to);
        boolean changed = false;
        try (Stream<Path> children = Files.list(from)) {
            for (Path child : (Iterable<Path>) children::iterator) {
                Path dest = to.resolve(child.getFileName().toString());
                BasicFileAttributes src = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                BasicFileAttributes dst;
                try {
                    dst = Files.readAttributes(dest, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException absent) {
                    // Moving a directory to a new parent rewrites its "..": it must be writable.
                    Set<PosixFilePermission> childMode = src.isDirectory() ? writable(child) : null;
                    Files.move(child, dest, StandardCopyOption.ATOMIC_MOVE);
                    if (childMode != null) {
                        Files.setPosixFilePermissions(dest, childMode);
                    }
                    changed = true;
                    continue;
                }
                if (src.isDirectory() && dst.isDirectory()) {
                    merge(child, dest);
                } else if (src.isRegularFile() && dst.isRegularFile() && src.size() == dst.size()
                        && src.lastModifiedTime().equals(dst.lastModifiedTime())) {
                    continue; // same file: Go's module files never change in place
                } else if (src.isSymbolicLink() && dst.isSymbolicLink()
                        && Files.readSymbolicLink(child).equals(Files.readSymbolicLink(dest))) {
                    continue;
                } else {
                    if (dst.isDirectory()) {
                        deleteTree(dest);
                    }
                    Files.move(child, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    changed = true;
                }
            }
            if (changed) {
                // our renames touched the directory; it keeps the archived time
                Files.setLastModifiedTime(to, archivedTime);
            }
        } finally {
            if (toMode != null) {
                Files.setPosixFilePermissions(to, toMode);
            }
        }
    }

    /** Makes {@code dir} owner-writable; returns the mode to put back, or null when nothing changed. */
    private static Set<PosixFilePermission> writable(Path dir) throws IOException {
        Set<PosixFilePermission> mode = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).permissions();
        if (mode.contains(PosixFilePermission.OWNER_WRITE) && mode.contains(PosixFilePermission.OWNER_EXECUTE)) {
            return null;
        }
        Set<PosixFilePermission> open = java.util.EnumSet.copyOf(mode.isEmpty() ? Set.of(PosixFilePermission.OWNER_READ) : mode);
        open.add(PosixFilePermission.OWNER_READ);
        open.add(PosixFilePermission.OWNER_WRITE);
        open.add(PosixFilePermission.OWNER_EXECUTE);
        Files.setPosixFilePermissions(dir, open);
        return mode;
    }

    /** Deletes a tree even when it holds read-only directories; never follows symlinks. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(root);
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                writable(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null && !(exc instanceof NoSuchFileException)) {
                    throw exc;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
