package io.gopipe.core.affected;

import java.util.List;
import java.util.Objects;

/** How the engine finds the revision the head is compared with. */
public sealed interface BaseSpec {

    /** An explicit revision (SHA, tag, branch, {@code HEAD~1}). */
    static BaseSpec revision(String rev) {
        return new Revision(rev);
    }

    /** The merge base of the head and a target branch (pull requests); tries {@code origin/<branch>} too. */
    static BaseSpec mergeBaseWith(String targetBranch) {
        return new MergeBase(targetBranch);
    }

    /** A commit given by the caller, typically the last successful build's. */
    static BaseSpec sinceCommit(String sha) {
        return new SinceCommit(sha);
    }

    /** An explicit list of changed repo-relative paths (e.g. a Jenkins changeset); the head tree is the only graph. */
    static BaseSpec changedFiles(List<String> repoRelativePaths) {
        return new ChangedFiles(repoRelativePaths);
    }

    /** See {@link BaseSpec#revision}. */
    record Revision(String rev) implements BaseSpec {
        public Revision {
            Objects.requireNonNull(rev, "rev");
        }
    }

    /** See {@link BaseSpec#mergeBaseWith}. */
    record MergeBase(String targetBranch) implements BaseSpec {
        public MergeBase {
            Objects.requireNonNull(targetBranch, "targetBranch");
        }
    }

    /** See {@link BaseSpec#sinceCommit}. */
    record SinceCommit(String sha) implements BaseSpec {
        public SinceCommit {
            Objects.requireNonNull(sha, "sha");
        }
    }

    /** See {@link BaseSpec#changedFiles}. */
    record ChangedFiles(List<String> paths) implements BaseSpec {
        public ChangedFiles {
            paths = List.copyOf(paths);
        }
    }
}
