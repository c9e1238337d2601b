package io.gopipe.core.gocache;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The local tier: the files whose paths go back to the go command as {@code DiskPath}. Outputs
 * live once as {@code o1/<output>}, the action index as {@code a1/<action>}: one directory each,
 * not 256 subdirectories like GOCACHE's, because a fresh agent's prefetch made ~450 of them per job
 * (an inode each, and ext4's inode allocation was the largest kernel cost of the prefetch). The
 * first layout ({@code o/<xx>/}, {@code a/<xx>/}) is not read: an agent disk from before refetches
 * once. Every file is written under a temporary name and renamed, so several go processes (and a
 * killed one) never expose a partial file. It stays on the agent between runs like a plain GOCACHE.
 *
 * <p>A fresh agent's prefetch writes ~400-600 outputs in about a second (and no index entries: its
 * {@link Prefetcher} answers for what it brought), so the per-file work is kept to the system calls
 * that matter: absent files are found without an exception, temporary names come from a counter
 * (no secure random per file), and a directory this tier has seen is not created again.
 */
public final class DiskTier {

    private final Path root;
    private final Path tmp;
    private final Path objects;
    private final Path actions;
    /** Unique per instance: other processes share {@code tmp/}. */
    private final String tmpPrefix = UUID.randomUUID().toString();
    private final AtomicLong tmpCounter = new AtomicLong();
    private final Set<Path> dirs = ConcurrentHashMap.newKeySet();

    public DiskTier(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.tmp = Files.createDirectories(this.root.resolve("tmp"));
        this.objects = this.root.resolve("o1");
        this.actions = this.root.resolve("a1");
    }

    private Path tempFile(String suffix) {
        return tmp.resolve(tmpPrefix + "-" + tmpCounter.incrementAndGet() + suffix);
    }

    public Path root() {
        return root;
    }

    /** The file of an output (it may not exist). */
    public Path object(String outputId) {
        return objects.resolve(outputId);
    }

    /** The local index entry of an action whose output file is present, or null. */
    public ActionRecord lookup(String actionId) throws IOException {
        Path file = action(actionId);
        if (file.toFile().length() == 0) {
            return null; // absent (a fresh tier's usual answer), without an exception
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        ActionRecord r = ActionRecord.parse(bytes);
        return r != null && has(r.outputId(), r.size()) ? r : null;
    }

    /** Records an action's output in the local index. */
    public void index(String actionId, ActionRecord record) throws IOException {
        Path temp = tempFile(".a");
        Files.write(temp, record.encode(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        moveInto(temp, action(actionId));
    }

    /** Whether output {@code outputId} is here with {@code size} bytes. */
    public boolean has(String outputId, long size) {
        // java.io.File answers 0 for an absent file instead of throwing: a fresh tier asks this for
        // every entry of a prefetch, and an exception per absent file is measurable CPU there.
        java.io.File f = object(outputId).toFile();
        long len = f.length();
        return len == size && (size > 0 || f.isFile());
    }

    /**
     * Writes exactly {@code size} bytes of {@code body} as output {@code outputId}. The content must
     * hash to the ID: a damaged transfer or object never becomes a local file.
     *
     * @throws CorruptObjectException when the bytes do not match the ID
     */
    public Path store(String outputId, InputStream body, long size) throws IOException {
        return store(outputId, body, size, true);
    }

    /**
     * As {@link #store(String, InputStream, long)}; without {@code verify} the caller vouches for the
     * bytes (a pack entry inside a checksummed zstd frame), which saves hashing every prefetched output.
     */
    public Path store(String outputId, InputStream body, long size, boolean verify) throws IOException {
        Path temp = tempFile(".o");
        boolean moved = false;
        try {
            MessageDigest md = Ids.sha256();
            long written = 0;
            OutputStream file = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try (OutputStream out = verify ? new DigestOutputStream(file, md) : file) {
                byte[] buf = new byte[(int) Math.max(1, Math.min(size, 64 << 10))];
                while (written < size) {
                    int n = body.read(buf, 0, (int) Math.min(buf.length, size - written));
                    if (n < 0) {
                        break;
                    }
                    out.write(buf, 0, n);
                    written += n;
                }
            }
            if (written != size) {
                throw new CorruptObjectException("output " + outputId + " has " + written + " bytes, expected " + size);
            }
            String actual = verify ? Ids.hex(md.digest()) : outputId;
            if (!actual.equals(outputId)) {
                throw new CorruptObjectException("output " + outputId + " hashes to " + actual);
            }
            Path target = object(outputId);
            moveInto(temp, target);
            moved = true;
            return target;
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }

    private Path action(String actionId) {
        return actions.resolve(actionId);
    }

    private void moveInto(Path temp, Path target) throws IOException {
        Path dir = target.getParent();
        if (!dirs.contains(dir)) {
            Files.createDirectories(dir);
            dirs.add(dir);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException e) {
            // the directory went away since (a prune, a cleaned tier): make it again, once
            Files.createDirectories(dir);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Bytes that do not match their output ID. */
    public static final class CorruptObjectException extends IOException {
        public CorruptObjectException(String message) {
            super(message);
        }
    }
}
