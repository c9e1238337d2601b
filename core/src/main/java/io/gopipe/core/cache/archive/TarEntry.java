package io.gopipe.core.cache.archive;

/**
 * One member of a cache archive.
 *
 * @param path       relative path with {@code /} separators, never absolute, no trailing slash
 * @param type       what the member is
 * @param mode       permission bits (e.g. 0444 for Go's read-only module files)
 * @param mtime      modification time, seconds since the epoch
 * @param size       content length for files, 0 otherwise
 * @param linkTarget symlink target, or empty
 */
public record TarEntry(String path, Type type, int mode, long mtime, long size, String linkTarget) {

    /** Member kinds; everything but the first three is rejected on restore. */
    public enum Type { FILE, DIRECTORY, SYMLINK, HARDLINK, DEVICE, FIFO, OTHER }

    public static TarEntry file(String path, int mode, long mtime, long size) {
        return new TarEntry(path, Type.FILE, mode, mtime, size, "");
    }

    public static TarEntry directory(String path, int mode, long mtime) {
        return new TarEntry(path, Type.DIRECTORY, mode, mtime, 0, "");
    }

    public static TarEntry symlink(String path, long mtime, String target) {
        return new TarEntry(path, Type.SYMLINK, 0777, mtime, 0, target);
    }
}
