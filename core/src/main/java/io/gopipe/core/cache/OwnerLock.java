package io.gopipe.core.cache;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A lock file that says "my owner is still working on this": an archive being saved, a tree being
 * restored. The kernel drops a POSIX lock when its process dies, also on {@code kill -9}, so a
 * lock file whose lock can be taken belongs to a run that was interrupted, and what it guards can
 * be removed at once instead of after a long grace period.
 *
 * <p>POSIX locks belong to the process, and closing any channel of a locked file drops them.
 * The locks this JVM holds are therefore kept in one JVM-wide table, and {@link #isAbandoned}
 * never opens a file listed there.
 */
public final class OwnerLock implements Closeable {

    private static final Map<String, FileChannel> HELD = new ConcurrentHashMap<>();

    private final Path file;

    private OwnerLock(Path file) {
        this.file = file;
    }

    /** Creates {@code file} (which must not exist) and locks it until {@link #close()}. */
    public static OwnerLock create(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            ch.lock();
        } catch (IOException noLocks) {
            // A file system without locks (some NFS setups): what it guards is then only removed by age.
        }
        HELD.put(key(file), ch);
        return new OwnerLock(file);
    }

    /** Whether {@code file} exists and no process holds its lock: its owner was interrupted. */
    public static boolean isAbandoned(Path file) {
        if (HELD.containsKey(key(file))) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            return ch.tryLock() != null;
        } catch (OverlappingFileLockException held) {
            return false;
        } catch (IOException e) {
            return false; // gone, or no locks on this file system: left to the age rule
        }
    }

    /** Whether {@code p} was last modified longer ago than {@code age}; false when it is gone. */
    public static boolean olderThan(Path p, Duration age) {
        try {
            return Files.getLastModifiedTime(p).toInstant().isBefore(Instant.now().minus(age));
        } catch (IOException gone) {
            return false;
        }
    }

    /** Deletes the lock file and releases the lock. */
    @Override
    public void close() {
        FileChannel ch = HELD.remove(key(file));
        try {
            Files.deleteIfExists(file);
            if (ch != null) {
                ch.close();
            }
        } catch (IOException ignored) {
            // a lock file left behind is removed by the next run
        }
    }

    private static String key(Path file) {
        return file.toAbsolutePath().normalize().toString();
    }
}
