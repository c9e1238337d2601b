package io.gopipe.core.gocache;

import io.gopipe.core.cache.archive.FileTrees;
import io.gopipe.core.gocache.store.ObjectStore;
import io.gopipe.core.gocache.store.ObjectStores;
import io.gopipe.core.report.Reporter;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * {@code gopipe gocache serve}: one long-lived process per agent that serves every go process's
 * bridge ({@code GOCACHEPROG} = the small Go program {@link BridgeBinary} builds) over a unix
 * socket and/or loopback TCP. The go command starts a GOCACHEPROG per invocation; paying a JVM
 * start for each would cost half a second per go command, the bridge costs milliseconds. Every
 * client shares one store connection and one local tier; each gets its own session (prefetch key,
 * figures, uploads flushed at its close). A lock file keeps a second daemon started at the same
 * time from taking over the socket; the daemon exits after the idle time with no client.
 */
public final class GoCacheDaemon {

    /** How {@link #serve} ended. */
    public enum Outcome { IDLE_EXIT, STOPPED, ALREADY_RUNNING }

    private final GoCacheDaemonOptions options;
    private final Reporter log;
    private final Supplier<ObjectStore> opener;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicInteger clients = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong lastActivity = new AtomicLong(System.nanoTime());
    private volatile List<String> bound = List.of();
    private final KeySets keySets = new KeySets();
    private volatile DaemonPrefetch started;
    private volatile Object readyKey;
    private final DebugTimeline timeline;

    /** The daemon for {@code options}, opening the store named by its backend. */
    public GoCacheDaemon(GoCacheDaemonOptions options, Reporter log) {
        this(options, log, () -> ObjectStores.open(options.cache().backend(), options.cache().s3(), options.cache().callTimeout()));
    }

    /** The daemon over a store of the caller's (the plugin's controller store, tests' wrappers). */
    public GoCacheDaemon(GoCacheDaemonOptions options, Reporter log, Supplier<ObjectStore> store) {
        this.options = options;
        this.log = log;
        this.opener = store;
        this.timeline = DebugTimeline.fromEnv(log);
    }

    /**
     * Listens and serves until {@link #stop}, or until the idle time passed with no client. Returns
     * {@link Outcome#ALREADY_RUNNING} at once when another daemon holds the lock file.
     *
     * @throws IOException              when an address cannot be bound or the local tier not created
     * @throws IllegalArgumentException naming an address that is neither unix:PATH nor tcp:LOOPBACK:PORT
     */
    public Outcome serve() throws IOException {
        timeline.mark("daemon starts");
        check();
        Path lockPath = options.effectiveLockFile().toAbsolutePath();
        Files.createDirectories(lockPath.getParent());
        try (FileChannel lockChannel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null; // a daemon in this very JVM holds it
            }
            if (lock == null) {
                return Outcome.ALREADY_RUNNING;
            }
            DiskTier tier = new DiskTier(options.cache().diskDir());
            List<ServerSocketChannel> servers = new ArrayList<>();
            Map<Path, Object> sockets = new LinkedHashMap<>();
            ExecutorService gets = Executors.newCachedThreadPool(GoCacheSession.daemon("gocache-daemon-get"));
            ScheduledExecutorService idle = Executors.newSingleThreadScheduledExecutor(GoCacheSession.daemon("gocache-daemon-idle"));
            try (SharedStore store = new SharedStore(opener)) {
                List<String> addresses = new ArrayList<>();
                for (String a : options.listen()) {
                    ServerSocketChannel s = bind(a, sockets);
                    servers.add(s);
                    addresses.add(describe(s, a));
                }
                bound = List.copyOf(addresses);
                String key = options.cache().prefetchKey();
                if (key != null && !key.isBlank()) {
                    // The daemon of a job that knows its key: the prefetch starts now, not when go connects.
                    started = DaemonPrefetch.start(key, new StoreAccess(store.view(), log, options.cache().callTimeout()), tier, timeline);
                    keySets.adopt(key, started);
                } else {
                    store.openSoon();
                }
                for (ServerSocketChannel s : servers) {
                    Thread t = new Thread(() -> accept(s, tier, store, gets), "gocache-daemon-accept");
                    t.setDaemon(true);
                    t.start();
                }
                writeReady(addresses);
                if (started != null) {
                    started.startedAfter(DebugTimeline.sinceJvmStart());
                }
                timeline.mark("listening on " + String.join(", ", addresses));
                log.info("gocache daemon: serving " + String.join(", ", addresses) + " (store " + options.cache().backend()
                        + ", local tier " + tier.root() + (options.cache().readOnly() ? ", read-only" : "") + ")");
                if (options.warmUp()) {
                    warmUpInBackground();
                }
                boolean idled = false;
                if (!options.idleExit().isZero()) {
                    long limit = options.idleExit().toNanos();
                    long every = Math.max(50, Math.min(1000, options.idleExit().toMillis() / 4));
                    idle.scheduleWithFixedDelay(() -> {
                        if (active.get() == 0 && System.nanoTime() - lastActivity.get() > limit) {
                            stop.countDown();
                        }
                    }, every, every, TimeUnit.MILLISECONDS);
                }
                try {
                    stop.await();
                    idled = !options.idleExit().isZero() && active.get() == 0 && System.nanoTime() - lastActivity.get() > options.idleExit().toNanos();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                log.info("gocache daemon: " + (idled ? "idle for " + options.idleExit().toSeconds() + " s, exiting" : "stopping")
                        + " after " + clients.get() + " clients");
                return idled ? Outcome.IDLE_EXIT : Outcome.STOPPED;
            } finally {
                idle.shutdownNow();
                keySets.closeAll();
                for (ServerSocketChannel s : servers) {
                    s.close();
                }
                // The socket files go before the lock: a daemon that starts next never loses its socket to us.
                // Only our own files: if our folder was removed under us (a tmp cleaner, a workspace wipe), a
                // daemon started since may have bound the same path, and its socket is not ours to delete.
                for (Map.Entry<Path, Object> socket : sockets.entrySet()) {
                    deleteIfStill(socket.getKey(), socket.getValue());
                }
                if (options.readyFile() != null) {
                    deleteIfStill(options.readyFile().toAbsolutePath(), readyKey);
                }
                gets.shutdownNow();
                lock.release();
            }
        }
    }

    /**
     * The rehearsal of {@code serve --warm-up}, on a low-priority thread: it gives way as soon as a
     * client connects or the daemon stops, and reports one line.
     */
    private void warmUpInBackground() {
        Thread t = new Thread(() -> {
            long t0 = System.nanoTime();
            Path scratch = null;
            try {
                scratch = Files.createTempDirectory("gopipe-gocache-rehearsal-");
                GoCacheRehearsal.Result r = new GoCacheRehearsal(scratch, 300, () -> clients.get() > 0 || stop.getCount() == 0)
                        .run(2, options.cache().backend().startsWith("s3://"));
                log.info("gocache daemon: warm-up " + (r.stopped() ? "stopped early (a client came)" : "done") + " in "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms: " + r.rounds() + " rounds, hits " + r.hits());
            } catch (IOException | RuntimeException | LinkageError e) {
                log.info("gocache daemon: warm-up ended early: " + e);
            } finally {
                if (scratch != null) {
                    try {
                        FileTrees.deleteTree(scratch);
                    } catch (IOException ignored) {
                        // a leftover folder under the temp dir is harmless
                    }
                }
            }
        }, "gocache-rehearsal");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /** Ends {@link #serve}; sessions still open are abandoned (their go processes go on without the daemon). */
    public void stop() {
        stop.countDown();
    }

    /** The addresses being served (empty until bound), e.g. {@code tcp:127.0.0.1:40123}. */
    public List<String> addresses() {
        return bound;
    }

    private ServerSocketChannel bind(String address, Map<Path, Object> sockets) throws IOException {
        if (address.startsWith("unix:")) {
            Path p = Path.of(address.substring(5)).toAbsolutePath();
            Files.createDirectories(p.getParent());
            Files.deleteIfExists(p); // a socket left by a killed daemon; we hold the lock, so no live one owns it
            ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            s.bind(UnixDomainSocketAddress.of(p), 64);
            sockets.put(p, fileKey(p));
            return s;
        }
        if (address.startsWith("tcp:")) {
            ServerSocketChannel s = ServerSocketChannel.open();
            s.bind(tcp(address), 64);
            return s;
        }
        throw new IllegalArgumentException("gocache serve address '" + address + "' is neither unix:PATH nor tcp:127.0.0.1:PORT");
    }

    /** Checks every address before anything is created or locked. */
    private void check() throws IOException {
        for (String a : options.listen()) {
            if (a.startsWith("tcp:")) {
                tcp(a);
            } else if (!a.startsWith("unix:") || a.length() == 5) {
                throw new IllegalArgumentException("gocache serve address '" + a + "' is neither unix:PATH nor tcp:127.0.0.1:PORT");
            }
        }
    }

    private static InetSocketAddress tcp(String address) throws IOException {
        String hostPort = address.substring(4);
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("gocache serve address '" + address + "' needs a port: tcp:127.0.0.1:PORT");
        }
        InetAddress host = InetAddress.getByName(hostPort.substring(0, colon).replaceAll("^\\[|]$", ""));
        if (!host.isLoopbackAddress()) {
            throw new IllegalArgumentException("gocache serve address '" + address
                    + "' is not a loopback address: the daemon trusts its clients, so it only listens on loopback");
        }
        try {
            return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("gocache serve address '" + address + "' has no numeric port");
        }
    }

    private static String describe(ServerSocketChannel s, String asked) throws IOException {
        if (s.getLocalAddress() instanceof InetSocketAddress a) {
            return "tcp:" + a.getAddress().getHostAddress() + ":" + a.getPort();
        }
        return "unix:" + Path.of(asked.substring(5)).toAbsolutePath();
    }

    private void writeReady(List<String> addresses) throws IOException {
        Path ready = options.readyFile();
        if (ready == null) {
            return;
        }
        Path abs = ready.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempFile(abs.getParent(), ".ready-", ".tmp");
        Files.write(tmp, (String.join("\n", addresses) + "\n").getBytes(StandardCharsets.UTF_8));
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        readyKey = fileKey(abs);
    }

    /** The file's identity (device and inode), or null when it is gone or the file system has none. */
    private static Object fileKey(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    private static void deleteIfStill(Path p, Object key) throws IOException {
        if (key == null || key.equals(fileKey(p))) {
            Files.deleteIfExists(p);
        }
    }

    private void accept(ServerSocketChannel server, DiskTier tier, SharedStore store, ExecutorService gets) {
        while (server.isOpen()) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                if (server.isOpen()) {
                    log.warn("gocache daemon: accept failed: " + e.getMessage());
                }
                return;
            }
            int n = clients.incrementAndGet();
            active.incrementAndGet();
            lastActivity.set(System.nanoTime());
            BridgeConnection c = new BridgeConnection(n, ChannelStreams.in(ch), ChannelStreams.out(ch), ch, options.cache(), tier,
                    store, gets, log, keySets, timeline);
            Thread t = new Thread(() -> {
                try {
                    c.run();
                } finally {
                    lastActivity.set(System.nanoTime());
                    active.decrementAndGet();
                }
            }, "gocache-daemon-client-" + n);
            t.setDaemon(true);
            t.start();
        }
    }
}
