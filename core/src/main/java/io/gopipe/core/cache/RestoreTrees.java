package io.gopipe.core.cache;

import io.gopipe.core.cache.archive.FileTrees;
import io.gopipe.core.cache.archive.Modes;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/**
 * The hidden folder a restore extracts into, next to its target, so the target changes only once
 * the whole entry checked out. Each one has an {@link OwnerLock} beside it
 * ({@code .NAME.gopipe-restore-ID} and {@code .NAME.gopipe-restore-ID.lock}): a restore that was
 * killed leaves both, and the next restore of the same target removes them.
 */
final class RestoreTrees {

    private static final String MARK = ".gopipe-restore-";
    private static final String LOCK = ".lock";
    /** Folders without a lock file come from older versions or a crash between the two creations. */
    private static final Duration UNLOCKED_AGE = Duration.ofHours(1);

    private RestoreTrees() {
    }

    /** A restore folder and its lock; {@link #close()} removes both. */
    record Temp(Path dir, OwnerLock lock) implements Closeable {
        @Override
        public void close() throws IOException {
            try {
                FileTrees.deleteTree(dir);
            } finally {
                lock.close();
            }
        }
    }

    /**
     * Where a restore into {@code requested} really goes. A symlink to a folder (GOMODCACHE on a data
     * disk) is followed, as saving follows it; the hidden restore folder must sit beside the real
     * folder, or the final rename would cross file systems.
     */
    static Path followLink(Path requested) throws IOException {
        if (!Files.isSymbolicLink(requested)) {
            return requested;
        }
        if (Files.isDirectory(requested)) {
            return requested.toRealPath();
        }
        if (!Files.exists(requested)) {
            // a dangling link: restore where it points
            Path parent = requested.toAbsolutePath().getParent();
            return parent.resolve(Files.readSymbolicLink(requested)).normalize();
        }
        return requested; // a link to a file: moveIntoPlace says it is not a directory
    }

    /** Creates the lock, then the folder, beside {@code target}. */
    static Temp create(Path target) throws IOException {
        Path parent = target.getParent();
        String base = "." + target.getFileName() + MARK + UUID.randomUUID();
        OwnerLock lock = OwnerLock.create(parent.resolve(base + LOCK));
        try {
            Path dir = Files.createDirectory(parent.resolve(base));
            Files.setPosixFilePermissions(dir, Modes.fromBits(0755));
            return new Temp(dir, lock);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * Removes the restore folders of {@code target} whose owner is gone: its lock is free (the
     * process died), or it has no lock and is over an hour old. Returns how many folders went.
     */
    static int removeAbandoned(Path target) {
        Path parent = target.getParent();
        String prefix = "." + target.getFileName() + MARK;
        int removed = 0;
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(parent, p -> p.getFileName().toString().startsWith(prefix))) {
            for (Path p : siblings) {
                String name = p.getFileName().toString();
                if (name.endsWith(LOCK)) {
                    Path dir = parent.resolve(name.substring(0, name.length() - LOCK.length()));
                    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && OwnerLock.isAbandoned(p)) {
                        Files.deleteIfExists(p);
                    }
                    continue;
                }
                Path lock = parent.resolve(name + LOCK);
                boolean gone = Files.exists(lock) ? OwnerLock.isAbandoned(lock) : OwnerLock.olderThan(p, UNLOCKED_AGE);
                if (gone) {
                    FileTrees.deleteTree(p);
                    Files.deleteIfExists(lock);
                    removed++;
                }
            }
        } catch (IOException | RuntimeException e) {
            // housekeeping only: the restore goes on
        }
        return removed;
    }
}
