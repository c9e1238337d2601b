package io.gopipe.cli;

import io.gopipe.core.GopipeException;
import io.gopipe.core.cache.backend.S3Options;
import io.gopipe.core.gocache.GoCacheOptions;
import io.gopipe.core.gocache.GoCacheHousekeeping;
import io.gopipe.core.gocache.GoCachePruneResult;
import io.gopipe.core.gocache.GoCacheProgram;
import io.gopipe.core.gocache.GoCacheUsage;
import io.gopipe.core.gocache.store.ObjectStore;
import io.gopipe.core.gocache.store.ObjectStores;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code gopipe gocache}: the GOCACHEPROG program (stdout is the protocol; everything else goes to stderr). */
@Command(name = "gocache", mixinStandardHelpOptions = true,
        description = {"Remote Go build cache for GOCACHEPROG (Go >= 1.24):",
                "  GOCACHEPROG=\"gopipe gocache --backend s3://bucket/prefix --prefetch-key svc-a/main\""})
public final class GoCacheCommand implements Callable<Integer> {

    @Option(names = "--backend", required = true, paramLabel = "local:DIR|s3://BUCKET/PREFIX",
            description = "The cache store (objects live under gocache/ in it).")
    String backend;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Local tier for the files go reads (default: $GOPIPE_GOCACHE_DIR, else ~/.cache/gopipe/gocache).")
    Path dir;

    @Option(names = "--read-only", description = "Never write to the store (pull-request builds).")
    boolean readOnly;

    @Option(names = "--prefetch-key", paramLabel = "KEY",
            description = "Service/branch key: prefetch what the last run of this key used, and record this run's set.")
    String prefetchKey;

    @Option(names = "--flush-limit", paramLabel = "DURATION", defaultValue = "60s",
            description = "How long close may wait for uploads. Default: ${DEFAULT-VALUE}.")
    String flushLimit;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "A store call slower than this is a miss. Default: ${DEFAULT-VALUE}.")
    String timeout;

    @Option(names = "--stats-json", paramLabel = "FILE", description = "Append this run's figures as one JSON line.")
    Path statsJson;

    @Option(names = "--quiet", description = "No figures line on stderr.")
    boolean quiet;

    @Option(names = "--s3-endpoint", paramLabel = "URL", description = "S3 endpoint override (MinIO, Ceph, ...).")
    URI s3Endpoint;

    @Option(names = "--s3-region", paramLabel = "REGION", description = "S3 region (default: AWS_REGION or us-east-1).")
    String s3Region;

    @Option(names = "--s3-path-style", description = "Path-style S3 addressing.")
    boolean s3PathStyle;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        ConsoleReporter reporter = new ConsoleReporter(err, false);
        Path disk = dir;
        if (disk == null) {
            String env = System.getenv("GOPIPE_GOCACHE_DIR");
            disk = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "gopipe", "gocache");
        }
        GoCacheOptions options;
        try {
            ObjectStores.check(backend);
            options = GoCacheOptions.of(backend, disk)
                .withS3(new S3Options(s3Endpoint, s3Region, s3PathStyle, System.getenv("GOPIPE_S3_ACCESS_KEY"),
                        System.getenv("GOPIPE_S3_SECRET_KEY"), true))
                .withReadOnly(readOnly)
                .withPrefetchKey(prefetchKey)
                .withLimits(Units.duration(flushLimit, "--flush-limit"), Units.duration(timeout, "--timeout"))
                .withStatsJson(statsJson)
                .withQuiet(quiet);
        } catch (GopipeException e) {
            err.println("gopipe gocache: " + e.getMessage());
            err.flush();
            return 2;
        }
        // stdout is the protocol: anything a library prints there would corrupt it, so it goes to stderr.
        FileOutputStream protocolOut = new FileOutputStream(FileDescriptor.out);
        System.setOut(System.err);
        try {
            new GoCacheProgram(options, reporter).run(new FileInputStream(FileDescriptor.in), protocolOut);
            return 0;
        } catch (GopipeException | java.io.IOException e) {
            err.println("gopipe gocache: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    /** {@code gopipe cache stats}: the remote build cache beside the archive entries. */
    static void printStats(CacheCommand.BackendOptions b, PrintWriter out) throws java.io.IOException {
        try (ObjectStore store = open(b)) {
            GoCacheUsage u = new GoCacheHousekeeping(store).usage();
            out.printf("gocache stats: store=%s actions=%d objects=%d (%s) packs=%d (%s) keys=%d total=%s%n", store.describe(),
                    u.actions(), u.objects(), Units.human(u.objectBytes()), u.packs(), Units.human(u.packBytes()), u.manifests(),
                    Units.human(u.totalBytes()));
        }
    }

    /** {@code gopipe cache prune}: the same limits, applied to the remote build cache on its own. */
    static void prune(CacheCommand.BackendOptions b, long maxBytes, Duration maxAge, PrintWriter out) throws java.io.IOException {
        try (ObjectStore store = open(b)) {
            GoCachePruneResult r = new GoCacheHousekeeping(store).prune(maxBytes, maxAge, GoCacheHousekeeping.DEFAULT_GRACE);
            out.printf("gocache prune: actions=-%d objects=-%d keys=-%d packs=-%d staging=-%d kept=%s%n", r.actionsRemoved(),
                    r.objectsRemoved(), r.manifestsRemoved(), r.packsRemoved(), r.stagingRemoved(), Units.human(r.kept().totalBytes()));
        }
    }

    private static ObjectStore open(CacheCommand.BackendOptions b) {
        return ObjectStores.open(b.backend, new S3Options(b.s3Endpoint, b.s3Region, b.s3PathStyle, System.getenv("GOPIPE_S3_ACCESS_KEY"),
                System.getenv("GOPIPE_S3_SECRET_KEY"), !b.s3NoConditional), Duration.ofSeconds(30));
    }
}
