package io.gopipe.core.cache;

import io.gopipe.core.cache.archive.DirectoryScanner;
import io.gopipe.core.cache.archive.TarEntry;

import java.util.ArrayList;
import java.util.List;

/**
 * What a save's walk has seen so far: members, files, bytes and, for module caches, the units that
 * tell whether modules were added since the entry the job restored.
 */
final class TreeTally {

    private final boolean collectModules;
    private final List<String> modules = new ArrayList<>();
    private long entries;
    private long files;
    private long fileBytes;

    TreeTally(boolean collectModules) {
        this.collectModules = collectModules;
    }

    /** The totals of a listing made in one go (no module names: only build caches are listed first). */
    static TreeTally of(DirectoryScanner.Scan scan) {
        TreeTally t = new TreeTally(false);
        t.entries = scan.entries().size();
        t.files = scan.files();
        t.fileBytes = scan.fileBytes();
        return t;
    }

    void add(TarEntry e) {
        entries++;
        if (e.type() == TarEntry.Type.FILE) {
            files++;
            fileBytes += e.size();
        }
        if (collectModules && isModuleUnit(e)) {
            modules.add(e.path());
        }
    }

    long entries() {
        return entries;
    }

    long files() {
        return files;
    }

    long fileBytes() {
        return fileBytes;
    }

    List<String> modules() {
        return modules;
    }

    /** module@version directories and cache/download .mod/.zip files, the units a module cache grows by. */
    static boolean isModuleUnit(TarEntry e) {
        String p = e.path();
        if (p.startsWith("cache/")) {
            return e.type() == TarEntry.Type.FILE && p.startsWith("cache/download/") && p.contains("/@v/")
                    && (p.endsWith(".mod") || p.endsWith(".zip"));
        }
        if (e.type() == TarEntry.Type.DIRECTORY) {
            int at = p.lastIndexOf('@');
            return at > p.lastIndexOf('/') && p.indexOf('@') == at;
        }
        return false;
    }
}
