package io.gopipe.core.affected;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * For each service, walks its import graph at the head and at the base (so deleted and moved
 * packages still count) and collects the chains from changed files to its main package; adds the
 * non-Go rules (Dockerfile, .dockerignore, build context, watched paths) and the test-only set.
 */
final class AffectedCalculator {

    private final RevisionModel head;
    private final RevisionModel base;
    private final Set<String> changed;
    private final Map<List<BuildContext>, Marker> markers = new HashMap<>();

    AffectedCalculator(RevisionModel head, RevisionModel base, Set<String> changed) {
        this.head = head;
        this.base = base;
        this.changed = changed;
    }

    private Marker marker(BuildContext ctx, BuildContext other) {
        List<BuildContext> key = new ArrayList<>(2);
        key.add(ctx);
        key.add(other);
        return markers.computeIfAbsent(key, k -> new Marker(ctx, other, changed));
    }

    /** The reasons a service must be rebuilt (empty when it need not be). */
    List<Reason> reasons(ServiceDef s) {
        Map<String, Reason> reasons = new LinkedHashMap<>();
        BuildContext ctxH = head.contextFor(s.dir());
        BuildContext ctxB = base == head ? ctxH : base.contextFor(s.dir());
        PkgNode mainH = ctxH.node(s.mainPackage());
        collect(marker(ctxH, ctxB == ctxH ? null : ctxB), mainH, s, reasons);
        PkgNode mainB = mainOf(ctxB, s);
        if (mainB != null && ctxB != ctxH) {
            collect(marker(ctxB, ctxH), mainB, s, reasons);
        }
        nonGo(s, reasons);
        return sorted(reasons);
    }

    private static PkgNode mainOf(BuildContext ctx, ServiceDef s) {
        if (ctx == null) {
            return null;
        }
        String ip = ctx.importPathOf(s.dir());
        return ip == null ? null : ctx.node(ip);
    }

    /** The reasons a service's tests (only) are affected. */
    List<Reason> testReasons(ServiceDef s) {
        Map<String, Reason> reasons = new LinkedHashMap<>();
        BuildContext ctxH = head.contextFor(s.dir());
        BuildContext ctxB = base == head ? ctxH : base.contextFor(s.dir());
        collectTests(ctxH, marker(ctxH, ctxB == ctxH ? null : ctxB), ctxH.node(s.mainPackage()), s, reasons);
        PkgNode mainB = mainOf(ctxB, s);
        if (mainB != null && ctxB != ctxH) {
            collectTests(ctxB, marker(ctxB, ctxH), mainB, s, reasons);
        }
        return sorted(reasons);
    }

    private static List<Reason> sorted(Map<String, Reason> reasons) {
        List<Reason> out = new ArrayList<>(reasons.values());
        out.sort((a, b) -> String.valueOf(a.file()).compareTo(String.valueOf(b.file())));
        return out;
    }

    /** Breadth-first from the main package, so each file gets its shortest chain. */
    private static Map<PkgNode, PkgNode> bfs(PkgNode main) {
        Map<PkgNode, PkgNode> parent = new IdentityHashMap<>();
        if (main == null) {
            return parent;
        }
        Map<PkgNode, PkgNode> order = new LinkedHashMap<>();
        Deque<PkgNode> queue = new ArrayDeque<>();
        parent.put(main, main);
        queue.add(main);
        while (!queue.isEmpty()) {
            PkgNode n = queue.poll();
            order.put(n, parent.get(n));
            for (PkgNode d : n.deps) {
                if (!parent.containsKey(d)) {
                    parent.put(d, n);
                    queue.add(d);
                }
            }
        }
        return order;
    }

    private static List<String> up(PkgNode n, Map<PkgNode, PkgNode> parent) {
        List<String> chain = new ArrayList<>();
        PkgNode cur = n;
        while (true) {
            chain.add(cur.importPath);
            PkgNode p = parent.get(cur);
            if (p == null || p == cur) {
                break;
            }
            cur = p;
        }
        return chain;
    }

    private void collect(Marker marker, PkgNode main, ServiceDef s, Map<String, Reason> reasons) {
        Map<PkgNode, PkgNode> order = bfs(main);
        for (PkgNode n : order.keySet()) {
            List<Marker.Cause> causes = marker.marks(n);
            if (causes.isEmpty()) {
                continue;
            }
            List<String> tail = null;
            for (Marker.Cause c : causes) {
                if (reasons.containsKey(c.file())) {
                    continue;
                }
                if (tail == null) {
                    tail = up(n, order);
                    tail.add(s.name());
                }
                List<String> chain = new ArrayList<>(c.prefix());
                chain.addAll(tail);
                reasons.put(c.file(), new Reason(c.file(), chain));
            }
        }
    }

    private void collectTests(BuildContext ctx, Marker marker, PkgNode main, ServiceDef s, Map<String, Reason> reasons) {
        Map<PkgNode, PkgNode> order = bfs(main);
        for (PkgNode n : order.keySet()) {
            List<String> tail = null;
            for (Marker.Cause c : marker.testMarks(n)) {
                if (!reasons.containsKey(c.file())) {
                    if (tail == null) {
                        tail = testTail(n, order, s);
                    }
                    List<String> chain = new ArrayList<>(c.prefix());
                    chain.addAll(tail);
                    reasons.put(c.file(), new Reason(c.file(), chain));
                }
            }
            for (PkgNode td : ctx.testDeps(n)) {
                List<PkgNode> path = marker.reach(td);
                if (path == null) {
                    continue;
                }
                for (Marker.Cause c : marker.marks(path.get(0))) {
                    if (reasons.containsKey(c.file())) {
                        continue;
                    }
                    if (tail == null) {
                        tail = testTail(n, order, s);
                    }
                    List<String> chain = new ArrayList<>(c.prefix());
                    path.forEach(p -> chain.add(p.importPath));
                    chain.addAll(tail);
                    reasons.put(c.file(), new Reason(c.file(), chain));
                }
            }
        }
    }

    private static List<String> testTail(PkgNode n, Map<PkgNode, PkgNode> order, ServiceDef s) {
        List<String> tail = up(n, order);
        tail.set(0, n.importPath + " (tests)");
        tail.add(s.name());
        return tail;
    }

    private void nonGo(ServiceDef s, Map<String, Reason> reasons) {
        if (s.dockerfile() != null && changed.contains(s.dockerfile())) {
            reasons.putIfAbsent(s.dockerfile(), new Reason(s.dockerfile(), List.of("Dockerfile", s.name())));
        }
        List<String> ignores = new ArrayList<>();
        ignores.add(SourceTree.join(s.context(), ".dockerignore"));
        if (s.dockerfile() != null) {
            ignores.add(s.dockerfile() + ".dockerignore");
        }
        for (String f : ignores) {
            if (changed.contains(f)) {
                reasons.putIfAbsent(f, new Reason(f, List.of(".dockerignore", s.name())));
            }
        }
        for (String c : changed) {
            if (!s.context().isEmpty() && c.startsWith(s.context() + "/") && !goInput(c)) {
                reasons.putIfAbsent(c, new Reason(c, List.of("build context " + s.context(), s.name())));
            }
            for (PathPattern p : s.watch()) {
                if (p.matches(c)) {
                    reasons.putIfAbsent(c, new Reason(c, List.of("watched path " + p.text(), s.name())));
                }
            }
        }
    }

    /** Files whose effect the Go graph decides precisely (so a dedicated build context does not count them twice). */
    static boolean goInput(String path) {
        String name = SourceTree.base(path);
        return PackageLoader.sourceName(name) || name.equals("go.mod") || name.equals("go.sum")
                || name.equals("go.work") || name.equals("go.work.sum") || path.contains("/testdata/")
                || path.startsWith("testdata/") || path.contains("vendor/");
    }
}
