package io.gopipe.core.gocache;

import io.gopipe.core.gocache.store.ObjectStore;
import io.gopipe.core.gocache.store.StoredObject;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One store connection (an S3 client with its pool) for every session of the daemon: opened on first
 * use, handed to sessions as a view whose {@code close} does nothing, closed when the daemon ends.
 * An opening that fails is tried again by the next session.
 */
final class SharedStore implements AutoCloseable {

    private final Supplier<ObjectStore> opener;
    private ObjectStore store;

    SharedStore(Supplier<ObjectStore> opener) {
        this.opener = opener;
    }

    /** A supplier for {@link StoreAccess}: the shared store behind a view that cannot close it. */
    Supplier<ObjectStore> view() {
        return () -> new View(get());
    }

    /** Opens the store in the background now, so the first client does not wait for an S3 client to start. */
    void openSoon() {
        Thread t = new Thread(() -> {
            try {
                get();
            } catch (RuntimeException e) {
                // the first session reports it, as a miss with one warning
            }
        }, "gocache-store-open");
        t.setDaemon(true);
        t.start();
    }

    private synchronized ObjectStore get() {
        if (store == null) {
            store = opener.get();
        }
        return store;
    }

    @Override
    public synchronized void close() {
        if (store != null) {
            try {
                store.close();
            } catch (IOException | RuntimeException ignored) {
                // closing a client at exit
            }
            store = null;
        }
    }

    private record View(ObjectStore s) implements ObjectStore {
        @Override
        public String describe() {
            return s.describe();
        }

        @Override
        public Optional<byte[]> get(String name) throws IOException {
            return s.get(name);
        }

        @Override
        public InputStream open(String name) throws IOException {
            return s.open(name);
        }

        @Override
        public boolean exists(String name) throws IOException {
            return s.exists(name);
        }

        @Override
        public void put(String name, InputStream data, long size) throws IOException {
            s.put(name, data, size);
        }

        @Override
        public List<StoredObject> list(String prefix) throws IOException {
            return s.list(prefix);
        }

        @Override
        public void delete(String name) throws IOException {
            s.delete(name);
        }

        @Override
        public int sweepStaging(Duration olderThan) throws IOException {
            return s.sweepStaging(olderThan);
        }

        @Override
        public void close() {
            // the daemon's store outlives its sessions
        }
    }
}
