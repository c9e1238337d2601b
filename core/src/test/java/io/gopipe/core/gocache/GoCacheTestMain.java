package io.gopipe.core.gocache;

import io.gopipe.core.cache.backend.S3Options;
import io.gopipe.core.gocache.store.ObjectStore;
import io.gopipe.core.gocache.store.ObjectStores;
import io.gopipe.core.gocache.store.StoredObject;
import io.gopipe.core.report.Progress;
import io.gopipe.core.report.Reporter;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The GOCACHEPROG process of the tests: the real {@link GoCacheProgram} over the real store, with
 * two probes for the failure tests. {@code --signal-after-gets N} prints {@code STORE-USED} to
 * stderr after the store answered N reads, so the test can kill the store mid-build.
 * {@code --hang-put-after N} lets a store put receive N bytes and then blocks it forever after
 * printing {@code HANGING <pid>}, so the test can SIGKILL the program mid-put.
 */
public final class GoCacheTestMain {

    public static void main(String[] args) throws Exception {
        PrintStream err = System.err;
        FileOutputStream protocol = new FileOutputStream(FileDescriptor.out);
        System.setOut(err);
        String backend = null;
        Path dir = null;
        GoCacheOptions o = null;
        S3Options s3 = S3Options.defaults();
        String prefetch = null;
        boolean readOnly = false;
        Path stats = null;
        int signalAfter = -1;
        long hangAfter = -1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--backend" -> backend = args[++i];
                case "--dir" -> dir = Path.of(args[++i]);
                case "--prefetch-key" -> prefetch = args[++i];
                case "--read-only" -> readOnly = true;
                case "--stats-json" -> stats = Path.of(args[++i]);
                case "--s3" -> {
                    s3 = new S3Options(URI.create(args[i + 1]), "us-east-1", true, args[i + 2], args[i + 3], true);
                    i += 3;
                }
                case "--signal-after-gets" -> signalAfter = Integer.parseInt(args[++i]);
                case "--hang-put-after" -> hangAfter = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        o = GoCacheOptions.of(backend, dir).withS3(s3).withReadOnly(readOnly).withPrefetchKey(prefetch)
                .withStatsJson(stats).withLimits(Duration.ofSeconds(60), Duration.ofSeconds(5));
        Reporter reporter = new Reporter() {
            @Override
            public void info(String message) {
                err.println("gopipe: " + message);
            }

            @Override
            public void warn(String message) {
                err.println("WARNING: " + message);
            }

            @Override
            public void progress(Progress progress) {
            }
        };
        GoCacheOptions options = o;
        S3Options s3o = s3;
        int signal = signalAfter;
        long hang = hangAfter;
        new GoCacheProgram(options, reporter, () -> {
            ObjectStore real = ObjectStores.open(options.backend(), s3o, options.callTimeout());
            return signal < 0 && hang < 0 ? real : new Probe(real, signal, hang, err);
        }).run(new FileInputStream(FileDescriptor.in), protocol);
        System.exit(0);
    }

    /** Passes every call to the real store; only observes or stalls it. */
    static final class Probe implements ObjectStore {
        private final ObjectStore real;
        private final int signalAfter;
        private final long hangAfter;
        private final PrintStream err;
        private final AtomicInteger reads = new AtomicInteger();

        Probe(ObjectStore real, int signalAfter, long hangAfter, PrintStream err) {
            this.real = real;
            this.signalAfter = signalAfter;
            this.hangAfter = hangAfter;
            this.err = err;
        }

        private void read() {
            if (reads.incrementAndGet() == signalAfter) {
                err.println("STORE-USED");
                err.flush();
            }
        }

        @Override
        public String describe() {
            return real.describe();
        }

        @Override
        public Optional<byte[]> get(String name) throws IOException {
            Optional<byte[]> r = real.get(name);
            read();
            return r;
        }

        @Override
        public InputStream open(String name) throws IOException {
            InputStream r = real.open(name);
            read();
            return r;
        }

        @Override
        public boolean exists(String name) throws IOException {
            return real.exists(name);
        }

        @Override
        public void put(String name, InputStream data, long size) throws IOException {
            if (hangAfter < 0 || !name.startsWith("o/")) {
                real.put(name, data, size);
                return;
            }
            real.put(name, new InputStream() {
                long given;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (given >= hangAfter) {
                        err.println("HANGING " + ProcessHandle.current().pid());
                        err.flush();
                        while (true) {
                            try {
                                Thread.sleep(Long.MAX_VALUE);
                            } catch (InterruptedException ignored) {
                                // stay stuck until SIGKILL
                            }
                        }
                    }
                    int n = data.read(b, off, (int) Math.min(len, hangAfter - given));
                    if (n > 0) {
                        given += n;
                    }
                    return n;
                }
            }, size);
        }

        @Override
        public List<StoredObject> list(String prefix) throws IOException {
            return real.list(prefix);
        }

        @Override
        public void delete(String name) throws IOException {
            real.delete(name);
        }

        @Override
        public int sweepStaging(Duration olderThan) throws IOException {
            return real.sweepStaging(olderThan);
        }

        @Override
        public void close() throws IOException {
            real.close();
        }
    }
}
