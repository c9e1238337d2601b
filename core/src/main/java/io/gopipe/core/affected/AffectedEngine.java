package io.gopipe.core.affected;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

import io.gopipe.core.report.Reporter;

/**
 * Which services of a Go monorepo a change affects, and why. Reads both revisions straight from
 * git objects (no checkout), resolves imports as the go command does for each service's
 * directory (nested modules, go.work, local replace, vendor/), and walks the union of the base and
 * head import graphs. Thread-safe; share one {@link ParseCache} across calls.
 */
public final class AffectedEngine {

    private final ParseCache cache;
    private final Reporter reporter;

    public AffectedEngine(ParseCache cache, Reporter reporter) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.reporter = reporter == null ? Reporter.silent() : reporter;
    }

    /**
     * Computes the affected services. An unusable base (missing, all zeros, shallow clone), a head
     * that is not a commit or an unreadable repository gives {@code all=true} with the reason.
     *
     * @throws AffectedException when the repository directory does not exist or gopipe.yaml is invalid
     * @throws GoModException    when a go.mod, go.work or vendor/modules.txt at the head is malformed
     */
    public AffectedResult compute(AffectedRequest request) {
        Path dir = request.repo().toAbsolutePath().normalize();
        Repository repo = ChangeDetector.open(dir);
        try {
            ChangeSet cs = ChangeDetector.detect(repo, dir, request.base(), request.head(), cache);
            try {
                return compute(cs, request);
            } finally {
                closeTrees(cs);
            }
        } finally {
            if (repo != null) {
                repo.close();
            }
        }
    }

    private static void closeTrees(ChangeSet cs) {
        if (cs.headTree() instanceof GitSnapshot g) {
            g.close();
        }
        if (cs.baseTree() instanceof GitSnapshot g && cs.baseTree() != cs.headTree()) {
            g.close();
        }
    }

    private AffectedResult compute(ChangeSet cs, AffectedRequest request) {
        BuildTarget target = request.target();
        RevisionModel head = new RevisionModel(cs.headTree(), target, request.modCache(), cache, reporter);
        GopipeConfig config = ServiceCatalog.config(cs.headTree());
        List<ServiceDef> services = ServiceCatalog.services(head, config);
        reporter.info("affected: " + services.size() + " services at " + shortSha(cs.head()) + " for " + target.describe());
        if (cs.all()) {
            return all(cs, services, cs.allReason(), null);
        }
        for (String c : cs.changed()) {
            for (PathPattern p : config.globalPaths()) {
                if (p.matches(c)) {
                    return all(cs, services, "global path " + p.text() + " changed: " + c, c);
                }
            }
            if (c.equals(GopipeConfig.FILE)) {
                return all(cs, services, GopipeConfig.FILE + " changed", c);
            }
        }
        RevisionModel base = cs.baseTree() == cs.headTree() ? head
                : new RevisionModel(cs.baseTree(), target, request.modCache(), cache, reporter);
        AffectedCalculator calc = new AffectedCalculator(head, base, Set.copyOf(cs.changed()));
        List<AffectedService> affected = new ArrayList<>();
        List<AffectedService> tests = new ArrayList<>();
        try {
            for (ServiceDef s : services) {
                List<Reason> reasons = calc.reasons(s);
                if (!reasons.isEmpty()) {
                    affected.add(s.toResult(reasons));
                    continue;
                }
                List<Reason> testReasons = calc.testReasons(s);
                if (!testReasons.isEmpty()) {
                    tests.add(s.toResult(testReasons));
                }
            }
        } catch (GoModException e) {
            if (base == head || !isBaseOnly(e, head)) {
                throw e;
            }
            return all(cs, services, "the base revision cannot be analysed: " + e.getMessage(), e.file());
        }
        reporter.info("affected: " + affected.size() + " of " + services.size() + " services to rebuild, "
                + tests.size() + " more to test, " + cs.changed().size() + " files changed");
        return new AffectedResult(cs.base(), cs.head(), false, null, cs.changed(), affected, tests);
    }

    /** True when the malformed file is fine at the head (so the error is the base's). */
    private static boolean isBaseOnly(GoModException e, RevisionModel head) {
        String text = head.tree.readText(e.file());
        if (text == null) {
            return true;
        }
        try {
            if (e.file().endsWith("go.work")) {
                GoMod.parseGoWork(e.file(), text);
            } else if (e.file().endsWith("modules.txt")) {
                ModuleFiles.parseModulesTxt(e.file(), text);
            } else {
                GoMod.parseGoMod(e.file(), text);
            }
            return true;
        } catch (GoModException again) {
            return false;
        }
    }

    private AffectedResult all(ChangeSet cs, List<ServiceDef> services, String reason, String file) {
        reporter.warn("affected: every service (" + services.size() + ") counts: " + reason);
        List<AffectedService> out = new ArrayList<>();
        for (ServiceDef s : services) {
            out.add(s.toResult(List.of(new Reason(file, List.of(reason, s.name())))));
        }
        return new AffectedResult(cs.base(), cs.head(), true, reason, cs.changed(), out, List.of());
    }

    private static String shortSha(String sha) {
        return sha != null && sha.length() > 12 ? sha.substring(0, 12) : String.valueOf(sha);
    }

    /**
     * For each service at revision rev: repo-relative dir of its main package -> sorted import paths of every
     * non-standard-library package the main package depends on (transitively, itself included), resolved as the
     * go command resolves it when run in that directory with default settings (go.work auto-discovered,
     * -mod=vendor when vendor/modules.txt applies).
     */
    public Map<String, SortedSet<String>> serviceDependencies(Path repo, String rev, BuildTarget target) {
        Path dir = repo.toAbsolutePath().normalize();
        Repository r = ChangeDetector.open(dir);
        if (r == null) {
            throw new AffectedException(dir + " is not a git repository");
        }
        try (r; RevWalk rw = new RevWalk(r)) {
            RevCommit c = ChangeDetector.commit(r, rw, rev);
            if (c == null) {
                throw new AffectedException("revision '" + rev + "' is not a commit in " + dir);
            }
            try (GitSnapshot tree = GitSnapshot.of(r, c.getTree(), cache)) {
                RevisionModel model = new RevisionModel(tree, target == null ? BuildTarget.linuxAmd64() : target, null,
                        cache, reporter);
                List<ServiceDef> services = ServiceCatalog.services(model, ServiceCatalog.config(tree));
                Map<String, SortedSet<String>> out = new LinkedHashMap<>();
                for (ServiceDef s : services) {
                    BuildContext ctx = model.contextFor(s.dir());
                    out.put(s.dir().isEmpty() ? "." : s.dir(),
                            Collections.unmodifiableSortedSet(closure(ctx.node(s.mainPackage()))));
                }
                return out;
            }
        } catch (java.io.IOException e) {
            throw new AffectedException("cannot read " + dir + " at " + rev + ": " + e.getMessage(), e);
        }
    }

    private static SortedSet<String> closure(PkgNode main) {
        SortedSet<String> out = new TreeSet<>();
        if (main == null) {
            return out;
        }
        Map<PkgNode, Boolean> seen = new IdentityHashMap<>();
        Deque<PkgNode> stack = new ArrayDeque<>();
        stack.push(main);
        while (!stack.isEmpty()) {
            PkgNode n = stack.pop();
            if (seen.put(n, Boolean.TRUE) != null) {
                continue;
            }
            out.add(n.importPath);
            n.deps.forEach(stack::push);
        }
        return out;
    }
}
