package io.gopipe.core.affected;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.revwalk.filter.RevFilter;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.util.io.DisabledOutputStream;

/**
 * Finds the base and head revisions and the files changed between them with JGit (rename
 * detection on). Whenever no trustworthy base exists it answers "all" with the reason, never an
 * empty change.
 */
final class ChangeDetector {

    private ChangeDetector() {
    }

    /** Opens the repository at {@code dir} (work tree or git dir); null when it is not a git repository. */
    static Repository open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new AffectedException("--repo " + dir + ": no such directory");
        }
        try {
            File f = dir.toFile();
            FileRepositoryBuilder b = new FileRepositoryBuilder();
            if (new File(f, ".git").exists()) {
                b.findGitDir(f);
            } else if (new File(f, "HEAD").isFile() && new File(f, "objects").isDirectory()) {
                b.setGitDir(f);
            } else {
                return null;
            }
            return b.setMustExist(true).build();
        } catch (RepositoryNotFoundException e) {
            return null;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    static ChangeSet detect(Repository repo, Path dir, BaseSpec spec, String head, ParseCache cache) {
        if (repo == null) {
            return all(dir, cache, null, head, "not a readable git repository: " + dir + "; treating every service as affected");
        }
        try (RevWalk rw = new RevWalk(repo)) {
            RevCommit headCommit = commit(repo, rw, head);
            if (headCommit == null) {
                return all(dir, cache, null, head, "head '" + head + "' is not a commit in " + dir
                        + "; treating every service as affected (services read from the work tree)");
            }
            GitSnapshot headTree = GitSnapshot.of(repo, headCommit.getTree(), cache);
            String headSha = headCommit.name();
            if (spec instanceof BaseSpec.ChangedFiles cf) {
                TreeSet<String> changed = new TreeSet<>();
                for (String p : cf.paths()) {
                    String c = p.trim().replace('\\', '/');
                    while (c.startsWith("./")) {
                        c = c.substring(2);
                    }
                    if (!c.isEmpty()) {
                        changed.add(c);
                    }
                }
                return new ChangeSet(null, headSha, headTree, headTree, List.copyOf(changed), false, null);
            }
            RevCommit baseCommit;
            String what;
            if (spec instanceof BaseSpec.MergeBase mb) {
                RevCommit target = null;
                for (String cand : List.of(mb.targetBranch(), "origin/" + mb.targetBranch(),
                        "refs/remotes/origin/" + mb.targetBranch())) {
                    target = commit(repo, rw, cand);
                    if (target != null) {
                        break;
                    }
                }
                if (target == null) {
                    return allWithHead(headTree, headSha, "target branch '" + mb.targetBranch()
                            + "' not found (fetch it, e.g. git fetch origin " + mb.targetBranch() + ")");
                }
                baseCommit = mergeBase(repo, headCommit, target);
                if (baseCommit == null) {
                    return allWithHead(headTree, headSha, "no merge base between head and '" + mb.targetBranch()
                            + "' (shallow clone? fetch more history)");
                }
            } else {
                String rev = spec instanceof BaseSpec.Revision r ? r.rev() : ((BaseSpec.SinceCommit) spec).sha();
                what = spec instanceof BaseSpec.Revision ? "base revision" : "since-commit";
                if (rev.isBlank() || rev.matches("0+")) {
                    return allWithHead(headTree, headSha, what + " '" + rev
                            + "' is empty or all zeros (first build of a branch?)");
                }
                baseCommit = commit(repo, rw, rev);
                if (baseCommit == null) {
                    return allWithHead(headTree, headSha, what + " '" + rev + "' not found in the repository"
                            + (isShallow(repo) ? " (shallow clone: fetch more history)" : " (force push or missing fetch?)"));
                }
            }
            List<String> changed = new ArrayList<>();
            Map<String, ObjectId> toBase = new HashMap<>();
            try (DiffFormatter df = new DiffFormatter(DisabledOutputStream.INSTANCE)) {
                df.setRepository(repo);
                df.setDetectRenames(true);
                for (DiffEntry e : df.scan(baseCommit.getTree(), headCommit.getTree())) {
                    switch (e.getChangeType()) {
                        case ADD, COPY -> {
                            changed.add(e.getNewPath());
                            toBase.put(e.getNewPath(), null);
                        }
                        case DELETE -> {
                            changed.add(e.getOldPath());
                            toBase.put(e.getOldPath(), e.getOldId().toObjectId());
                        }
                        case MODIFY -> {
                            changed.add(e.getNewPath());
                            toBase.put(e.getOldPath(), e.getOldId().toObjectId());
                        }
                        case RENAME -> {
                            changed.add(e.getOldPath());
                            changed.add(e.getNewPath());
                            toBase.put(e.getNewPath(), null);
                            toBase.put(e.getOldPath(), e.getOldId().toObjectId());
                        }
                        default -> {
                        }
                    }
                }
            }
            // The base tree is the head tree with the differences undone: no second tree walk.
            GitSnapshot baseTree = headTree.withChanges(toBase);
            return new ChangeSet(baseCommit.name(), headSha, baseTree, headTree, List.copyOf(new TreeSet<>(changed)),
                    false, null);
        } catch (IOException e) {
            return all(dir, cache, null, head, "cannot read the git repository at " + dir + ": " + e.getMessage());
        }
    }

    private static boolean isShallow(Repository repo) {
        try {
            return !repo.getObjectDatabase().getShallowCommits().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private static RevCommit mergeBase(Repository repo, RevCommit a, RevCommit b) {
        try (RevWalk rw = new RevWalk(repo)) {
            rw.setRevFilter(RevFilter.MERGE_BASE);
            rw.markStart(rw.parseCommit(a));
            rw.markStart(rw.parseCommit(b));
            return rw.next();
        } catch (IOException e) {
            return null;
        }
    }

    /** The commit a revision names, or null when it does not resolve to an existing commit. */
    static RevCommit commit(Repository repo, RevWalk rw, String rev) {
        try {
            ObjectId id = repo.resolve(rev);
            if (id == null || !repo.getObjectDatabase().has(id)) {
                return null;
            }
            RevObject o = rw.peel(rw.parseAny(id));
            return o instanceof RevCommit c ? c : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static ChangeSet allWithHead(GitSnapshot headTree, String headSha, String reason) {
        return new ChangeSet(null, headSha, null, headTree, List.of(), true, reason);
    }

    private static ChangeSet all(Path dir, ParseCache cache, String base, String head, String reason) {
        return new ChangeSet(base, head, null, new FsTree(dir, cache), List.of(), true, reason);
    }
}
