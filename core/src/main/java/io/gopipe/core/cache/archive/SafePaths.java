package io.gopipe.core.cache.archive;

/** The rules that keep restored entries inside the restore root. */
public final class SafePaths {

    private SafePaths() {
    }

    /** Checks a member path: relative, no empty, {@code .} or {@code ..} components, no NUL. */
    public static String checkMemberPath(String path) throws UnsafeArchiveException {
        if (path.isEmpty() || path.length() > 4096) {
            throw new UnsafeArchiveException("archive member with an empty or overlong path");
        }
        if (path.charAt(0) == '/') {
            throw new UnsafeArchiveException("archive member with an absolute path: " + path);
        }
        if (path.indexOf('\0') >= 0) {
            throw new UnsafeArchiveException("archive member with a NUL in its path: " + path);
        }
        int start = 0;
        while (start <= path.length()) {
            int slash = path.indexOf('/', start);
            int end = slash < 0 ? path.length() : slash;
            String part = path.substring(start, end);
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new UnsafeArchiveException("archive member path with '" + part + "' component: " + path);
            }
            if (slash < 0) {
                break;
            }
            start = slash + 1;
        }
        return path;
    }

    /**
     * Checks a symlink target relative to the link's location. Allowed: some leading {@code ..}
     * components that do not climb above the root, then plain names only. A {@code ..} after a
     * name could climb out through another symlink, so it is refused.
     */
    public static String checkSymlinkTarget(String linkPath, String target) throws UnsafeArchiveException {
        if (target.isEmpty() || target.charAt(0) == '/' || target.indexOf('\0') >= 0) {
            throw new UnsafeArchiveException("symlink " + linkPath + " points outside the cache: '" + target + "'");
        }
        int depth = 0;
        for (int i = 0; i < linkPath.length(); i++) {
            if (linkPath.charAt(i) == '/') {
                depth++;
            }
        }
        String[] parts = target.split("/", -1);
        boolean names = false;
        int ups = 0;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.equals("..")) {
                if (names) {
                    throw new UnsafeArchiveException("symlink " + linkPath + " has '..' after a name: '" + target + "'");
                }
                ups++;
            } else if (p.isEmpty() || p.equals(".")) {
                if (!(p.isEmpty() && i == parts.length - 1 && i > 0)) {
                    throw new UnsafeArchiveException("symlink " + linkPath + " has an unnormalized target: '" + target + "'");
                }
            } else {
                names = true;
            }
        }
        if (ups > depth) {
            throw new UnsafeArchiveException("symlink " + linkPath + " points outside the cache: '" + target + "'");
        }
        return target;
    }
}
