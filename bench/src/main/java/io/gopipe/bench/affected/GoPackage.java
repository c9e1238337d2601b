package io.gopipe.bench.affected;

import java.util.ArrayList;
import java.util.List;

/** One Go package of the synthetic monorepo: where it lives, its role and its files. */
final class GoPackage {

    /** What a package is for; decides who may import it and how it is rendered. */
    enum Kind { PLATFORM_HUB, PLATFORM, CORE_HUB, TESTUTIL, LIB, DOMAIN, ROOT_INTERNAL, SERVICE_MAIN,
        SERVICE_INTERNAL, TOOL_MAIN, TOOL_INTERNAL, MODULE_MAIN, MODULE_LIB }

    final GoModule module;
    final Kind kind;
    String dir;
    String name;
    final List<GoFile> files = new ArrayList<>();
    /** The service directory this package belongs to (for service-private packages), else null. */
    final String owner;

    GoPackage(GoModule module, Kind kind, String dir, String name, String owner) {
        this.module = module;
        this.kind = kind;
        this.dir = dir;
        this.name = name;
        this.owner = owner;
    }

    boolean isMain() {
        return kind == Kind.SERVICE_MAIN || kind == Kind.TOOL_MAIN || kind == Kind.MODULE_MAIN;
    }

    String importPath() {
        return module.importPathOf(dir);
    }

    /** The first file: always a full source file that declares the package's main type. */
    GoFile primary() {
        return files.get(0);
    }

    @Override
    public String toString() {
        return importPath();
    }
}
