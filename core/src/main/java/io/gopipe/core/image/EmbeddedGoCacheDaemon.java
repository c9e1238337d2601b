package io.gopipe.core.image;

import io.gopipe.core.gocache.GoCacheDaemon;
import io.gopipe.core.gocache.GoCacheDaemonOptions;
import io.gopipe.core.gocache.GoCacheOptions;
import io.gopipe.core.report.Reporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@code gocache} daemon an image job ({@code --gocache-backend}) serves from its own JVM, so a
 * standalone image job is one command instead of {@code gopipe gocache serve} + {@code image build}
 * (measured on bench/image: the separate daemon's JVM start and wait were 0.22-0.33 s of a 1.3 s
 * unchanged job). It starts first and binds while the job plans and probes the builder; the job asks
 * for its {@link #address()} only when the builds start. Its socket and lock file live in a fresh
 * temp folder (a unix socket path must stay under ~100 bytes; loopback TCP when even that is too
 * long), it never exits for idleness, and its log (the per-client figures) goes to the job's reporter.
 *
 * <p>Nothing is lost at {@link #close()}: every go process's session flushes its uploads and its
 * prefetch manifest when go closes it, before go exits, so once the builds ended there is nothing
 * left to write. A daemon that cannot start is one warning and the job builds without the cache.
 */
final class EmbeddedGoCacheDaemon implements AutoCloseable {

    /** How long the builds wait for the daemon to listen (it normally binds in milliseconds, during the plan). */
    static final Duration START_LIMIT = Duration.ofSeconds(20);
    /** Longest unix socket path we bind (sun_path is 108 bytes on Linux, 104 on macOS). */
    static final int MAX_SOCKET_PATH = 100;

    private final GoCacheOptions cache;
    private final Reporter reporter;
    private final Path dir;
    private final GoCacheDaemon daemon;
    private final CompletableFuture<GoCacheDaemon.Outcome> served = new CompletableFuture<>();
    private String address;
    private boolean resolved;

    private EmbeddedGoCacheDaemon(GoCacheOptions cache, Reporter reporter, Path dir, GoCacheDaemon daemon) {
        this.cache = cache;
        this.reporter = reporter;
        this.dir = dir;
        this.daemon = daemon;
    }

    /**
     * Starts serving {@code cache} on a thread and returns at once; null, after one warning, when not
     * even its temp folder can be made.
     */
    static EmbeddedGoCacheDaemon start(GoCacheOptions cache, Reporter reporter) {
        return start(cache, reporter, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** As {@link #start(GoCacheOptions, Reporter)}, with its folder made in {@code tempRoot}. */
    static EmbeddedGoCacheDaemon start(GoCacheOptions cache, Reporter reporter, Path tempRoot) {
        Path dir;
        try {
            dir = Files.createTempDirectory(tempRoot, "gopipe-gcd-");
        } catch (IOException | RuntimeException e) {
            reporter.warn("the Go build cache daemon of this job cannot start (building without the remote Go build"
                    + " cache): no temp folder for its socket: " + e.getMessage());
            return null;
        }
        Path socket = dir.resolve("gc.sock").toAbsolutePath();
        String listen = socket.toString().length() <= MAX_SOCKET_PATH ? "unix:" + socket : "tcp:127.0.0.1:0";
        GoCacheDaemonOptions options = new GoCacheDaemonOptions(cache, List.of(listen), Duration.ZERO,
                dir.resolve("daemon.lock"), null);
        EmbeddedGoCacheDaemon d = new EmbeddedGoCacheDaemon(cache, reporter, dir, new GoCacheDaemon(options, reporter));
        Thread t = new Thread(d::serve, "gopipe-gocache-daemon");
        t.setDaemon(true);
        t.start();
        return d;
    }

    private void serve() {
        try {
            served.complete(daemon.serve());
        } catch (IOException | RuntimeException e) {
            served.completeExceptionally(e);
        }
    }

    /**
     * The address the builds use ({@code unix:PATH} or {@code tcp:127.0.0.1:PORT}) once the daemon
     * listens; null, after one warning, when it failed to start or did not listen in time.
     */
    synchronized String address() {
        if (resolved) {
            return address;
        }
        resolved = true;
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        try {
            while (daemon.addresses().isEmpty()) {
                if (served.isDone()) {
                    served.get(); // throws its failure
                    throw new IllegalStateException("it ended before listening");
                }
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("not listening after " + START_LIMIT.toSeconds() + " s");
                }
                try {
                    served.get(5, TimeUnit.MILLISECONDS);
                } catch (TimeoutException stillStarting) {
                    // not bound yet
                }
            }
            address = daemon.addresses().get(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            warnNotStarted("interrupted");
        } catch (ExecutionException e) {
            warnNotStarted(e.getCause() == null ? e.toString() : e.getCause().getMessage());
        } catch (TimeoutException | RuntimeException e) {
            warnNotStarted(e.getMessage());
        }
        return address;
    }

    private void warnNotStarted(String why) {
        reporter.warn("the Go build cache daemon of this job did not start (building without the remote Go build cache,"
                + " store " + cache.backend() + ", local tier " + cache.diskDir() + "): " + why);
        daemon.stop();
    }

    /**
     * Stops the daemon after the builds, waits (within the flush limit) for it to close its
     * listeners and the store, and deletes its temp folder.
     */
    @Override
    public void close() {
        daemon.stop();
        try {
            served.get(cache.flushLimit().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // the failure was reported by address(), or it never mattered: no build used it
        } catch (TimeoutException e) {
            reporter.warn("the Go build cache daemon of this job did not stop within " + cache.flushLimit().toSeconds() + " s");
        }
        ImageBuilder.deleteTree(dir);
    }

    /** The daemon's temp folder (socket, lock file); tests check that it is gone after {@link #close()}. */
    Path dir() {
        return dir;
    }
}
