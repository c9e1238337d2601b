package io.gopipe.core.cache.remote;

import io.gopipe.core.cache.archive.ProgressMeter;
import io.gopipe.core.cache.backend.AccessRecord;
import io.gopipe.core.cache.backend.BlobReader;
import io.gopipe.core.cache.backend.CacheBackend;
import io.gopipe.core.cache.backend.EntryRef;
import io.gopipe.core.cache.backend.StagedBlob;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A backend whose entries live on the other side of a {@link RemoteStore} (the Jenkins controller).
 * Archives are written to a local file first, exactly as for other backends, and then shipped in
 * chunks; restores pull ranges on demand, so the parallel extractor reads several at once.
 */
public final class RemoteBackend implements CacheBackend {

    /** Big enough to amortise a round trip, small enough to keep several in flight. */
    static final int CHUNK = 4 << 20;

    private final RemoteStore store;
    private final Path stagingDir;

    /**
     * @param store      the remote side
     * @param stagingDir a local directory for archives being saved
     */
    public RemoteBackend(RemoteStore store, Path stagingDir) throws IOException {
        this.store = store;
        this.stagingDir = Files.createDirectories(stagingDir);
    }

    @Override
    public String describe() {
        try {
            return "remote:" + store.describe();
        } catch (IOException e) {
            return "remote store (unreachable: " + e.getMessage() + ")";
        }
    }

    @Override
    public List<EntryRef> list(String keyPrefix) throws IOException {
        List<EntryRef> out = new ArrayList<>();
        for (RemoteEntry e : store.list(keyPrefix)) {
            out.add(toRef(e));
        }
        return out;
    }

    @Override
    public Optional<EntryRef> find(String key) throws IOException {
        return Optional.ofNullable(store.find(key)).map(RemoteBackend::toRef);
    }

    @Override
    public byte[] readManifest(String key) throws IOException {
        return store.readManifest(key);
    }

    @Override
    public BlobReader openBlob(String blob) {
        return new BlobReader() {
            @Override
            public InputStream open(long offset, long length) {
                return new RangeStream(blob, offset, length);
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public StagedBlob stage(String key) throws IOException {
        String blob = store.stage(key);
        Path file = Files.createTempFile(stagingDir, "save-", ".tar.zst");
        return new StagedBlob(key, blob, file);
    }

    @Override
    public Publish publish(StagedBlob staged, byte[] manifest, ProgressMeter upload) throws IOException {
        try (InputStream in = Files.newInputStream(staged.file())) {
            long offset = 0;
            byte[] chunk;
            while ((chunk = in.readNBytes(CHUNK)).length > 0) {
                store.writeBlob(staged.blob(), offset, chunk);
                offset += chunk.length;
                upload.add(chunk.length, 0);
            }
            return store.publish(staged.blob(), manifest) ? Publish.PUBLISHED : Publish.ALREADY_EXISTS;
        } finally {
            Files.deleteIfExists(staged.file());
        }
    }

    @Override
    public void discard(StagedBlob staged) throws IOException {
        try {
            store.discard(staged.blob());
        } finally {
            Files.deleteIfExists(staged.file());
        }
    }

    @Override
    public Optional<AccessRecord> readAccess(String key) throws IOException {
        long[] a = store.readAccess(key);
        return a == null ? Optional.empty() : Optional.of(new AccessRecord(Instant.ofEpochMilli(a[0]), a[1]));
    }

    @Override
    public void recordAccess(String key, AccessRecord access) throws IOException {
        store.recordAccess(key, access.lastAccess().toEpochMilli(), access.hits());
    }

    @Override
    public void delete(String key, String blob) throws IOException {
        store.delete(key, blob);
    }

    @Override
    public int sweep(Set<String> referenced, Duration olderThan) throws IOException {
        return store.sweep(new ArrayList<>(referenced), olderThan.toMillis());
    }

    @Override
    public void close() {
    }

    private static EntryRef toRef(RemoteEntry e) {
        return new EntryRef(e.key(), Instant.ofEpochMilli(e.createdMillis()));
    }

    /** A byte range of a remote blob, fetched a chunk at a time as it is read. */
    private final class RangeStream extends InputStream {
        private final String blob;
        private long next;
        private long remaining;
        private byte[] buf = new byte[0];
        private int pos;

        RangeStream(String blob, long offset, long length) {
            this.blob = blob;
            this.next = offset;
            this.remaining = length;
        }

        private boolean fill() throws IOException {
            if (pos < buf.length) {
                return true;
            }
            if (remaining <= 0) {
                return false;
            }
            buf = store.readBlob(blob, next, (int) Math.min(CHUNK, remaining));
            pos = 0;
            if (buf.length == 0) {
                remaining = 0; // truncated blob: the caller sees a short stream
                return false;
            }
            next += buf.length;
            remaining -= buf.length;
            return true;
        }

        @Override
        public int read() throws IOException {
            return fill() ? buf[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, buf.length - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
