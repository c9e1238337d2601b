package io.gopipe.jenkins.cache;

import io.gopipe.core.cache.CacheKey;
import io.gopipe.core.cache.CachePolicy;
import io.gopipe.core.cache.CacheRequest;
import io.gopipe.core.cache.CacheService;
import io.gopipe.core.cache.CacheSettings;
import io.gopipe.core.cache.GoPlatform;
import io.gopipe.core.cache.KeyCalculator;
import io.gopipe.core.cache.RestoreResult;
import io.gopipe.core.cache.SaveResult;
import io.gopipe.core.cache.backend.CacheBackend;
import io.gopipe.jenkins.exec.LauncherCommandRunner;
import io.gopipe.jenkins.remote.AgentFileCallable;
import io.gopipe.jenkins.report.ListenerReporter;
import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Restores or saves one Go cache on the agent. Runs against the repository directory (for go.sum
 * discovery); the cache directory itself is an absolute path on the same agent.
 */
final class CacheCallable extends AgentFileCallable<String> {

    private static final long serialVersionUID = 1L;

    enum Action { RESTORE, SAVE }

    /**
     * Everything the step decided on the controller, in serializable form. A plain class, not a record:
     * {@code GoModCacheExecution} keeps it across the body, so it is written to program.dat by the
     * pipeline's JBoss Marshalling, which learnt records only in 2022 (JBMAR-241).
     */
    static final class Spec implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String policy;
        private final String cachePath;
        private final String key;
        private final ArrayList<String> restoreKeys;
        private final String salt;
        private final String goBinary;
        private final String branch;
        private final String defaultBranch;
        private final String revision;
        private final boolean readOnly;
        private final boolean failOnError;
        private final long timeLimitSeconds;
        private final long maxEntryBytes;
        private final long maxTotalBytes;
        private final long maxAgeDays;
        private final CacheStorage storage;

        Spec(String policy, String cachePath, String key, ArrayList<String> restoreKeys, String salt,
             String goBinary, String branch, String defaultBranch, String revision, boolean readOnly,
             boolean failOnError, long timeLimitSeconds, long maxEntryBytes, long maxTotalBytes, long maxAgeDays,
             CacheStorage storage) {
            this.policy = policy;
            this.cachePath = cachePath;
            this.key = key;
            this.restoreKeys = restoreKeys;
            this.salt = salt;
            this.goBinary = goBinary;
            this.branch = branch;
            this.defaultBranch = defaultBranch;
            this.revision = revision;
            this.readOnly = readOnly;
            this.failOnError = failOnError;
            this.timeLimitSeconds = timeLimitSeconds;
            this.maxEntryBytes = maxEntryBytes;
            this.maxTotalBytes = maxTotalBytes;
            this.maxAgeDays = maxAgeDays;
            this.storage = storage;
        }

        String policy() {
            return policy;
        }

        String cachePath() {
            return cachePath;
        }

        String key() {
            return key;
        }

        ArrayList<String> restoreKeys() {
            return restoreKeys;
        }

        String salt() {
            return salt;
        }

        String goBinary() {
            return goBinary;
        }

        String branch() {
            return branch;
        }

        String defaultBranch() {
            return defaultBranch;
        }

        String revision() {
            return revision;
        }

        boolean readOnly() {
            return readOnly;
        }

        boolean failOnError() {
            return failOnError;
        }

        long timeLimitSeconds() {
            return timeLimitSeconds;
        }

        long maxEntryBytes() {
            return maxEntryBytes;
        }

        long maxTotalBytes() {
            return maxTotalBytes;
        }

        long maxAgeDays() {
            return maxAgeDays;
        }

        CacheStorage storage() {
            return storage;
        }

        /** The same spec with the storage resolved for one call (secrets and proxies are never kept). */
        Spec withStorage(CacheStorage s) {
            return new Spec(policy, cachePath, key, restoreKeys, salt, goBinary, branch, defaultBranch, revision,
                    readOnly, failOnError, timeLimitSeconds, maxEntryBytes, maxTotalBytes, maxAgeDays, s);
        }
    }

    private final Action action;
    private final Spec spec;
    private final ListenerReporter reporter;
    private final LauncherCommandRunner commands;

    CacheCallable(Action action, Spec spec, ListenerReporter reporter, LauncherCommandRunner commands) {
        this.action = action;
        this.spec = spec;
        this.reporter = reporter;
        this.commands = commands;
    }

    @Override
    protected String run(File repo) throws IOException {
        CachePolicy policy = CachePolicy.parse(spec.policy());
        GoPlatform go = GoPlatform.detect(commands, spec.goBinary(), repo.toPath());
        CacheKey key = key(repo.toPath(), policy, go);
        CacheSettings settings = CacheSettings.defaults()
                .withReadOnly(spec.readOnly())
                .withFailOnError(spec.failOnError())
                .withTimeLimit(Duration.ofSeconds(spec.timeLimitSeconds()));
        settings = new CacheSettings(settings.readOnly(), settings.failOnError(), settings.timeLimit(),
                spec.maxEntryBytes(), spec.maxTotalBytes(), Duration.ofDays(spec.maxAgeDays()), settings.threads(),
                settings.extractThreads(), settings.compressionLevel(), Duration.ofSeconds(5));
        Path staging = Path.of(spec.cachePath()).resolveSibling(".gopipe-staging");
        try (CacheBackend backend = spec.storage().open(staging)) {
            CacheService service = new CacheService(backend, reporter, settings);
            CacheRequest request = new CacheRequest(policy, key, Path.of(spec.cachePath()), go);
            if (action == Action.RESTORE) {
                RestoreResult r = service.restore(request);
                return r.hit() ? "hit " + r.matchedKey() : "miss";
            }
            SaveResult s = service.save(request);
            return s.status() + " " + s.key();
        }
    }

    private CacheKey key(Path repo, CachePolicy policy, GoPlatform go) throws IOException {
        if (spec.key() != null) {
            List<String> restore = spec.restoreKeys() == null ? List.of() : spec.restoreKeys();
            return new CacheKey(spec.key(), restore);
        }
        return policy == CachePolicy.MOD
                ? KeyCalculator.moduleKey(repo, go, spec.salt())
                : KeyCalculator.buildKey(go, spec.salt(), spec.branch(), spec.defaultBranch(), spec.revision());
    }
}
