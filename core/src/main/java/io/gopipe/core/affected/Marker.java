package io.gopipe.core.affected;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides which packages of one build context changed, compared with the same service's context
 * at the other revision: a changed compiled, embedded or cgo-included file; a changed module
 * selection, checksum, go or toolchain line; and, when a changed module has no readable sources,
 * every package outside the repository (we cannot see what reaches it).
 */
final class Marker {

    /** Why a node counts as changed: a file and the steps before the node itself. */
    record Cause(String file, List<String> prefix) {
    }

    private final BuildContext ctx;
    private final BuildContext other;
    private final Set<String> changed;
    private final Map<PkgNode, List<Cause>> marks = new IdentityHashMap<>();
    private final Map<PkgNode, List<Cause>> testMarks = new IdentityHashMap<>();
    private final Map<PkgNode, Object> reach = new IdentityHashMap<>();
    private final Cause opaqueCause;
    private static final Object NONE = new Object();
    private static final Object BUSY = new Object();

    Marker(BuildContext ctx, BuildContext other, Set<String> changed) {
        this.ctx = ctx;
        this.other = other;
        this.changed = changed;
        this.opaqueCause = opaqueCause();
    }

    /** A changed module without sources in either revision: the reason to mark every external package. */
    private Cause opaqueCause() {
        if (other == null) {
            return null;
        }
        Map<String, Selected> all = new HashMap<>(other.selected);
        for (Map.Entry<String, Selected> e : ctx.selected.entrySet()) {
            Selected a = e.getValue();
            Selected b = other.selected.get(e.getKey());
            if (b != null && a.fingerprint().equals(b.fingerprint())) {
                all.remove(e.getKey());
                continue;
            }
            if (!a.hasSources() || (b != null && !b.hasSources())) {
                return new Cause(blame(a, b), List.of("module " + describeChange(a, b)
                        + " (sources not available: every package importing a module from outside the repository counts)"));
            }
            all.remove(e.getKey());
        }
        for (Selected b : all.values()) {
            if (!b.hasSources() && !ctx.selected.containsKey(b.path())) {
                return new Cause(b.declaredIn(), List.of("module " + b.describe() + " removed"
                        + " (sources not available: every package importing a module from outside the repository counts)"));
            }
        }
        return null;
    }

    private static String describeChange(Selected now, Selected then) {
        if (then == null) {
            return now.describe() + " added";
        }
        if (!Objects.equals(now.version(), then.version()) || !Objects.equals(now.replacement(), then.replacement())) {
            return now.path() + " " + then.describe().substring(then.path().length()).trim() + " -> "
                    + now.describe().substring(now.path().length()).trim();
        }
        if (!Objects.equals(now.goVersion(), then.goVersion()) || !Objects.equals(now.toolchain(), then.toolchain())) {
            return now.path() + " go/toolchain line changed";
        }
        if (!Objects.equals(now.sum(), then.sum())) {
            return now.describe() + " checksum changed";
        }
        return now.describe() + " changed";
    }

    /** The changed file most likely responsible for a module's different selection. */
    private String blame(Selected now, Selected then) {
        List<String> candidates = new ArrayList<>();
        if (then != null && (!Objects.equals(now.goVersion(), then.goVersion())
                || !Objects.equals(now.toolchain(), then.toolchain()))) {
            if (now.kind() == Selected.Kind.MAIN || now.kind() == Selected.Kind.LOCAL) {
                candidates.add(SourceTree.join(now.dir(), "go.mod"));
            }
        }
        if (then != null && !Objects.equals(now.sum(), then.sum())) {
            for (Selected m : ctx.mains) {
                candidates.add(SourceTree.join(m.dir(), "go.sum"));
            }
            if (ctx.workDir != null) {
                candidates.add(SourceTree.join(ctx.workDir, "go.work.sum"));
            }
        }
        candidates.add(now.declaredIn());
        if (then != null) {
            candidates.add(then.declaredIn());
        }
        if (ctx.workDir != null) {
            candidates.add(SourceTree.join(ctx.workDir, "go.work"));
        }
        for (Selected m : ctx.mains) {
            candidates.add(SourceTree.join(m.dir(), "go.mod"));
        }
        for (String c : candidates) {
            if (c != null && changed.contains(c)) {
                return c;
            }
        }
        return now.declaredIn();
    }

    /** Why the node itself changed (empty when it did not). */
    List<Cause> marks(PkgNode n) {
        List<Cause> m = marks.get(n);
        if (m != null) {
            return m;
        }
        List<Cause> out = new ArrayList<>();
        DirPackage p = n.pkg;
        if (p != null && n.res.inRepo()) {
            fileCauses(p.goFiles(), out);
            fileCauses(p.otherFiles(), out);
            fileCauses(p.embedFiles(), out);
            for (String d : p.cgoDirs()) {
                for (String c : changed) {
                    if (d != null && (d.isEmpty() || c.startsWith(d + "/"))) {
                        out.add(new Cause(c, List.of("#cgo flags of " + n.importPath + " use " + (d.isEmpty() ? "." : d))));
                    }
                }
            }
        }
        if (other != null) {
            if (!ctx.contextFingerprint.equals(other.contextFingerprint)) {
                out.add(new Cause(SourceTree.join(ctx.workDir == null ? other.workDir : ctx.workDir, "go.work"),
                        List.of("go.work go/toolchain line changed")));
            } else {
                Resolution r = other.resolve(n.importPath);
                if (r.inGraph()) {
                    Selected a = n.res.module();
                    Selected b = r.module();
                    if (!a.fingerprint().equals(b.fingerprint())) {
                        out.add(new Cause(blame(a, b), List.of("module " + describeChange(a, b))));
                    } else if (!Objects.equals(n.res.dir(), r.dir()) || n.res.kind() != r.kind()) {
                        out.add(new Cause(blame(a, b), List.of("package now resolves to " + describeRes(n.res))));
                    }
                }
            }
        }
        if (opaqueCause != null && n.res.kind() == Resolution.Kind.OPAQUE) {
            out.add(opaqueCause);
        }
        marks.put(n, out);
        return out;
    }

    private static String describeRes(Resolution r) {
        return r.dir() == null ? r.kind().name().toLowerCase() : r.dir();
    }

    private void fileCauses(List<String> files, List<Cause> out) {
        for (String f : files) {
            if (changed.contains(f)) {
                out.add(new Cause(f, List.of()));
            }
        }
    }

    /** Why the node's tests changed: its test files, test embeds or testdata. */
    List<Cause> testMarks(PkgNode n) {
        List<Cause> m = testMarks.get(n);
        if (m != null) {
            return m;
        }
        List<Cause> out = new ArrayList<>();
        DirPackage p = n.pkg;
        if (p != null && n.res.inRepo()) {
            fileCauses(p.testFiles(), out);
            fileCauses(p.testEmbedFiles(), out);
            String td = SourceTree.join(p.dir(), "testdata") + "/";
            for (String c : changed) {
                if (c.startsWith(td)) {
                    out.add(new Cause(c, List.of()));
                }
            }
        }
        testMarks.put(n, out);
        return out;
    }

    /** A chain (changed node first, n last) from a changed package to n, or null. */
    @SuppressWarnings("unchecked")
    List<PkgNode> reach(PkgNode n) {
        Object r = reach.get(n);
        if (r == BUSY || r == NONE) {
            return null;
        }
        if (r != null) {
            return (List<PkgNode>) r;
        }
        reach.put(n, BUSY);
        List<PkgNode> found = null;
        if (!marks(n).isEmpty()) {
            found = List.of(n);
        } else {
            for (PkgNode d : n.deps) {
                List<PkgNode> sub = reach(d);
                if (sub != null) {
                    List<PkgNode> chain = new ArrayList<>(sub);
                    chain.add(n);
                    found = List.copyOf(chain);
                    break;
                }
            }
        }
        reach.put(n, found == null ? NONE : found);
        return found;
    }
}
