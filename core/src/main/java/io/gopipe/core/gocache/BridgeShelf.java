package io.gopipe.core.gocache;

import io.gopipe.core.gocache.store.ObjectStore;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Built bridges kept in the cache store, so an ephemeral agent (a new pod per build) downloads the
 * bridge of its go version and platform instead of compiling it: that compile starts from an empty
 * GOCACHE and takes 8–40 s on a 2-core agent, more than a one-service job. An object holds a magic,
 * the SHA-256 of the binary and the binary; one that does not match is a miss, so a damaged object
 * never reaches go as its GOCACHEPROG. The store already holds compiled code that go links into
 * binaries, so a bridge from it needs no more trust than the cache itself.
 */
public final class BridgeShelf {

    private static final byte[] MAGIC = "gopipe-bridge-1\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int DIGEST = 32;

    private final ObjectStore store;
    private final boolean readOnly;
    private final Consumer<String> warnings;
    /** Keys whose stored object was damaged: publishing replaces it instead of leaving it for every agent. */
    private final java.util.Set<String> damaged = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * @param store    the cache store (the same one the daemon serves)
     * @param readOnly never publish (pull-request builds)
     * @param warnings where a store problem is told; it never fails the build
     */
    public BridgeShelf(ObjectStore store, boolean readOnly, Consumer<String> warnings) {
        this.store = store;
        this.readOnly = readOnly;
        this.warnings = warnings;
    }

    static String objectName(String key) {
        return GoCacheHousekeeping.TOOLS + "gocache-bridge-" + key;
    }

    /** Places the stored bridge of {@code key} at {@code target} (atomically, executable); false on a miss. */
    boolean fetch(String key, Path target) {
        byte[] stored;
        try {
            Optional<byte[]> o = store.get(objectName(key));
            if (o.isEmpty()) {
                return false;
            }
            stored = o.get();
        } catch (IOException | RuntimeException e) {
            warnings.accept("cannot read the stored gocache bridge " + objectName(key) + " (" + e.getMessage() + "); building it");
            return false;
        }
        byte[] binary = unwrap(stored);
        if (binary == null) {
            warnings.accept("the stored gocache bridge " + objectName(key) + " is damaged; building it");
            damaged.add(key);
            return false;
        }
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.write(tmp, binary);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            warnings.accept("cannot place the stored gocache bridge at " + target + " (" + e.getMessage() + "); building it");
            return false;
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a leftover temporary file has a name no one reads
            }
        }
    }

    /** Publishes a bridge just built, unless read-only or already there (whole); a failure is a warning. */
    void publish(String key, Path binary) {
        if (readOnly) {
            return;
        }
        try {
            if (!damaged.contains(key) && store.exists(objectName(key))) {
                return;
            }
            byte[] data = wrap(Files.readAllBytes(binary));
            store.put(objectName(key), new ByteArrayInputStream(data), data.length);
        } catch (IOException | RuntimeException e) {
            warnings.accept("cannot store the gocache bridge " + objectName(key) + " (" + e.getMessage() + "); the next agent builds it too");
        }
    }

    static byte[] wrap(byte[] binary) {
        return ByteBuffer.allocate(MAGIC.length + DIGEST + binary.length).put(MAGIC).put(sha256(binary)).put(binary).array();
    }

    /** The binary, or null when the object is not a whole bridge of this format. */
    static byte[] unwrap(byte[] stored) {
        if (stored.length <= MAGIC.length + DIGEST || !Arrays.equals(stored, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return null;
        }
        byte[] binary = Arrays.copyOfRange(stored, MAGIC.length + DIGEST, stored.length);
        byte[] digest = Arrays.copyOfRange(stored, MAGIC.length, MAGIC.length + DIGEST);
        return MessageDigest.isEqual(digest, sha256(binary)) ? binary : null;
    }

    private static byte[] sha256(byte[] b) {
        MessageDigest md = Ids.sha256();
        return md.digest(b);
    }
}
