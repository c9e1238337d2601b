package io.gopipe.core.image;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * What the checkout tells about the image: commit, its time (used for reproducible timestamps),
 * branch and origin URL. All null outside a git repository.
 *
 * @param revision   full commit id, or null
 * @param commitTime commit time, or null
 * @param branch     current branch (null when detached)
 * @param originUrl  {@code remote.origin.url}, or null
 */
public record SourceInfo(String revision, Instant commitTime, String branch, String originUrl) {

    /** Reads HEAD of the repository containing {@code dir}. */
    public static SourceInfo read(Path dir) {
        FileRepositoryBuilder b = new FileRepositoryBuilder().readEnvironment().findGitDir(dir.toFile());
        if (b.getGitDir() == null) {
            return new SourceInfo(null, null, null, null);
        }
        try (Repository repo = b.build()) {
            ObjectId head = repo.resolve("HEAD");
            if (head == null) {
                return new SourceInfo(null, null, repo.getBranch(), null);
            }
            try (RevWalk walk = new RevWalk(repo)) {
                RevCommit c = walk.parseCommit(head);
                String full = repo.getFullBranch();
                String branch = full != null && full.startsWith("refs/heads/") ? repo.getBranch() : null;
                return new SourceInfo(head.name(), Instant.ofEpochSecond(c.getCommitTime()), branch,
                        withoutUserInfo(repo.getConfig().getString("remote", "origin", "url")));
            }
        } catch (IOException e) {
            throw new ImageException("cannot read git metadata of " + dir + ": " + e.getMessage(), e);
        }
    }

    /** A URL with any {@code user:token@} removed: it ends up in an image label. */
    static String withoutUserInfo(String url) {
        return url == null ? null : url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", "$1");
    }

    /** The first 12 characters of the commit, or null. */
    public String shortRevision() {
        return revision == null ? null : revision.substring(0, Math.min(12, revision.length()));
    }
}
