package io.gopipe.core.cache;

import io.gopipe.core.cache.backend.CacheBackend;
import io.gopipe.core.exec.CommandException;
import io.gopipe.core.exec.CommandRunner;
import io.gopipe.core.exec.GoEnv;
import io.gopipe.core.report.Reporter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One restore or save as {@code gopipe cache} and the Jenkins step {@code goModCache} run it: turns
 * {@link CacheJobOptions} into settings, key, Go platform, store and error policy, and runs
 * {@link CacheService}. Both adapters only read their inputs into the options and call this.
 *
 * <p>Error policy: without {@link CacheJobOptions#failOnError()} nothing escapes {@link #restore()}
 * or {@link #save()}: a bad option that got this far, a Go that cannot be run, a store that cannot
 * be opened, a broken archive, a time limit each end as one {@link Reporter#warn} line and a miss
 * (or a skipped save). With it, they throw a {@link CacheException} whose message names the cause.
 * Adapters that want bad input to be an error of its own call {@link #check} first.
 */
public final class CacheJob {

    private final CacheJobOptions options;
    private final Map<String, String> environment;
    private final Reporter reporter;
    private final CommandRunner commands;
    private CacheRequest request;

    /**
     * @param options     what to do
     * @param environment the build's environment: GOMODCACHE/GOCACHE, BRANCH_NAME, GIT_BRANCH, GIT_COMMIT, BUILD_TAG
     * @param reporter    where warnings and progress go
     * @param commands    where {@code go env} runs (the caller's choice: this machine, or a pipeline's build container);
     *                    the one command this job starts
     */
    public CacheJob(CacheJobOptions options, Map<String, String> environment, Reporter reporter, CommandRunner commands) {
        this.options = options;
        this.environment = environment == null ? Map.of() : Map.copyOf(environment);
        this.reporter = reporter;
        this.commands = commands;
    }

    /**
     * Checks every input that can be checked without Go, the store or the cache folder: policy,
     * keys, platform, limits, the cache path, the store address.
     *
     * @throws InvalidCacheInputException naming the bad input
     */
    public static void check(CacheJobOptions o) {
        CachePolicy.parse(o.policy() == null ? "" : o.policy());
        layout(o);
        if (o.key() != null) {
            CacheKeys.check(o.key());
        }
        if (o.restoreKeys() != null) {
            o.restoreKeys().forEach(CacheKeys::check);
        }
        settings(o);
        Path path = cachePath(o);
        if (path != null && path.getParent() == null) {
            throw new InvalidCacheInputException("cache path " + path + " is the file system root: give the cache its own folder");
        }
        if (o.store() != null) {
            o.store().check();
        }
    }

    /** The cache folder as an absolute path (relative ones against {@link CacheJobOptions#workDir()}), or null when not given. */
    public static Path cachePath(CacheJobOptions o) {
        return o.path() == null || o.path().isBlank() ? null : absolute(o, o.path());
    }

    /** The settings the options ask for. */
    public static CacheSettings settings(CacheJobOptions o) {
        CacheSettings s = CacheSettings.defaults()
                .withReadOnly(o.readOnly())
                .withFailOnError(o.failOnError())
                .withTimeLimit(o.timeLimit())
                .withMaxEntryBytes(o.maxEntryBytes())
                .withEviction(o.maxTotalBytes(), o.maxAge())
                .withProgressInterval(o.progressInterval());
        if (o.threads() != 0 || o.extractThreads() != 0) {
            s = s.withThreads(o.threads() != 0 ? o.threads() : s.threads(), o.extractThreads() != 0 ? o.extractThreads() : s.extractThreads());
        }
        if (o.level() != 0) {
            s = s.withCompressionLevel(o.level());
        }
        return s;
    }

    /** The request of the last {@link #restore()} or {@link #save()}, once its key and path were known. */
    public Optional<CacheRequest> request() {
        return Optional.ofNullable(request);
    }

    /** Restores the exact key or the newest restore-key match; every problem is a miss unless failOnError. */
    public RestoreResult restore() {
        long start = System.nanoTime();
        CacheSettings settings;
        CacheBackend backend;
        try {
            settings = settings(options);
            request = resolve();
            backend = openStore();
        } catch (Exception e) {
            String problem = problem("restore", e);
            reporter.warn(problem + "; continuing without cache");
            return RestoreResult.miss(Duration.ofNanos(System.nanoTime() - start), problem);
        }
        try {
            return new CacheService(backend, reporter, settings).restore(request); // applies the same policy itself
        } finally {
            closeQuietly(backend);
        }
    }

    /** Saves unless the key exists or nothing changed; every problem is a skipped save unless failOnError. */
    public SaveResult save() {
        long start = System.nanoTime();
        CacheSettings settings;
        CacheBackend backend;
        try {
            settings = settings(options);
            request = resolve();
            Optional<SaveResult> early = CacheService.beforeStore(request, settings, reporter);
            if (early.isPresent()) {
                return early.get();
            }
            backend = openStore();
        } catch (Exception e) {
            String problem = problem("save", e);
            reporter.warn(problem + "; the build goes on");
            String key = request != null ? request.key().key() : options.key() != null ? options.key() : "";
            return new SaveResult(SaveResult.Status.FAILED, key, 0, 0, 0, Duration.ofNanos(System.nanoTime() - start), problem);
        }
        try {
            return new CacheService(backend, reporter, settings).save(request);
        } finally {
            closeQuietly(backend);
        }
    }

    /**
     * A save that cannot even start (the Jenkins agent went away): one warning and a skipped save,
     * or with failOnError a {@link CacheException} with {@code why}.
     */
    public static SaveResult skipSave(CacheJobOptions options, Reporter reporter, String why) {
        String problem = "cache save" + (options.key() != null ? " of " + options.key() : "") + " skipped: " + why;
        if (options.failOnError()) {
            throw new CacheException(problem);
        }
        reporter.warn(problem + "; the build goes on");
        return new SaveResult(SaveResult.Status.FAILED, options.key() == null ? "" : options.key(), 0, 0, 0, Duration.ZERO, problem);
    }

    /** The one-line problem; thrown instead of returned with failOnError. */
    private String problem(String what, Exception e) {
        String problem = "cache " + what + which() + " skipped: " + CacheService.message(e);
        if (options.failOnError()) {
            throw new CacheException(problem, e);
        }
        return problem;
    }

    private static void closeQuietly(CacheBackend backend) {
        try {
            backend.close();
        } catch (java.io.IOException | RuntimeException ignored) {
            // the result is decided; a store that fails to close changes nothing
        }
    }

    private String which() {
        return request != null ? " of " + request.key().key() : options.key() != null ? " of " + options.key() : "";
    }

    private CacheBackend openStore() throws java.io.IOException {
        if (options.store() == null) {
            throw new InvalidCacheInputException("no cache store given");
        }
        return options.store().open();
    }

    /** Key, path and platform: the parts that need Go and the file system. */
    private CacheRequest resolve() throws java.io.IOException {
        CachePolicy policy = CachePolicy.parse(options.policy() == null ? "" : options.policy());
        GoPlatform platform = platform(options.key() == null);
        CacheKey key;
        if (options.key() != null) {
            key = new CacheKey(options.key(), options.restoreKeys() == null ? List.of() : options.restoreKeys());
        } else {
            CacheKey computed = policy == CachePolicy.MOD
                    ? KeyCalculator.moduleKey(absolute(options, options.repo() == null ? "." : options.repo()), platform, options.salt())
                    : KeyCalculator.buildKey(platform, options.salt(), branch(), options.defaultBranch(), revision());
            key = options.restoreKeys() == null ? computed : new CacheKey(computed.key(), options.restoreKeys());
        }
        return new CacheRequest(policy, key, path(policy), platform, layout(options));
    }

    /** Explicit values win; the rest comes from {@code go env}. Without a computed key a Go that cannot run is no problem. */
    private GoPlatform platform(boolean required) {
        if (options.goVersion() != null && options.goos() != null && options.goarch() != null) {
            return new GoPlatform(options.goVersion(), options.goos(), options.goarch());
        }
        try {
            List<String> v = goEnv(List.of("GOVERSION", "GOOS", "GOARCH"));
            return new GoPlatform(options.goVersion() != null ? options.goVersion() : v.get(0),
                    options.goos() != null ? options.goos() : v.get(1), options.goarch() != null ? options.goarch() : v.get(2));
        } catch (CacheException e) {
            if (required) {
                throw new CacheException("cannot compute the cache key: " + e.getMessage()
                        + " (give the key, or the Go version, GOOS and GOARCH)", e);
            }
            return null;
        }
    }

    /** {@code go env NAMES} where the build's Go runs, asked in the module folder (its go.mod may pick the toolchain). */
    private List<String> goEnv(List<String> names) {
        Path dir = absolute(options, options.repo() == null ? "." : options.repo());
        try {
            Map<String, String> values = GoEnv.read(commands, options.goBinary(), Files.isDirectory(dir) ? dir : null, names);
            return List.copyOf(values.values());
        } catch (CommandException e) {
            throw new CacheException(e.getMessage(), e);
        }
    }

    private static ModuleLayout layout(CacheJobOptions o) {
        try {
            return o.modLayout() == null || o.modLayout().isBlank() ? ModuleLayout.DEFAULT : ModuleLayout.parse(o.modLayout());
        } catch (CacheException e) {
            throw new InvalidCacheInputException(e.getMessage());
        }
    }

    private Path path(CachePolicy policy) {
        Path given = cachePath(options);
        if (given != null) {
            return given;
        }
        String variable = policy == CachePolicy.MOD ? "GOMODCACHE" : "GOCACHE";
        String fromEnv = environment.get(variable);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return absolute(options, fromEnv);
        }
        String fromGo = goEnv(List.of(variable)).get(0);
        if (fromGo.isBlank()) {
            throw new CacheException("no cache folder: 'go env " + variable + "' is empty; give the path");
        }
        return absolute(options, fromGo);
    }

    private String branch() {
        String gitBranch = environment.get("GIT_BRANCH");
        if (gitBranch != null && gitBranch.startsWith("origin/")) {
            gitBranch = gitBranch.substring("origin/".length());
        }
        return firstNonBlank(options.branch(), environment.get("BRANCH_NAME"), gitBranch, options.defaultBranch(), "main");
    }

    private String revision() {
        return firstNonBlank(options.revision(), environment.get("GIT_COMMIT"), environment.get("BUILD_TAG"),
                Long.toString(Instant.now().toEpochMilli()));
    }

    private static Path absolute(CacheJobOptions o, String p) {
        Path path = Path.of(p);
        if (!path.isAbsolute() && o.workDir() != null && !o.workDir().isBlank()) {
            path = Path.of(o.workDir()).resolve(path);
        }
        return path.toAbsolutePath().normalize();
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
