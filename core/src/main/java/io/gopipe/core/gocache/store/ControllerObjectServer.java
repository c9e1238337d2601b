package io.gopipe.core.gocache.store;

import io.gopipe.core.cache.remote.ControllerStores;
import io.gopipe.core.cache.remote.StoreAccess;
import io.gopipe.core.gocache.GoCacheHousekeeping;
import io.gopipe.core.gocache.GoCachePruneResult;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The controller side of {@link ControllerObjects}: the remote Go build cache's objects of each
 * namespace live in {@code <namespace dir>/gocache/}, beside that namespace's archive entries
 * ({@link ControllerStores}), and the same {@link StoreAccess} rules apply: reads look in the read
 * namespaces in order (a pull request: its own, then the shared one), writes go only to the write
 * namespace, a read-only build writes nothing, and nothing is ever deleted at an agent's request
 * (the controller prunes). The agent runs the build's code and is not trusted: every name is
 * checked here, and uploads are bounded.
 */
public final class ControllerObjectServer implements ControllerObjects {

    /** No object the Go build cache writes comes near this; a bigger upload is refused. */
    static final long MAX_OBJECT = 4L << 30;
    /** Uploads one agent may have open at once; a leak beyond that is refused, not stored. */
    static final int MAX_UPLOADS = 256;

    private final StoreAccess access;
    private final Path writeDir;
    private final LocalObjectStore write;
    private final List<Path> readDirs;
    private final Map<String, Upload> uploads = new ConcurrentHashMap<>();

    private record Upload(String name, Path file) {
    }

    private ControllerObjectServer(StoreAccess access, Path writeDir, List<Path> readDirs) {
        this.access = access;
        this.writeDir = writeDir;
        this.write = writeDir == null ? null : new LocalObjectStore(writeDir);
        this.readDirs = List.copyOf(readDirs);
    }

    /**
     * The objects one build's agent may use, as {@code access} allows (see {@link StoreAccess#forBuild}).
     *
     * @param root the controller's cache store, e.g. {@code $JENKINS_HOME/gopipe-cache}
     */
    public static ControllerObjectServer forAgent(Path root, StoreAccess access) throws IOException {
        Path writeDir = null;
        if (!access.readOnly()) {
            ControllerStores.namespace(root, access.writeNamespace()); // names the folder, so pruning finds it by name
            writeDir = objectsDir(root, access.writeNamespace());
        }
        List<Path> reads = new ArrayList<>();
        for (String ns : access.readNamespaces()) {
            reads.add(objectsDir(root, ns)); // a namespace nobody wrote yet simply has no files
        }
        return new ControllerObjectServer(access, writeDir, reads);
    }

    /** Where the objects of one namespace live. */
    public static Path objectsDir(Path root, String namespace) {
        return ControllerStores.namespaceDir(root, namespace).resolve("gocache");
    }

    /**
     * Prunes the remote build cache of every namespace on the controller's behalf, through its
     * index ({@link GoCacheHousekeeping}): {@code maxBytes} (0: no cap) applies to each namespace's
     * objects, {@code maxAge} (zero: none) to what was written longer ago; uploads in flight are
     * protected by the grace period. Namespaces without objects are skipped.
     *
     * @return what was done, by namespace name
     */
    public static Map<String, GoCachePruneResult> prune(Path root, long maxBytes, Duration maxAge) throws IOException {
        Map<String, GoCachePruneResult> out = new LinkedHashMap<>();
        for (String ns : ControllerStores.namespaces(root)) {
            Path dir = objectsDir(root, ns);
            if (Files.isDirectory(dir)) {
                out.put(ns, new GoCacheHousekeeping(new LocalObjectStore(dir))
                        .prune(maxBytes, maxAge == null ? Duration.ZERO : maxAge, GoCacheHousekeeping.DEFAULT_GRACE));
            }
        }
        return out;
    }

    @Override
    public String describe() {
        String ns = access.readOnly() ? "read-only, reads " + String.join(", ", access.readNamespaces())
                : "namespace " + access.writeNamespace();
        return "controller store (" + ns + ")";
    }

    @Override
    public byte[] read(String name, long offset, int length) throws IOException {
        int n = Math.max(0, Math.min(length, CHUNK));
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset + " reading " + name);
        }
        for (Path dir : readDirs) {
            Path file = file(dir, name);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer buf = ByteBuffer.allocate((int) Math.max(0, Math.min(n, ch.size() - offset)));
                long pos = offset;
                while (buf.hasRemaining()) {
                    int r = ch.read(buf, pos);
                    if (r < 0) {
                        break;
                    }
                    pos += r;
                }
                return buf.position() == buf.capacity() ? buf.array() : java.util.Arrays.copyOf(buf.array(), buf.position());
            } catch (NoSuchFileException notHere) {
                // next namespace
            }
        }
        return null;
    }

    @Override
    public long size(String name) throws IOException {
        for (Path dir : readDirs) {
            try {
                return Files.size(file(dir, name));
            } catch (NoSuchFileException notHere) {
                // next namespace
            }
        }
        return -1;
    }

    @Override
    public void put(String name, byte[] data) throws IOException {
        file(writeDir("put " + name), name);
        if (data.length > CHUNK) {
            throw new IOException("put of " + name + ": " + data.length + " bytes in one call; stage larger objects");
        }
        write.put(name, new ByteArrayInputStream(data), data.length);
    }

    @Override
    public String stage(String name) throws IOException {
        Path dir = writeDir("upload " + name);
        file(dir, name);
        if (uploads.size() >= MAX_UPLOADS) {
            throw new IOException("too many uploads in progress to " + describe() + "; " + name + " is not stored");
        }
        Path tmp = Files.createDirectories(dir.resolve("tmp")); // LocalObjectStore's staging: its sweep removes leftovers
        String id = UUID.randomUUID().toString();
        Path file = tmp.resolve(id + ".part");
        Files.createFile(file);
        uploads.put(id, new Upload(name, file));
        return id;
    }

    @Override
    public void write(String upload, long offset, byte[] data) throws IOException {
        Upload u = upload(upload);
        if (offset < 0 || offset + data.length > MAX_OBJECT) {
            discard(upload);
            throw new IOException("upload of " + u.name() + " refused: offset " + offset + " is outside 0.." + MAX_OBJECT);
        }
        try (FileChannel ch = FileChannel.open(u.file(), StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(data);
            long pos = offset;
            while (buf.hasRemaining()) {
                pos += ch.write(buf, pos);
            }
        }
    }

    @Override
    public void commit(String upload, long size) throws IOException {
        Upload u = upload(upload);
        try {
            long written = Files.size(u.file());
            if (written != size) {
                throw new IOException("upload of " + u.name() + ": " + written + " bytes arrived, " + size + " announced; not stored");
            }
            try (InputStream in = Files.newInputStream(u.file())) {
                write.put(u.name(), in, size);
            }
        } finally {
            discard(upload);
        }
    }

    @Override
    public void discard(String upload) throws IOException {
        Upload u = uploads.remove(upload);
        if (u != null) {
            Files.deleteIfExists(u.file());
        }
    }

    @Override
    public String list(String prefix) throws IOException {
        Map<String, StoredObject> seen = new LinkedHashMap<>();
        for (Path dir : readDirs) {
            for (StoredObject o : new LocalObjectStore(dir).list(prefix)) {
                if (!o.name().startsWith("tmp/")) {
                    seen.putIfAbsent(o.name(), o);
                }
            }
        }
        StringBuilder b = new StringBuilder();
        for (StoredObject o : seen.values()) {
            b.append(o.size()).append(' ').append(o.modified().toEpochMilli()).append(' ').append(o.name()).append('\n');
        }
        return b.toString();
    }

    private Path writeDir(String what) throws AccessDeniedException {
        if (writeDir == null) {
            throw new AccessDeniedException(what, null, "the cache is read-only for this build");
        }
        return writeDir;
    }

    private Upload upload(String id) throws IOException {
        Upload u = id == null ? null : uploads.get(id);
        if (u == null) {
            throw new IOException("no upload " + id + " in progress to " + describe());
        }
        return u;
    }

    /** The file of a checked name below {@code dir}; the staging folder is never addressable. */
    private static Path file(Path dir, String name) {
        ObjectStore.check(name);
        if (name.startsWith("tmp/")) {
            throw new IllegalArgumentException("object name '" + name + "' is reserved for staging");
        }
        return dir.resolve(name);
    }
}
