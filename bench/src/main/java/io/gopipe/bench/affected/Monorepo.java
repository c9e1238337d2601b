package io.gopipe.bench.affected;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The in-memory synthetic monorepo: modules, Go packages and non-Go files. Tracks which paths an edit
 * touched so the history writer only emits what changed.
 */
final class Monorepo {

    final GoModule root = new GoModule("", "example.com/mono");
    final GoModule platform = new GoModule("libs/platform", "example.com/mono/libs/platform");
    final GoModule billing = new GoModule("services/billing", "example.com/mono/services/billing");
    final List<GoPackage> packages = new ArrayList<>();
    final Map<String, String> otherFiles = new TreeMap<>();

    private final GoRenderer renderer = new GoRenderer();
    private final Set<String> dirty = new LinkedHashSet<>();
    private final Set<String> deleted = new LinkedHashSet<>();

    GoPackage add(GoPackage p) {
        packages.add(p);
        return p;
    }

    /** Full snapshot of every file: path → content. */
    Map<String, String> snapshot() {
        Map<String, String> all = new TreeMap<>(otherFiles);
        for (GoPackage p : packages) {
            for (GoFile f : p.files) {
                all.put(f.path(), renderer.render(f));
            }
        }
        return all;
    }

    void touch(GoFile f) {
        dirty.add(f.path());
        deleted.remove(f.path());
    }

    void putOther(String path, String content) {
        otherFiles.put(path, content);
        dirty.add(path);
        deleted.remove(path);
    }

    void removePath(String path) {
        otherFiles.remove(path);
        dirty.remove(path);
        deleted.add(path);
    }

    /** Files importing p (source or test), for re-rendering after a rename or removal. */
    List<GoFile> importersOf(GoPackage p) {
        List<GoFile> out = new ArrayList<>();
        for (GoPackage q : packages) {
            for (GoFile f : q.files) {
                if (f.deps.contains(p) || (f.role == GoFile.Role.XTEST && q == p)) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    /** Paths changed since the last call (content rendered now) and paths deleted. */
    Change drainChange() {
        Map<String, GoFile> goByPath = new HashMap<>();
        for (GoPackage p : packages) {
            for (GoFile f : p.files) {
                goByPath.put(f.path(), f);
            }
        }
        Map<String, String> modified = new TreeMap<>();
        for (String path : dirty) {
            GoFile f = goByPath.get(path);
            if (f != null) {
                modified.put(path, renderer.render(f));
            } else if (otherFiles.containsKey(path)) {
                modified.put(path, otherFiles.get(path));
            }
        }
        Change c = new Change(modified, new ArrayList<>(deleted));
        dirty.clear();
        deleted.clear();
        return c;
    }

    /** One commit's worth of file changes. */
    record Change(Map<String, String> modified, List<String> deleted) {
    }
}
