package io.gopipe.core.affected;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How the go command resolves imports when run inside one module (and, when auto-discovered, its
 * go.work): the main modules, the selected version of every other module and where its sources
 * are, and whether packages come from vendor/. Also holds the import graph built in this context.
 */
final class BuildContext {

    final RevisionModel rev;
    final String moduleDir;
    final String workDir;
    final List<Selected> mains = new ArrayList<>();
    final Map<String, Selected> selected = new LinkedHashMap<>();
    final boolean vendor;
    private final String vendorRoot;
    private final Map<String, ModuleFiles.VendorModule> vendorModules;
    /** go.work go/toolchain lines: a change there affects every package of the context. */
    final String contextFingerprint;
    private final Map<String, Resolution> resolutions = new ConcurrentHashMap<>();
    private final Map<String, PkgNode> nodes = new HashMap<>();

    BuildContext(RevisionModel rev, String moduleDir, String workDir) {
        this.rev = rev;
        this.moduleDir = moduleDir;
        this.workDir = workDir;
        GoMod work = workDir == null ? null : rev.goWork(workDir);
        List<String> mainDirs = new ArrayList<>();
        if (work != null) {
            for (String use : work.uses()) {
                String d = PackageLoader.normalize(workDir, use);
                if (d != null && rev.goMod(d) != null && !mainDirs.contains(d)) {
                    mainDirs.add(d);
                }
            }
        } else {
            mainDirs.add(moduleDir);
        }
        for (String d : mainDirs) {
            GoMod m = rev.goMod(d);
            Selected s = new Selected(m.module(), "", Selected.Kind.MAIN, d, null, m.goVersion(), m.toolchain(), null,
                    m.file());
            mains.add(s);
            selected.put(m.module(), s);
        }
        contextFingerprint = work == null ? "" : "go" + work.goVersion() + "|" + work.toolchain();
        String vroot = null;
        if (work == null) {
            GoMod m = rev.goMod(moduleDir);
            if (atLeast(m.goVersion(), 14) && rev.tree.isDir(SourceTree.join(moduleDir, "vendor"))) {
                vroot = moduleDir;
            }
        } else if (atLeast(work.goVersion(), 22) && rev.tree.isDir(SourceTree.join(workDir, "vendor"))) {
            vroot = workDir;
        }
        vendor = vroot != null;
        vendorRoot = vroot;
        if (vendor) {
            String file = SourceTree.join(vroot, "vendor/modules.txt");
            String text = rev.text(file);
            vendorModules = text == null ? Map.of() : ModuleFiles.parseModulesTxt(file, text);
            for (ModuleFiles.VendorModule vm : vendorModules.values()) {
                if (selected.containsKey(vm.path())) {
                    continue;
                }
                selected.put(vm.path(), new Selected(vm.path(), vm.version() == null ? "" : vm.version(),
                        Selected.Kind.VENDOR, SourceTree.join(vroot, "vendor/" + vm.path()), vm.replacement(),
                        vm.goVersion(), null, null, file));
            }
        } else {
            vendorModules = Map.of();
            selectModules(work);
        }
    }

    /** Whether a go line ("1.21", "1.21.3") is at least 1.{@code minor}; a missing line counts as old. */
    static boolean atLeast(String go, int minor) {
        if (go == null) {
            return false;
        }
        String[] p = go.split("[.a-z]");
        try {
            return p.length > 1 && (Integer.parseInt(p[0]) > 1 || Integer.parseInt(p[1]) >= minor);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private record Rep(GoMod.Replace r, String baseDir, String file) {
    }

    /** Minimal version selection over the requirement graph we can read (local replacements, module cache). */
    private void selectModules(GoMod work) {
        Map<String, Rep> replaces = new HashMap<>();
        for (Selected m : mains) {
            GoMod gm = rev.goMod(m.dir());
            for (GoMod.Replace r : gm.replaces()) {
                replaces.putIfAbsent(r.oldPath() + "@" + (r.oldVersion() == null ? "" : r.oldVersion()),
                        new Rep(r, m.dir(), gm.file()));
            }
        }
        if (work != null) {
            for (GoMod.Replace r : work.replaces()) {
                replaces.put(r.oldPath() + "@" + (r.oldVersion() == null ? "" : r.oldVersion()),
                        new Rep(r, workDir, work.file()));
            }
        }
        Set<String> excluded = new HashSet<>();
        Map<String, String> sums = new HashMap<>();
        for (Selected m : mains) {
            GoMod gm = rev.goMod(m.dir());
            gm.excludes().forEach(x -> excluded.add(x.path() + "@" + x.version()));
            String sum = rev.text(SourceTree.join(m.dir(), "go.sum"));
            if (sum != null) {
                sums.putAll(ModuleFiles.parseGoSum(sum));
            }
        }
        if (workDir != null) {
            String sum = rev.text(SourceTree.join(workDir, "go.work.sum"));
            if (sum != null) {
                sums.putAll(ModuleFiles.parseGoSum(sum));
            }
        }
        Map<String, String> maxVersion = new HashMap<>();
        Map<String, String> declaredIn = new HashMap<>();
        Set<String> seen = new HashSet<>();
        Deque<String[]> queue = new ArrayDeque<>();
        for (Selected m : mains) {
            GoMod gm = rev.goMod(m.dir());
            gm.requires().forEach(r -> queue.add(new String[] {r.path(), r.version(), gm.file()}));
        }
        while (!queue.isEmpty()) {
            String[] r = queue.poll();
            String path = r[0];
            String version = r[1];
            if (selected.containsKey(path) || excluded.contains(path + "@" + version) || !seen.add(path + "@" + version)) {
                continue;
            }
            String cur = maxVersion.get(path);
            if (cur == null || Semver.compare(version, cur) > 0) {
                maxVersion.put(path, version);
                declaredIn.put(path, r[2]);
            }
            for (GoMod.Require req : requirementsOf(path, version, replaces)) {
                queue.add(new String[] {req.path(), req.version(), r[2]});
            }
        }
        PackageLoader mc = rev.modCacheLoader();
        for (Map.Entry<String, String> e : maxVersion.entrySet()) {
            String path = e.getKey();
            String version = e.getValue();
            Rep rep = replacement(path, version, replaces);
            String declared = declaredIn.get(path);
            if (rep != null && rep.r().local()) {
                String dir = PackageLoader.normalize(rep.baseDir(), rep.r().newPath());
                GoMod gm = dir == null ? null : rev.goMod(dir);
                Selected.Kind kind = gm == null ? Selected.Kind.OPAQUE : Selected.Kind.LOCAL;
                selected.put(path, new Selected(path, version, kind, gm == null ? null : dir, rep.r().newPath(),
                        gm == null ? null : gm.goVersion(), null, null, rep.file()));
            } else {
                String srcPath = rep == null ? path : rep.r().newPath();
                String srcVersion = rep == null ? version : rep.r().newVersion();
                String cacheDir = escape(srcPath) + "@" + escape(srcVersion);
                boolean inCache = mc != null && mc.tree().isDir(cacheDir);
                String goVersion = null;
                if (inCache) {
                    String modText = mc.tree().readText(cacheDir + "/go.mod");
                    goVersion = modText == null ? null : safeGoVersion(modText);
                }
                selected.put(path, new Selected(path, version, inCache ? Selected.Kind.MODCACHE : Selected.Kind.OPAQUE,
                        inCache ? cacheDir : null, rep == null ? null : srcPath + " " + srcVersion, goVersion, null,
                        sums.get(srcPath + "@" + srcVersion), rep == null ? declared : rep.file()));
            }
        }
    }

    private static String safeGoVersion(String modText) {
        for (String line : modText.split("\n")) {
            String l = line.trim();
            if (l.startsWith("go ")) {
                return l.substring(3).trim();
            }
        }
        return null;
    }

    private Rep replacement(String path, String version, Map<String, Rep> replaces) {
        Rep r = replaces.get(path + "@" + version);
        return r != null ? r : replaces.get(path + "@");
    }

    private List<GoMod.Require> requirementsOf(String path, String version, Map<String, Rep> replaces) {
        Rep rep = replacement(path, version, replaces);
        try {
            if (rep != null && rep.r().local()) {
                String dir = PackageLoader.normalize(rep.baseDir(), rep.r().newPath());
                GoMod gm = dir == null ? null : rev.goMod(dir);
                return gm == null ? List.of() : gm.requires();
            }
            PackageLoader mc = rev.modCacheLoader();
            if (mc == null) {
                return List.of();
            }
            String p = rep == null ? path : rep.r().newPath();
            String v = rep == null ? version : rep.r().newVersion();
            String file = "cache/download/" + escape(p) + "/@v/" + escape(v) + ".mod";
            String text = mc.tree().readText(file);
            return text == null ? List.of() : GoMod.parseGoMod(file, text).requires();
        } catch (GoModException e) {
            if (rep != null && rep.r().local()) {
                throw e;
            }
            return List.of(); // a broken file in the module cache is go's problem, not the repo's
        }
    }

    /** Module cache escaping: upper-case letters become '!' + lower case. */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 4);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isUpperCase(c)) {
                sb.append('!').append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static boolean isStandard(String importPath) {
        int slash = importPath.indexOf('/');
        String first = slash < 0 ? importPath : importPath.substring(0, slash);
        return !first.contains(".");
    }

    private boolean hasGoFiles(SourceTree tree, String dir) {
        for (String f : tree.files(dir)) {
            if (f.endsWith(".go")) {
                return true;
            }
        }
        return false;
    }

    /** Resolves an import path as the go command would in this context. */
    Resolution resolve(String importPath) {
        Resolution r = resolutions.get(importPath);
        if (r == null) {
            r = computeResolution(importPath);
            resolutions.put(importPath, r);
        }
        return r;
    }

    private Resolution computeResolution(String ip) {
        if (vendor) {
            for (Selected m : mains) {
                if (ip.equals(m.path()) || ip.startsWith(m.path() + "/")) {
                    String dir = SourceTree.join(m.dir(), ip.substring(m.path().length()).replaceFirst("^/", ""));
                    if (hasGoFiles(rev.tree, dir) && m.dir().equals(rev.moduleDirOf(dir))) {
                        return new Resolution(ip, Resolution.Kind.LOCAL, m, dir, rev.loader);
                    }
                    return new Resolution(ip, Resolution.Kind.MISSING, null, null, null);
                }
            }
            String vdir = SourceTree.join(vendorRoot, "vendor/" + ip);
            if (hasGoFiles(rev.tree, vdir)) {
                Selected mod = null;
                for (String p = ip; ; p = SourceTree.parent(p)) {
                    mod = selected.get(p);
                    if (mod != null || !p.contains("/")) {
                        break;
                    }
                }
                if (mod == null) {
                    mod = new Selected(ip, "", Selected.Kind.VENDOR, vdir, null, null, null, null,
                            SourceTree.join(vendorRoot, "vendor/modules.txt"));
                }
                return new Resolution(ip, Resolution.Kind.VENDOR, mod, vdir, rev.loader);
            }
            return new Resolution(ip, isStandard(ip) ? Resolution.Kind.STD : Resolution.Kind.MISSING, null, null, null);
        }
        String p = ip;
        while (true) {
            Selected s = selected.get(p);
            if (s != null) {
                String rel = ip.substring(p.length()).replaceFirst("^/", "");
                switch (s.kind()) {
                    case MAIN, LOCAL -> {
                        String dir = SourceTree.join(s.dir(), rel);
                        if (hasGoFiles(rev.tree, dir) && s.dir().equals(rev.moduleDirOf(dir))) {
                            return new Resolution(ip, Resolution.Kind.LOCAL, s, dir, rev.loader);
                        }
                    }
                    case MODCACHE -> {
                        PackageLoader mc = rev.modCacheLoader();
                        String dir = SourceTree.join(s.dir(), rel);
                        if (hasGoFiles(mc.tree(), dir)) {
                            return new Resolution(ip, Resolution.Kind.MODCACHE, s, dir, mc);
                        }
                    }
                    default -> {
                        return new Resolution(ip, Resolution.Kind.OPAQUE, s, null, null);
                    }
                }
            }
            int i = p.lastIndexOf('/');
            if (i < 0) {
                break;
            }
            p = p.substring(0, i);
        }
        return new Resolution(ip, isStandard(ip) ? Resolution.Kind.STD : Resolution.Kind.MISSING, null, null, null);
    }

    /** The graph node of an import path (built with its dependencies on first use); null if not in the graph. */
    synchronized PkgNode node(String importPath) {
        PkgNode n = nodes.get(importPath);
        if (n != null || nodes.containsKey(importPath)) {
            return n;
        }
        Resolution r = resolve(importPath);
        if (!r.inGraph()) {
            nodes.put(importPath, null);
            return null;
        }
        DirPackage pkg = r.loader() == null ? null : r.loader().load(r.dir());
        String fp = r.kind() + "|" + r.dir() + "|" + r.module().fingerprint() + "|" + contextFingerprint;
        n = new PkgNode(importPath, r, pkg, fp);
        nodes.put(importPath, n);
        if (pkg != null) {
            List<PkgNode> deps = new ArrayList<>();
            for (String imp : pkg.imports()) {
                PkgNode d = node(imp);
                if (d != null) {
                    deps.add(d);
                }
            }
            n.deps = List.copyOf(deps);
        }
        return n;
    }

    /** The test-only imports of a node, resolved in this context. */
    synchronized List<PkgNode> testDeps(PkgNode n) {
        if (n.testDeps == null) {
            List<PkgNode> deps = new ArrayList<>();
            if (n.pkg != null) {
                for (String imp : n.pkg.testImports()) {
                    if (imp.equals(n.importPath)) {
                        continue;
                    }
                    PkgNode d = node(imp);
                    if (d != null) {
                        deps.add(d);
                    }
                }
            }
            n.testDeps = List.copyOf(deps);
        }
        return n.testDeps;
    }

    /** The import path a directory of this context's main modules has, or null. */
    String importPathOf(String dir) {
        for (Selected m : mains) {
            if (m.dir().equals(dir)) {
                return m.path();
            }
            if (m.dir().isEmpty() || dir.startsWith(m.dir() + "/")) {
                String rel = m.dir().isEmpty() ? dir : dir.substring(m.dir().length() + 1);
                if (m.dir().equals(rev.moduleDirOf(dir))) {
                    return m.path() + "/" + rel;
                }
            }
        }
        return null;
    }
}
