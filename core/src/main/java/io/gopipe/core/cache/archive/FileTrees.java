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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        moveIntoPlace(source, target, null);
    }

    /**
     * As {@link #moveIntoPlace(Path, Path)}, counting every entry it compares or moves on
     * {@code meter} (may be null): merging into a large existing tree stats every file and takes
     * minutes on a slow disk. Before anything moves, the whole merge is checked: a directory it
     * would have to change but cannot is an error that leaves the target untouched.
     */
    public static void moveIntoPlace(Path source, Path target, ProgressMeter meter) throws IOException {
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
        Map<Path, DirChanges> plan = new LinkedHashMap<>();
        plan(source, target, plan, meter);
        for (DirChanges dir : plan.values()) {
            dir.checkWritable();
        }
        for (DirChanges dir : plan.values()) {
            dir.apply(meter);
        }
        deleteTree(source);
    }

    /** One entry of the restored tree that replaces or adds to the target. */
    private record Change(Path from, Path to, boolean fromDir, boolean replace) {
    }

    /** The changes inside one target directory, whose mode is opened once and put back afterwards. */
    private record DirChanges(Path from, Path to, List<Change> changes) {

        /**
         * Every directory the merge changes must be writable, or ours to make writable; checked for
         * all of them before the first move, so a merge that cannot finish changes nothing.
         */
        void checkWritable() throws IOException {
            if (Files.isWritable(to)) {
                return;
            }
            if (!ownedByUs(to)) {
                throw new java.nio.file.AccessDeniedException(to.toString(), null,
                        "permission denied: the restore must change this directory, which belongs to another user");
            }
            if (unchangeable(to)) {
                throw new java.nio.file.FileSystemException(to.toString(), null,
                        "operation not permitted: the restore must change this directory, which cannot be written"
                                + " (immutable, or a read-only file system)");
            }
        }

        void apply(ProgressMeter meter) throws IOException {
            java.nio.file.attribute.FileTime archivedTime = Files.getLastModifiedTime(from);
            Set<PosixFilePermission> toMode = writable(to);
            try {
                for (Change c : changes) {
                    if (c.replace()) {
                        // The entry wins. rename(2) cannot put a directory over a file or a file over a
                        // directory, so whatever is in the way goes first.
                        BasicFileAttributes dst = Files.readAttributes(c.to(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                        if (dst.isDirectory() || c.fromDir()) {
                            deleteTree(c.to());
                        }
                    }
                    // Moving a directory to a new parent rewrites its "..": it must be writable.
                    Set<PosixFilePermission> childMode = c.fromDir() ? writable(c.from()) : null;
                    Files.move(c.from(), c.to(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    if (childMode != null) {
                        Files.setPosixFilePermissions(c.to(), childMode);
                    }
                }
                // our renames touched the directory; it keeps the archived time
                Files.setLastModifiedTime(to, archivedTime);
            } finally {
                if (toMode != null) {
                    Files.setPosixFilePermissions(to, toMode);
                }
            }
        }
    }

    /** Compares the trees without changing anything; identical files (Go's never change in place) are kept. */
    private static void plan(Path from, Path to, Map<Path, DirChanges> plan, ProgressMeter meter) throws IOException {
        try (Stream<Path> children = Files.list(from)) {
            for (Path child : (Iterable<Path>) children::iterator) {
                Path dest = to.resolve(child.getFileName().toString());
                BasicFileAttributes src = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (!src.isDirectory()) {
                    tick(meter); // files compared: the slow part of a merge into a large tree
                }
                BasicFileAttributes dst;
                try {
                    dst = Files.readAttributes(dest, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException absent) {
                    changesOf(plan, from, to).add(new Change(child, dest, src.isDirectory(), false));
                    continue;
                }
                if (src.isDirectory() && dst.isDirectory()) {
                    plan(child, dest, plan, meter);
                } else if (!same(child, src, dest, dst)) {
                    changesOf(plan, from, to).add(new Change(child, dest, src.isDirectory(), true));
                }
            }
        }
    }

    private static List<Change> changesOf(Map<Path, DirChanges> plan, Path from, Path to) {
        return plan.computeIfAbsent(to, t -> new DirChanges(from, t, new ArrayList<>())).changes();
    }

    private static boolean same(Path child, BasicFileAttributes src, Path dest, BasicFileAttributes dst) throws IOException {
        if (src.isRegularFile() && dst.isRegularFile()) {
            return src.size() == dst.size() && src.lastModifiedTime().equals(dst.lastModifiedTime());
        }
        return src.isSymbolicLink() && dst.isSymbolicLink() && Files.readSymbolicLink(child).equals(Files.readSymbolicLink(dest));
    }

    private static boolean ownedByUs(Path dir) {
        try {
            return Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName().equals(System.getProperty("user.name"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** A directory of ours that is still not writable when its mode allows it (or we are root): chmod cannot help. */
    private static boolean unchangeable(Path dir) {
        try {
            Set<PosixFilePermission> mode = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).permissions();
            return mode.contains(PosixFilePermission.OWNER_WRITE) || "root".equals(System.getProperty("user.name"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static void tick(ProgressMeter meter) {
        if (meter != null) {
            meter.add(0, 1);
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
