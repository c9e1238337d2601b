package io.gopipe.core.affected;

import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Evaluates Go build constraints for a {@link BuildTarget}: {@code //go:build} expressions, legacy
 * {@code // +build} lines and {@code _GOOS}/{@code _GOARCH} file-name suffixes, as the go command does.
 */
final class BuildConstraints {

    static final Set<String> KNOWN_OS = Set.of("aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos",
            "ios", "js", "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1", "wasi", "windows", "zos");
    static final Set<String> KNOWN_ARCH = Set.of("386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be",
            "loong64", "mips", "mipsle", "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc", "ppc64", "ppc64le",
            "riscv", "riscv64", "s390", "s390x", "sparc", "sparc64", "wasm");
    static final Set<String> UNIX_OS = Set.of("aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos",
            "ios", "linux", "netbsd", "openbsd", "solaris");

    private BuildConstraints() {
    }

    /** Whether a build tag is satisfied for the target. */
    static boolean matchTag(BuildTarget t, String tag) {
        if (tag.equals(t.goos()) || tag.equals(t.goarch())) {
            return true;
        }
        switch (tag) {
            case "cgo":
                return t.cgo();
            case "gc":
                return true;
            case "unix":
                return UNIX_OS.contains(t.goos());
            case "linux":
                return t.goos().equals("android");
            case "solaris":
                return t.goos().equals("illumos");
            case "darwin":
                return t.goos().equals("ios");
            default:
                break;
        }
        if (tag.startsWith("go1.")) {
            try {
                int minor = Integer.parseInt(tag.substring(4));
                return minor >= 1 && minor <= BuildTarget.GO_MINOR;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return t.tags().contains(tag);
    }

    /** Whether a file name's {@code _GOOS}, {@code _GOARCH} or {@code _GOOS_GOARCH} suffix admits the target. */
    static boolean matchFileName(BuildTarget t, String name) {
        int dot = name.indexOf('.');
        String stem = dot >= 0 ? name.substring(0, dot) : name;
        int us = stem.indexOf('_');
        if (us < 0) {
            return true;
        }
        stem = stem.substring(us);
        if (stem.endsWith("_test")) {
            stem = stem.substring(0, stem.length() - 5);
        }
        String[] parts = stem.split("_", -1);
        int n = parts.length;
        Predicate<String> tag = s -> matchTag(t, s);
        if (n >= 2 && KNOWN_OS.contains(parts[n - 2]) && KNOWN_ARCH.contains(parts[n - 1])) {
            return tag.test(parts[n - 2]) && tag.test(parts[n - 1]);
        }
        if (n >= 1 && (KNOWN_OS.contains(parts[n - 1]) || KNOWN_ARCH.contains(parts[n - 1]))) {
            return tag.test(parts[n - 1]);
        }
        return true;
    }

    /**
     * Whether a file's constraints admit the target: the {@code //go:build} line when present, else
     * all {@code // +build} lines (AND of lines, OR of space-separated options, AND of commas).
     */
    static boolean matchFile(BuildTarget t, String goBuild, List<String> plusBuild) {
        if (goBuild != null) {
            return eval(t, goBuild);
        }
        for (String line : plusBuild) {
            if (!evalPlusBuild(t, line)) {
                return false;
            }
        }
        return true;
    }

    static boolean evalPlusBuild(BuildTarget t, String line) {
        for (String option : line.trim().split("\\s+")) {
            if (option.isEmpty()) {
                continue;
            }
            boolean all = true;
            for (String term : option.split(",")) {
                boolean not = term.startsWith("!");
                String name = not ? term.substring(1) : term;
                if (name.isEmpty() || name.startsWith("!") || matchTag(t, name) == not) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    /** Evaluates a {@code //go:build} expression; a malformed expression excludes the file (go errors on it). */
    static boolean eval(BuildTarget t, String expr) {
        try {
            Parser p = new Parser(expr, t);
            boolean v = p.or();
            p.skipSpace();
            return p.pos == expr.length() && v;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static final class Parser {
        final String s;
        final BuildTarget t;
        int pos;

        Parser(String s, BuildTarget t) {
            this.s = s;
            this.t = t;
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        boolean or() {
            boolean v = and();
            while (true) {
                skipSpace();
                if (s.startsWith("||", pos)) {
                    pos += 2;
                    boolean r = and();
                    v = v || r;
                } else {
                    return v;
                }
            }
        }

        boolean and() {
            boolean v = not();
            while (true) {
                skipSpace();
                if (s.startsWith("&&", pos)) {
                    pos += 2;
                    boolean r = not();
                    v = v && r;
                } else {
                    return v;
                }
            }
        }

        boolean not() {
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == '!') {
                pos++;
                return !not();
            }
            return atom();
        }

        boolean atom() {
            skipSpace();
            if (pos >= s.length()) {
                throw new IllegalArgumentException("unexpected end");
            }
            if (s.charAt(pos) == '(') {
                pos++;
                boolean v = or();
                skipSpace();
                if (pos >= s.length() || s.charAt(pos) != ')') {
                    throw new IllegalArgumentException("missing )");
                }
                pos++;
                return v;
            }
            int start = pos;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (Character.isLetterOrDigit(c) || c == '_' || c == '.') {
                    pos++;
                } else {
                    break;
                }
            }
            if (start == pos) {
                throw new IllegalArgumentException("expected tag");
            }
            return matchTag(t, s.substring(start, pos));
        }
    }
}
