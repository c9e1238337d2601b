package io.gopipe.library;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gopipe.library.harness.PluginSteps;

import io.gopipe.core.cache.KeyCalculator;
import io.gopipe.core.cache.remote.StoreAccess;
import io.gopipe.core.gocache.GoCacheProgLine;
import io.gopipe.core.gocache.store.ControllerObjectServer;
import io.gopipe.core.gocache.store.LoopbackObjectServer;
import io.gopipe.core.gocache.store.ObjectStores;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The plugin's steps for the harness. goAffectedServices runs the real engine on the workspace
 * (the step's whole job). goBuildKitImage and goModCache record their calls; the image "digest"
 * is a hash of the service, its Dockerfile and the git tree id of its build context at HEAD, so it
 * changes exactly when those do. Building real images is the image module's tests' job, not this library's.
 * Where the plugin derives a directory from the step's workspace, the recorder does the same:
 * {@code dir} is the repository below the workspace, goModCache restores into
 * {@code <workspace>@gopipe/<policy>} (or {@code path}), goBuildKitImage feeds the build the caches
 * it finds there, and the module cache key hashes the go.sum files below the repository directory.
 * goModCache's remote flavour ({@code policy: 'build', flavour: 'remote'}) does what the plugin does
 * with its default store, the controller's: the real {@link ControllerObjectServer} (namespace and
 * pull-request rules as the plugin derives them from the run) served by the real
 * {@link LoopbackObjectServer} for the body, GOCACHEPROG from {@link GoCacheProgLine}; only the
 * remoting hop between controller and agent is not there.
 */
final class EnginePluginSteps implements PluginSteps {
    final List<Map<String, Object>> images = Collections.synchronizedList(new ArrayList<>());
    final List<String> cacheCalls = Collections.synchronizedList(new ArrayList<>());
    final List<Map<String, Object>> affectedCalls = Collections.synchronizedList(new ArrayList<>());
    /** Per goAffectedServices call: the directory the step ran in (the workspace, or a dir() around it). */
    final List<String> affectedCwds = Collections.synchronizedList(new ArrayList<>());
    /** Per goBuildKitImage call: service → the Go module cache the build was fed ("none" when none). */
    final Map<String, String> imageModCaches = Collections.synchronizedMap(new LinkedHashMap<>());
    /** Per goModCache restore of policy mod: the go.sum part of the key, as the plugin computes it. */
    final List<String> moduleKeyHashes = Collections.synchronizedList(new ArrayList<>());
    /** Names of the services in the engine's last answer, in its order. */
    final List<String> lastServices = Collections.synchronizedList(new ArrayList<>());
    /** Per goBuildKitImage call: service → the GOCACHEPROG its agent-mode go build would run with ("none" when unset). */
    final Map<String, String> imageGoCacheProgs = Collections.synchronizedMap(new LinkedHashMap<>());
    /** The controller's store ($JENKINS_HOME/gopipe-cache) for the remote flavour; default: beside the workspace. */
    private Path controllerRoot;
    /** The job's folder and full name, as the plugin takes them from the run for the namespaces. */
    private String folder = "shop";
    private String job = "shop/main";
    /** The remote flavour's loopback servers running for a body, by branch and key. */
    private final Map<String, LoopbackObjectServer> serving = Collections.synchronizedMap(new LinkedHashMap<>());

    /** The controller store and the job the remote flavour works for. */
    EnginePluginSteps controllerStore(Path root, String folderName, String jobName) {
        this.controllerRoot = root;
        this.folder = folderName;
        this.job = jobName;
        return this;
    }

    private Path controllerRoot(Ctx ctx) {
        if (controllerRoot == null) {
            controllerRoot = Path.of(ctx.cwd() + "@controller", "gopipe-cache"); // in the test's temporary folder
        }
        return controllerRoot;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> goAffectedServices(Map<String, Object> args, Ctx ctx) throws Exception {
        affectedCalls.add(args);
        affectedCwds.add(ctx.cwd().toString());
        Map<String, Object> r = new ObjectMapper().readValue(EngineRequests.affectedJson(repo(args, ctx), args), LinkedHashMap.class);
        lastServices.clear();
        for (Object s : (List<Object>) r.get("services")) {
            lastServices.add(((Map<String, Object>) s).get("name").toString());
        }
        return r;
    }

    @Override
    public Map<String, Object> goBuildKitImage(Map<String, Object> args, Ctx ctx) {
        if (args.get("service") == null) {
            throw new IllegalArgumentException("goBuildKitImage: service is required");
        }
        images.add(args);
        imageGoCacheProgs.put(args.get("service").toString(), ctx.env().getOrDefault("GOCACHEPROG", "none"));
        Path modCache = Path.of(ctx.cwd() + "@gopipe", "mod");
        imageModCaches.put(args.get("service").toString(), Files.isDirectory(modCache) ? modCache.toString() : "none");
        String context = args.get("context") == null ? "." : args.get("context").toString();
        String tree = ShopFixture.git(repo(args, ctx), "rev-parse", "HEAD:" + (context.equals(".") ? "" : context)).trim();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("service", args.get("service"));
        r.put("digest", "sha256:" + sha256(args.get("service") + " " + args.get("dockerfile") + " " + tree));
        r.put("tags", args.getOrDefault("tags", List.of()));
        r.put("cachedSteps", 0);
        r.put("executedSteps", 0);
        r.put("hitRatio", 0.0);
        r.put("seconds", 0.0);
        return r;
    }

    private static String sha256(String s) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The repository: the step's {@code dir} below the directory it runs in. */
    private static Path repo(Map<String, Object> args, Ctx ctx) {
        return args.get("dir") == null ? ctx.cwd() : ctx.cwd().resolve(args.get("dir").toString());
    }

    @Override
    public Map<String, Object> goModCacheRestore(Map<String, Object> args, Ctx ctx) throws IOException {
        String policy = args.get("policy") == null ? "mod" : args.get("policy").toString();
        if (policy.equals("build") && "remote".equals(args.get("flavour"))) {
            return remote(args, ctx);
        }
        Files.createDirectories(args.get("path") != null ? Path.of(args.get("path").toString())
                : Path.of(ctx.cwd() + "@gopipe", policy));
        Path repo = repo(args, ctx);
        if (policy.equals("mod") && Files.isDirectory(repo) && !KeyCalculator.goSumFiles(repo).isEmpty()) {
            moduleKeyHashes.add(KeyCalculator.hashFiles(repo, KeyCalculator.goSumFiles(repo)).substring(0, 24));
        }
        cacheCalls.add("restore " + args.get("policy") + " readOnly=" + args.get("readOnly") + " branch=" + ctx.branch());
        return Map.of("hit", false);
    }

    /**
     * The plugin's remote flavour on the controller store (GoModCacheExecution, GoCacheLoopback): the
     * namespaces from the job (a pull request, CHANGE_ID, writes only its own; read-only when the step
     * says so), a loopback server for the body, and the body's GOCACHE and GOCACHEPROG.
     */
    private Map<String, Object> remote(Map<String, Object> args, Ctx ctx) throws IOException {
        boolean pullRequest = ctx.env().get("CHANGE_ID") != null;
        String own = "job:" + job;
        StoreAccess access = StoreAccess.forBuild("folder:" + folder, own, pullRequest, false);
        boolean readOnly = Boolean.TRUE.equals(args.get("readOnly"));
        if (readOnly) {
            access = new StoreAccess(null, access.readNamespaces());
        }
        Path endpoint = Path.of(ctx.cwd() + "@tmp", "gopipe-gocache", UUID.randomUUID() + ".endpoint");
        LoopbackObjectServer server = LoopbackObjectServer.start(ControllerObjectServer.forAgent(controllerRoot(ctx), access), endpoint);
        String key = args.get("key") != null ? args.get("key").toString() : ctx.env().getOrDefault("JOB_NAME", "default");
        serving.put(ctx.branch() + " " + key, server);
        String gopipe = args.get("gopipe") == null ? "gopipe" : args.get("gopipe").toString();
        String prog = new GoCacheProgLine(gopipe, ObjectStores.CONTROLLER + endpoint, null, null, false, key, access.readOnly()).value();
        Path gocache = args.get("path") != null ? Path.of(args.get("path").toString()) : Path.of(ctx.cwd() + "@gopipe", "build");
        Files.createDirectories(gocache);
        cacheCalls.add("remote build key=" + key + " readOnly=" + access.readOnly() + " branch=" + ctx.branch());
        return Map.of("hit", false, "env", List.of("GOCACHE=" + gocache, "GOCACHEPROG=" + prog));
    }

    /** Whether any remote-flavour loopback server is still running (the plugin stops each when its body ends). */
    boolean serving() {
        return !serving.isEmpty();
    }

    @Override
    public void goModCacheSave(Map<String, Object> args, boolean bodySucceeded, Ctx ctx) throws IOException {
        if ("build".equals(String.valueOf(args.get("policy"))) && "remote".equals(args.get("flavour"))) {
            String key = args.get("key") != null ? args.get("key").toString() : ctx.env().getOrDefault("JOB_NAME", "default");
            LoopbackObjectServer server = serving.remove(ctx.branch() + " " + key);
            if (server != null) {
                server.close();
            }
            cacheCalls.add("remote build done key=" + key + " ok=" + bodySucceeded);
            return;
        }
        cacheCalls.add("save " + args.get("policy") + " readOnly=" + args.get("readOnly") + " ok=" + bodySucceeded);
    }
}
