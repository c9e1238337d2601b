package io.gopipe.core.affected;

import java.util.List;

/**
 * The two revisions to compare and what changed between them.
 *
 * @param base      base commit SHA, or null
 * @param head      head commit SHA (or the revision as given when unusable)
 * @param baseTree  files at the base (the head tree when only a changed-file list is known; null when all)
 * @param headTree  files at the head (the work tree when the head is unusable)
 * @param changed   changed paths, sorted
 * @param all       true when no usable base exists
 * @param allReason why
 */
record ChangeSet(String base, String head, SourceTree baseTree, SourceTree headTree, List<String> changed,
                 boolean all, String allReason) {
}
