package io.gopipe.bench.affected;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The package graph of one revision as {@code go list -deps -json} reports it, with every file path
 * made relative to the repository root so two revisions (two worktrees) compare directly.
 */
record GoListGraph(Map<String, Pkg> packages) {

    /** One non-standard package: its directory, compiled and embedded inputs, test inputs, imports and deps. */
    record Pkg(String importPath, String dir, String name, String moduleDir, String goVersion,
               Set<String> inputs, Set<String> testInputs, Set<String> imports, Set<String> deps) {

        boolean isMain() {
            return "main".equals(name);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    static final class Raw {
        @JsonProperty("ImportPath") public String importPath;
        @JsonProperty("Dir") public String dir;
        @JsonProperty("Name") public String name;
        @JsonProperty("Standard") public boolean standard;
        @JsonProperty("Module") public RawModule module;
        @JsonProperty("GoFiles") public List<String> goFiles;
        @JsonProperty("CgoFiles") public List<String> cgoFiles;
        @JsonProperty("CFiles") public List<String> cFiles;
        @JsonProperty("CXXFiles") public List<String> cxxFiles;
        @JsonProperty("MFiles") public List<String> mFiles;
        @JsonProperty("HFiles") public List<String> hFiles;
        @JsonProperty("FFiles") public List<String> fFiles;
        @JsonProperty("SFiles") public List<String> sFiles;
        @JsonProperty("SwigFiles") public List<String> swigFiles;
        @JsonProperty("SwigCXXFiles") public List<String> swigCxxFiles;
        @JsonProperty("SysoFiles") public List<String> sysoFiles;
        @JsonProperty("EmbedFiles") public List<String> embedFiles;
        @JsonProperty("TestGoFiles") public List<String> testGoFiles;
        @JsonProperty("XTestGoFiles") public List<String> xTestGoFiles;
        @JsonProperty("TestEmbedFiles") public List<String> testEmbedFiles;
        @JsonProperty("XTestEmbedFiles") public List<String> xTestEmbedFiles;
        @JsonProperty("Imports") public List<String> imports;
        @JsonProperty("Deps") public List<String> deps;
        @JsonProperty("Error") public Object error;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    static final class RawModule {
        @JsonProperty("Path") public String path;
        @JsonProperty("Dir") public String dir;
        @JsonProperty("GoVersion") public String goVersion;
    }

    /** Parses the concatenated JSON objects go list prints; worktree is the checkout go list ran in. */
    static GoListGraph parse(Path json, Path worktree) throws IOException {
        String root = worktree.toAbsolutePath().normalize().toString();
        Map<String, Pkg> out = new LinkedHashMap<>();
        ObjectMapper mapper = new ObjectMapper();
        try (MappingIterator<Raw> it = mapper.readerFor(Raw.class).readValues(json.toFile())) {
            while (it.hasNext()) {
                Raw r = it.next();
                if (r.standard) {
                    continue;
                }
                if (r.error != null) {
                    throw new IOException("go list reported an error for " + r.importPath + " in " + json + ": " + r.error);
                }
                String dir = rel(root, r.dir);
                Set<String> inputs = new HashSet<>();
                for (List<String> l : List.of(nn(r.goFiles), nn(r.cgoFiles), nn(r.cFiles), nn(r.cxxFiles), nn(r.mFiles),
                    nn(r.hFiles), nn(r.fFiles), nn(r.sFiles), nn(r.swigFiles), nn(r.swigCxxFiles), nn(r.sysoFiles),
                    nn(r.embedFiles))) {
                    for (String f : l) {
                        inputs.add(join(dir, f));
                    }
                }
                Set<String> tests = new HashSet<>();
                for (List<String> l : List.of(nn(r.testGoFiles), nn(r.xTestGoFiles), nn(r.testEmbedFiles), nn(r.xTestEmbedFiles))) {
                    for (String f : l) {
                        tests.add(join(dir, f));
                    }
                }
                String moduleDir = r.module == null ? "" : rel(root, r.module.dir);
                String goVersion = r.module == null ? "" : String.valueOf(r.module.goVersion);
                out.put(r.importPath, new Pkg(r.importPath, dir, r.name, moduleDir, goVersion, inputs, tests,
                    new HashSet<>(nn(r.imports)), new HashSet<>(nn(r.deps))));
            }
        }
        return new GoListGraph(out);
    }

    private static List<String> nn(List<String> l) {
        return l == null ? List.of() : l;
    }

    private static String join(String dir, String file) {
        return dir.isEmpty() ? file : dir + "/" + file;
    }

    private static String rel(String root, String abs) {
        if (abs == null) {
            return "";
        }
        if (abs.equals(root)) {
            return "";
        }
        if (!abs.startsWith(root + "/")) {
            throw new IllegalArgumentException("directory " + abs + " is outside the worktree " + root);
        }
        return abs.substring(root.length() + 1);
    }

    List<Pkg> mains() {
        List<Pkg> out = new ArrayList<>();
        for (Pkg p : packages.values()) {
            if (p.isMain()) {
                out.add(p);
            }
        }
        return out;
    }
}
