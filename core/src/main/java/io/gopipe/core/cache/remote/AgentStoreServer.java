package io.gopipe.core.cache.remote;

import io.gopipe.core.cache.CacheKeys;
import io.gopipe.core.cache.Manifest;
import io.gopipe.core.cache.archive.ArchiveChunk;
import io.gopipe.core.cache.archive.ChunkDigest;
import io.gopipe.core.cache.archive.CorruptArchiveException;
import io.gopipe.core.cache.backend.AccessRecord;
import io.gopipe.core.cache.backend.BlobReader;
import io.gopipe.core.cache.backend.EntryRef;
import io.gopipe.core.cache.backend.LocalBackend;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The controller's cache store as one build's agent may see it (see {@link StoreAccess}): reads
 * from its namespaces, writes only to its write namespace, nothing at all when read-only, and
 * never a sweep. Everything the agent sends is checked here, on the controller: keys against the
 * key alphabet, blob names against the names this store hands out, a published manifest against
 * the blob staged for it, the size of one read. The agent is not trusted: it runs the build's code.
 */
final class AgentStoreServer implements RemoteStore {

    /** One read never returns more, whatever the agent asks; {@link RemoteBackend} reads 4 MiB at a time. */
    static final int MAX_READ = 8 << 20;
    /** Blob names are made from a key and a UUID: the key alphabet, so never a '/' and never a leading '.'. */
    private static final Pattern BLOB = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+=,@-]{0,299}");

    private final StoreAccess access;
    private final LocalBackend write;
    private final List<LocalBackend> reads;
    private final RemoteStoreServer writer;
    /** Blob name -> key of the saves this server staged: only these may be written and published. */
    private final Map<String, String> staged = new ConcurrentHashMap<>();

    AgentStoreServer(StoreAccess access, LocalBackend write, List<LocalBackend> reads) {
        this.access = access;
        this.write = write;
        this.reads = List.copyOf(reads);
        this.writer = write == null ? null : new RemoteStoreServer(write);
    }

    @Override
    public String describe() {
        String ns = access.readOnly() ? "read-only, reads " + String.join(", ", access.readNamespaces())
                : "namespace " + access.writeNamespace();
        return "controller store (" + ns + ")";
    }

    @Override
    public List<RemoteEntry> list(String keyPrefix) throws IOException {
        String prefix = keyPrefix == null ? "" : keyPrefix;
        if (!prefix.isEmpty() && !CacheKeys.isValid(prefix)) {
            CacheKeys.check(prefix); // throws, naming the prefix
        }
        Set<String> seen = new LinkedHashSet<>();
        List<RemoteEntry> out = new ArrayList<>();
        for (LocalBackend b : reads) {
            for (EntryRef ref : b.list(prefix)) {
                if (seen.add(ref.key())) {
                    out.add(new RemoteEntry(ref.key(), ref.created().toEpochMilli()));
                }
            }
        }
        return out;
    }

    @Override
    public RemoteEntry find(String key) throws IOException {
        CacheKeys.check(key);
        for (LocalBackend b : reads) {
            Optional<EntryRef> ref = b.find(key);
            if (ref.isPresent()) {
                return new RemoteEntry(key, ref.get().created().toEpochMilli());
            }
        }
        return null;
    }

    @Override
    public byte[] readManifest(String key) throws IOException {
        return owner(key).readManifest(key);
    }

    @Override
    public byte[] readBlob(String blob, long offset, int length) throws IOException {
        checkBlob(blob);
        int n = Math.max(0, Math.min(length, MAX_READ));
        for (LocalBackend b : reads) {
            BlobReader reader;
            try {
                reader = b.openBlob(blob);
            } catch (NoSuchFileException notHere) {
                continue;
            }
            try (reader; InputStream in = reader.open(offset, n)) {
                return in.readNBytes(n);
            }
        }
        throw new NoSuchFileException(blob + " is not in " + describe());
    }

    @Override
    public String stage(String key) throws IOException {
        CacheKeys.check(key);
        String blob = writer("save " + key).stage(key);
        staged.put(blob, key);
        return blob;
    }

    @Override
    public void writeBlob(String blob, long offset, byte[] data) throws IOException {
        stagedKey(blob);
        if (offset < 0) {
            throw new IOException("negative offset " + offset + " for " + blob);
        }
        writer("write " + blob).writeBlob(blob, offset, data);
    }

    @Override
    public boolean publish(String blob, byte[] manifest) throws IOException {
        String key = stagedKey(blob);
        RemoteStoreServer w = writer("publish " + key);
        Manifest m;
        try {
            m = Manifest.parse(manifest, key);
        } catch (CorruptArchiveException e) {
            w.discard(blob);
            staged.remove(blob);
            throw new IOException("refused to publish " + key + ": " + e.getMessage());
        }
        if (!blob.equals(m.blob())) {
            w.discard(blob);
            staged.remove(blob);
            throw new IOException("refused to publish " + key + ": its manifest names blob " + m.blob()
                    + ", not the one staged for it");
        }
        staged.remove(blob);
        return w.publish(blob, manifest);
    }

    @Override
    public void discard(String blob) throws IOException {
        if (staged.remove(blob) != null && writer != null) {
            writer.discard(blob);
        }
    }

    @Override
    public long[] readAccess(String key) throws IOException {
        CacheKeys.check(key);
        for (LocalBackend b : reads) {
            if (b.find(key).isPresent()) {
                return b.readAccess(key).map(a -> new long[] {a.lastAccess().toEpochMilli(), a.hits()}).orElse(null);
            }
        }
        return null;
    }

    /**
     * Notes a restore of an entry this build can read. The time is the controller's and the count
     * goes up by one, whatever the agent sends, so no agent can keep an entry alive for ever or push
     * others out of the LRU order by claiming dates.
     */
    @Override
    public void recordAccess(String key, long lastAccessMillis, long hits) throws IOException {
        CacheKeys.check(key);
        for (LocalBackend b : reads) {
            if (b.find(key).isPresent()) {
                long before = b.readAccess(key).map(AccessRecord::hits).orElse(0L);
                b.recordAccess(key, new AccessRecord(Instant.now(), before + (hits > 0 ? 1 : 0)));
                return;
            }
        }
    }

    /**
     * Removes a broken entry of this build's own namespace (the engine drops an entry whose restore
     * found it damaged, so the next save can replace it). The controller checks the claim: the
     * manifest must be unreadable, or its archive missing, short or failing a chunk checksum. An
     * intact entry stays; only the controller's pruning removes those. The blob removed is the one
     * the stored manifest names, never what the agent says.
     */
    @Override
    public void delete(String key, String blob) throws IOException {
        CacheKeys.check(key);
        if (write == null) {
            throw new AccessDeniedException(key, null, "the cache is read-only for this build: nothing is deleted");
        }
        if (write.find(key).isEmpty()) {
            return; // only entries of this namespace; others are not even looked at
        }
        Manifest m;
        try {
            m = Manifest.parse(write.readManifest(key), key);
        } catch (CorruptArchiveException unreadable) {
            write.delete(key, null); // the unreferenced blob goes with the controller's pruning
            return;
        } catch (NoSuchFileException gone) {
            return;
        }
        if (intact(m)) {
            throw new AccessDeniedException(key, null,
                    "the entry is intact; entries are removed only by the controller's pruning");
        }
        write.delete(key, m.blob());
    }

    /** Whether the archive a manifest names is all there with every chunk's checksum right. */
    private boolean intact(Manifest m) throws IOException {
        BlobReader reader;
        try {
            reader = write.openBlob(m.blob());
        } catch (NoSuchFileException missing) {
            return false;
        }
        try (reader) {
            byte[] buf = new byte[1 << 16];
            for (ArchiveChunk c : m.chunks()) {
                ChunkDigest digest = ChunkDigest.forChecking(c);
                long read = 0;
                try (InputStream in = reader.open(c.offset(), c.length())) {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        digest.update(buf, 0, n);
                        read += n;
                    }
                }
                if (read != c.length() || !digest.matches(c)) {
                    return false;
                }
            }
            return true;
        }
    }

    @Override
    public int sweep(List<String> referencedBlobs, long olderThanMillis) throws IOException {
        throw new AccessDeniedException(describe(), null,
                "pruning runs on the controller on the administrator's schedule, not at an agent's request");
    }

    private LocalBackend owner(String key) throws IOException {
        CacheKeys.check(key);
        for (LocalBackend b : reads) {
            if (b.find(key).isPresent()) {
                return b;
            }
        }
        throw new NoSuchFileException("cache entry " + key + " is not in " + describe());
    }

    private RemoteStoreServer writer(String what) throws AccessDeniedException {
        if (writer == null) {
            throw new AccessDeniedException(what, null, "the cache is read-only for this build");
        }
        return writer;
    }

    private String stagedKey(String blob) throws IOException {
        checkBlob(blob);
        if (writer == null) {
            throw new AccessDeniedException(blob, null, "the cache is read-only for this build");
        }
        String key = staged.get(blob);
        if (key == null) {
            throw new IOException("no save in progress for blob " + blob + " in " + describe());
        }
        return key;
    }

    private static void checkBlob(String blob) throws NoSuchFileException {
        if (blob == null || !BLOB.matcher(blob).matches()) {
            throw new NoSuchFileException("'" + blob + "' is not a blob name of this store");
        }
    }
}
