package io.gopipe.core.affected;

import java.util.List;
import java.util.Map;

/**
 * Chooses what a CI build compares its head with. Jenkins' own {@code changeset} covers only the
 * changes since the previous build (not the last successful one) and is empty on a branch's first
 * build; this picks a base that never silently skips work:
 * <ol>
 *   <li>an explicit option (base revision, target branch, since-commit, changed-file list) wins;</li>
 *   <li>a pull-request build ({@code CHANGE_TARGET}) compares with the merge base of its target;</li>
 *   <li>a branch build compares with the last successful build's commit
 *       ({@code GIT_PREVIOUS_SUCCESSFUL_COMMIT}); the engine turns one that is no longer reachable
 *       (force push, shallow clone) into "every service" with the reason;</li>
 *   <li>otherwise every service is affected, and the reason says why.</li>
 * </ol>
 */
public final class CiBaseSelector {

    private CiBaseSelector() {
    }

    /**
     * The chosen base and a sentence for the build log.
     *
     * @param spec        what the engine compares with
     * @param explanation why this base was chosen, e.g. "merge base with origin/main (pull request 42)"
     */
    public record BaseChoice(BaseSpec spec, String explanation) {
    }

    /**
     * @param base         explicit base revision, or null
     * @param targetBranch explicit target branch for a merge base, or null
     * @param sinceCommit  explicit commit, or null
     * @param changedFiles explicit changed paths, or null
     * @param env          the build's environment (Jenkins variables), never null
     */
    public static BaseChoice choose(String base, String targetBranch, String sinceCommit, List<String> changedFiles,
                                    Map<String, String> env) {
        if (present(base)) {
            return new BaseChoice(BaseSpec.revision(base.trim()), "base revision " + base.trim() + " (given)");
        }
        if (present(targetBranch)) {
            return new BaseChoice(BaseSpec.mergeBaseWith(targetBranch.trim()),
                    "merge base with " + targetBranch.trim() + " (given)");
        }
        if (present(sinceCommit)) {
            return new BaseChoice(BaseSpec.sinceCommit(sinceCommit.trim()), "commit " + sinceCommit.trim() + " (given)");
        }
        if (changedFiles != null) {
            return new BaseChoice(BaseSpec.changedFiles(changedFiles), changedFiles.size() + " changed files (given)");
        }
        String changeTarget = env.get("CHANGE_TARGET");
        if (present(changeTarget)) {
            String id = env.getOrDefault("CHANGE_ID", "?");
            return new BaseChoice(BaseSpec.mergeBaseWith(changeTarget.trim()),
                    "merge base with " + changeTarget.trim() + " (pull request " + id + ")");
        }
        String previous = env.get("GIT_PREVIOUS_SUCCESSFUL_COMMIT");
        if (present(previous)) {
            return new BaseChoice(BaseSpec.sinceCommit(previous.trim()),
                    "last successful build's commit " + previous.trim());
        }
        String branch = env.getOrDefault("BRANCH_NAME", env.getOrDefault("GIT_BRANCH", "this job"));
        String reason = "no previous successful build of " + branch
                + " and no base given: every service is affected";
        return new BaseChoice(BaseSpec.everything(reason), reason);
    }

    private static boolean present(String s) {
        return s != null && !s.isBlank();
    }
}
