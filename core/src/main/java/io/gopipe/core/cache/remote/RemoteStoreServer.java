package io.gopipe.core.cache.remote;

import io.gopipe.core.cache.archive.ProgressMeter;
import io.gopipe.core.cache.backend.AccessRecord;
import io.gopipe.core.cache.backend.BlobReader;
import io.gopipe.core.cache.backend.CacheBackend;
import io.gopipe.core.cache.backend.EntryRef;
import io.gopipe.core.cache.backend.StagedBlob;
import io.gopipe.core.report.Reporter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves a backend that lives in this process (the controller's directory) to a {@link RemoteBackend}
 * in another one. Blobs being saved are staged by the real backend, so a save that dies half-way
 * leaves only what the backend's own sweep removes.
 */
public final class RemoteStoreServer implements RemoteStore {

    private final CacheBackend backend;
    private final Map<String, StagedBlob> staged = new ConcurrentHashMap<>();

    public RemoteStoreServer(CacheBackend backend) {
        this.backend = backend;
    }

    @Override
    public String describe() {
        return backend.describe();
    }

    @Override
    public List<RemoteEntry> list(String keyPrefix) throws IOException {
        return backend.list(keyPrefix).stream().map(RemoteStoreServer::toRemote).toList();
    }

    @Override
    public RemoteEntry find(String key) throws IOException {
        return backend.find(key).map(RemoteStoreServer::toRemote).orElse(null);
    }

    @Override
    public byte[] readManifest(String key) throws IOException {
        return backend.readManifest(key);
    }

    @Override
    public byte[] readBlob(String blob, long offset, int length) throws IOException {
        try (BlobReader reader = backend.openBlob(blob); InputStream in = reader.open(offset, length)) {
            return in.readNBytes(length);
        }
    }

    @Override
    public String stage(String key) throws IOException {
        StagedBlob blob = backend.stage(key);
        staged.put(blob.blob(), blob);
        return blob.blob();
    }

    @Override
    public void writeBlob(String blob, long offset, byte[] data) throws IOException {
        try (FileChannel ch = FileChannel.open(stagedBlob(blob).file(), StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(data);
            long pos = offset;
            while (buf.hasRemaining()) {
                pos += ch.write(buf, pos);
            }
        }
    }

    @Override
    public boolean publish(String blob, byte[] manifest) throws IOException {
        StagedBlob s = stagedBlob(blob);
        staged.remove(blob);
        ProgressMeter quiet = new ProgressMeter(Reporter.silent(), "publish", -1, -1, Duration.ofDays(1));
        return backend.publish(s, manifest, quiet) == CacheBackend.Publish.PUBLISHED;
    }

    @Override
    public void discard(String blob) throws IOException {
        StagedBlob s = staged.remove(blob);
        if (s != null) {
            backend.discard(s);
        }
    }

    @Override
    public long[] readAccess(String key) throws IOException {
        return backend.readAccess(key).map(a -> new long[] {a.lastAccess().toEpochMilli(), a.hits()}).orElse(null);
    }

    @Override
    public void recordAccess(String key, long lastAccessMillis, long hits) throws IOException {
        backend.recordAccess(key, new AccessRecord(Instant.ofEpochMilli(lastAccessMillis), hits));
    }

    @Override
    public void delete(String key, String blob) throws IOException {
        backend.delete(key, blob);
    }

    @Override
    public int sweep(List<String> referencedBlobs, long olderThanMillis) throws IOException {
        return backend.sweep(new HashSet<>(referencedBlobs), Duration.ofMillis(olderThanMillis));
    }

    private StagedBlob stagedBlob(String blob) throws IOException {
        StagedBlob s = staged.get(blob);
        if (s == null) {
            throw new IOException("no save in progress for blob " + blob + " at " + backend.describe());
        }
        return s;
    }

    private static RemoteEntry toRemote(EntryRef ref) {
        return new RemoteEntry(ref.key(), ref.created().toEpochMilli());
    }
}
