package io.gopipe.cli;

import io.gopipe.core.GopipeException;
import io.gopipe.core.cache.CacheJob;
import io.gopipe.core.cache.CacheJobOptions;
import io.gopipe.core.cache.CachePolicy;
import io.gopipe.core.cache.CacheRequest;
import io.gopipe.core.cache.CacheService;
import io.gopipe.core.cache.CacheSettings;
import io.gopipe.core.cache.CacheStats;
import io.gopipe.core.cache.CacheStore;
import io.gopipe.core.cache.EntryInfo;
import io.gopipe.core.cache.FileProblems;
import io.gopipe.core.cache.InvalidCacheInputException;
import io.gopipe.core.exec.LocalCommandRunner;
import io.gopipe.core.cache.PruneResult;
import io.gopipe.core.cache.RestoreResult;
import io.gopipe.core.cache.SaveResult;
import io.gopipe.core.cache.backend.CacheBackend;
import io.gopipe.core.cache.backend.S3Options;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

        @Option(names = "--create-store", description = "Create a missing local store directory (default: a missing one is an"
                + " unreachable store, so an unmounted share never turns into a store on the local disk).")
        boolean createStore;

        @Option(names = "--s3-endpoint", paramLabel = "URL", description = "S3 endpoint override (MinIO, Ceph, ...).")
        URI s3Endpoint;

        @Option(names = "--s3-region", paramLabel = "REGION", description = "S3 region (default: AWS_REGION or us-east-1).")
        String s3Region;

        @Option(names = "--s3-path-style", description = "Path-style S3 addressing (most non-AWS stores need it).")
        boolean s3PathStyle;

        @Option(names = "--s3-no-conditional-writes",
                description = "The store ignores If-None-Match; publish by write-and-verify instead.")
        boolean s3NoConditional;

        CacheStore store() {
            return CacheStore.at(backend, new S3Options(s3Endpoint, s3Region, s3PathStyle, null, null, !s3NoConditional)
                    .withKeysFrom(System.getenv()), createStore);
        }
    }

    /** Flags of both restore and save. */
    static final class CommonOptions {
        @Option(names = "--read-only", description = "Never write to the store: no save, no hit records, broken entries left in place"
                + " (pull-request builds).")
        boolean readOnly;

        @Option(names = "--fail-on-error", description = "Fail on cache problems instead of a miss with a warning.")
        boolean failOnError;
    }

    /** Flags only a restore reads. */
    static final class RestoreOptions {
        @Option(names = "--time-limit", paramLabel = "DURATION", description = "Give up a restore after this long, e.g. 90s, 5m.")
        String timeLimit;

        @Option(names = "--extract-threads", paramLabel = "N", description = "File-writing threads (default: cores + 1).")
        Integer extractThreads;

        void apply(CacheJobOptions.Builder b) {
            if (timeLimit != null) {
                b.timeLimit(Units.duration(timeLimit, "--time-limit"));
            }
            if (extractThreads != null) {
                b.threads(0, extractThreads);
            }
        }
    }

    /** Flags only a save reads. */
    static final class SaveOptions {
        @Option(names = "--max-size", paramLabel = "SIZE",
                description = "Per-entry cap, e.g. 2G: module caches over it are not saved, build caches are trimmed to it.")
        String maxSize;

        @Option(names = "--max-total-size", paramLabel = "SIZE", description = "After a save, evict LRU entries until the store fits.")
        String maxTotalSize;

        @Option(names = "--max-age", paramLabel = "DURATION", description = "After a save, evict entries unused for this long, e.g. 14d.")
        String maxAge;

        @Option(names = "--threads", paramLabel = "N", description = "Archiving threads, each reading files and compressing (default: cores + 1).")
        Integer threads;

        @Option(names = "--level", paramLabel = "N", description = "zstd level (default 2; higher is smaller and slower to save).")
        Integer level;

        void apply(CacheJobOptions.Builder b) {
            if (maxSize != null) {
                b.maxEntryBytes(Units.bytes(maxSize, "--max-size"));
            }
            if (maxTotalSize != null || maxAge != null) {
                b.eviction(maxTotalSize == null ? 0 : Units.bytes(maxTotalSize, "--max-total-size"),
                        maxAge == null ? Duration.ZERO : Units.duration(maxAge, "--max-age"));
            }
            if (threads != null) {
                b.threads(threads, 0);
            }
            if (level != null) {
                b.level(level);
            }
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
                description = "The cache directory (default: $GOMODCACHE / $GOCACHE, else `go env`). A symlink to a folder is followed.")
        String path;

        @Option(names = "--key", paramLabel = "KEY", description = "Exact key (default: computed from --repo and the Go toolchain).")
        String key;

        @Option(names = "--restore-keys", split = ",", paramLabel = "PREFIX",
                description = "Prefixes tried in order after the exact key; the newest match wins.")
        List<String> restoreKeys;

        @Option(names = "--repo", defaultValue = ".", paramLabel = "DIR", description = "Where to find go.sum files. Default: ${DEFAULT-VALUE}.")
        String repo;

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

        void apply(CacheJobOptions.Builder b) {
            b.policy(policy).path(path).key(key).restoreKeys(restoreKeys).repo(repo).salt(salt)
                    .modLayout(modLayout).goBinary(goBinary).platform(goVersion, goos, goarch).branch(branch).defaultBranch(defaultBranch)
                    .revision(revision).workDir(Path.of("").toAbsolutePath().toString());
        }

        /** A module key is computed from --repo: a wrong one is a wrong flag, not a cache problem. */
        void checkRepo() {
            if (key == null && CachePolicy.parse(policy) == CachePolicy.MOD && !Files.isDirectory(Path.of(repo))) {
                throw new InvalidCacheInputException("--repo " + Path.of(repo).toAbsolutePath().normalize()
                        + " is not a directory: pass --key, or point --repo at the Go code");
            }
        }
    }

    /** Shared by every subcommand: one line per error, exit 2 for bad input, 1 for everything else. */
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
        public Integer call() {
            ConsoleReporter reporter = new ConsoleReporter(err(), System.console() != null);
            try {
                return run(reporter);
            } catch (InvalidCacheInputException e) {
                reporter.endProgress();
                err().println("gopipe cache: " + e.getMessage());
                return 2;
            } catch (GopipeException e) {
                reporter.endProgress();
                err().println("gopipe cache: " + e.getMessage());
                return 1;
            } catch (java.nio.file.FileSystemException e) {
                // Outside the engine's own handling (listing a store): one line with path and reason, not a trace.
                reporter.endProgress();
                err().println("gopipe cache: " + FileProblems.describe(e));
                return 1;
            } catch (IOException e) {
                reporter.endProgress();
                err().println("gopipe cache: " + e.getMessage());
                return 1;
            } finally {
                reporter.endProgress();
            }
        }

        abstract int run(ConsoleReporter reporter) throws IOException;

        /** Opens the store for the listing commands, where a store that cannot be opened is an error. */
        CacheBackend openStore() throws IOException {
            CacheStore store = backendOptions.store();
            store.check();
            return store.open();
        }
    }

    /** Restore and save: read the flags into {@link CacheJobOptions} and hand them to {@link CacheJob}. */
    abstract static class JobCommand extends Base {
        @Mixin
        KeyOptions keys;

        @Mixin
        CommonOptions common;

        CacheJob job(ConsoleReporter reporter, java.util.function.Consumer<CacheJobOptions.Builder> more) {
            CacheJobOptions.Builder b = CacheJobOptions.builder()
                    .readOnly(common.readOnly)
                    .failOnError(common.failOnError)
                    .progressInterval(reporter.tty() ? Duration.ofMillis(200) : Duration.ofSeconds(5))
                    .store(backendOptions.store());
            keys.apply(b);
            more.accept(b);
            CacheJobOptions options = b.build();
            CacheJob.check(options);
            keys.checkRepo();
            return new CacheJob(options, System.getenv(), reporter, new LocalCommandRunner());
        }

        String requestedKey(CacheJob job) {
            return job.request().map(r -> r.key().key()).orElse(keys.key == null ? "?" : keys.key);
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Restore the exact key or the newest entry matching a restore key. A miss is not an error.")
    static final class Restore extends JobCommand {
        @Mixin
        RestoreOptions restore;

        @Override
        int run(ConsoleReporter reporter) {
            CacheJob job = job(reporter, restore::apply);
            RestoreResult r = job.restore();
            reporter.endProgress();
            if (r.hit()) {
                out().printf(Locale.ROOT, "cache hit (%s): key=%s path=%s files=%d size=%s archive=%s seconds=%.2f%n",
                        r.exact() ? "exact" : "restore-key", r.matchedKey(), job.request().map(CacheRequest::path).orElse(null),
                        r.files(), Units.human(r.fileBytes()), Units.human(r.archiveBytes()), r.duration().toMillis() / 1000.0);
            } else {
                out().printf(Locale.ROOT, "cache miss: key=%s restore-keys=%s seconds=%.2f%n", requestedKey(job),
                        job.request().map(q -> String.join(",", q.key().restoreKeys())).orElse(""), r.duration().toMillis() / 1000.0);
            }
            return 0;
        }
    }

    @Command(name = "save", mixinStandardHelpOptions = true,
            description = "Save the cache directory under its key unless the key exists (entries are immutable).")
    static final class Save extends JobCommand {
        @Mixin
        SaveOptions save;

        @Override
        int run(ConsoleReporter reporter) {
            CacheJob job = job(reporter, save::apply);
            SaveResult r = job.save();
            reporter.endProgress();
            out().printf(Locale.ROOT, "cache save: %s key=%s files=%d size=%s archive=%s seconds=%.2f%n",
                    r.status().name().toLowerCase(Locale.ROOT).replace('_', '-'), r.key().isEmpty() ? requestedKey(job) : r.key(),
                    r.files(), Units.human(r.fileBytes()), Units.human(r.archiveBytes()), r.duration().toMillis() / 1000.0);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List entries, newest first.")
    static final class ListEntries extends Base {
        @Option(names = "--prefix", defaultValue = "", paramLabel = "PREFIX", description = "Only keys starting with this.")
        String prefix;

        @Override
        int run(ConsoleReporter reporter) throws IOException {
            try (CacheBackend backend = openStore()) {
                List<EntryInfo> entries = new CacheService(backend, reporter, CacheSettings.defaults()).list(prefix);
                out().printf("%-60s %6s %10s %10s %8s %5s %-20s %-20s%n", "KEY", "POLICY", "SIZE", "ARCHIVE", "FILES", "HITS",
                        "CREATED", "LAST ACCESS");
                for (EntryInfo e : entries) {
                    out().printf(Locale.ROOT, "%-60s %6s %10s %10s %8d %5d %-20s %-20s%n", e.key(), e.policy(), Units.human(e.fileBytes()),
                            Units.human(e.archiveBytes()), e.files(), e.hits(), Units.time(e.created()), Units.time(e.lastAccess()));
                }
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
        int run(ConsoleReporter reporter) throws IOException {
            long total = maxTotalSize == null ? 0 : Units.bytes(maxTotalSize, "--max-total-size");
            Duration age = maxAge == null ? Duration.ZERO : Units.duration(maxAge, "--max-age");
            try (CacheBackend backend = openStore()) {
                PruneResult r = new CacheService(backend, reporter, CacheSettings.defaults()).prune(total, age);
                List<String> lines = new ArrayList<>();
                r.evicted().forEach(k -> lines.add("evicted " + k));
                r.broken().forEach(k -> lines.add("removed broken " + k));
                lines.forEach(out()::println);
                out().printf("cache prune: evicted=%d broken=%d orphans=%d kept=%d size=%s%n", r.evicted().size(), r.broken().size(),
                        r.orphans(), r.keptEntries(), Units.human(r.keptBytes()));
                GoCacheCommand.prune(backendOptions, total, age, out());
            }
            return 0;
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = "Totals over the store, including files of interrupted saves that belong to no entry.")
    static final class Stats extends Base {
        @Override
        int run(ConsoleReporter reporter) throws IOException {
            try (CacheBackend backend = openStore()) {
                CacheStats s = new CacheService(backend, reporter, CacheSettings.defaults()).stats();
                out().printf("cache stats: backend=%s entries=%d archive=%s size=%s files=%d hits=%d leftovers=%d leftover-size=%s%n",
                        backend.describe(), s.entries(), Units.human(s.archiveBytes()), Units.human(s.fileBytes()), s.files(), s.hits(),
                        s.leftoverFiles(), Units.human(s.leftoverBytes()));
                GoCacheCommand.printStats(backendOptions, out());
            }
            return 0;
        }
    }
}
