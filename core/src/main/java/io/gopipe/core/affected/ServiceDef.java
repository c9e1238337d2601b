package io.gopipe.core.affected;

import java.util.List;

/**
 * A service at the head revision.
 *
 * @param name        its name
 * @param dir         tree path of its main package directory
 * @param mainPackage import path of the main package
 * @param module      module path
 * @param dockerfile  tree path of its Dockerfile, or null
 * @param context     tree path of its build context ("" = repo root)
 * @param watch       watched paths
 */
record ServiceDef(String name, String dir, String mainPackage, String module, String dockerfile, String context,
                  List<PathPattern> watch) {

    AffectedService toResult(List<Reason> reasons) {
        return new AffectedService(name, dir.isEmpty() ? "." : dir, mainPackage, module, dockerfile,
                context.isEmpty() ? "." : context, reasons);
    }
}
