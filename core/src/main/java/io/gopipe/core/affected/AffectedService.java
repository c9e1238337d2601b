package io.gopipe.core.affected;

import java.util.List;

/**
 * A service that must be rebuilt (or re-tested), with why.
 *
 * @param name        service name (last element of its dir, or as configured in gopipe.yaml)
 * @param path        repo-relative directory of the main package
 * @param mainPackage import path of the main package
 * @param module      module path of the main package's module
 * @param dockerfile  repo-relative Dockerfile, or null when there is none
 * @param context     repo-relative build context ("." for the repo root)
 * @param reasons     the chains from changed files to this service
 */
public record AffectedService(String name, String path, String mainPackage, String module, String dockerfile,
                              String context, List<Reason> reasons) {
    public AffectedService {
        reasons = List.copyOf(reasons);
    }
}
