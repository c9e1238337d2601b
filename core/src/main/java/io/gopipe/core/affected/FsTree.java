package io.gopipe.core.affected;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A directory on disk seen as a {@link SourceTree}: the work tree when no commit can be read, or a
 * Go module cache. Scans are cached by path, size and modification time.
 */
final class FsTree implements SourceTree {

    private final Path root;
    private final ParseCache cache;
    private final Map<String, List<String>[]> listings = new ConcurrentHashMap<>();

    FsTree(Path root, ParseCache cache) {
        this.root = root;
        this.cache = cache;
    }

    Path root() {
        return root;
    }

    private Path resolve(String path) {
        return path.isEmpty() ? root : root.resolve(path);
    }

    @SuppressWarnings("unchecked")
    private List<String>[] list(String dir) {
        return listings.computeIfAbsent(dir, d -> {
            List<String> files = new ArrayList<>();
            List<String> dirs = new ArrayList<>();
            Path p = resolve(d);
            if (Files.isDirectory(p)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
                    for (Path c : ds) {
                        String name = c.getFileName().toString();
                        if (d.isEmpty() && name.equals(".git")) {
                            continue;
                        }
                        BasicFileAttributes a = Files.readAttributes(c, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                        if (a.isDirectory()) {
                            dirs.add(name);
                        } else if (a.isRegularFile()) {
                            files.add(name);
                        }
                    }
                } catch (IOException e) {
                    // unreadable directory: treated as empty
                }
            }
            return new List[] {files, dirs};
        });
    }

    @Override
    public List<String> files(String dir) {
        return list(dir)[0];
    }

    @Override
    public List<String> subdirs(String dir) {
        return list(dir)[1];
    }

    @Override
    public boolean isFile(String path) {
        return files(SourceTree.parent(path)).contains(SourceTree.base(path));
    }

    @Override
    public boolean isDir(String dir) {
        return Files.isDirectory(resolve(dir));
    }

    private record Key(Path path, long size, long mtime, boolean go) implements ParseCache.SizedKey {
        @Override
        public long estimatedBytes() {
            return 64 + 2L * path.toString().length();
        }
    }

    @Override
    public ScannedFile scan(String path, boolean goFile) {
        Path p = resolve(path);
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            Key key = new Key(p, a.size(), a.lastModifiedTime().toMillis(), goFile);
            return cache.computeIfAbsent(key, () -> {
                try {
                    return GoSourceScanner.scan(Files.readAllBytes(p), goFile);
                } catch (IOException e) {
                    return new ScannedFile(null, List.of(), null, List.of(), List.of(), List.of());
                }
            });
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public String readText(String path) {
        try {
            return new String(Files.readAllBytes(resolve(path)), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    /** Every regular file below the root (for the work-tree fallback), repo-relative. */
    List<String> allFiles() {
        List<String> out = new ArrayList<>();
        collect("", out);
        return out;
    }

    private void collect(String dir, List<String> out) {
        for (String f : files(dir)) {
            out.add(SourceTree.join(dir, f));
        }
        for (String d : subdirs(dir)) {
            collect(SourceTree.join(dir, d), out);
        }
    }
}
