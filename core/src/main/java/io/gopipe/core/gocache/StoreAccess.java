package io.gopipe.core.gocache;

import io.gopipe.core.gocache.store.ObjectStore;
import io.gopipe.core.report.Reporter;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Every store call of a run goes through here. A call that fails or outlasts the call timeout is a
 * miss (or a skipped upload); the first such problem is the run's one warning and marks the store
 * down, so a dead or refusing store costs one timeout, not one per package.
 */
final class StoreAccess {

    private final Supplier<ObjectStore> opener;
    private final Reporter reporter;
    private final Duration timeout;
    private final ExecutorService calls = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "gocache-store");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicLong problems = new AtomicLong();
    private volatile ObjectStore store;
    private volatile Future<ObjectStore> opening;

    StoreAccess(Supplier<ObjectStore> opener, Reporter reporter, Duration timeout) {
        this.opener = opener;
        this.reporter = reporter;
        this.timeout = timeout;
    }

    /** Starts opening the store (an S3 client takes a moment) without waiting for it. */
    void openInBackground() {
        opening = calls.submit(opener::get);
    }

    boolean usable() {
        return !down.get();
    }

    long problems() {
        return problems.get();
    }

    /** Result of a store call, or null when the store is down, failed or was too slow. */
    <T> T call(String what, StoreCall<T> action) {
        if (down.get()) {
            return null;
        }
        Future<T> f = calls.submit((Callable<T>) () -> action.run(store()));
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            fail(what, "no answer within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            fail(what, c.getMessage() == null ? c.toString() : c.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    /** {@link #call} on another thread: completes with its result (null when the store is down, failed or was too slow). */
    <T> CompletableFuture<T> callAsync(String what, StoreCall<T> action) {
        if (down.get()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            calls.execute(() -> {
                try {
                    result.complete(call(what, action));
                } catch (RuntimeException e) {
                    result.complete(null); // closed meanwhile
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            result.complete(null); // closed
        }
        return result;
    }

    /** A problem that does not mean the store is down (one corrupt object): warns once per run. */
    void problem(String message) {
        if (problems.getAndIncrement() == 0) {
            reporter.warn("gocache: " + message + "; treated as a miss");
        }
    }

    private void fail(String what, String why) {
        if (down.compareAndSet(false, true)) {
            problem("store " + describe() + " failed on " + what + " (" + why + "); the rest of this run uses the local tier only");
        } else {
            problems.incrementAndGet();
        }
    }

    String describe() {
        ObjectStore s = store;
        return s == null ? "(opening)" : s.describe();
    }

    private ObjectStore store() throws Exception {
        ObjectStore s = store;
        if (s == null) {
            Future<ObjectStore> o = opening;
            s = o != null ? o.get() : opener.get();
            store = s;
        }
        return s;
    }

    void close() {
        calls.shutdownNow();
        ObjectStore s = store;
        if (s != null) {
            try {
                s.close();
            } catch (Exception ignored) {
                // closing a client
            }
        }
    }

    @FunctionalInterface
    interface StoreCall<T> {
        T run(ObjectStore store) throws Exception;
    }
}
