package io.gopipe.core.affected;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gopipe.core.fixture.FixtureTarget;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.yaml.snakeyaml.Yaml;

/**
 * The ground truth for the affected-services engine, computed with the real Go toolchain.
 *
 * <p>For a revision of a git repository and a build target, the oracle checks the revision out
 * into a temporary directory, runs {@code go list -deps -json ./...} once per module that holds a
 * main package (GOPROXY=off, GOFLAGS empty, GOOS/GOARCH/CGO_ENABLED/-tags from the target) and
 * derives, per service:
 * <ul>
 *   <li>its dependency set: the non-standard import paths the main package reaches, itself included;</li>
 *   <li>its input fingerprint: the content of every file the toolchain names as a compiled or
 *       embedded input of every dependency (Go, cgo, C/C++/ObjC/Fortran, headers when cgo or
 *       assembly uses them, assembly, syso, embed files), each dependency's module path, version,
 *       go version and replacement, plus the service's Dockerfile, its build context's
 *       .dockerignore, the files under its watched paths and under the global paths of gopipe.yaml;</li>
 *   <li>its test fingerprint: the _test.go files and testdata/ trees of its dependencies.</li>
 * </ul>
 * A service is affected between two revisions when its input fingerprint differs (or it exists at
 * only one of them); it is test-affected when only its test fingerprint differs.
 *
 * <p>Results are cached per (revision, target, module directory): one instance serves a whole test run.
 */
final class GoListOracle implements AutoCloseable {

    private static final Path DEFAULT_GO = Path.of("/usr/lib/go-1.24/bin/go");
    private static final List<String> INPUT_LISTS = List.of("GoFiles", "CgoFiles", "CFiles", "CXXFiles", "MFiles",
            "FFiles", "SFiles", "SwigFiles", "SwigCXXFiles", "SysoFiles", "EmbedFiles");
    private static final Pattern PACKAGE_MAIN = Pattern.compile("(?m)^package main\\b");

    private final Repository repository;
    private final Path workDir;
    private final String go;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, CompletableFuture<Path>> checkouts = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Snapshot>> snapshots = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Listing>> listings = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<SortedMap<String, String>>> blobs = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> outsideDirs = new ConcurrentHashMap<>();
    private int goListRuns;

    /**
     * @param repo    working tree of the git repository (its {@code .git} inside)
     * @param workDir an empty directory for checkouts of revisions
     */
    GoListOracle(Path repo, Path workDir) throws IOException {
        this.repository = new FileRepositoryBuilder().setWorkTree(repo.toFile()).setMustExist(true).build();
        this.workDir = workDir;
        this.go = locateGo();
    }

    /** GOPIPE_GO, else /usr/lib/go-1.24/bin/go, else {@code go} on PATH; fails clearly when there is none. */
    static String locateGo() {
        String env = System.getenv("GOPIPE_GO");
        if (env != null && !env.isBlank()) {
            if (!Files.isExecutable(Path.of(env))) {
                throw new IllegalStateException("GOPIPE_GO=" + env + " is not an executable Go toolchain");
            }
            return env;
        }
        if (Files.isExecutable(DEFAULT_GO)) {
            return DEFAULT_GO.toString();
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "go");
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException("No Go toolchain found: set GOPIPE_GO, install Go 1.24 at " + DEFAULT_GO
                + " or put `go` on PATH (.ci/install-deps installs it). The differential tests need the real toolchain.");
    }

    /** The go binary in use. */
    String go() {
        return go;
    }

    /** How many times {@code go list} ran so far (the cache keeps this small). */
    synchronized int goListRuns() {
        return goListRuns;
    }

    /** The per-service state of {@code revision} for {@code target}. */
    Snapshot snapshot(String revision, FixtureTarget target) {
        return memo(snapshots, revision + " " + target.label(), () -> compute(revision, target));
    }

    /** Computes the snapshots of all (revision, target) pairs, as many at once as there are cores. */
    void prefetch(Collection<Map.Entry<String, FixtureTarget>> requests) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
        try {
            List<Future<Snapshot>> futures = new ArrayList<>();
            for (Map.Entry<String, FixtureTarget> r : new LinkedHashSet<>(requests)) {
                futures.add(pool.submit(() -> snapshot(r.getKey(), r.getValue())));
            }
            for (Future<Snapshot> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Computes each key once, even when several threads ask at the same time. */
    private static <T> T memo(Map<String, CompletableFuture<T>> cache, String key, Supplier<T> compute) {
        CompletableFuture<T> mine = new CompletableFuture<>();
        CompletableFuture<T> existing = cache.putIfAbsent(key, mine);
        if (existing == null) {
            try {
                mine.complete(compute.get());
            } catch (RuntimeException e) {
                mine.completeExceptionally(e);
            }
            existing = mine;
        }
        try {
            return existing.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    /** What changed between two snapshots, service by service. */
    static Diff diff(Snapshot base, Snapshot head) {
        SortedSet<String> affected = new TreeSet<>();
        SortedSet<String> testAffected = new TreeSet<>();
        Map<String, SortedSet<String>> changed = new TreeMap<>();
        SortedSet<String> names = new TreeSet<>(base.services().keySet());
        names.addAll(head.services().keySet());
        for (String name : names) {
            ServiceState b = base.services().get(name);
            ServiceState h = head.services().get(name);
            if (b == null || h == null) {
                affected.add(name);
                changed.put(name, new TreeSet<>(List.of(b == null ? "(new service)" : "(removed service)")));
                continue;
            }
            SortedSet<String> keys = changedKeys(b.inputs(), h.inputs());
            if (!keys.isEmpty()) {
                affected.add(name);
                changed.put(name, keys);
            } else {
                SortedSet<String> testKeys = changedKeys(b.testInputs(), h.testInputs());
                if (!testKeys.isEmpty()) {
                    testAffected.add(name);
                    changed.put(name, testKeys);
                }
            }
        }
        return new Diff(affected, testAffected, changed);
    }

    private static SortedSet<String> changedKeys(Map<String, String> a, Map<String, String> b) {
        SortedSet<String> keys = new TreeSet<>();
        for (String k : a.keySet()) {
            if (!Objects.equals(a.get(k), b.get(k))) {
                keys.add(k);
            }
        }
        for (String k : b.keySet()) {
            if (!a.containsKey(k)) {
                keys.add(k);
            }
        }
        return keys;
    }

    private Snapshot compute(String revision, FixtureTarget target) {
        Path tree = checkout(revision);
        Config config = Config.read(tree);
        SortedMap<String, ServiceState> services = new TreeMap<>();
        for (Path module : moduleDirs(tree, config)) {
            Listing listing = listing(revision, tree, module, target);
            Map<String, JsonNode> packages = listing.packages();
            for (JsonNode pkg : packages.values()) {
                if (!pkg.has("Match") || !"main".equals(pkg.path("Name").asText())
                        || pkg.path("Standard").asBoolean()) {
                    continue;
                }
                String dir = rel(listing.tree(), Path.of(pkg.path("Dir").asText()));
                if (config.excluded(dir)) {
                    continue;
                }
                ServiceState s = service(tree, listing.tree(), config, dir, pkg, packages);
                if (services.put(s.name(), s) != null) {
                    throw new IllegalStateException(revision + ": two services are named " + s.name());
                }
            }
        }
        return new Snapshot(revision, target, services);
    }

    /**
     * The {@code go list} output of one module, reused from an earlier revision when every file it
     * can read is the same there: the module's own files (nested modules left out), every go.mod,
     * go.work and vendor/modules.txt of the repository, and the directories of the packages outside
     * the module that earlier listings of it named. The listing keeps the checkout it ran in, so
     * its absolute paths stay valid.
     */
    private Listing listing(String revision, Path tree, Path module, FixtureTarget target) {
        String moduleRel = tree.equals(module) ? "" : rel(tree, module);
        SortedMap<String, String> files = blobs(revision);
        Set<String> nested = new TreeSet<>();
        for (String path : files.keySet()) {
            if (path.endsWith("/go.mod")) {
                String d = path.substring(0, path.length() - "/go.mod".length());
                if (!d.equals(moduleRel) && under(d, moduleRel)) {
                    nested.add(d);
                }
            }
        }
        Set<String> outside = outsideDirs.computeIfAbsent(moduleRel + " " + target.label(), k -> ConcurrentHashMap.newKeySet());
        List<String> outsideNow = List.copyOf(new TreeSet<>(outside));
        StringBuilder key = new StringBuilder(moduleRel).append('\n').append(target.label()).append('\n');
        files.forEach((path, blob) -> {
            String name = path.substring(path.lastIndexOf('/') + 1);
            boolean own = under(path, moduleRel) && nested.stream().noneMatch(n -> under(path, n));
            boolean global = name.equals("go.mod") || name.equals("go.work") || path.endsWith("vendor/modules.txt");
            if (own || global || outsideNow.stream().anyMatch(o -> under(path, o))) {
                key.append(path).append(' ').append(blob).append('\n');
            }
        });
        Listing listing = memo(listings, sha256(key.toString()), () -> new Listing(tree, goList(tree, module, target)));
        for (JsonNode p : listing.packages().values()) {
            if (!p.path("Standard").asBoolean() && p.has("Dir")) {
                String d = rel(listing.tree(), Path.of(p.path("Dir").asText()));
                if (!under(d, moduleRel) || nested.stream().anyMatch(n -> under(d, n))) {
                    outside.add(d);
                }
            }
        }
        return listing;
    }

    private static boolean under(String path, String dir) {
        return dir.isEmpty() || path.equals(dir) || path.startsWith(dir + "/");
    }

    /** Every file of the revision with its blob id. */
    private SortedMap<String, String> blobs(String revision) {
        return memo(blobs, revision, () -> {
            SortedMap<String, String> out = new TreeMap<>();
            try (RevWalk walk = new RevWalk(repository); TreeWalk tw = new TreeWalk(repository)) {
                tw.addTree(walk.parseCommit(repository.resolve(revision + "^{commit}")).getTree());
                tw.setRecursive(true);
                while (tw.next()) {
                    out.put(tw.getPathString(), tw.getObjectId(0).getName());
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + revision + ": " + e.getMessage(), e);
            }
            return out;
        });
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One {@code go list -deps -json ./...} result and the checkout it ran in. */
    private record Listing(Path tree, Map<String, JsonNode> packages) {
    }

    private ServiceState service(Path tree, Path listTree, Config config, String dir, JsonNode main,
                                 Map<String, JsonNode> packages) {
        Config.Service conf = config.service(dir);
        SortedSet<String> deps = new TreeSet<>();
        deps.add(main.path("ImportPath").asText());
        main.path("Deps").forEach(d -> {
            JsonNode p = packages.get(d.asText());
            if (p == null) {
                throw new IllegalStateException(dir + ": go list names dependency " + d.asText() + " but did not list it");
            }
            if (!p.path("Standard").asBoolean()) {
                deps.add(d.asText());
            }
        });
        SortedMap<String, String> inputs = new TreeMap<>();
        SortedMap<String, String> tests = new TreeMap<>();
        for (String importPath : deps) {
            JsonNode p = packages.get(importPath);
            if (p.has("Error") || p.has("DepsErrors")) {
                throw new IllegalStateException(dir + ": go list reports an error for " + importPath + ": " + p.path("Error"));
            }
            Path pkgDir = Path.of(p.path("Dir").asText());
            JsonNode mod = p.path("Module");
            if (!mod.isMissingNode()) {
                JsonNode rep = mod.path("Replace");
                String goMod = mod.path("GoMod").asText(rep.path("GoMod").asText(""));
                String key = (goMod.isEmpty() ? "" : rel(listTree, Path.of(goMod)) + " ") + "module " + mod.path("Path").asText();
                inputs.put(key, "version=" + mod.path("Version").asText("") + " go=" + mod.path("GoVersion").asText("")
                        + (rep.isMissingNode() ? "" : " replace=" + rep.path("Path").asText() + "@" + rep.path("Version").asText("")));
            }
            boolean headersUsed = p.path("CgoFiles").size() > 0 || p.path("SFiles").size() > 0;
            List<String> lists = new ArrayList<>(INPUT_LISTS);
            if (headersUsed) {
                lists.add("HFiles");
            }
            for (String list : lists) {
                for (JsonNode f : p.path(list)) {
                    Path file = pkgDir.resolve(f.asText());
                    inputs.put(rel(listTree, file), hash(file));
                }
            }
            for (String list : List.of("TestGoFiles", "XTestGoFiles")) {
                for (JsonNode f : p.path(list)) {
                    Path file = pkgDir.resolve(f.asText());
                    tests.put(rel(listTree, file), hash(file));
                }
            }
            Path testdata = pkgDir.resolve("testdata");
            if (Files.isDirectory(testdata)) {
                for (Path file : files(testdata)) {
                    tests.put(rel(listTree, file), hash(file));
                }
            }
        }
        addIfPresent(tree, conf.dockerfile(), inputs);
        addIfPresent(tree, (conf.context().isEmpty() ? "" : conf.context() + "/") + ".dockerignore", inputs);
        List<Path> all = files(tree);
        for (Path file : all) {
            String r = rel(tree, file);
            if (Config.matchesAny(conf.watch(), r) || Config.matchesAny(config.global(), r)) {
                inputs.put(r, hash(file));
            }
        }
        return new ServiceState(conf.name(), dir, main.path("ImportPath").asText(), deps, inputs, tests);
    }

    private static void addIfPresent(Path tree, String relPath, Map<String, String> inputs) {
        Path file = tree.resolve(relPath);
        if (Files.isRegularFile(file)) {
            inputs.put(relPath, hash(file));
        }
    }

    /** Directories holding a go.mod whose tree has a main package, skipping what the go tool and gopipe.yaml skip. */
    private static List<Path> moduleDirs(Path tree, Config config) {
        List<Path> out = new ArrayList<>();
        for (Path file : files(tree)) {
            String r = rel(tree, file);
            if (!file.getFileName().toString().equals("go.mod") || config.excluded(r)) {
                continue;
            }
            Path dir = file.getParent();
            boolean hasMain = files(dir).stream().anyMatch(f -> {
                String fr = rel(tree, f);
                if (!fr.endsWith(".go") || fr.contains("/vendor/") || fr.startsWith("vendor/")) {
                    return false;
                }
                try {
                    return PACKAGE_MAIN.matcher(Files.readString(f)).find();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            if (hasMain) {
                out.add(dir);
            }
        }
        return out;
    }

    private Map<String, JsonNode> goList(Path tree, Path module, FixtureTarget target) {
        List<String> cmd = new ArrayList<>(List.of(go, "list", "-deps", "-json"));
        if (!target.tags().isEmpty()) {
            cmd.add("-tags=" + String.join(",", target.tags()));
        }
        cmd.add("./...");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(module.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("GO") || k.equals("CGO_ENABLED"));
        env.put("GOOS", target.goos());
        env.put("GOARCH", target.goarch());
        env.put("CGO_ENABLED", target.cgo() ? "1" : "0");
        env.put("GOPROXY", "off");
        env.put("GOFLAGS", "");
        env.put("GOTOOLCHAIN", "local");
        env.put("GOENV", "off");
        env.put("GOSUMDB", "off");
        Map<String, JsonNode> out = new LinkedHashMap<>();
        try {
            Path err = Files.createTempFile(workDir, "golist", ".err");
            pb.redirectError(err.toFile());
            Process process = pb.start();
            try (InputStream in = process.getInputStream();
                 MappingIterator<JsonNode> it = json.readerFor(JsonNode.class).readValues(in)) {
                while (it.hasNext()) {
                    JsonNode p = it.next();
                    out.put(p.path("ImportPath").asText(), p);
                }
            }
            if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException("`" + String.join(" ", cmd) + "` in " + module + " (" + target.label()
                        + ") failed: " + Files.readString(err, StandardCharsets.UTF_8));
            }
            Files.delete(err);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + go + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        synchronized (this) {
            goListRuns++;
        }
        return out;
    }

    /** Writes the tree of {@code revision} into a directory of its own (once) and returns it. */
    Path checkout(String revision) {
        String rev = revision;
        return memo(checkouts, revision, () -> {
            try (RevWalk walk = new RevWalk(repository)) {
                ObjectId id = repository.resolve(rev + "^{commit}");
                if (id == null) {
                    throw new IllegalStateException("no commit " + rev);
                }
                RevCommit commit = walk.parseCommit(id);
                Path dir = workDir.resolve(commit.getName());
                try (TreeWalk tw = new TreeWalk(repository)) {
                    tw.addTree(commit.getTree());
                    tw.setRecursive(true);
                    while (tw.next()) {
                        Path file = dir.resolve(tw.getPathString());
                        Files.createDirectories(file.getParent());
                        try (InputStream in = repository.open(tw.getObjectId(0)).openStream()) {
                            Files.copy(in, file);
                        }
                        if (tw.getFileMode(0) == FileMode.EXECUTABLE_FILE) {
                            file.toFile().setExecutable(true);
                        }
                    }
                }
                return dir;
            } catch (IOException e) {
                throw new IllegalStateException("cannot check out " + rev + ": " + e.getMessage(), e);
            }
        });
    }

    static List<Path> files(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String rel(Path tree, Path file) {
        Path r = tree.relativize(file.normalize());
        if (r.startsWith("..")) {
            throw new IllegalStateException(file + " is outside the checkout " + tree);
        }
        return r.toString().replace('\\', '/');
    }

    static String hash(Path file) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(Files.readAllBytes(file)));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash " + file, e);
        }
    }

    @Override
    public void close() {
        repository.close();
    }

    /** One service at one revision. Paths are repo-relative. */
    record ServiceState(String name, String dir, String mainPackage, SortedSet<String> deps,
                        SortedMap<String, String> inputs, SortedMap<String, String> testInputs) {
    }

    /** Every service of one revision for one target, by name. */
    record Snapshot(String revision, FixtureTarget target, SortedMap<String, ServiceState> services) {

        /** Dependency sets keyed by service directory, the shape of the engine's serviceDependencies. */
        SortedMap<String, SortedSet<String>> dependenciesByDir() {
            SortedMap<String, SortedSet<String>> out = new TreeMap<>();
            services.values().forEach(s -> out.put(s.dir(), s.deps()));
            return out;
        }
    }

    /**
     * @param affected     services whose input fingerprint differs or that exist on one side only
     * @param testAffected services not affected whose test fingerprint differs
     * @param changed      per service in either set, the input keys that differ
     */
    record Diff(SortedSet<String> affected, SortedSet<String> testAffected, Map<String, SortedSet<String>> changed) {
    }

    /** The parts of gopipe.yaml the oracle needs; read independently of the engine's own parser. */
    record Config(List<Service> services, List<Pattern> global, List<Pattern> exclude) {

        record Service(String name, String path, String dockerfile, String context, List<Pattern> watch) {
        }

        @SuppressWarnings("unchecked")
        static Config read(Path tree) {
            Path file = tree.resolve("gopipe.yaml");
            if (!Files.isRegularFile(file)) {
                return new Config(List.of(), List.of(), List.of());
            }
            Map<String, Object> doc;
            try {
                doc = new Yaml().load(Files.readString(file));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            List<Service> services = new ArrayList<>();
            for (Map<String, Object> s : (List<Map<String, Object>>) doc.getOrDefault("services", List.of())) {
                String path = (String) s.get("path");
                services.add(new Service((String) s.getOrDefault("name", Path.of(path).getFileName().toString()), path,
                        (String) s.getOrDefault("dockerfile", path + "/Dockerfile"),
                        (String) s.getOrDefault("context", ""),
                        globs((List<String>) s.getOrDefault("watch", List.of()))));
            }
            return new Config(services, globs((List<String>) doc.getOrDefault("global", List.of())),
                    globs((List<String>) doc.getOrDefault("exclude", List.of())));
        }

        Service service(String dir) {
            Optional<Service> s = services.stream().filter(x -> x.path().equals(dir)).findFirst();
            return s.orElseGet(() -> new Service(Path.of(dir).getFileName().toString(), dir, dir + "/Dockerfile", "", List.of()));
        }

        boolean excluded(String path) {
            return matchesAny(exclude, path);
        }

        static boolean matchesAny(List<Pattern> globs, String path) {
            return globs.stream().anyMatch(g -> g.matcher(path).matches());
        }

        static List<Pattern> globs(List<String> globs) {
            return globs.stream().map(Config::glob).toList();
        }

        /** {@code **} any depth, {@code *} within a segment, {@code ?} one character; a pattern also matches below itself. */
        static Pattern glob(String glob) {
            StringBuilder re = new StringBuilder();
            for (int i = 0; i < glob.length(); i++) {
                char c = glob.charAt(i);
                if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                    re.append(".*");
                    i++;
                } else if (c == '*') {
                    re.append("[^/]*");
                } else if (c == '?') {
                    re.append("[^/]");
                } else {
                    re.append(Pattern.quote(String.valueOf(c)));
                }
            }
            return Pattern.compile(re + "(/.*)?");
        }
    }
}
