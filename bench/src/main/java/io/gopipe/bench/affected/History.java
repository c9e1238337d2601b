package io.gopipe.bench.affected;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * The commit history after the initial import: a fixed sequence of realistic change kinds, each
 * applied to a seeded-random target. Kinds cover what a CI system sees: leaf and hub edits, test-only,
 * docs-only, go.mod, new/renamed/deleted packages, assets, Dockerfiles, and files no build reads.
 */
final class History {

    /** The change kinds, in commit order (commit i+1 applies KINDS[i % KINDS.size()]). */
    static final List<String> KINDS = List.of("leaf-edit", "hub-edit", "test-only", "docs-only", "lib-edit",
        "gomod-go-line", "new-package", "platform-edit", "embed-asset", "dockerfile", "windows-only", "testdata",
        "multi-leaf", "add-import", "rename-package", "delete-package", "tagged-file", "new-service",
        "not-embedded-asset", "proto-only", "domain-edit", "config-yaml", "platform-hub-edit", "generator-file",
        "testutil-edit", "cgo-file", "root-internal-edit", "module-leaf-edit", "template-edit", "mixed");

    private final LayoutBuilder b;
    private final Monorepo m;
    private final Random r;
    private final RepoFiles files;
    private int docEdits;

    History(LayoutBuilder b) {
        this.b = b;
        this.m = b.model();
        this.r = b.random();
        this.files = new RepoFiles(m, r);
    }

    /** Applies change number i (1-based) and returns its commit message. */
    String apply(int i) {
        String kind = KINDS.get((i - 1) % KINDS.size());
        String what = switch (kind) {
            case "leaf-edit" -> edit(pkgOf(GoPackage.Kind.SERVICE_INTERNAL), GoFile.Role.SOURCE);
            case "hub-edit" -> edit(b.coreHubs.get(r.nextInt(4)), GoFile.Role.SOURCE);
            case "test-only" -> edit(pkgWith(GoFile.Role.TEST, p -> p.kind == GoPackage.Kind.DOMAIN), GoFile.Role.TEST);
            case "docs-only" -> docs();
            case "lib-edit" -> edit(pkgOf(GoPackage.Kind.LIB), GoFile.Role.SOURCE);
            case "gomod-go-line" -> goLine();
            case "new-package" -> newPackage();
            case "platform-edit" -> edit(pkgOf(GoPackage.Kind.PLATFORM), GoFile.Role.SOURCE);
            case "embed-asset" -> editOther(embeddingService().dir + "/static/app.css", "/* tweak */\n");
            case "dockerfile" -> dockerfile();
            case "windows-only" -> edit(pkgWith(GoFile.Role.OS_WINDOWS, p -> true), GoFile.Role.OS_WINDOWS);
            case "testdata" -> testdata();
            case "multi-leaf" -> multiLeaf();
            case "add-import" -> addImport();
            case "rename-package" -> rename();
            case "delete-package" -> delete();
            case "tagged-file" -> edit(pkgWith(GoFile.Role.TAGGED, p -> true), GoFile.Role.TAGGED);
            case "new-service" -> newService();
            case "not-embedded-asset" -> notEmbedded();
            case "proto-only" -> editOther("proto/" + Words.DOMAINS.get(r.nextInt(Words.DOMAINS.size())) + "/"
                + "extra.proto", "syntax = \"proto3\";\n");
            case "domain-edit" -> edit(pkgOf(GoPackage.Kind.DOMAIN), GoFile.Role.SOURCE);
            case "config-yaml" -> editOther(b.services.get(r.nextInt(b.services.size() / 2)).dir + "/configs/prod.yaml",
                "max_conns: 64\n");
            case "platform-hub-edit" -> edit(b.platformHubs.get(r.nextInt(6)), GoFile.Role.SOURCE);
            case "generator-file" -> edit(pkgWith(GoFile.Role.GEN_IGNORED, p -> true), GoFile.Role.GEN_IGNORED);
            case "testutil-edit" -> edit(b.testutil, GoFile.Role.SOURCE);
            case "cgo-file" -> edit(pkgWith(GoFile.Role.CGO, p -> true), GoFile.Role.CGO);
            case "root-internal-edit" -> edit(pkgOf(GoPackage.Kind.ROOT_INTERNAL), GoFile.Role.SOURCE);
            case "module-leaf-edit" -> edit(pkgOf(GoPackage.Kind.MODULE_LIB), GoFile.Role.SOURCE);
            case "template-edit" -> editOther(embeddingService().dir + "/templates/page.tmpl", "{{/* footer */}}\n");
            case "mixed" -> edit(pkgOf(GoPackage.Kind.LIB), GoFile.Role.SOURCE) + "; " + docs() + "; "
                + edit(pkgWith(GoFile.Role.TEST, p -> true), GoFile.Role.TEST);
            default -> throw new IllegalStateException(kind);
        };
        return "[" + kind + "] " + what;
    }

    private String edit(GoPackage p, GoFile.Role role) {
        List<GoFile> candidates = new ArrayList<>();
        for (GoFile f : p.files) {
            if (f.role == role) {
                candidates.add(f);
            }
        }
        GoFile f = candidates.get(r.nextInt(candidates.size()));
        f.edits++;
        m.touch(f);
        return "edit " + f.path();
    }

    private GoPackage pkgOf(GoPackage.Kind kind) {
        List<GoPackage> c = m.packages.stream().filter(p -> p.kind == kind).toList();
        return c.get(r.nextInt(c.size()));
    }

    private GoPackage pkgWith(GoFile.Role role, Predicate<GoPackage> filter) {
        List<GoPackage> c = m.packages.stream().filter(filter)
            .filter(p -> p.files.stream().anyMatch(f -> f.role == role)).toList();
        return c.get(r.nextInt(c.size()));
    }

    private GoPackage embeddingService() {
        List<GoPackage> c = b.services.stream()
            .filter(p -> p.files.stream().anyMatch(f -> f.role == GoFile.Role.EMBED)).toList();
        return c.get(r.nextInt(c.size()));
    }

    private String editOther(String path, String appended) {
        String old = m.otherFiles.getOrDefault(path, "");
        m.putOther(path, old + appended);
        return "edit " + path;
    }

    private String docs() {
        docEdits++;
        String path = String.format("docs/adr/%04d-decision.md", 1 + r.nextInt(60));
        editOther(path, "\nUpdate " + docEdits + ": clarified the rollout plan.\n");
        editOther("README.md", "\nSee the changelog entry " + docEdits + ".\n");
        return "edit " + path + " and README.md";
    }

    private String goLine() {
        m.putOther("services/billing/go.mod", files.billingGoMod("1.22"));
        return "services/billing/go.mod: go 1.21 -> 1.22";
    }

    private String dockerfile() {
        GoPackage s = b.services.stream().filter(p -> m.otherFiles.containsKey(p.dir + "/Dockerfile"))
            .skip(r.nextInt(100)).findFirst().orElseThrow();
        m.putOther(s.dir + "/Dockerfile", files.dockerfile(s, 1));
        return "edit " + s.dir + "/Dockerfile";
    }

    private String testdata() {
        List<String> c = m.otherFiles.keySet().stream().filter(p -> p.endsWith("/testdata/case1.json")).toList();
        return editOther(c.get(r.nextInt(c.size())), "\n");
    }

    private String multiLeaf() {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            parts.add(edit(pkgOf(GoPackage.Kind.SERVICE_INTERNAL), GoFile.Role.SOURCE));
        }
        return String.join("; ", parts);
    }

    private String newPackage() {
        String area = Words.LIB_AREAS.get(r.nextInt(Words.LIB_AREAS.size()));
        GoPackage p = b.pkg(m.root, GoPackage.Kind.LIB, "pkg/lib/" + area + "/" + b.noun(), null);
        b.assign(p, b.pick(b.coreHubs, 2, 2.0));
        b.libs.add(p);
        p.files.forEach(m::touch);
        GoPackage user = pkgOf(GoPackage.Kind.SERVICE_INTERNAL);
        GoFile target = user.primary();
        target.deps.add(p);
        m.touch(target);
        return "add " + p.dir + ", imported by " + target.path();
    }

    private String addImport() {
        GoPackage user = pkgOf(GoPackage.Kind.SERVICE_INTERNAL);
        GoPackage dep = b.domainPkgs.get(r.nextInt(b.domainPkgs.size()));
        GoFile target = user.primary();
        if (!target.deps.contains(dep)) {
            target.deps.add(dep);
        }
        target.edits++;
        m.touch(target);
        return "import " + dep.dir + " from " + target.path();
    }

    private String rename() {
        GoPackage p = pkgOf(GoPackage.Kind.LIB);
        String oldDir = p.dir;
        for (GoFile f : p.files) {
            m.removePath(f.path());
        }
        String newDir = b.unique(oldDir + "v2");
        p.dir = newDir;
        p.name = newDir.substring(newDir.lastIndexOf('/') + 1);
        for (String path : new ArrayList<>(m.otherFiles.keySet())) {
            if (path.startsWith(oldDir + "/")) {
                String content = m.otherFiles.get(path);
                m.removePath(path);
                m.putOther(newDir + path.substring(oldDir.length()), content);
            }
        }
        p.files.forEach(m::touch);
        m.importersOf(p).forEach(m::touch);
        return "rename " + oldDir + " -> " + newDir;
    }

    private String delete() {
        GoPackage p = pkgOf(GoPackage.Kind.SERVICE_INTERNAL);
        for (GoFile f : m.importersOf(p)) {
            if (f.pkg != p) {
                f.deps.remove(p);
                m.touch(f);
            }
        }
        for (GoFile f : p.files) {
            m.removePath(f.path());
        }
        for (String path : new ArrayList<>(m.otherFiles.keySet())) {
            if (path.startsWith(p.dir + "/")) {
                m.removePath(path);
            }
        }
        m.packages.remove(p);
        return "delete " + p.dir;
    }

    private String newService() {
        String domain = Words.DOMAINS.get(r.nextInt(Words.DOMAINS.size()));
        String dir = b.unique("services/" + domain + "-newcomer");
        GoPackage main = b.addService(dir, domain, 4, true);
        for (GoPackage p : m.packages) {
            if (p.dir.equals(dir) || p.dir.startsWith(dir + "/")) {
                p.files.forEach(m::touch);
            }
        }
        files.serviceFiles(main);
        for (String path : new ArrayList<>(m.otherFiles.keySet())) {
            if (path.startsWith(dir + "/") || path.equals("deploy/k8s/" + dir.substring(dir.lastIndexOf('/') + 1) + ".yaml")) {
                m.putOther(path, m.otherFiles.get(path));
            }
        }
        return "add service " + dir;
    }

    private String notEmbedded() {
        GoPackage s = embeddingService();
        editOther(s.dir + "/static/_draft.html", "<p>still a draft</p>\n");
        editOther(s.dir + "/static/.editorconfig", "indent_style = space\n");
        editOther(s.dir + "/templates/NOTES.md", "More notes.\n");
        return "edit files of " + s.dir + " that //go:embed skips";
    }
}
