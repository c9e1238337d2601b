package io.gopipe.core.affected;

import java.util.List;

/**
 * What changed between two revisions and which services it affects.
 *
 * @param base         the base commit SHA (null when the changed files were given, or no base was usable)
 * @param head         the head commit SHA (or the revision as given when it could not be resolved)
 * @param all          true when every service must be rebuilt (no usable base, global path, ...)
 * @param allReason    why {@code all} is true, else null
 * @param changedFiles repo-relative paths that changed (both sides of a rename), sorted
 * @param services     services whose image or binary can change, sorted by name
 * @param testAffected services not in {@code services} whose tests (only) are affected, sorted by name
 */
public record AffectedResult(String base, String head, boolean all, String allReason, List<String> changedFiles,
                             List<AffectedService> services, List<AffectedService> testAffected) {

    public AffectedResult {
        changedFiles = List.copyOf(changedFiles);
        services = List.copyOf(services);
        testAffected = List.copyOf(testAffected);
    }

    /** The JSON contract read by the Jenkins step and the shared library (pretty-printed, stable key order). */
    public String toJson() {
        return Json.write(this);
    }
}
