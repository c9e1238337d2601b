package io.gopipe.core.affected;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.revwalk.RevCommit;

/** A real git repository in a temp dir, written file by file and committed with JGit. */
final class TestRepo implements AutoCloseable {

    private final Path dir;
    private final Git git;

    private TestRepo(Path dir, Git git) {
        this.dir = dir;
        this.git = git;
    }

    static TestRepo init(Path dir) {
        try {
            return new TestRepo(dir, Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call());
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    Path dir() {
        return dir;
    }

    Git git() {
        return git;
    }

    TestRepo write(String path, String content) {
        try {
            Path p = dir.resolve(path);
            Files.createDirectories(p.getParent());
            Files.writeString(p, content, StandardCharsets.UTF_8);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Go file with a package clause and imports. */
    TestRepo go(String path, String pkg, String... imports) {
        StringBuilder sb = new StringBuilder("package ").append(pkg).append("\n\n");
        if (imports.length > 0) {
            sb.append("import (\n");
            for (String i : imports) {
                sb.append("\t_ \"").append(i).append("\"\n");
            }
            sb.append(")\n");
        }
        sb.append(pkg.equals("main") ? "\nfunc main() {}\n" : "\nfunc F() {}\n");
        return write(path, sb.toString());
    }

    TestRepo delete(String path) {
        try {
            Files.delete(dir.resolve(path));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String commit(String message) {
        try {
            git.add().addFilepattern(".").call();
            git.add().addFilepattern(".").setUpdate(true).call();
            RevCommit c = git.commit().setMessage(message).setAuthor("t", "t@example.com")
                    .setCommitter("t", "t@example.com").setAllowEmpty(true).call();
            return c.name();
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        git.close();
    }
}
