package io.gopipe.core.gocache;

import io.gopipe.core.gocache.store.ObjectStore;
import io.gopipe.core.gocache.store.ObjectStores;
import io.gopipe.core.report.Progress;
import io.gopipe.core.report.Reporter;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The daemon as its own process, for the test that kills it: the real {@link GoCacheDaemon} over
 * the real store, with {@code --signal-after-gets N} printing {@code STORE-USED} once the store
 * answered N reads (see {@link GoCacheTestMain.Probe}).
 */
public final class GoCacheDaemonTestMain {

    public static void main(String[] args) throws Exception {
        PrintStream err = System.err;
        String backend = null;
        Path dir = null;
        Path socket = null;
        int signalAfter = -1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--backend" -> backend = args[++i];
                case "--dir" -> dir = Path.of(args[++i]);
                case "--socket" -> socket = Path.of(args[++i]);
                case "--signal-after-gets" -> signalAfter = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        GoCacheOptions o = GoCacheOptions.of(backend, dir).withLimits(Duration.ofSeconds(60), Duration.ofSeconds(5));
        Reporter log = new Reporter() {
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
        int signal = signalAfter;
        String b = backend;
        GoCacheDaemonOptions d = new GoCacheDaemonOptions(o, List.of("unix:" + socket), Duration.ZERO, null,
                socket.resolveSibling(socket.getFileName() + ".ready"));
        new GoCacheDaemon(d, log, () -> {
            ObjectStore real = ObjectStores.open(b, null, Duration.ofSeconds(5));
            return signal < 0 ? real : new GoCacheTestMain.Probe(real, signal, -1, err);
        }).serve();
        System.exit(0);
    }
}
