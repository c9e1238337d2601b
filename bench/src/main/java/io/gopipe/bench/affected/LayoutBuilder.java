package io.gopipe.bench.affected;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Builds the initial synthetic monorepo. Packages are created bottom-up and only import packages
 * created before them, so the graph is acyclic; imports are drawn with a power-law bias towards older
 * packages, which gives a few hubs with huge fan-in and long tails.
 */
final class LayoutBuilder {

    private static final String[] SOURCE_NAMES = {"types.go", "service.go", "options.go", "helpers.go",
        "convert.go", "errors.go", "metrics.go", "cache.go", "format.go", "store.go", "client.go", "handler.go"};
    private static final String[] MAIN_NAMES = {"server.go", "routes.go", "config.go", "wiring.go"};

    private final Random r;
    private final double scale;
    private final Monorepo m = new Monorepo();
    private final Set<String> dirs = new HashSet<>();

    final List<GoPackage> platformHubs = new ArrayList<>();
    final List<GoPackage> platformPkgs = new ArrayList<>();
    final List<GoPackage> coreHubs = new ArrayList<>();
    final List<GoPackage> libs = new ArrayList<>();
    final Map<String, List<GoPackage>> libsByArea = new LinkedHashMap<>();
    final List<GoPackage> domainPkgs = new ArrayList<>();
    final Map<String, List<GoPackage>> domainsByName = new LinkedHashMap<>();
    final List<GoPackage> rootInternal = new ArrayList<>();
    final List<GoPackage> services = new ArrayList<>();
    GoPackage testutil;

    LayoutBuilder(long seed, double scale) {
        this.r = new Random(seed);
        this.scale = scale;
    }

    private int n(int base) {
        return Math.max(1, (int) Math.round(base * scale));
    }

    Monorepo build() {
        platform();
        core();
        libraries();
        domains();
        rootInternals();
        rootServices();
        tools();
        billing();
        new RepoFiles(m, r).writeAll(this);
        return m;
    }

    Monorepo model() {
        return m;
    }

    Random random() {
        return r;
    }

    // ---- packages -------------------------------------------------------------------------

    private void platform() {
        for (String h : Words.PLATFORM_HUBS) {
            GoPackage p = pkg(m.platform, GoPackage.Kind.PLATFORM_HUB, "libs/platform/" + h, null);
            assign(p, pick(platformHubs, r.nextInt(3), 1.5));
            platformHubs.add(p);
        }
        for (int i = 0; i < n(230); i++) {
            String area = Words.LIB_AREAS.get(r.nextInt(Words.LIB_AREAS.size()));
            GoPackage p = pkg(m.platform, GoPackage.Kind.PLATFORM, "libs/platform/" + area + "/" + noun(), null);
            List<GoPackage> deps = pick(platformHubs, 1 + r.nextInt(2), 2.0);
            deps.addAll(pick(platformPkgs, r.nextInt(4), 1.3));
            assign(p, deps);
            platformPkgs.add(p);
        }
    }

    private void core() {
        for (String h : Words.CORE_HUBS) {
            GoPackage p = pkg(m.root, GoPackage.Kind.CORE_HUB, "pkg/" + h, null);
            List<GoPackage> deps = pick(coreHubs, r.nextInt(3), 1.5);
            deps.addAll(pick(platformHubs, r.nextInt(3), 1.5));
            assign(p, deps);
            coreHubs.add(p);
        }
        testutil = pkg(m.root, GoPackage.Kind.TESTUTIL, "pkg/testutil", null);
        assign(testutil, List.of(coreHubs.get(0), coreHubs.get(1)));
    }

    private void libraries() {
        for (int i = 0; i < n(500); i++) {
            String area = Words.LIB_AREAS.get(r.nextInt(Words.LIB_AREAS.size()));
            List<GoPackage> sameArea = libsByArea.computeIfAbsent(area, a -> new ArrayList<>());
            GoPackage p = pkg(m.root, GoPackage.Kind.LIB, "pkg/lib/" + area + "/" + noun(), null);
            List<GoPackage> deps = pick(coreHubs, 1 + r.nextInt(3), 2.2);
            deps.addAll(pick(sameArea, r.nextInt(4), 1.0));
            if (r.nextInt(10) < 3) {
                deps.addAll(pick(libs, 1, 1.5));
            }
            if (r.nextInt(10) < 2) {
                deps.addAll(pick(platformPkgs, 1, 1.2));
            }
            assign(p, deps);
            libs.add(p);
            sameArea.add(p);
        }
    }

    private void domains() {
        int perDomain = n(25);
        for (int i = 0; i < perDomain; i++) {
            for (String d : Words.DOMAINS) {
                List<GoPackage> same = domainsByName.computeIfAbsent(d, x -> new ArrayList<>());
                GoPackage p = pkg(m.root, GoPackage.Kind.DOMAIN, "pkg/domain/" + d + "/" + noun(), d);
                List<GoPackage> deps = pick(coreHubs, 1 + r.nextInt(3), 2.2);
                deps.addAll(pick(libs, 1 + r.nextInt(3), 1.8));
                deps.addAll(pick(same, r.nextInt(4), 1.0));
                if (r.nextInt(10) == 0) {
                    deps.addAll(pick(domainPkgs, 1, 1.5));
                }
                assign(p, deps);
                domainPkgs.add(p);
                same.add(p);
            }
        }
    }

    private void rootInternals() {
        for (int i = 0; i < n(200); i++) {
            String area = Words.LIB_AREAS.get(r.nextInt(Words.LIB_AREAS.size()));
            GoPackage p = pkg(m.root, GoPackage.Kind.ROOT_INTERNAL, "internal/" + area + "/" + noun(), null);
            List<GoPackage> deps = pick(coreHubs, 1 + r.nextInt(2), 2.2);
            deps.addAll(pick(libs, 1 + r.nextInt(2), 1.5));
            deps.addAll(pick(domainPkgs, r.nextInt(3), 1.2));
            assign(p, deps);
            rootInternal.add(p);
        }
    }

    private void rootServices() {
        for (int i = 0; i < n(270); i++) {
            String domain = Words.DOMAINS.get(i % Words.DOMAINS.size());
            String suffix = Words.SERVICE_SUFFIXES.get(r.nextInt(Words.SERVICE_SUFFIXES.size()));
            String dir = unique("services/" + domain + "-" + suffix);
            addService(dir, domain, 8 + r.nextInt(5), false);
        }
    }

    /** Adds a service of the root module (main package plus private internal/ packages); used by history too. */
    GoPackage addService(String dir, String domain, int internals, boolean embedForce) {
        dirs.add(dir);
        List<List<GoPackage>> domainPools = new ArrayList<>();
        domainPools.add(domainsByName.get(domain));
        for (int k = 0; k < 1 + r.nextInt(2); k++) {
            domainPools.add(domainsByName.get(Words.DOMAINS.get(r.nextInt(Words.DOMAINS.size()))));
        }
        List<GoPackage> own = new ArrayList<>();
        Set<GoPackage> imported = new HashSet<>();
        for (int k = 0; k < internals; k++) {
            GoPackage p = pkg(m.root, GoPackage.Kind.SERVICE_INTERNAL, dir + "/internal/" + noun(), dir);
            List<GoPackage> deps = pick(coreHubs, 1 + r.nextInt(3), 2.2);
            for (int d = 0; d < 1 + r.nextInt(3); d++) {
                deps.addAll(pick(domainPools.get(r.nextInt(domainPools.size())), 1, 1.5));
            }
            List<GoPackage> ownDeps = pick(own, r.nextInt(3), 1.0);
            imported.addAll(ownDeps);
            deps.addAll(ownDeps);
            if (r.nextInt(4) == 0) {
                deps.addAll(pick(rootInternal, 1, 1.3));
            }
            if (r.nextInt(10) < 3) {
                deps.addAll(pick(libs, 1, 1.5));
            }
            if (r.nextInt(10) < 2) {
                deps.addAll(pick(platformHubs, 1, 1.5));
            }
            assign(p, deps);
            own.add(p);
        }
        GoPackage main = pkg(m.root, GoPackage.Kind.SERVICE_MAIN, dir, dir);
        List<GoPackage> deps = new ArrayList<>();
        for (GoPackage p : own) {
            if (!imported.contains(p)) {
                deps.add(p);
            }
        }
        deps.addAll(pick(coreHubs, 1 + r.nextInt(2), 2.0));
        if (r.nextBoolean()) {
            deps.add(platformHubs.get(Words.PLATFORM_HUBS.indexOf("shutdown")));
        }
        assign(main, deps);
        if (embedForce || r.nextInt(10) < 4) {
            main.files.add(new GoFile(main, "assets.go", GoFile.Role.EMBED, main.files.size(), r.nextLong()));
        }
        services.add(main);
        return main;
    }

    private void tools() {
        for (int i = 0; i < n(50); i++) {
            String domain = Words.DOMAINS.get(r.nextInt(Words.DOMAINS.size()));
            String dir = unique("cmd/" + Words.TOOL_VERBS.get(r.nextInt(Words.TOOL_VERBS.size())) + "-" + domain);
            dirs.add(dir);
            List<GoPackage> own = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                GoPackage p = pkg(m.root, GoPackage.Kind.TOOL_INTERNAL, dir + "/internal/" + noun(), dir);
                List<GoPackage> deps = pick(coreHubs, 1 + r.nextInt(2), 2.2);
                deps.addAll(pick(domainsByName.get(domain), 1 + r.nextInt(2), 1.3));
                assign(p, deps);
                own.add(p);
            }
            GoPackage main = pkg(m.root, GoPackage.Kind.TOOL_MAIN, dir, dir);
            List<GoPackage> deps = new ArrayList<>(own);
            deps.addAll(pick(coreHubs, 1 + r.nextInt(2), 2.0));
            assign(main, deps);
            services.add(main);
        }
    }

    private void billing() {
        List<GoPackage> own = new ArrayList<>();
        for (int i = 0; i < n(100); i++) {
            String parent = r.nextInt(10) < 6 ? "services/billing/internal/" : "services/billing/pkg/";
            GoPackage p = pkg(m.billing, GoPackage.Kind.MODULE_LIB, parent + noun(), "services/billing");
            List<GoPackage> deps = pick(platformHubs, 1 + r.nextInt(2), 1.8);
            deps.addAll(pick(own, r.nextInt(4), 1.0));
            if (r.nextInt(10) < 2) {
                deps.addAll(pick(platformPkgs, 1, 1.3));
            }
            assign(p, deps);
            own.add(p);
        }
        for (int i = 0; i < n(20); i++) {
            String dir = unique("services/billing/cmd/" + Words.NOUNS.get(r.nextInt(Words.NOUNS.size())) + "-"
                + Words.SERVICE_SUFFIXES.get(r.nextInt(Words.SERVICE_SUFFIXES.size())));
            dirs.add(dir);
            GoPackage main = pkg(m.billing, GoPackage.Kind.MODULE_MAIN, dir, dir);
            List<GoPackage> deps = pick(own, 2 + r.nextInt(3), 1.0);
            deps.addAll(pick(platformHubs, 1 + r.nextInt(2), 1.5));
            assign(main, deps);
            services.add(main);
        }
    }

    // ---- helpers --------------------------------------------------------------------------

    /** A new package with its source, test and special files; deps are assigned separately. */
    GoPackage pkg(GoModule module, GoPackage.Kind kind, String dir, String owner) {
        String unique = kind == GoPackage.Kind.SERVICE_MAIN || kind == GoPackage.Kind.TOOL_MAIN
            || kind == GoPackage.Kind.MODULE_MAIN ? dir : unique(dir);
        dirs.add(unique);
        String last = unique.substring(unique.lastIndexOf('/') + 1);
        GoPackage p = m.add(new GoPackage(module, kind, unique, last.replace("-", ""), owner));
        boolean main = p.isMain();
        int sources = main ? 2 + r.nextInt(3) : 2 + r.nextInt(5);
        for (int i = 0; i < sources; i++) {
            String name = i == 0 ? (main ? "main.go" : p.name + ".go") : (main ? MAIN_NAMES[i - 1] : SOURCE_NAMES[i - 1]);
            p.files.add(new GoFile(p, name, GoFile.Role.SOURCE, i, r.nextLong()));
        }
        if (!main) {
            int roll = r.nextInt(100);
            if (roll < 6) {
                addFile(p, "platform_linux.go", GoFile.Role.OS_LINUX);
                addFile(p, "platform_windows.go", GoFile.Role.OS_WINDOWS);
                addFile(p, "platform_darwin.go", GoFile.Role.OS_DARWIN);
                addFile(p, "platform_other.go", GoFile.Role.OS_OTHER);
            } else if (roll < 10) {
                addFile(p, "integration_hooks.go", GoFile.Role.TAGGED);
            } else if (roll < 12) {
                addFile(p, "native_cgo.go", GoFile.Role.CGO);
                addFile(p, "native_nocgo.go", GoFile.Role.NOCGO);
            } else if (roll < 14) {
                addFile(p, "gen_tables.go", GoFile.Role.GEN_IGNORED);
            }
        }
        if (r.nextInt(10) < 7) {
            GoFile t = addFile(p, p.isMain() ? "main_test.go" : p.name + "_test.go", GoFile.Role.TEST);
            if (module == m.root && testutil != null && kind != GoPackage.Kind.CORE_HUB && r.nextInt(10) < 3) {
                t.deps.add(testutil);
            }
        }
        if (!main && r.nextInt(4) == 0) {
            addFile(p, "api_test.go", GoFile.Role.XTEST);
        }
        return p;
    }

    private GoFile addFile(GoPackage p, String name, GoFile.Role role) {
        GoFile f = new GoFile(p, name, role, p.files.size(), r.nextLong());
        p.files.add(f);
        return f;
    }

    /** Spreads deps over the package's plain source files; some go to OS-specific or tagged files only. */
    void assign(GoPackage p, List<GoPackage> deps) {
        List<GoFile> sources = new ArrayList<>();
        GoFile windows = null;
        GoFile tagged = null;
        for (GoFile f : p.files) {
            if (f.role == GoFile.Role.SOURCE) {
                sources.add(f);
            } else if (f.role == GoFile.Role.OS_WINDOWS) {
                windows = f;
            } else if (f.role == GoFile.Role.TAGGED) {
                tagged = f;
            }
        }
        for (GoPackage d : new LinkedHashSet<>(deps)) {
            if (d == p) {
                continue;
            }
            GoFile target = sources.get(r.nextInt(sources.size()));
            if (windows != null && r.nextInt(4) == 0) {
                target = windows;
            } else if (tagged != null && r.nextInt(4) == 0) {
                target = tagged;
            }
            if (!target.deps.contains(d)) {
                target.deps.add(d);
            }
        }
    }

    /** Up to k distinct packages from pool, biased to the start (older = more popular). */
    List<GoPackage> pick(List<GoPackage> pool, int k, double skew) {
        List<GoPackage> out = new ArrayList<>();
        if (pool == null || pool.isEmpty()) {
            return out;
        }
        for (int tries = 0; out.size() < k && tries < k * 4; tries++) {
            int idx = (int) (pool.size() * Math.pow(r.nextDouble(), skew));
            GoPackage p = pool.get(Math.min(idx, pool.size() - 1));
            if (!out.contains(p)) {
                out.add(p);
            }
        }
        return out;
    }

    String noun() {
        return Words.NOUNS.get(r.nextInt(Words.NOUNS.size()));
    }

    String unique(String dir) {
        if (!dirs.contains(dir)) {
            return dir;
        }
        for (int i = 2; ; i++) {
            if (!dirs.contains(dir + i)) {
                return dir + i;
            }
        }
    }
}
