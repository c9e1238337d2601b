package io.gopipe.core.affected;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** Turns a directory of a {@link SourceTree} into a {@link DirPackage} for a target, as go/build does. */
final class PackageLoader {

    private static final Set<String> CGO_EXT = Set.of("c", "cc", "cxx", "cpp", "m", "h", "hh", "hpp", "hxx",
            "f", "F", "for", "f90", "swig", "swigcxx");
    private static final Set<String> ASM_EXT = Set.of("s", "S", "sx", "syso");

    private final SourceTree tree;
    private final BuildTarget target;
    private final Map<String, DirPackage> packages = new ConcurrentHashMap<>();

    PackageLoader(SourceTree tree, BuildTarget target) {
        this.tree = tree;
        this.target = target;
    }

    SourceTree tree() {
        return tree;
    }

    static boolean ignoredName(String name) {
        return name.startsWith(".") || name.startsWith("_");
    }

    /** Whether a path has a directory element the go tool ignores (., _ prefix or testdata). */
    static boolean ignoredDir(String dir) {
        if (dir.isEmpty()) {
            return false;
        }
        for (String e : dir.split("/")) {
            if (ignoredName(e) || e.equals("testdata")) {
                return true;
            }
        }
        return false;
    }

    static String ext(String name) {
        int i = name.lastIndexOf('.');
        return i < 0 ? "" : name.substring(i + 1);
    }

    /** Whether a file name is something go/build would look at (Go, cgo or assembly input). */
    static boolean sourceName(String name) {
        String e = ext(name);
        return e.equals("go") || CGO_EXT.contains(e) || ASM_EXT.contains(e);
    }

    DirPackage load(String dir) {
        DirPackage p = packages.get(dir);
        if (p == null) {
            p = compute(dir);
            packages.putIfAbsent(dir, p);
        }
        return p;
    }

    private boolean builds(String name, ScannedFile f) {
        return f != null && BuildConstraints.matchFileName(target, name)
                && BuildConstraints.matchFile(target, f.goBuild(), f.plusBuild());
    }

    private DirPackage compute(String dir) {
        String name = null;
        List<String> goFiles = new ArrayList<>();
        List<String> cgoInputs = new ArrayList<>();
        List<String> asmInputs = new ArrayList<>();
        Set<String> imports = new TreeSet<>();
        List<String> testFiles = new ArrayList<>();
        Set<String> testImports = new TreeSet<>();
        Set<String> embedPatterns = new LinkedHashSet<>();
        Set<String> testEmbedPatterns = new LinkedHashSet<>();
        List<String> cgoDirs = new ArrayList<>();
        boolean cgo = false;
        List<String> names = new ArrayList<>(tree.files(dir));
        names.sort(null);
        for (String file : names) {
            if (ignoredName(file)) {
                continue;
            }
            String e = ext(file);
            String path = SourceTree.join(dir, file);
            if (e.equals("go")) {
                ScannedFile f = tree.scan(path, true);
                if (f == null || f.packageName() == null || !builds(file, f)) {
                    continue;
                }
                if (f.importsC() && !target.cgo()) {
                    continue;
                }
                if (file.endsWith("_test.go")) {
                    testFiles.add(path);
                    testImports.addAll(f.imports());
                    testEmbedPatterns.addAll(f.embeds());
                    continue;
                }
                if (f.packageName().equals("documentation")) {
                    continue;
                }
                if (name == null) {
                    name = f.packageName();
                }
                goFiles.add(path);
                imports.addAll(f.imports());
                embedPatterns.addAll(f.embeds());
                if (f.importsC()) {
                    cgo = true;
                    for (String d : f.cgoDirs()) {
                        cgoDirs.add(normalize(dir, d));
                    }
                }
            } else if (CGO_EXT.contains(e) || ASM_EXT.contains(e)) {
                ScannedFile f = tree.scan(path, false);
                if (!builds(file, f)) {
                    continue;
                }
                (ASM_EXT.contains(e) ? asmInputs : cgoInputs).add(path);
            }
        }
        imports.remove("C");
        testImports.remove("C");
        List<String> other = new ArrayList<>(asmInputs);
        if (cgo) {
            other.addAll(cgoInputs);
        } else if (!asmInputs.isEmpty()) {
            for (String c : cgoInputs) {
                if (c.endsWith(".h")) {
                    other.add(c); // assembly may #include headers
                }
            }
        }
        List<String> embeds = resolveEmbeds(dir, embedPatterns);
        List<String> testEmbeds = resolveEmbeds(dir, testEmbedPatterns);
        return new DirPackage(dir, name, List.copyOf(goFiles), List.copyOf(other), embeds, imports,
                List.copyOf(testFiles), testImports, testEmbeds, List.copyOf(cgoDirs));
    }

    /** Joins and cleans a relative path ("a/b" + "../c" = "a/c"); null when it leaves the tree. */
    static String normalize(String dir, String rel) {
        List<String> parts = new ArrayList<>();
        for (String s : (dir.isEmpty() ? rel : dir + "/" + rel).split("/")) {
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                if (parts.isEmpty()) {
                    return null;
                }
                parts.remove(parts.size() - 1);
            } else {
                parts.add(s);
            }
        }
        return String.join("/", parts);
    }

    private List<String> resolveEmbeds(String dir, Set<String> patterns) {
        if (patterns.isEmpty()) {
            return List.of();
        }
        Set<String> out = new TreeSet<>();
        for (String pattern : patterns) {
            boolean all = pattern.startsWith("all:");
            String p = all ? pattern.substring(4) : pattern;
            if (p.isEmpty() || p.startsWith("/")) {
                continue;
            }
            match(dir, p.split("/"), 0, all, out);
        }
        return List.copyOf(out);
    }

    private void match(String dir, String[] elems, int i, boolean all, Set<String> out) {
        Pattern glob = glob(elems[i]);
        boolean last = i == elems.length - 1;
        if (last) {
            for (String f : tree.files(dir)) {
                if (glob.matcher(f).matches()) {
                    out.add(SourceTree.join(dir, f));
                }
            }
        }
        for (String d : tree.subdirs(dir)) {
            if (!glob.matcher(d).matches()) {
                continue;
            }
            String sub = SourceTree.join(dir, d);
            if (tree.isFile(SourceTree.join(sub, "go.mod"))) {
                continue; // another module
            }
            if (last) {
                walk(sub, all, out);
            } else {
                match(sub, elems, i + 1, all, out);
            }
        }
    }

    private void walk(String dir, boolean all, Set<String> out) {
        for (String f : tree.files(dir)) {
            if (all || !ignoredName(f)) {
                out.add(SourceTree.join(dir, f));
            }
        }
        for (String d : tree.subdirs(dir)) {
            String sub = SourceTree.join(dir, d);
            if ((all || !ignoredName(d)) && !tree.isFile(SourceTree.join(sub, "go.mod"))) {
                walk(sub, all, out);
            }
        }
    }

    private final Map<String, Pattern> globs = new ConcurrentHashMap<>();

    /** Go's path.Match for one path element, as a regex. */
    Pattern glob(String elem) {
        return globs.computeIfAbsent(elem, PackageLoader::compileGlob);
    }

    private static Pattern compileGlob(String elem) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < elem.length(); i++) {
            char c = elem.charAt(i);
            switch (c) {
                case '*' -> re.append("[^/]*");
                case '?' -> re.append("[^/]");
                case '\\' -> {
                    if (i + 1 < elem.length()) {
                        re.append(Pattern.quote(String.valueOf(elem.charAt(++i))));
                    }
                }
                case '[' -> {
                    int j = elem.indexOf(']', i + 1);
                    if (j < 0) {
                        re.append("\\[");
                    } else {
                        String cls = elem.substring(i + 1, j);
                        if (cls.startsWith("^")) {
                            cls = "^" + cls.substring(1).replace("[", "\\[");
                        } else {
                            cls = cls.replace("[", "\\[");
                        }
                        re.append('[').append(cls).append(']');
                        i = j;
                    }
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
