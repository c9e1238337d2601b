package io.gopipe.bench.affected;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a careful user of {@code go list} (gta's approach, plus the rules gta misses) concludes from
 * the package graphs of both revisions and the changed files: a changed compiled or embedded file
 * marks its package (in either revision, so deleted and renamed packages count); a changed {@code go}
 * line marks every package of that module; a changed Dockerfile or .dockerignore in a service
 * directory marks that service; a service is affected when it or any of its dependencies, at base or
 * at head, is marked. Test files and testdata only mark the test set.
 */
final class BaselineAffected {

    /** Services (repo-relative main package directories) with one reason each, and the test-affected dirs. */
    record Result(Map<String, String> services, Set<String> testPackages) {
    }

    private BaselineAffected() {
    }

    static Result compute(GoListGraph base, GoListGraph head, Set<String> changed) {
        Map<String, String> marked = new HashMap<>();
        Set<String> testMarked = new TreeSet<>();
        Map<String, String> goVersionBase = goVersions(base);
        Map<String, String> goVersionHead = goVersions(head);
        for (GoListGraph g : List.of(base, head)) {
            for (GoListGraph.Pkg p : g.packages().values()) {
                for (String f : p.inputs()) {
                    if (changed.contains(f)) {
                        marked.putIfAbsent(p.importPath(), f);
                    }
                }
                for (String f : p.testInputs()) {
                    if (changed.contains(f)) {
                        testMarked.add(p.dir());
                    }
                }
                String goMod = p.moduleDir().isEmpty() ? "go.mod" : p.moduleDir() + "/go.mod";
                if (changed.contains(goMod)
                    && !String.valueOf(goVersionBase.get(p.moduleDir())).equals(String.valueOf(goVersionHead.get(p.moduleDir())))) {
                    marked.putIfAbsent(p.importPath(), goMod + " (go line)");
                }
            }
        }
        for (String f : changed) {
            int td = f.indexOf("/testdata/");
            if (td > 0) {
                testMarked.add(f.substring(0, td));
            }
        }
        Map<String, String> services = new TreeMap<>();
        for (GoListGraph.Pkg s : head.mains()) {
            String reason = reason(s, marked, changed);
            GoListGraph.Pkg atBase = base.packages().get(s.importPath());
            if (reason == null && atBase != null) {
                reason = reason(atBase, marked, changed);
            }
            if (reason != null) {
                services.put(s.dir(), reason);
            }
        }
        return new Result(services, testMarked);
    }

    private static String reason(GoListGraph.Pkg s, Map<String, String> marked, Set<String> changed) {
        for (String f : List.of(s.dir() + "/Dockerfile", s.dir() + "/.dockerignore")) {
            if (changed.contains(f)) {
                return f;
            }
        }
        if (marked.containsKey(s.importPath())) {
            return marked.get(s.importPath());
        }
        List<String> hits = new ArrayList<>();
        for (String d : s.deps()) {
            if (marked.containsKey(d)) {
                hits.add(marked.get(d) + " via " + d);
            }
        }
        return hits.isEmpty() ? null : hits.stream().sorted().findFirst().orElseThrow();
    }

    private static Map<String, String> goVersions(GoListGraph g) {
        Map<String, String> out = new HashMap<>();
        for (GoListGraph.Pkg p : g.packages().values()) {
            out.put(p.moduleDir(), p.goVersion());
        }
        return out;
    }
}
