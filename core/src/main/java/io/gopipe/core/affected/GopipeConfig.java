package io.gopipe.core.affected;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The optional gopipe.yaml at the repository root:
 * <pre>
 * services:              # named services; main packages not listed are still found unless discover: false
 *   - name: api
 *     path: cmd/api       # directory of the main package (required)
 *     dockerfile: cmd/api/Dockerfile
 *     context: .
 *     watch: [proto/api/, configs/api.yaml]
 * globalPaths: [Makefile, .ci/]   # (alias: global) a change here affects every service
 * excludeDirs: [tools/, examples/]  # (alias: exclude) main packages here are not services
 * discover: true
 * </pre>
 */
record GopipeConfig(List<ServiceConfig> services, List<PathPattern> globalPaths, List<PathPattern> excludeDirs,
                    boolean discover) {

    static final String FILE = "gopipe.yaml";

    /** One configured service; null fields take the defaults. */
    record ServiceConfig(String name, String path, String dockerfile, String context, List<PathPattern> watch) {
    }

    static GopipeConfig empty() {
        return new GopipeConfig(List.of(), List.of(), List.of(), true);
    }

    private static final Set<String> TOP_KEYS = Set.of("services", "globalPaths", "global", "excludeDirs", "exclude", "discover");
    private static final Set<String> SERVICE_KEYS = Set.of("name", "path", "dockerfile", "context", "watch");

    static GopipeConfig parse(String text) {
        Object root;
        try {
            org.yaml.snakeyaml.Yaml yaml = new org.yaml.snakeyaml.Yaml(new SafeConstructor(new org.yaml.snakeyaml.LoaderOptions()));
            root = yaml.load(text);
        } catch (RuntimeException e) {
            throw new AffectedException(FILE + ": not valid YAML: " + e.getMessage().replace('\n', ' '));
        }
        if (root == null) {
            return empty();
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new AffectedException(FILE + ": expected a mapping at the top level");
        }
        for (Object k : map.keySet()) {
            if (!TOP_KEYS.contains(String.valueOf(k))) {
                throw new AffectedException(FILE + ": unknown key '" + k + "' (known: " + String.join(", ", TOP_KEYS) + ")");
            }
        }
        List<ServiceConfig> services = new ArrayList<>();
        Object s = map.get("services");
        if (s != null) {
            if (!(s instanceof List<?> list)) {
                throw new AffectedException(FILE + ": services: expected a list");
            }
            for (int i = 0; i < list.size(); i++) {
                String where = FILE + ": services[" + i + "]";
                if (!(list.get(i) instanceof Map<?, ?> m)) {
                    throw new AffectedException(where + ": expected a mapping with at least 'path'");
                }
                for (Object k : m.keySet()) {
                    if (!SERVICE_KEYS.contains(String.valueOf(k))) {
                        throw new AffectedException(where + ": unknown key '" + k + "'");
                    }
                }
                String path = string(m.get("path"), where + ".path");
                if (path == null || path.isBlank()) {
                    throw new AffectedException(where + ".path: required (directory of the service's main package)");
                }
                services.add(new ServiceConfig(string(m.get("name"), where + ".name"), clean(path),
                        cleanOrNull(string(m.get("dockerfile"), where + ".dockerfile")),
                        cleanOrNull(string(m.get("context"), where + ".context")),
                        patterns(m.get("watch"), where + ".watch")));
            }
        }
        Object discover = map.get("discover");
        if (discover != null && !(discover instanceof Boolean)) {
            throw new AffectedException(FILE + ": discover: expected true or false");
        }
        List<PathPattern> global = new ArrayList<>(patterns(map.get("globalPaths"), FILE + ": globalPaths"));
        global.addAll(patterns(map.get("global"), FILE + ": global"));
        List<PathPattern> exclude = new ArrayList<>(patterns(map.get("excludeDirs"), FILE + ": excludeDirs"));
        exclude.addAll(patterns(map.get("exclude"), FILE + ": exclude"));
        return new GopipeConfig(List.copyOf(services), List.copyOf(global), List.copyOf(exclude),
                discover == null || (Boolean) discover);
    }

    private static String string(Object o, String where) {
        if (o == null) {
            return null;
        }
        if (o instanceof Map || o instanceof List) {
            throw new AffectedException(where + ": expected a string");
        }
        return String.valueOf(o);
    }

    private static List<PathPattern> patterns(Object o, String where) {
        if (o == null) {
            return List.of();
        }
        List<PathPattern> out = new ArrayList<>();
        if (o instanceof List<?> list) {
            for (Object e : list) {
                out.add(PathPattern.of(string(e, where)));
            }
        } else {
            out.add(PathPattern.of(string(o, where)));
        }
        return List.copyOf(out);
    }

    static String clean(String p) {
        String c = PackageLoader.normalize("", p.trim().replace('\\', '/'));
        return c == null ? p : c;
    }

    private static String cleanOrNull(String p) {
        return p == null ? null : clean(p);
    }
}
