package io.gopipe.cli;

import io.gopipe.core.GopipeException;
import io.gopipe.core.cache.CacheException;
import io.gopipe.core.cache.CacheKey;
import io.gopipe.core.cache.CachePolicy;
import io.gopipe.core.cache.CacheRequest;
import io.gopipe.core.cache.CacheService;
import io.gopipe.core.cache.CacheSettings;
import io.gopipe.core.cache.CacheStats;
import io.gopipe.core.cache.EntryInfo;
import io.gopipe.core.cache.GoPlatform;
import io.gopipe.core.cache.KeyCalculator;
import io.gopipe.core.cache.ModuleLayout;
import io.gopipe.core.cache.PruneResult;
import io.gopipe.core.cache.RestoreResult;
import io.gopipe.core.cache.SaveResult;
import io.gopipe.core.cache.backend.CacheBackend;
import io.gopipe.core.cache.backend.CacheBackends;
import io.gopipe.core.cache.backend.S3Options;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code gopipe cache restore|save|list|prune|stats}: the Go module and build cache. */
@Command(name = "cache", mixinStandardHelpOptions = true,
        description = "Restore and save Go module (GOMODCACHE) and build (GOCACHE) caches.",
        subcommands = {CacheCommand.Restore.class, CacheCommand.Save.class, CacheCommand.ListEntries.class,
                CacheCommand.Prune.class, CacheCommand.Stats.class})
public final class CacheCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where the cache lives. */
    static final class BackendOptions {
        @Option(names = "--backend", required = true, paramLabel = "local:DIR|s3://BUCKET/PREFIX",
                description = "Cache store: a directory (also NFS) or an S3-compatible bucket and prefix.")
        String backend;

        @Option(names = "--s3-endpoint", paramLabel = "URL", description = "S3 endpoint override (MinIO, Ceph, ...).")
        URI s3Endpoint;

        @Option(names = "--s3-region", paramLabel = "REGION", description = "S3 region (default: AWS_REGION or us-east-1).")
        String s3Region;

        @Option(names = "--s3-path-style", description = "Path-style S3 addressing (most non-AWS stores need it).")
        boolean s3PathStyle;

        @Option(names = "--s3-no-conditional-writes",
                description = "The store ignores If-None-Match; publish by write-and-verify instead.")
        boolean s3NoConditional;

        CacheBackend open() {
            String access = System.getenv("GOPIPE_S3_ACCESS_KEY");
            String secret = System.getenv("GOPIPE_S3_SECRET_KEY");
            return CacheBackends.open(backend, new S3Options(s3Endpoint, s3Region, s3PathStyle, access, secret, !s3NoConditional));
        }
    }

    /** Settings shared by restore and save. */
    static final class RunOptions {
        @Option(names = "--read-only", description = "Restore only, never save (pull-request builds).")
        boolean readOnly;

        @Option(names = "--fail-on-error", description = "Fail on cache problems instead of a miss with a warning.")
        boolean failOnError;

        @Option(names = "--time-limit", paramLabel = "DURATION", description = "Give up a restore after this long, e.g. 90s, 5m.")
        String timeLimit;

        @Option(names = "--max-size", paramLabel = "SIZE",
                description = "Per-entry cap, e.g. 2G: module caches over it are not saved, build caches are trimmed to it.")
        String maxSize;

        @Option(names = "--max-total-size", paramLabel = "SIZE", description = "After a save, evict LRU entries until the store fits.")
        String maxTotalSize;

        @Option(names = "--max-age", paramLabel = "DURATION", description = "After a save, evict entries unused for this long, e.g. 14d.")
        String maxAge;

        @Option(names = "--threads", paramLabel = "N", description = "Archiving threads, each reading files and compressing (default: cores + 1).")
        Integer threads;

        @Option(names = "--extract-threads", paramLabel = "N", description = "File-writing threads on restore (default: cores + 1).")
        Integer extractThreads;

        @Option(names = "--level", paramLabel = "N", description = "zstd level (default 2; higher is smaller and slower to save).")
        Integer level;

        CacheSettings settings(boolean tty) {
            CacheSettings s = CacheSettings.defaults()
                    .withReadOnly(readOnly)
                    .withFailOnError(failOnError)
                    .withProgressInterval(tty ? Duration.ofMillis(200) : Duration.ofSeconds(5));
            if (timeLimit != null) {
                s = s.withTimeLimit(Units.duration(timeLimit, "--time-limit"));
            }
            if (maxSize != null) {
                s = s.withMaxEntryBytes(Units.bytes(maxSize, "--max-size"));
            }
            if (maxTotalSize != null || maxAge != null) {
                s = s.withEviction(maxTotalSize == null ? 0 : Units.bytes(maxTotalSize, "--max-total-size"),
                        maxAge == null ? Duration.ZERO : Units.duration(maxAge, "--max-age"));
            }
            if (threads != null || extractThreads != null) {
                s = s.withThreads(threads == null ? s.threads() : threads, extractThreads == null ? s.extractThreads() : extractThreads);
            }
            if (level != null) {
                s = s.withCompressionLevel(level);
            }
            return s;
        }
    }

    /** What to cache and under which key. */
    static final class KeyOptions {
        @Option(names = "--policy", defaultValue = "mod", paramLabel = "mod|build",
                description = "mod: GOMODCACHE keyed by go.sum; build: GOCACHE with a rolling key. Default: ${DEFAULT-VALUE}.")
        String policy;

        @Option(names = "--mod-layout", paramLabel = "zips|tree",
                description = "Module cache: zips saves only cache/download (Go extracts what a build needs, offline); "
                        + "tree saves every extracted module too. Default: zips.")
        String modLayout;

        @Option(names = "--path", paramLabel = "DIR",
                description = "The cache directory (default: $GOMODCACHE / $GOCACHE, else `go env`).")
        Path path;

        @Option(names = "--key", paramLabel = "KEY", description = "Exact key (default: computed from --repo and the Go toolchain).")
        String key;

        @Option(names = "--restore-keys", split = ",", paramLabel = "PREFIX",
                description = "Prefixes tried in order after the exact key; the newest match wins.")
        List<String> restoreKeys;

        @Option(names = "--repo", defaultValue = ".", paramLabel = "DIR", description = "Where to find go.sum files. Default: ${DEFAULT-VALUE}.")
        Path repo;

        @Option(names = "--salt", paramLabel = "TEXT", description = "Added to computed keys; change it to start over.")
        String salt;

        @Option(names = "--go", paramLabel = "BIN", description = "Go binary to ask for version and platform (default: go).")
        String goBinary;

        @Option(names = "--go-version", paramLabel = "VERSION", description = "Go version for keys, e.g. go1.24.2 (default: go env).")
        String goVersion;

        @Option(names = "--goos", paramLabel = "OS")
        String goos;

        @Option(names = "--goarch", paramLabel = "ARCH")
        String goarch;

        @Option(names = "--branch", paramLabel = "NAME", description = "Build policy: branch (default: $BRANCH_NAME, else main).")
        String branch;

        @Option(names = "--default-branch", defaultValue = "main", paramLabel = "NAME",
                description = "Build policy: fallback branch. Default: ${DEFAULT-VALUE}.")
        String defaultBranch;

        @Option(names = "--revision", paramLabel = "ID", description = "Build policy: unique id of this save (default: $GIT_COMMIT, else the time).")
        String revision;

        CachePolicy cachePolicy() {
            return CachePolicy.parse(policy);
        }

        GoPlatform platform(boolean required) {
            if (goVersion != null && goos != null && goarch != null) {
                return new GoPlatform(goVersion, goos, goarch);
            }
            try {
                GoPlatform detected = GoPlatform.detect(goBinary);
                return new GoPlatform(goVersion != null ? goVersion : detected.goVersion(),
                        goos != null ? goos : detected.goos(), goarch != null ? goarch : detected.goarch());
            } catch (CacheException e) {
                if (required) {
                    throw e;
                }
                return null;
            }
        }

        CacheRequest request() throws IOException {
            CachePolicy p = cachePolicy();
            GoPlatform go = platform(key == null);
            CacheKey cacheKey;
            if (key != null) {
                cacheKey = new CacheKey(key, restoreKeys == null ? List.of() : restoreKeys);
            } else {
                CacheKey computed = p == CachePolicy.MOD
                        ? KeyCalculator.moduleKey(repo.toAbsolutePath().normalize(), go, salt)
                        : KeyCalculator.buildKey(go, salt, firstNonBlank(branch, System.getenv("BRANCH_NAME"), "main"),
                        defaultBranch, firstNonBlank(revision, System.getenv("GIT_COMMIT"), Long.toString(Instant.now().toEpochMilli())));
                cacheKey = restoreKeys == null ? computed : new CacheKey(computed.key(), restoreKeys);
            }
            ModuleLayout layout = modLayout == null ? ModuleLayout.DEFAULT : ModuleLayout.parse(modLayout);
            return new CacheRequest(p, cacheKey, cachePath(p), go, layout);
        }

        private Path cachePath(CachePolicy p) {
            if (path != null) {
                return path;
            }
            String var = p == CachePolicy.MOD ? "GOMODCACHE" : "GOCACHE";
            String env = System.getenv(var);
            if (env != null && !env.isBlank()) {
                return Path.of(env);
            }
            try {
                Process proc = new ProcessBuilder(goBinary == null ? "go" : goBinary, "env", var).redirectErrorStream(true).start();
                String out = new String(proc.getInputStream().readAllBytes()).strip();
                if (proc.waitFor() == 0 && !out.isEmpty()) {
                    return Path.of(out);
                }
            } catch (IOException e) {
                // fall through to the error below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new CacheException("no cache directory: pass --path (or set " + var + ")");
        }

        private static String firstNonBlank(String... values) {
            for (String v : values) {
                if (v != null && !v.isBlank()) {
                    return v;
                }
            }
            return "";
        }
    }

    abstract static class Base implements Callable<Integer> {
        @Mixin
        BackendOptions backendOptions;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        @Override
        public Integer call() throws Exception {
            ConsoleReporter reporter = new ConsoleReporter(err(), System.console() != null);
            CacheBackend opened;
            try {
                opened = backendOptions.open();
            } catch (GopipeException e) {
                if (e.getCause() instanceof IOException && !failsOnCacheProblems()) {
                    // The store is unreachable (unmounted share, no network): like any cache problem, not
                    // the build's. A malformed --backend has no I/O cause and stays an error.
                    reporter.warn(e.getMessage() + "; continuing without cache");
                    return whenStoreUnavailable();
                }
                err().println("gopipe cache: " + e.getMessage());
                return 1;
            }
            try (CacheBackend backend = opened) {
                return run(backend, reporter);
            } catch (GopipeException e) {
                reporter.endProgress();
                err().println("gopipe cache: " + e.getMessage());
                return 1;
            } catch (java.nio.file.NoSuchFileException e) {
                // Outside the engine's own handling (key computation, listing): one line, not a trace.
                reporter.endProgress();
                err().println("gopipe cache: no such file or directory: " + e.getFile());
                return 1;
            } finally {
                reporter.endProgress();
            }
        }

        abstract int run(CacheBackend backend, ConsoleReporter reporter) throws Exception;

        /** Whether a store that cannot be opened fails this command (listing commands: always). */
        boolean failsOnCacheProblems() {
            return true;
        }

        /** Output and exit code of this command when the store cannot be opened and that is not fatal. */
        int whenStoreUnavailable() {
            return 1;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Restore the exact key or the newest entry matching a restore key. A miss is not an error.")
    static final class Restore extends Base {
        @Mixin
        KeyOptions keys;

        @Mixin
        RunOptions run;

        @Override
        boolean failsOnCacheProblems() {
            return run.failOnError;
        }

        @Override
        int whenStoreUnavailable() {
            out().println("cache miss: store unavailable");
            return 0;
        }

        @Override
        int run(CacheBackend backend, ConsoleReporter reporter) throws IOException {
            CacheRequest request = keys.request();
            RestoreResult r = new CacheService(backend, reporter, run.settings(reporter.tty())).restore(request);
            reporter.endProgress();
            if (r.hit()) {
                out().printf(Locale.ROOT, "cache hit (%s): key=%s path=%s files=%d size=%s archive=%s seconds=%.2f%n",
                        r.exact() ? "exact" : "restore-key", r.matchedKey(), request.path(), r.files(),
                        Units.human(r.fileBytes()), Units.human(r.archiveBytes()), r.duration().toMillis() / 1000.0);
            } else {
                out().printf(Locale.ROOT, "cache miss: key=%s restore-keys=%s seconds=%.2f%n", request.key().key(),
                        String.join(",", request.key().restoreKeys()), r.duration().toMillis() / 1000.0);
            }
            return 0;
        }
    }

    @Command(name = "save", mixinStandardHelpOptions = true,
            description = "Save the cache directory under its key unless the key exists (entries are immutable).")
    static final class Save extends Base {
        @Mixin
        KeyOptions keys;

        @Mixin
        RunOptions run;

        @Override
        boolean failsOnCacheProblems() {
            return run.failOnError;
        }

        @Override
        int whenStoreUnavailable() {
            out().println("cache save: failed store unavailable");
            return 0;
        }

        @Override
        int run(CacheBackend backend, ConsoleReporter reporter) throws IOException {
            CacheRequest request = keys.request();
            SaveResult r = new CacheService(backend, reporter, run.settings(reporter.tty())).save(request);
            reporter.endProgress();
            out().printf(Locale.ROOT, "cache save: %s key=%s files=%d size=%s archive=%s seconds=%.2f%n",
                    r.status().name().toLowerCase(Locale.ROOT).replace('_', '-'), r.key(), r.files(),
                    Units.human(r.fileBytes()), Units.human(r.archiveBytes()), r.duration().toMillis() / 1000.0);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List entries, newest first.")
    static final class ListEntries extends Base {
        @Option(names = "--prefix", defaultValue = "", paramLabel = "PREFIX", description = "Only keys starting with this.")
        String prefix;

        @Override
        int run(CacheBackend backend, ConsoleReporter reporter) throws IOException {
            List<EntryInfo> entries = new CacheService(backend, reporter, CacheSettings.defaults()).list(prefix);
            out().printf("%-60s %6s %10s %10s %8s %5s %-20s %-20s%n", "KEY", "POLICY", "SIZE", "ARCHIVE", "FILES", "HITS",
                    "CREATED", "LAST ACCESS");
            for (EntryInfo e : entries) {
                out().printf(Locale.ROOT, "%-60s %6s %10s %10s %8d %5d %-20s %-20s%n", e.key(), e.policy(), Units.human(e.fileBytes()),
                        Units.human(e.archiveBytes()), e.files(), e.hits(), Units.time(e.created()), Units.time(e.lastAccess()));
            }
            return 0;
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "Evict entries unused for --max-age, then least recently used ones until --max-total-size fits.")
    static final class Prune extends Base {
        @Option(names = "--max-total-size", paramLabel = "SIZE", description = "e.g. 10G")
        String maxTotalSize;

        @Option(names = "--max-age", paramLabel = "DURATION", description = "e.g. 14d")
        String maxAge;

        @Override
        int run(CacheBackend backend, ConsoleReporter reporter) throws IOException {
            PruneResult r = new CacheService(backend, reporter, CacheSettings.defaults()).prune(
                    maxTotalSize == null ? 0 : Units.bytes(maxTotalSize, "--max-total-size"),
                    maxAge == null ? Duration.ZERO : Units.duration(maxAge, "--max-age"));
            List<String> lines = new ArrayList<>();
            r.evicted().forEach(k -> lines.add("evicted " + k));
            r.broken().forEach(k -> lines.add("removed broken " + k));
            lines.forEach(out()::println);
            out().printf("cache prune: evicted=%d broken=%d orphans=%d kept=%d size=%s%n", r.evicted().size(), r.broken().size(),
                    r.orphans(), r.keptEntries(), Units.human(r.keptBytes()));
            return 0;
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true, description = "Totals over the store.")
    static final class Stats extends Base {
        @Override
        int run(CacheBackend backend, ConsoleReporter reporter) throws IOException {
            CacheStats s = new CacheService(backend, reporter, CacheSettings.defaults()).stats();
            out().printf("cache stats: backend=%s entries=%d archive=%s size=%s files=%d hits=%d%n", backend.describe(),
                    s.entries(), Units.human(s.archiveBytes()), Units.human(s.fileBytes()), s.files(), s.hits());
            return 0;
        }
    }
}
