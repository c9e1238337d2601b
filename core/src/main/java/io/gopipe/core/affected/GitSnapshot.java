package io.gopipe.core.affected;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * The files of one commit, read straight from git objects: one recursive tree walk lists every
 * path with its blob id; contents are read on demand (one {@link ObjectReader} per thread).
 */
final class GitSnapshot implements SourceTree, AutoCloseable {

    private final Repository repo;
    private final ParseCache cache;
    private final Map<String, ObjectId> blobs;
    private final Map<String, List<String>> dirFiles = new HashMap<>();
    private final Map<String, List<String>> dirSubdirs = new HashMap<>();
    private final ThreadLocal<ObjectReader> readers;
    private final ConcurrentLinkedQueue<ObjectReader> opened = new ConcurrentLinkedQueue<>();

    private GitSnapshot(Repository repo, ParseCache cache, Map<String, ObjectId> blobs) {
        this.repo = repo;
        this.cache = cache;
        this.blobs = blobs;
        this.readers = ThreadLocal.withInitial(() -> {
            ObjectReader r = repo.newObjectReader();
            opened.add(r);
            return r;
        });
        dirSubdirs.put("", new ArrayList<>());
        for (String path : blobs.keySet()) {
            String dir = SourceTree.parent(path);
            dirFiles.computeIfAbsent(dir, d -> new ArrayList<>()).add(SourceTree.base(path));
            String d = dir;
            String child = null;
            while (true) {
                List<String> subs = dirSubdirs.get(d);
                boolean existed = subs != null;
                if (!existed) {
                    subs = new ArrayList<>();
                    dirSubdirs.put(d, subs);
                }
                if (child != null) {
                    subs.add(child);
                }
                if (existed || d.isEmpty()) {
                    break;
                }
                child = SourceTree.base(d);
                d = SourceTree.parent(d);
            }
        }
    }

    /** Lists a commit's tree (regular and executable files; symlinks and submodules are skipped). */
    static GitSnapshot of(Repository repo, RevTree tree, ParseCache cache) throws IOException {
        Map<String, ObjectId> blobs = cache.listing(tree);
        if (blobs == null) {
            Map.Entry<ObjectId, Map<String, ObjectId>> recent = cache.recentListing();
            blobs = null;
            if (recent != null) {
                try {
                    blobs = derive(repo, recent.getKey(), recent.getValue(), tree);
                } catch (IOException e) {
                    // the cached tree belongs to another repository (one cache serves many): walk instead
                }
            }
            if (blobs == null) {
                blobs = walk(repo, tree);
            }
            cache.putListing(tree, blobs);
        }
        return new GitSnapshot(repo, cache, blobs);
    }

    private static boolean isFile(int mode) {
        return FileMode.REGULAR_FILE.equals(mode) || FileMode.EXECUTABLE_FILE.equals(mode);
    }

    private static Map<String, ObjectId> walk(Repository repo, RevTree tree) throws IOException {
        Map<String, ObjectId> blobs = new HashMap<>(1 << 15);
        try (TreeWalk tw = new TreeWalk(repo)) {
            tw.addTree(tree);
            tw.setRecursive(true);
            while (tw.next()) {
                if (isFile(tw.getRawMode(0))) {
                    blobs.put(tw.getPathString(), tw.getObjectId(0));
                }
            }
        }
        return Collections.unmodifiableMap(blobs);
    }

    /** A listing from a known one plus a two-tree diff, which skips every identical subtree. */
    private static Map<String, ObjectId> derive(Repository repo, ObjectId knownTree, Map<String, ObjectId> known,
                                                RevTree tree) throws IOException {
        Map<String, ObjectId> blobs = new HashMap<>(known);
        try (TreeWalk tw = new TreeWalk(repo)) {
            tw.addTree(knownTree);
            tw.addTree(tree);
            tw.setRecursive(true);
            tw.setFilter(org.eclipse.jgit.treewalk.filter.TreeFilter.ANY_DIFF);
            while (tw.next()) {
                String path = tw.getPathString();
                if (isFile(tw.getRawMode(1))) {
                    blobs.put(path, tw.getObjectId(1));
                } else {
                    blobs.remove(path);
                }
            }
        }
        return Collections.unmodifiableMap(blobs);
    }

    /** This snapshot with some paths replaced (value = blob id) or removed (value = null). */
    GitSnapshot withChanges(Map<String, ObjectId> changes, ObjectId tree) {
        Map<String, ObjectId> copy = cache.listing(tree);
        if (copy == null) {
            Map<String, ObjectId> m = new HashMap<>(blobs);
            changes.forEach((path, id) -> {
                if (id == null) {
                    m.remove(path);
                } else {
                    m.put(path, id);
                }
            });
            copy = Collections.unmodifiableMap(m);
            cache.putListing(tree, copy);
        }
        return new GitSnapshot(repo, cache, copy);
    }

    ObjectId blob(String path) {
        return blobs.get(path);
    }

    Map<String, ObjectId> blobs() {
        return blobs;
    }

    @Override
    public List<String> files(String dir) {
        return dirFiles.getOrDefault(dir, List.of());
    }

    @Override
    public List<String> subdirs(String dir) {
        return dirSubdirs.getOrDefault(dir, List.of());
    }

    @Override
    public boolean isFile(String path) {
        return blobs.containsKey(path);
    }

    @Override
    public boolean isDir(String dir) {
        return dirSubdirs.containsKey(dir);
    }

    @Override
    public ScannedFile scan(String path, boolean goFile) {
        ObjectId id = blobs.get(path);
        if (id == null) {
            return null;
        }
        return cache.computeIfAbsent(ParseCache.key(id, goFile), () -> GoSourceScanner.scan(bytes(id), goFile));
    }

    /** Scans many files in parallel, skipping those already cached. */
    void prefetch(List<String> paths) {
        List<String> pending = new ArrayList<>();
        for (String p : paths) {
            ObjectId id = blobs.get(p);
            if (id != null && cache.get(ParseCache.key(id, p.endsWith(".go"))) == null) {
                pending.add(p);
            }
        }
        if (pending.size() < 64) {
            pending.forEach(p -> scan(p, p.endsWith(".go")));
        } else {
            pending.parallelStream().forEach(p -> scan(p, p.endsWith(".go")));
        }
    }

    @Override
    public String readText(String path) {
        ObjectId id = blobs.get(path);
        return id == null ? null : new String(bytes(id), StandardCharsets.UTF_8);
    }

    private byte[] bytes(ObjectId id) {
        try {
            return readers.get().open(id, Constants.OBJ_BLOB).getCachedBytes(Integer.MAX_VALUE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read blob " + id.name(), e);
        }
    }

    @Override
    public void close() {
        ObjectReader r;
        while ((r = opened.poll()) != null) {
            r.close();
        }
    }
}
