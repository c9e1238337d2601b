package io.gopipe.core.affected;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.gopipe.core.report.Reporter;

/**
 * One revision of the repository for one target: its modules, go.work files, packages and build
 * contexts. Everything is computed lazily and memoized; safe for use from several threads.
 */
final class RevisionModel {

    private static final Object NONE = new Object();

    final SourceTree tree;
    final BuildTarget target;
    final PackageLoader loader;
    final Reporter reporter;
    private final Path modCache;
    private final ParseCache cache;
    private volatile PackageLoader modCacheLoader;
    private final Map<String, String> moduleDirs = new ConcurrentHashMap<>();
    private final Map<String, Object> goMods = new ConcurrentHashMap<>();
    private final Map<String, Object> texts = new ConcurrentHashMap<>();
    private final Map<String, BuildContext> contexts = new ConcurrentHashMap<>();

    RevisionModel(SourceTree tree, BuildTarget target, Path modCache, ParseCache cache, Reporter reporter) {
        this.tree = tree;
        this.target = target;
        this.modCache = modCache;
        this.cache = cache;
        this.reporter = reporter;
        this.loader = new PackageLoader(tree, target);
    }

    /** The module cache's loader, or null without a module cache. */
    PackageLoader modCacheLoader() {
        if (modCache == null) {
            return null;
        }
        PackageLoader l = modCacheLoader;
        if (l == null) {
            synchronized (this) {
                if (modCacheLoader == null) {
                    modCacheLoader = new PackageLoader(new FsTree(modCache, cache), target);
                }
                l = modCacheLoader;
            }
        }
        return l;
    }

    /** The directory of the innermost go.mod at or above {@code dir}, or null outside every module. */
    String moduleDirOf(String dir) {
        String cached = moduleDirs.get(dir);
        if (cached != null) {
            return cached.equals("\0") ? null : cached;
        }
        String d = dir;
        String found = null;
        while (true) {
            if (tree.isFile(SourceTree.join(d, "go.mod"))) {
                found = d;
                break;
            }
            if (d.isEmpty()) {
                break;
            }
            d = SourceTree.parent(d);
        }
        moduleDirs.put(dir, found == null ? "\0" : found);
        return found;
    }

    /** The directory of the nearest go.work at or above {@code dir}, or null. */
    String workDirOf(String dir) {
        String d = dir;
        while (true) {
            if (tree.isFile(SourceTree.join(d, "go.work"))) {
                return d;
            }
            if (d.isEmpty()) {
                return null;
            }
            d = SourceTree.parent(d);
        }
    }

    /** The parsed go.mod in {@code dir}, or null when there is none; malformed → {@link GoModException}. */
    GoMod goMod(String dir) {
        Object o = goMods.computeIfAbsent(dir, d -> {
            String path = SourceTree.join(d, "go.mod");
            String text = tree.readText(path);
            return text == null ? NONE : GoMod.parseGoMod(path, text);
        });
        return o == NONE ? null : (GoMod) o;
    }

    GoMod goWork(String dir) {
        Object o = goMods.computeIfAbsent(dir + "\0work", d -> {
            String path = SourceTree.join(dir, "go.work");
            String text = tree.readText(path);
            return text == null ? NONE : GoMod.parseGoWork(path, text);
        });
        return o == NONE ? null : (GoMod) o;
    }

    /** A file's text, memoized (go.sum, modules.txt), or null. */
    String text(String path) {
        Object o = texts.computeIfAbsent(path, p -> {
            String t = tree.readText(p);
            return t == null ? NONE : t;
        });
        return o == NONE ? null : (String) o;
    }

    /**
     * The context the go command uses when run in {@code dir} with default settings: the enclosing
     * module, the auto-discovered go.work, and vendor mode. Null when {@code dir} is in no module.
     */
    BuildContext contextFor(String dir) {
        String modDir = moduleDirOf(dir);
        if (modDir == null) {
            return null;
        }
        String workDir = workDirOf(dir);
        if (workDir != null) {
            GoMod work = goWork(workDir);
            boolean member = false;
            for (String use : work.uses()) {
                if (modDir.equals(PackageLoader.normalize(workDir, use))) {
                    member = true;
                    break;
                }
            }
            if (!member) {
                reporter.warn(SourceTree.join(workDir, "go.work") + " does not use module " + (modDir.isEmpty() ? "." : modDir)
                        + " (go would refuse to build " + dir + "); resolving it as with GOWORK=off");
                workDir = null;
            }
        }
        String key = modDir + "\0" + (workDir == null ? "-" : workDir);
        String wd = workDir;
        return contexts.computeIfAbsent(key, k -> new BuildContext(this, modDir, wd));
    }

    /** Every directory the go tool would consider for ./... patterns: not ignored, not vendored. */
    List<String> packageDirs() {
        List<String> out = new ArrayList<>();
        collectDirs("", out);
        return out;
    }

    private void collectDirs(String dir, List<String> out) {
        out.add(dir);
        for (String d : tree.subdirs(dir)) {
            if (PackageLoader.ignoredName(d) || d.equals("testdata") || d.equals("vendor")) {
                continue;
            }
            collectDirs(SourceTree.join(dir, d), out);
        }
    }

    /** Scans all source files of the given dirs in parallel (git trees only). */
    void prefetch(List<String> dirs) {
        if (!(tree instanceof GitSnapshot git)) {
            return;
        }
        List<String> paths = new ArrayList<>();
        for (String d : dirs) {
            for (String f : tree.files(d)) {
                if (!PackageLoader.ignoredName(f) && PackageLoader.sourceName(f)) {
                    paths.add(SourceTree.join(d, f));
                }
            }
        }
        git.prefetch(paths);
    }
}
