package io.gopipe.core.cache.remote;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What one build may do in the controller's cache store: the namespaces it reads, in order, and the
 * one it writes (none for a read-only build). Decided on the controller, never by the agent.
 *
 * @param writeNamespace where saves and deletes go; null for a read-only build
 * @param readNamespaces where restores look, first match wins; never empty
 */
public record StoreAccess(String writeNamespace, List<String> readNamespaces) {

    public StoreAccess {
        Objects.requireNonNull(readNamespaces, "readNamespaces");
        if (readNamespaces.isEmpty()) {
            throw new IllegalArgumentException("a store access needs at least one namespace to read");
        }
        readNamespaces = List.copyOf(readNamespaces);
    }

    /** True when nothing may be written. */
    public boolean readOnly() {
        return writeNamespace == null;
    }

    /**
     * The rule for a build, given the namespace its job shares with the default branch (the job
     * itself, or its folder, as the admin chose) and the job's own namespace (its full name).
     * <ul>
     *   <li>a branch build reads and writes the shared namespace;</li>
     *   <li>a pull-request build reads its own namespace, then the shared one, and writes only its
     *       own: whatever a pull request saves is never restored by the default branch or by
     *       another pull request;</li>
     *   <li>a read-only build writes nothing.</li>
     * </ul>
     *
     * @param shared      the namespace the default branch reads
     * @param job         the job's own namespace (for a pull request, e.g. {@code org/repo/PR-12})
     * @param pullRequest whether the build is a pull/merge request
     * @param readOnly    whether the build may not write at all
     */
    public static StoreAccess forBuild(String shared, String job, boolean pullRequest, boolean readOnly) {
        Objects.requireNonNull(shared, "shared");
        Objects.requireNonNull(job, "job");
        if (!pullRequest) {
            return new StoreAccess(readOnly ? null : shared, List.of(shared));
        }
        List<String> reads = new ArrayList<>();
        reads.add(job);
        if (!shared.equals(job)) {
            reads.add(shared);
        }
        return new StoreAccess(readOnly ? null : job, reads);
    }
}
