package io.gopipe.bench.affected;

import java.util.Random;

/** Writes the non-Go files: go.mod/go.work, Dockerfiles, docs, assets, testdata, protos, deploy manifests. */
final class RepoFiles {

    static final String PSEUDO = "v0.0.0-00010101000000-000000000000";

    private final Monorepo m;
    private final Random r;

    RepoFiles(Monorepo m, Random r) {
        this.m = m;
        this.r = r;
    }

    void writeAll(LayoutBuilder b) {
        m.otherFiles.put("go.mod", "module " + m.root.path() + "\n\ngo 1.22\n\nrequire " + m.platform.path() + " "
            + PSEUDO + "\n\nreplace " + m.platform.path() + " => ./libs/platform\n");
        m.otherFiles.put("libs/platform/go.mod", platformGoMod());
        m.otherFiles.put("services/billing/go.mod", billingGoMod("1.21"));
        m.otherFiles.put("go.work", "go 1.22\n\nuse (\n\t.\n\t./libs/platform\n\t./services/billing\n)\n");
        m.otherFiles.put("README.md", "# mono\n\nAll services of the shop in one repository. See docs/ for the "
            + "architecture and runbooks, services/ and cmd/ for the binaries.\n");
        m.otherFiles.put("libs/platform/README.md", "# platform\n\nShared runtime libraries, versioned as their own module.\n");
        m.otherFiles.put("services/billing/README.md", "# billing\n\nThe billing services, a module of their own.\n");
        m.otherFiles.put(".gitignore", "/bin/\n*.out\n.idea/\n");
        m.otherFiles.put(".dockerignore", ".git\n**/testdata\ndocs/\n");
        m.otherFiles.put("Makefile", "build:\n\tgo build ./...\n\ntest:\n\tgo test ./...\n\nlint:\n\tgo vet ./...\n");
        for (int i = 0; i < 8; i++) {
            m.otherFiles.put("scripts/task" + i + ".sh", "#!/bin/sh\nset -eu\necho running task " + i + "\n");
        }
        for (int i = 1; i <= 60; i++) {
            m.otherFiles.put(String.format("docs/adr/%04d-decision.md", i), doc("Decision " + i, 12 + r.nextInt(30)));
        }
        for (String d : Words.DOMAINS) {
            for (int i = 0; i < 3; i++) {
                m.otherFiles.put("proto/" + d + "/" + d + i + ".proto", proto(d, i));
            }
        }
        for (GoPackage s : b.services) {
            serviceFiles(s);
        }
        for (GoPackage p : m.packages) {
            if (!p.isMain() && r.nextInt(100) < 12) {
                m.otherFiles.put(p.dir + "/testdata/case1.json", "{\"name\": \"" + p.name + "\", \"cases\": [1, 2, 3]}\n");
                m.otherFiles.put(p.dir + "/testdata/case1.golden", p.name + " ok\n");
            }
            if (!p.isMain() && r.nextInt(100) < 5) {
                m.otherFiles.put(p.dir + "/README.md", doc(p.name, 5 + r.nextInt(10)));
            }
        }
    }

    String platformGoMod() {
        return "module " + m.platform.path() + "\n\ngo 1.21\n";
    }

    String billingGoMod(String goVersion) {
        return "module " + m.billing.path() + "\n\ngo " + goVersion + "\n\nrequire " + m.platform.path() + " " + PSEUDO
            + "\n\nreplace " + m.platform.path() + " => ../../libs/platform\n";
    }

    void serviceFiles(GoPackage s) {
        String name = s.dir.substring(s.dir.lastIndexOf('/') + 1);
        m.otherFiles.put(s.dir + "/README.md", doc(name, 6 + r.nextInt(20)));
        if (s.kind != GoPackage.Kind.TOOL_MAIN) {
            m.otherFiles.put(s.dir + "/Dockerfile", dockerfile(s, 0));
            m.otherFiles.put(s.dir + "/configs/dev.yaml", "service: " + name + "\nreplicas: 1\nlog_level: debug\n");
            m.otherFiles.put(s.dir + "/configs/prod.yaml", "service: " + name + "\nreplicas: " + (2 + r.nextInt(8))
                + "\nlog_level: info\n");
            m.otherFiles.put("deploy/k8s/" + name + ".yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: "
                + name + "\nspec:\n  replicas: 2\n");
        }
        for (GoFile f : s.files) {
            if (f.role == GoFile.Role.EMBED) {
                m.otherFiles.put(s.dir + "/static/index.html", "<!doctype html>\n<title>" + name + "</title>\n<div id=app></div>\n");
                m.otherFiles.put(s.dir + "/static/app.css", "body { font-family: sans-serif; margin: " + r.nextInt(20) + "px; }\n");
                m.otherFiles.put(s.dir + "/static/app.js", "document.getElementById('app').textContent = '" + name + "';\n");
                m.otherFiles.put(s.dir + "/static/img/logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n");
                m.otherFiles.put(s.dir + "/static/_draft.html", "<p>not shipped</p>\n");
                m.otherFiles.put(s.dir + "/static/.editorconfig", "root = true\n");
                m.otherFiles.put(s.dir + "/templates/page.tmpl", "{{define \"page\"}}<h1>{{.Title}}</h1>{{end}}\n");
                m.otherFiles.put(s.dir + "/templates/mail.tmpl", "{{define \"mail\"}}Hello {{.Name}}{{end}}\n");
                m.otherFiles.put(s.dir + "/templates/NOTES.md", "Templates are embedded; this note is not.\n");
            }
        }
    }

    String dockerfile(GoPackage s, int revision) {
        String modDir = s.module.dir().isEmpty() ? "." : s.module.dir();
        String rel = s.module.dir().isEmpty() ? "./" + s.dir : "./" + s.dir.substring(s.module.dir().length() + 1);
        return "# syntax=docker/dockerfile:1\nFROM golang:1.24 AS build\nWORKDIR /src/" + modDir + "\n"
            + "COPY . /src\nRUN --mount=type=cache,target=/root/.cache/go-build \\\n"
            + "    CGO_ENABLED=0 GOWORK=off go build -trimpath -o /out/app " + rel + "\n\n"
            + "FROM gcr.io/distroless/static-debian12\nCOPY --from=build /out/app /app\n"
            + (revision > 0 ? "LABEL org.opencontainers.image.revision=\"" + revision + "\"\n" : "")
            + "USER 65532\nENTRYPOINT [\"/app\"]\n";
    }

    String doc(String title, int paragraphs) {
        StringBuilder b = new StringBuilder("# ").append(title).append("\n\n");
        for (int i = 0; i < paragraphs; i++) {
            b.append("The ").append(title).append(" component ").append(i % 2 == 0 ? "keeps" : "documents")
                .append(" its state in the owning service and exposes it through typed clients. ")
                .append("Operational notes, alerts and dashboards are linked from the runbook.\n\n");
        }
        return b.toString();
    }

    private String proto(String domain, int i) {
        return "syntax = \"proto3\";\n\npackage " + domain + ".v" + (i + 1) + ";\n\nmessage " + Character.toUpperCase(domain.charAt(0))
            + domain.substring(1) + "Event {\n  string id = 1;\n  int64 at_unix = 2;\n  map<string, string> labels = 3;\n}\n";
    }
}
