package io.gopipe.core.gocache.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Objects as files under a directory (also a shared NFS mount). A put writes {@code tmp/<uuid>}
 * and renames it into place, so a killed writer leaves only an invisible temporary file, which
 * {@link #sweepStaging} removes. Directories are created on the first put: a read-only user
 * writes nothing.
 */
public final class LocalObjectStore implements ObjectStore {

    private final Path root;
    private final Path tmp;

    public LocalObjectStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.tmp = this.root.resolve("tmp");
    }

    @Override
    public String describe() {
        return "local:" + root;
    }

    @Override
    public Optional<byte[]> get(String name) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(path(name)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public InputStream open(String name) throws IOException {
        return Files.newInputStream(path(name));
    }

    @Override
    public boolean exists(String name) {
        return Files.isRegularFile(path(name));
    }

    @Override
    public void put(String name, InputStream data, long size) throws IOException {
        Path target = path(name);
        Files.createDirectories(tmp);
        Path temp = tmp.resolve(UUID.randomUUID() + ".part");
        try {
            try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                long copied = copy(data, out, size);
                if (copied != size) {
                    throw new IOException("put of " + name + ": expected " + size + " bytes, got " + copied);
                }
            }
            Files.createDirectories(target.getParent());
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException(describe() + ": cannot rename atomically into " + target.getParent(), e);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static long copy(InputStream in, OutputStream out, long limit) throws IOException {
        byte[] buf = new byte[64 << 10];
        long total = 0;
        while (total < limit) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, limit - total));
            if (n < 0) {
                break;
            }
            out.write(buf, 0, n);
            total += n;
        }
        return total;
    }

    @Override
    public List<StoredObject> list(String prefix) throws IOException {
        ObjectStore.check(prefix.endsWith("/") ? prefix + "x" : prefix);
        int slash = prefix.lastIndexOf('/');
        Path dir = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        String namePrefix = prefix.substring(slash + 1);
        String base = slash < 0 ? "" : prefix.substring(0, slash + 1);
        List<StoredObject> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                String file = p.getFileName().toString();
                if (!file.startsWith(namePrefix)) {
                    continue;
                }
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    if (a.isRegularFile()) {
                        out.add(new StoredObject(base + file, a.size(), a.lastModifiedTime().toInstant()));
                    }
                } catch (NoSuchFileException gone) {
                    // removed while we listed
                }
            }
        }
        return out;
    }

    @Override
    public void delete(String name) throws IOException {
        Files.deleteIfExists(path(name));
    }

    @Override
    public int sweepStaging(Duration olderThan) throws IOException {
        if (!Files.isDirectory(tmp)) {
            return 0;
        }
        Instant cutoff = Instant.now().minus(olderThan);
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tmp)) {
            for (Path p : files) {
                try {
                    if (!Files.getLastModifiedTime(p).toInstant().isAfter(cutoff) && Files.deleteIfExists(p)) {
                        removed++;
                    }
                } catch (NoSuchFileException gone) {
                    // another sweeper
                }
            }
        }
        return removed;
    }

    @Override
    public void close() {
    }

    private Path path(String name) {
        ObjectStore.check(name);
        if (name.startsWith("tmp/")) {
            throw new IllegalArgumentException("object name '" + name + "' is reserved for staging");
        }
        return root.resolve(name);
    }
}
