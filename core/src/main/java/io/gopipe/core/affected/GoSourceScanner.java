package io.gopipe.core.affected;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the parts of a Go (or C/assembly) source file that decide the package graph: the leading
 * build constraints, the package clause and the import declarations. It stops at the first
 * declaration after the imports; only files importing "embed" are read further, for
 * {@code //go:embed} lines. Pure Java, no Go toolchain.
 */
final class GoSourceScanner {

    private GoSourceScanner() {
    }

    static ScannedFile scan(byte[] content, boolean goFile) {
        // ISO-8859-1 maps bytes 1:1, so offsets stay byte offsets; literals are re-decoded as UTF-8.
        String s = new String(content, StandardCharsets.ISO_8859_1);
        Header h = header(s);
        if (!goFile) {
            return new ScannedFile(null, List.of(), h.goBuild, h.plusBuild, List.of(), List.of());
        }
        Lexer lx = new Lexer(s);
        String pkg = null;
        List<String> imports = new ArrayList<>();
        List<String> cgoDirs = new ArrayList<>();
        String tok = lx.next();
        if ("package".equals(tok)) {
            String name = lx.next();
            if (name != null && lx.kind == Lexer.IDENT) {
                pkg = name;
            }
        }
        if (pkg != null) {
            tok = lx.next();
            while (tok != null) {
                if (tok.equals(";")) {
                    tok = lx.next();
                    continue;
                }
                if (!tok.equals("import")) {
                    break;
                }
                String importComment = lx.lastComment;
                tok = lx.next();
                if ("(".equals(tok)) {
                    tok = lx.next();
                    while (tok != null && !tok.equals(")")) {
                        if (tok.equals(";")) {
                            tok = lx.next();
                            continue;
                        }
                        if (lx.kind != Lexer.STRING) {
                            tok = lx.next(); // the import name (ident, "." or "_")
                        }
                        if (tok != null && lx.kind == Lexer.STRING) {
                            addImport(imports, cgoDirs, tok, lx.lastComment != null ? lx.lastComment : importComment);
                        }
                        tok = lx.next();
                    }
                } else {
                    if (tok != null && lx.kind != Lexer.STRING) {
                        tok = lx.next();
                    }
                    if (tok != null && lx.kind == Lexer.STRING) {
                        addImport(imports, cgoDirs, tok, lx.lastComment != null ? lx.lastComment : importComment);
                    }
                }
                tok = lx.next();
            }
        }
        List<String> embeds = imports.contains("embed") ? embeds(s, lx.tokenSearchStart) : List.of();
        return new ScannedFile(pkg, List.copyOf(imports), h.goBuild, h.plusBuild, embeds, List.copyOf(cgoDirs));
    }

    private static void addImport(List<String> imports, List<String> cgoDirs, String literal, String comment) {
        imports.add(literal);
        if (literal.equals("C") && comment != null) {
            cgoDirs(comment, cgoDirs);
        }
    }

    /** Directories reached by {@code #cgo} flags such as {@code -I${SRCDIR}/../include}. */
    private static void cgoDirs(String preamble, List<String> out) {
        for (String line : preamble.split("\n")) {
            String l = line.trim();
            if (!l.startsWith("#cgo")) {
                continue;
            }
            int colon = l.indexOf(':');
            if (colon < 0) {
                continue;
            }
            for (String flag : l.substring(colon + 1).trim().split("\\s+")) {
                String f = flag.replace("\"", "").replace("'", "");
                int i = f.indexOf("${SRCDIR}");
                if (i < 0) {
                    continue;
                }
                String rel = f.substring(i + "${SRCDIR}".length());
                while (rel.startsWith("/")) {
                    rel = rel.substring(1);
                }
                out.add(rel.isEmpty() ? "." : rel);
            }
        }
    }

    private record Header(String goBuild, List<String> plusBuild) {
    }

    /** go/build's header rules: constraints sit in leading comments; +build lines need a blank line after. */
    private static Header header(String s) {
        int end = 0;
        boolean ended = false;
        boolean inSlashStar = false;
        String goBuild = null;
        int pos = 0;
        int len = s.length();
        outer:
        while (pos < len) {
            int nl = s.indexOf('\n', pos);
            int lineEnd = nl < 0 ? len : nl;
            int next = nl < 0 ? len : nl + 1;
            String line = s.substring(pos, lineEnd).trim();
            pos = next;
            if (line.isEmpty() && !ended) {
                end = next;
                continue;
            }
            if (!line.startsWith("//")) {
                ended = true;
            }
            if (!inSlashStar && isDirective(line, "//go:build")) {
                goBuild = line.substring("//go:build".length()).trim();
            }
            String rest = line;
            while (true) {
                if (inSlashStar) {
                    int i = rest.indexOf("*/");
                    if (i < 0) {
                        continue outer;
                    }
                    inSlashStar = false;
                    rest = rest.substring(i + 2).trim();
                    continue;
                }
                if (rest.isEmpty() || rest.startsWith("//")) {
                    continue outer;
                }
                if (rest.startsWith("/*")) {
                    inSlashStar = true;
                    rest = rest.substring(2).trim();
                    continue;
                }
                break outer;
            }
        }
        List<String> plus = new ArrayList<>();
        if (goBuild == null && end > 0) {
            for (String raw : s.substring(0, end).split("\n")) {
                String line = raw.trim();
                if (!line.startsWith("//")) {
                    continue;
                }
                line = line.substring(2).trim();
                if (line.startsWith("+build") && (line.length() == 6 || Character.isWhitespace(line.charAt(6)))) {
                    plus.add(line.substring(6).trim());
                }
            }
        }
        return new Header(goBuild, List.copyOf(plus));
    }

    private static boolean isDirective(String line, String directive) {
        return line.startsWith(directive)
                && (line.length() == directive.length() || line.charAt(directive.length()) == ' '
                || line.charAt(directive.length()) == '\t');
    }

    private static List<String> embeds(String s, int from) {
        List<String> out = new ArrayList<>();
        int pos = Math.max(0, s.lastIndexOf('\n', Math.max(0, from - 1)));
        while (true) {
            int i = s.indexOf("//go:embed", pos);
            if (i < 0) {
                break;
            }
            int nl = s.indexOf('\n', i);
            String line = s.substring(i, nl < 0 ? s.length() : nl).trim();
            pos = nl < 0 ? s.length() : nl;
            // the directive must start its line
            int ls = s.lastIndexOf('\n', i - 1) + 1;
            if (!s.substring(ls, i).isBlank() || !isDirective(line, "//go:embed")) {
                continue;
            }
            embedPatterns(utf8(line.substring("//go:embed".length()).trim()), out);
        }
        return List.copyOf(out);
    }

    static void embedPatterns(String args, List<String> out) {
        int i = 0;
        while (i < args.length()) {
            char c = args.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (c == '"' || c == '`') {
                int j = args.indexOf(c, i + 1);
                while (c == '"' && j > 0 && args.charAt(j - 1) == '\\') {
                    j = args.indexOf(c, j + 1);
                }
                if (j < 0) {
                    return;
                }
                String v = args.substring(i + 1, j);
                out.add(c == '"' ? v.replace("\\\"", "\"").replace("\\\\", "\\") : v);
                i = j + 1;
            } else {
                int j = i;
                while (j < args.length() && !Character.isWhitespace(args.charAt(j))) {
                    j++;
                }
                out.add(args.substring(i, j));
                i = j;
            }
        }
    }

    static String utf8(String latin1) {
        for (int i = 0; i < latin1.length(); i++) {
            if (latin1.charAt(i) > 127) {
                return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            }
        }
        return latin1;
    }

    /** Just enough of Go's lexer for the package clause and imports (newlines count as ';'). */
    private static final class Lexer {
        static final int IDENT = 1;
        static final int STRING = 2;
        static final int OTHER = 3;
        final String s;
        int pos;
        int kind;
        String lastComment;
        /** Where the search for the last token began (before comments), so embed scanning sees them. */
        int tokenSearchStart;
        private boolean semiOnNewline;

        Lexer(String s) {
            this.s = s;
        }

        String next() {
            tokenSearchStart = pos;
            StringBuilder comments = null;
            int len = s.length();
            while (pos < len) {
                char c = s.charAt(pos);
                if (c == '\n') {
                    pos++;
                    if (semiOnNewline) {
                        semiOnNewline = false;
                        kind = OTHER;
                        return ";";
                    }
                    continue;
                }
                if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
                    pos++;
                    continue;
                }
                if (c == '/' && pos + 1 < len && s.charAt(pos + 1) == '/') {
                    int nl = s.indexOf('\n', pos);
                    int e = nl < 0 ? len : nl;
                    if (comments == null) {
                        comments = new StringBuilder();
                    }
                    comments.append(s, pos + 2, e).append('\n');
                    pos = e;
                    continue;
                }
                if (c == '/' && pos + 1 < len && s.charAt(pos + 1) == '*') {
                    int e = s.indexOf("*/", pos + 2);
                    e = e < 0 ? len : e;
                    if (comments == null) {
                        comments = new StringBuilder();
                    }
                    comments.append(s, pos + 2, e).append('\n');
                    if (semiOnNewline && s.indexOf('\n', pos) >= 0 && s.indexOf('\n', pos) < e) {
                        pos = Math.min(len, e + 2);
                        semiOnNewline = false;
                        kind = OTHER;
                        return ";";
                    }
                    pos = Math.min(len, e + 2);
                    continue;
                }
                lastComment = comments == null ? null : comments.toString();
                if (Character.isLetter(c) || c == '_' || c > 127) {
                    int st = pos;
                    while (pos < len) {
                        char d = s.charAt(pos);
                        if (Character.isLetterOrDigit(d) || d == '_' || d > 127) {
                            pos++;
                        } else {
                            break;
                        }
                    }
                    kind = IDENT;
                    semiOnNewline = true;
                    return utf8(s.substring(st, pos));
                }
                if (c == '"') {
                    int st = ++pos;
                    StringBuilder sb = new StringBuilder();
                    while (pos < len && s.charAt(pos) != '"' && s.charAt(pos) != '\n') {
                        if (s.charAt(pos) == '\\' && pos + 1 < len) {
                            pos++;
                        }
                        sb.append(s.charAt(pos));
                        pos++;
                    }
                    pos++;
                    kind = STRING;
                    semiOnNewline = true;
                    return utf8(st >= 0 ? sb.toString() : "");
                }
                if (c == '`') {
                    int e = s.indexOf('`', pos + 1);
                    e = e < 0 ? len : e;
                    String v = s.substring(pos + 1, e);
                    pos = Math.min(len, e + 1);
                    kind = STRING;
                    semiOnNewline = true;
                    return utf8(v);
                }
                pos++;
                kind = OTHER;
                semiOnNewline = c == ')' || c == ']' || c == '}';
                return String.valueOf(c);
            }
            kind = OTHER;
            return null;
        }
    }
}
