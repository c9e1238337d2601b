package io.gopipe.cli;

import io.gopipe.core.GopipeException;
import io.gopipe.core.cache.backend.S3Options;
import io.gopipe.core.exec.LocalCommandRunner;
import io.gopipe.core.gocache.BridgeBinary;
import io.gopipe.core.gocache.BridgeShelf;
import io.gopipe.core.gocache.GoCacheDaemon;
import io.gopipe.core.gocache.GoCacheDaemonOptions;
import io.gopipe.core.gocache.GoCacheHousekeeping;
import io.gopipe.core.gocache.GoCacheOptions;
import io.gopipe.core.gocache.GoCacheProgLine;
import io.gopipe.core.gocache.GoCacheProgram;
import io.gopipe.core.gocache.GoCachePruneResult;
import io.gopipe.core.gocache.GoCacheUsage;
import io.gopipe.core.gocache.store.ObjectStore;
import io.gopipe.core.gocache.store.ObjectStores;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code gopipe gocache}: the GOCACHEPROG program (stdout is the protocol; everything else goes to stderr). */
@Command(name = "gocache", mixinStandardHelpOptions = true,
        subcommands = {GoCacheCommand.Serve.class, GoCacheCommand.Bridge.class},
        description = {"Remote Go build cache for GOCACHEPROG (Go >= 1.24):",
                "  GOCACHEPROG=\"gopipe gocache --backend s3://bucket/prefix --prefetch-key svc-a/main\"",
                "One JVM per go command; for many go commands per agent run 'gopipe gocache serve' once and",
                "point GOCACHEPROG at the bridge ('gopipe gocache bridge' prints the line)."})
public final class GoCacheCommand implements Callable<Integer> {

    /** The S3 flags of every gocache subcommand that opens the store; the keys come from GOPIPE_S3_*, never a flag. */
    static final class S3Flags {
        @Option(names = "--s3-endpoint", paramLabel = "URL", description = "S3 endpoint override (MinIO, Ceph, ...).")
        URI s3Endpoint;

        @Option(names = "--s3-region", paramLabel = "REGION", description = "S3 region (default: AWS_REGION or us-east-1).")
        String s3Region;

        @Option(names = "--s3-path-style", description = "Path-style S3 addressing.")
        boolean s3PathStyle;

        /** Whether any S3 flag was given (the image build refuses them without an s3 store). */
        boolean given() {
            return s3Endpoint != null || s3Region != null || s3PathStyle;
        }

        S3Options options() {
            return new S3Options(s3Endpoint, s3Region, s3PathStyle, null, null, true).withKeysFrom(System.getenv());
        }
    }

    /** The store, local tier and limits: the same flags for the program and the daemon. */
    static final class StoreOptions {
        @Option(names = "--backend", paramLabel = "local:DIR|s3://BUCKET/PREFIX",
                description = "The cache store (objects live under gocache/ in it). Required.")
        String backend;

        @Option(names = "--dir", paramLabel = "DIR",
                description = "Local tier for the files go reads (default: $GOPIPE_GOCACHE_DIR, else ~/.cache/gopipe/gocache).")
        Path dir;

        @Option(names = "--read-only", description = "Never write to the store (pull-request builds).")
        boolean readOnly;

        @Option(names = "--flush-limit", paramLabel = "DURATION", defaultValue = "60s",
                description = "How long close may wait for uploads. Default: ${DEFAULT-VALUE}.")
        String flushLimit;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
                description = "A store call slower than this is a miss. Default: ${DEFAULT-VALUE}.")
        String timeout;

        @Mixin
        S3Flags s3 = new S3Flags();

        /** @throws GopipeException (exit 2) naming the flag that is missing or malformed */
        GoCacheOptions options() {
            if (backend == null || backend.isBlank()) {
                throw new io.gopipe.core.cache.InvalidCacheInputException("--backend is required (local:DIR or s3://BUCKET/PREFIX)");
            }
            ObjectStores.check(backend);
            return GoCacheOptions.of(backend, diskDir())
                    .withS3(s3.options())
                    .withReadOnly(readOnly)
                    .withLimits(Units.duration(flushLimit, "--flush-limit"), Units.duration(timeout, "--timeout"));
        }

        Path diskDir() {
            return dir != null ? dir : GoCacheOptions.defaultDiskDir(System.getenv());
        }
    }

    @Mixin
    StoreOptions store = new StoreOptions();

    @Option(names = "--prefetch-key", paramLabel = "KEY",
            description = "Service/branch key: prefetch what the last run of this key used, and record this run's set.")
    String prefetchKey;

    @Option(names = "--stats-json", paramLabel = "FILE", description = "Append this run's figures as one JSON line.")
    Path statsJson;

    @Option(names = "--quiet", description = "No figures line on stderr.")
    boolean quiet;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        ConsoleReporter reporter = new ConsoleReporter(err, false);
        GoCacheOptions options;
        try {
            options = store.options().withPrefetchKey(prefetchKey).withStatsJson(statsJson).withQuiet(quiet);
        } catch (GopipeException e) {
            return fail(err, "gopipe gocache", e, 2);
        }
        // stdout is the protocol: anything a library prints there would corrupt it, so it goes to stderr.
        FileOutputStream protocolOut = new FileOutputStream(FileDescriptor.out);
        System.setOut(System.err);
        try {
            new GoCacheProgram(options, reporter).run(new FileInputStream(FileDescriptor.in), protocolOut);
            return 0;
        } catch (GopipeException | java.io.IOException e) {
            return fail(err, "gopipe gocache", e, 1);
        }
    }

    /** {@code gopipe gocache serve}: the per-agent daemon the bridge talks to. */
    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = {"Serve the gocache bridge of every go command on this agent from one long-lived process.",
                    "Start it once per agent (in the background); it exits after --idle-exit without a client,",
                    "and a second one started at the same time backs off (exit 0)."})
    static final class Serve implements Callable<Integer> {
        @Mixin
        StoreOptions store = new StoreOptions();

        @Option(names = "--socket", paramLabel = "PATH", description = "Listen on this unix socket.")
        Path socket;

        @Option(names = "--tcp", paramLabel = "HOST:PORT", description = "Listen on this loopback TCP address (port 0: any free port).")
        String tcp;

        @Option(names = "--idle-exit", paramLabel = "DURATION", defaultValue = "10m",
                description = "Exit after this long without a client (0: never). Default: ${DEFAULT-VALUE}.")
        String idleExit;

        @Option(names = "--prefetch-key", paramLabel = "KEY",
                description = "Start prefetching this key's set now, before any go command connects (the job's key on a fresh agent).")
        String prefetchKey;

        @Option(names = "--lock", paramLabel = "FILE", description = "Lock file (default: <socket>.lock, else <dir>/daemon.lock).")
        Path lock;

        @Option(names = "--ready-file", paramLabel = "FILE",
                description = "Write the bound addresses here once clients can connect (removed at exit).")
        Path readyFile;

        @Option(names = "--warm-up",
                description = {"Once listening, rehearse the daemon's work on made-up outputs in a temporary folder",
                        "(about 1-2 CPU-s; never its store or tier), so a daemon started ahead of its jobs, with the agent,",
                        "serves the first job with compiled code. Gives way when a client connects."})
        boolean warmUp;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            ConsoleReporter reporter = new ConsoleReporter(err, false);
            GoCacheDaemonOptions options;
            try {
                List<String> listen = new ArrayList<>();
                if (socket != null) {
                    listen.add("unix:" + socket.toAbsolutePath());
                }
                if (tcp != null) {
                    listen.add("tcp:" + tcp);
                }
                if (listen.isEmpty()) {
                    throw new io.gopipe.core.cache.InvalidCacheInputException("give --socket PATH and/or --tcp 127.0.0.1:PORT");
                }
                options = new GoCacheDaemonOptions(store.options().withPrefetchKey(prefetchKey), listen, Units.duration(idleExit, "--idle-exit"), lock, readyFile,
                        warmUp);
            } catch (GopipeException e) {
                return fail(err, "gopipe gocache serve", e, 2);
            }
            try {
                GoCacheDaemon daemon = new GoCacheDaemon(options, reporter);
                java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
                // SIGTERM (an agent shutting down): stop serving and remove the socket before the JVM ends.
                Thread hook = new Thread(() -> {
                    daemon.stop();
                    try {
                        done.await(5, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                }, "gocache-serve-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
                GoCacheDaemon.Outcome o;
                try {
                    o = daemon.serve();
                } finally {
                    done.countDown();
                }
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: it ends the JVM
                }
                if (o == GoCacheDaemon.Outcome.ALREADY_RUNNING) {
                    reporter.info("gocache daemon: another daemon holds " + options.effectiveLockFile() + "; leaving it to serve");
                }
                return 0;
            } catch (IllegalArgumentException e) {
                return fail(err, "gopipe gocache serve", e, 2);
            } catch (GopipeException | java.io.IOException e) {
                return fail(err, "gopipe gocache serve", e, 1);
            }
        }
    }

    /** {@code gopipe gocache bridge}: builds the bridge with the given go and prints the GOCACHEPROG line. */
    @Command(name = "bridge", mixinStandardHelpOptions = true,
            description = {"Build the gocache bridge (offline, with the given go >= 1.24) and print the GOCACHEPROG value",
                    "for a daemon started with 'gopipe gocache serve':",
                    "  export GOCACHEPROG=\"$(gopipe gocache bridge --daemon unix:/tmp/gocache.sock --prefetch-key svc/main)\""})
    static final class Bridge implements Callable<Integer> {
        @Option(names = "--daemon", required = true, paramLabel = "unix:PATH|tcp:127.0.0.1:PORT", description = "The daemon's address.")
        String daemon;

        @Option(names = "--go", paramLabel = "GO", defaultValue = "go", description = "The go command to build with. Default: ${DEFAULT-VALUE}.")
        String go;

        @Option(names = "--cache-dir", paramLabel = "DIR", description = "Where built bridges are kept (default: ~/.cache/gopipe/bridge).")
        Path cacheDir;

        @Option(names = "--dir", paramLabel = "DIR", description = "The bridge's own directory when it cannot see the daemon's disk.")
        Path dir;

        @Option(names = "--prefetch-key", paramLabel = "KEY", description = "Service/branch key of this build.")
        String prefetchKey;

        @Option(names = "--read-only", description = "Never write to the store (pull-request builds).")
        boolean readOnly;

        @Option(names = "--stats-json", paramLabel = "FILE", description = "Each go command appends its figures as one JSON line.")
        Path statsJson;

        @Option(names = "--wait", paramLabel = "DURATION",
                description = "The bridge keeps trying to reach a daemon that is still starting this long (Go syntax: 20s).")
        String wait;

        @Option(names = "--output", paramLabel = "FILE",
                description = {"Also write the GOCACHEPROG value to this file (atomically), for callers that cannot",
                        "separate it from other output (a Kubernetes container's exec merges stderr into stdout)."})
        Path output;

        @Option(names = "--backend", paramLabel = "local:DIR|s3://BUCKET/PREFIX",
                description = {"The daemon's store: take a bridge another agent built for this go version and platform from it,",
                        "and publish one built here (unless --read-only). Saves the bridge's compile on ephemeral agents."})
        String backend;

        @Mixin
        S3Flags s3 = new S3Flags();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            Path cache = cacheDir != null ? cacheDir : Path.of(System.getProperty("user.home"), ".cache", "gopipe", "bridge");
            if (backend != null) {
                try {
                    ObjectStores.check(backend);
                } catch (GopipeException e) {
                    return fail(err, "gopipe gocache bridge", e, 2);
                }
            }
            ObjectStore store = null;
            try {
                if (backend != null) {
                    store = ObjectStores.open(backend, s3.options(), Duration.ofSeconds(30));
                }
                BridgeShelf shelf = store == null ? null : new BridgeShelf(store, readOnly, w -> {
                    err.println("gopipe gocache bridge: WARNING: " + w);
                    err.flush();
                });
                Path bin = BridgeBinary.build(new LocalCommandRunner(), go, cache, shelf);
                String line = new GoCacheProgLine.Bridge(bin.toString(), daemon, dir == null ? null : dir.toAbsolutePath().toString(),
                        prefetchKey, readOnly, statsJson == null ? null : statsJson.toAbsolutePath().toString(), wait).value();
                if (output != null) {
                    writeAtomically(output, line);
                }
                spec.commandLine().getOut().println(line);
                spec.commandLine().getOut().flush();
                return 0;
            } catch (BridgeBinary.GoTooOldException | IllegalArgumentException e) {
                return fail(err, "gopipe gocache bridge", e, 2);
            } catch (GopipeException e) {
                return fail(err, "gopipe gocache bridge", e, 1);
            } catch (java.io.IOException e) {
                err.println("gopipe gocache bridge: cannot write --output " + output + ": " + e.getMessage());
                err.flush();
                return 1;
            } finally {
                closeQuietly(store);
            }
        }
    }

    /** Readers of the file see no line or the whole line. */
    private static void writeAtomically(Path file, String line) throws java.io.IOException {
        Path abs = file.toAbsolutePath();
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        java.nio.file.Files.writeString(tmp, line + "\n");
        java.nio.file.Files.move(tmp, abs, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static void closeQuietly(ObjectStore store) {
        if (store == null) {
            return;
        }
        try {
            store.close();
        } catch (Exception ignored) {
            // nothing of ours is left to flush: the bridge was published or not, as its warning said
        }
    }

    /** {@code gopipe cache stats}: the remote build cache beside the archive entries. */
    static void printStats(CacheCommand.BackendOptions b, PrintWriter out) throws java.io.IOException {
        try (ObjectStore store = open(b)) {
            GoCacheUsage u = new GoCacheHousekeeping(store).usage();
            out.printf("gocache stats: store=%s actions=%d objects=%d (%s) packs=%d (%s) keys=%d tools=%d (%s) total=%s%n",
                    store.describe(), u.actions(), u.objects(), Units.human(u.objectBytes()), u.packs(), Units.human(u.packBytes()),
                    u.manifests(), u.tools(), Units.human(u.toolBytes()), Units.human(u.totalBytes()));
        }
    }

    /** {@code gopipe cache prune}: the same limits, applied to the remote build cache on its own. */
    static void prune(CacheCommand.BackendOptions b, long maxBytes, Duration maxAge, PrintWriter out) throws java.io.IOException {
        try (ObjectStore store = open(b)) {
            GoCachePruneResult r = new GoCacheHousekeeping(store).prune(maxBytes, maxAge, GoCacheHousekeeping.DEFAULT_GRACE);
            out.printf("gocache prune: actions=-%d objects=-%d keys=-%d packs=-%d tools=-%d staging=-%d kept=%s%n",
                    r.actionsRemoved(), r.objectsRemoved(), r.manifestsRemoved(), r.packsRemoved(), r.toolsRemoved(),
                    r.stagingRemoved(), Units.human(r.kept().totalBytes()));
        }
    }

    private static ObjectStore open(CacheCommand.BackendOptions b) {
        return ObjectStores.open(b.backend, new S3Options(b.s3Endpoint, b.s3Region, b.s3PathStyle, null, null,
                !b.s3NoConditional).withKeysFrom(System.getenv()), Duration.ofSeconds(30));
    }

    /** One line on stderr naming the subcommand, then the exit code (2 bad input, 1 failure). */
    static int fail(PrintWriter err, String command, Exception e, int code) {
        err.println(command + ": " + e.getMessage());
        err.flush();
        return code;
    }
}
