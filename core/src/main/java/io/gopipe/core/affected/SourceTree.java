package io.gopipe.core.affected;

import java.util.List;

/** A read-only file tree (a commit, a work tree or a module cache) with repo-style '/' paths, "" = root. */
interface SourceTree {

    /** Names of the regular files directly in {@code dir} (empty when there is no such dir). */
    List<String> files(String dir);

    /** Names of the subdirectories of {@code dir}. */
    List<String> subdirs(String dir);

    boolean isFile(String path);

    boolean isDir(String dir);

    /** The scanned header of a file (through the parse cache). */
    ScannedFile scan(String path, boolean goFile);

    /** The file's text, or null when it does not exist or cannot be read. */
    String readText(String path);

    static String join(String dir, String name) {
        return dir.isEmpty() ? name : name.isEmpty() ? dir : dir + "/" + name;
    }

    static String parent(String path) {
        int i = path.lastIndexOf('/');
        return i < 0 ? "" : path.substring(0, i);
    }

    static String base(String path) {
        int i = path.lastIndexOf('/');
        return i < 0 ? path : path.substring(i + 1);
    }
}
