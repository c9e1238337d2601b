package io.gopipe.core.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;

/**
 * The one-service Go 1.24 repository the image cache tests build: a library package (JSON + fmt,
 * so the standard library has something to compile), a service, and a user's plain multi-stage
 * Dockerfile with the Go cache mounts and nothing gopipe-specific in it.
 */
final class SmallShopRepo {

    static final String DOCKERFILE = "deploy/orders.Dockerfile";

    private SmallShopRepo() {
    }

    static void writeTo(Path repo, BaseImages images) throws IOException {
        write(repo, "go.mod", "module example.com/shop\n\ngo 1.24\n");
        write(repo, ".dockerignore", ".git\n");
        write(repo, "pkg/greet/greet.go", "package greet\n\nimport (\n\t\"encoding/json\"\n\t\"fmt\"\n)\n\n"
                + "// Line formats the banner a service prints.\nfunc Line(service, version string) string {\n"
                + "\tb, _ := json.Marshal(map[string]string{\"service\": service, \"version\": version})\n"
                + "\treturn fmt.Sprintf(\"%s hello\", b)\n}\n");
        write(repo, "cmd/orders/main.go", "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/shop/pkg/greet\"\n)\n\n"
                + "var version = \"dev\"\n\nfunc main() {\n\tfmt.Println(greet.Line(\"orders\", version))\n}\n");
        write(repo, DOCKERFILE, "FROM " + images.go() + " AS build\nWORKDIR /src\nCOPY . .\n"
                + "RUN --mount=type=cache,target=/go/pkg/mod \\\n    --mount=type=cache,target=/root/.cache/go-build \\\n"
                + "    CGO_ENABLED=0 go build -x -trimpath -o /out/orders ./cmd/orders\n"
                + "FROM " + images.distroless() + "\nCOPY --from=build /out/orders /usr/local/bin/orders\n"
                + "ENTRYPOINT [\"/usr/local/bin/orders\"]\n");
    }

    /** Makes {@code repo} a git repository on {@code main} with everything in it committed (agent mode reads HEAD). */
    static void commitAll(Path repo) throws Exception {
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            git.commit().setMessage("shop").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com")
                    .setSign(false).call();
        }
    }

    static void write(Path repo, String rel, String text) throws IOException {
        Path p = repo.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }
}
