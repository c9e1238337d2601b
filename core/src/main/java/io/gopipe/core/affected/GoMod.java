package io.gopipe.core.affected;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A parsed go.mod or go.work file.
 *
 * @param file      repo-relative path of the file
 * @param module    module path (null for go.work)
 * @param goVersion the go line, or null
 * @param toolchain the toolchain line, or null
 * @param requires  require directives
 * @param excludes  exclude directives
 * @param replaces  replace directives
 * @param uses      go.work use directories (relative to the file's directory)
 */
record GoMod(String file, String module, String goVersion, String toolchain, List<Require> requires,
             List<Require> excludes, List<Replace> replaces, List<String> uses) {

    /** A required (or excluded) module version. */
    record Require(String path, String version) {
    }

    /**
     * A replace directive; {@code oldVersion} null means every version, {@code local} means newPath is a directory.
     */
    record Replace(String oldPath, String oldVersion, String newPath, String newVersion, boolean local) {
    }

    private static final Pattern GO_VERSION = Pattern.compile("1(\\.\\d+){0,2}((rc|beta)\\d+)?");
    private static final Pattern TOOLCHAIN = Pattern.compile("(go1(\\.\\d+){0,2}((rc|beta)\\d+)?(-\\S+)?|default)");

    static GoMod parseGoMod(String file, String text) {
        return parse(file, text, false);
    }

    static GoMod parseGoWork(String file, String text) {
        return parse(file, text, true);
    }

    private static GoMod parse(String file, String text, boolean work) {
        String module = null;
        String go = null;
        String toolchain = null;
        List<Require> requires = new ArrayList<>();
        List<Require> excludes = new ArrayList<>();
        List<Replace> replaces = new ArrayList<>();
        List<String> uses = new ArrayList<>();
        String block = null;
        int blockLine = 0;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int ln = i + 1;
            List<String> t = tokens(file, ln, lines[i]);
            if (t.isEmpty()) {
                continue;
            }
            String verb;
            List<String> args;
            if (block != null) {
                if (t.size() == 1 && t.get(0).equals(")")) {
                    block = null;
                    continue;
                }
                verb = block;
                args = t;
            } else {
                verb = t.get(0);
                args = t.subList(1, t.size());
                if (args.size() == 1 && args.get(0).equals("(")) {
                    if (!blockVerb(verb, work)) {
                        throw new GoModException(file, ln, "unknown block type: " + verb);
                    }
                    block = verb;
                    blockLine = ln;
                    continue;
                }
            }
            switch (verb) {
                case "module" -> {
                    if (work) {
                        throw unknown(file, ln, verb);
                    }
                    if (args.size() != 1) {
                        throw new GoModException(file, ln, "usage: module module/path");
                    }
                    if (module != null) {
                        throw new GoModException(file, ln, "repeated module statement");
                    }
                    module = args.get(0);
                }
                case "go" -> {
                    if (args.size() != 1 || !GO_VERSION.matcher(args.get(0)).matches()) {
                        throw new GoModException(file, ln, "invalid go version '" + String.join(" ", args)
                                + "': must match format 1.23.0");
                    }
                    go = args.get(0);
                }
                case "toolchain" -> {
                    if (args.size() != 1 || !TOOLCHAIN.matcher(args.get(0)).matches()) {
                        throw new GoModException(file, ln, "invalid toolchain '" + String.join(" ", args)
                                + "': must match format go1.23.0 or default");
                    }
                    toolchain = args.get(0);
                }
                case "godebug", "retract", "tool", "ignore" -> {
                    if (work && !verb.equals("godebug")) {
                        throw unknown(file, ln, verb);
                    }
                }
                case "require", "exclude" -> {
                    if (work) {
                        throw unknown(file, ln, verb);
                    }
                    if (args.size() != 2 || !args.get(1).startsWith("v")) {
                        throw new GoModException(file, ln, "usage: " + verb + " module/path v1.2.3");
                    }
                    (verb.equals("require") ? requires : excludes).add(new Require(args.get(0), args.get(1)));
                }
                case "replace" -> replaces.add(replace(file, ln, args));
                case "use" -> {
                    if (!work) {
                        throw unknown(file, ln, verb);
                    }
                    if (args.size() != 1) {
                        throw new GoModException(file, ln, "usage: use local/dir");
                    }
                    uses.add(args.get(0));
                }
                default -> throw unknown(file, ln, verb);
            }
        }
        if (block != null) {
            throw new GoModException(file, blockLine, "unterminated " + block + " block (missing ')')");
        }
        if (!work && module == null) {
            throw new GoModException(file, Math.max(1, text.split("\n").length), "no module declaration (expected 'module path')");
        }
        return new GoMod(file, module, go, toolchain, List.copyOf(requires), List.copyOf(excludes),
                List.copyOf(replaces), List.copyOf(uses));
    }

    private static boolean blockVerb(String verb, boolean work) {
        return work ? verb.equals("use") || verb.equals("replace") || verb.equals("godebug")
                : switch (verb) {
                    case "require", "exclude", "replace", "retract", "godebug", "tool", "ignore" -> true;
                    default -> false;
                };
    }

    private static GoModException unknown(String file, int ln, String verb) {
        return new GoModException(file, ln, "unknown directive: " + verb);
    }

    private static Replace replace(String file, int ln, List<String> args) {
        int arrow = args.indexOf("=>");
        if (arrow < 1 || arrow > 2 || args.size() - arrow - 1 < 1 || args.size() - arrow - 1 > 2) {
            throw new GoModException(file, ln, "usage: replace module/path [v1.2.3] => other/module v1.4\n"
                    + "\t or replace module/path [v1.2.3] => ../local/directory");
        }
        String oldPath = args.get(0);
        String oldVersion = arrow == 2 ? args.get(1) : null;
        String newPath = args.get(arrow + 1);
        String newVersion = args.size() - arrow - 1 == 2 ? args.get(arrow + 2) : null;
        boolean local = isLocalPath(newPath);
        if (local && newVersion != null) {
            throw new GoModException(file, ln, "replacement module directory path \"" + newPath
                    + "\" cannot have version");
        }
        if (!local && newVersion == null) {
            throw new GoModException(file, ln, "replacement module without version must be directory path "
                    + "(rooted or starting with ./ or ../)");
        }
        return new Replace(oldPath, oldVersion, newPath, newVersion, local);
    }

    static boolean isLocalPath(String p) {
        return p.equals(".") || p.equals("..") || p.startsWith("./") || p.startsWith("../") || p.startsWith("/")
                || p.startsWith(".\\") || p.startsWith("..\\") || (p.length() > 1 && p.charAt(1) == ':');
    }

    private static List<String> tokens(String file, int ln, String line) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '/' && i + 1 < n && line.charAt(i + 1) == '/') {
                break;
            } else if (c == '"') {
                StringBuilder sb = new StringBuilder();
                int j = i + 1;
                while (j < n && line.charAt(j) != '"') {
                    if (line.charAt(j) == '\\' && j + 1 < n) {
                        j++;
                    }
                    sb.append(line.charAt(j++));
                }
                if (j >= n) {
                    throw new GoModException(file, ln, "unterminated quoted string");
                }
                out.add(sb.toString());
                i = j + 1;
            } else if (c == '`') {
                int j = line.indexOf('`', i + 1);
                if (j < 0) {
                    throw new GoModException(file, ln, "unterminated raw string");
                }
                out.add(line.substring(i + 1, j));
                i = j + 1;
            } else if (c == '(' || c == ')') {
                out.add(String.valueOf(c));
                i++;
            } else if (c == '=' && i + 1 < n && line.charAt(i + 1) == '>') {
                out.add("=>");
                i += 2;
            } else {
                int j = i;
                while (j < n && !Character.isWhitespace(line.charAt(j)) && line.charAt(j) != '(' && line.charAt(j) != ')'
                        && !(line.charAt(j) == '/' && j + 1 < n && line.charAt(j + 1) == '/')
                        && !(line.charAt(j) == '=' && j + 1 < n && line.charAt(j + 1) == '>')) {
                    j++;
                }
                out.add(line.substring(i, j));
                i = j;
            }
        }
        return out;
    }
}
