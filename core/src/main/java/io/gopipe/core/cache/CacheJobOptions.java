package io.gopipe.core.cache;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What {@link CacheJob} restores or saves and how, as plain values: the options of
 * {@code gopipe cache restore|save} and of the Jenkins step {@code goModCache}. Paths are strings
 * on the machine that restores, so the whole value can be decided on the Jenkins controller and
 * sent to the agent. Build one with {@link #builder()}; unset values take the CLI's defaults.
 *
 * <p>A plain class rather than a record: the Jenkins step keeps it across its body, and the
 * pipeline persists that with JBoss Marshalling, which learnt records only in 2022 (JBMAR-241).
 * For the same reason durations are kept as milliseconds and lists as {@link ArrayList}.
 */
public final class CacheJobOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String policy;
    private final String path;
    private final String workDir;
    private final String repo;
    private final String key;
    private final ArrayList<String> restoreKeys;
    private final String salt;
    private final String modLayout;
    private final String goBinary;
    private final String goVersion;
    private final String goos;
    private final String goarch;
    private final String branch;
    private final String defaultBranch;
    private final String revision;
    private final boolean readOnly;
    private final boolean failOnError;
    private final long timeLimitNanos;
    private final long maxEntryBytes;
    private final long maxTotalBytes;
    private final long maxAgeMillis;
    private final int threads;
    private final int extractThreads;
    private final int level;
    private final long progressMillis;
    private final CacheStore store;

    private CacheJobOptions(Builder b) {
        this.policy = b.policy;
        this.path = b.path;
        this.workDir = b.workDir;
        this.repo = b.repo;
        this.key = b.key;
        this.restoreKeys = b.restoreKeys == null ? null : new ArrayList<>(b.restoreKeys);
        this.salt = b.salt;
        this.modLayout = b.modLayout;
        this.goBinary = b.goBinary;
        this.goVersion = b.goVersion;
        this.goos = b.goos;
        this.goarch = b.goarch;
        this.branch = b.branch;
        this.defaultBranch = b.defaultBranch;
        this.revision = b.revision;
        this.readOnly = b.readOnly;
        this.failOnError = b.failOnError;
        this.timeLimitNanos = b.timeLimitNanos;
        this.maxEntryBytes = b.maxEntryBytes;
        this.maxTotalBytes = b.maxTotalBytes;
        this.maxAgeMillis = b.maxAgeMillis;
        this.threads = b.threads;
        this.extractThreads = b.extractThreads;
        this.level = b.level;
        this.progressMillis = b.progressMillis;
        this.store = b.store;
    }

    /** A builder with the CLI's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these values, e.g. to add the store for one call. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.policy = policy;
        b.path = path;
        b.workDir = workDir;
        b.repo = repo;
        b.key = key;
        b.restoreKeys = restoreKeys;
        b.salt = salt;
        b.modLayout = modLayout;
        b.goBinary = goBinary;
        b.goVersion = goVersion;
        b.goos = goos;
        b.goarch = goarch;
        b.branch = branch;
        b.defaultBranch = defaultBranch;
        b.revision = revision;
        b.readOnly = readOnly;
        b.failOnError = failOnError;
        b.timeLimitNanos = timeLimitNanos;
        b.maxEntryBytes = maxEntryBytes;
        b.maxTotalBytes = maxTotalBytes;
        b.maxAgeMillis = maxAgeMillis;
        b.threads = threads;
        b.extractThreads = extractThreads;
        b.level = level;
        b.progressMillis = progressMillis;
        b.store = store;
        return b;
    }

    /** The same options with another store (the Jenkins step resolves it per call, never keeping secrets). */
    public CacheJobOptions withStore(CacheStore s) {
        return toBuilder().store(s).build();
    }

    /** {@code mod} or {@code build} (also their aliases). */
    public String policy() {
        return policy;
    }

    /** The cache directory as given, or null for $GOMODCACHE / $GOCACHE, else {@code go env}. */
    public String path() {
        return path;
    }

    /** What relative paths are relative to: the workspace, or the CLI's working directory; null for the JVM's. */
    public String workDir() {
        return workDir;
    }

    /** Where go.sum files are found for module keys (relative to {@link #workDir()}). */
    public String repo() {
        return repo;
    }

    /** The exact key, or null to compute it. */
    public String key() {
        return key;
    }

    /** Restore-key prefixes, or null for the computed ones. */
    public List<String> restoreKeys() {
        return restoreKeys == null ? null : Collections.unmodifiableList(restoreKeys);
    }

    public String salt() {
        return salt;
    }

    /** Module cache layout, {@code zips} or {@code tree} ({@link ModuleLayout}); null for the default. */
    public String modLayout() {
        return modLayout;
    }

    public String goBinary() {
        return goBinary;
    }

    public String goVersion() {
        return goVersion;
    }

    public String goos() {
        return goos;
    }

    public String goarch() {
        return goarch;
    }

    public String branch() {
        return branch;
    }

    public String defaultBranch() {
        return defaultBranch;
    }

    public String revision() {
        return revision;
    }

    public boolean readOnly() {
        return readOnly;
    }

    public boolean failOnError() {
        return failOnError;
    }

    public Duration timeLimit() {
        return Duration.ofNanos(timeLimitNanos);
    }

    public long maxEntryBytes() {
        return maxEntryBytes;
    }

    public long maxTotalBytes() {
        return maxTotalBytes;
    }

    public Duration maxAge() {
        return Duration.ofMillis(maxAgeMillis);
    }

    /** Archiving threads; 0 for the default. */
    public int threads() {
        return threads;
    }

    /** Extracting threads; 0 for the default. */
    public int extractThreads() {
        return extractThreads;
    }

    /** zstd level; 0 for the default. */
    public int level() {
        return level;
    }

    public Duration progressInterval() {
        return Duration.ofMillis(progressMillis);
    }

    /** Where entries live, or null when not decided yet. */
    public CacheStore store() {
        return store;
    }

    @Override
    public String toString() {
        return "CacheJobOptions[policy=" + policy + ", path=" + path + ", key=" + key + ", store=" + store + "]";
    }

    /** Mutable builder of {@link CacheJobOptions}. */
    public static final class Builder {
        private String policy = "mod";
        private String path;
        private String workDir;
        private String repo = ".";
        private String key;
        private List<String> restoreKeys;
        private String salt;
        private String modLayout;
        private String goBinary = "go";
        private String goVersion;
        private String goos;
        private String goarch;
        private String branch;
        private String defaultBranch = "main";
        private String revision;
        private boolean readOnly;
        private boolean failOnError;
        private long timeLimitNanos;
        private long maxEntryBytes;
        private long maxTotalBytes;
        private long maxAgeMillis;
        private int threads;
        private int extractThreads;
        private int level;
        private long progressMillis = 5000;
        private CacheStore store;

        private Builder() {
        }

        public Builder policy(String v) {
            policy = v;
            return this;
        }

        public Builder path(String v) {
            path = v;
            return this;
        }

        public Builder workDir(String v) {
            workDir = v;
            return this;
        }

        public Builder repo(String v) {
            repo = v;
            return this;
        }

        public Builder key(String v) {
            key = v;
            return this;
        }

        public Builder restoreKeys(List<String> v) {
            restoreKeys = v;
            return this;
        }

        public Builder modLayout(String v) {
            modLayout = v;
            return this;
        }

        public Builder salt(String v) {
            salt = v;
            return this;
        }

        public Builder goBinary(String v) {
            goBinary = v;
            return this;
        }

        /** Go version, GOOS and GOARCH for keys; any left null is asked from {@code go env}. */
        public Builder platform(String version, String os, String arch) {
            goVersion = version;
            goos = os;
            goarch = arch;
            return this;
        }

        public Builder branch(String v) {
            branch = v;
            return this;
        }

        public Builder defaultBranch(String v) {
            defaultBranch = v;
            return this;
        }

        public Builder revision(String v) {
            revision = v;
            return this;
        }

        public Builder readOnly(boolean v) {
            readOnly = v;
            return this;
        }

        public Builder failOnError(boolean v) {
            failOnError = v;
            return this;
        }

        public Builder timeLimit(Duration v) {
            timeLimitNanos = v == null ? 0 : v.toNanos();
            return this;
        }

        public Builder maxEntryBytes(long v) {
            maxEntryBytes = v;
            return this;
        }

        /** After a save, evict least recently used entries until the store fits, and entries unused for {@code age}. */
        public Builder eviction(long totalBytes, Duration age) {
            maxTotalBytes = totalBytes;
            maxAgeMillis = age == null ? 0 : age.toMillis();
            return this;
        }

        public Builder threads(int compress, int extract) {
            threads = compress;
            extractThreads = extract;
            return this;
        }

        public Builder level(int v) {
            level = v;
            return this;
        }

        public Builder progressInterval(Duration v) {
            progressMillis = v == null ? 5000 : v.toMillis();
            return this;
        }

        public Builder store(CacheStore v) {
            store = v;
            return this;
        }

        public CacheJobOptions build() {
            return new CacheJobOptions(this);
        }
    }
}
