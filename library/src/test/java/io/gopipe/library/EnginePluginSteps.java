package io.gopipe.library;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gopipe.library.harness.PluginSteps;

import io.gopipe.core.cache.KeyCalculator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plugin's steps for the harness. goAffectedServices runs the real engine on the workspace
 * (the step's whole job). goBuildKitImage and goModCache record their calls; the image "digest"
 * is a hash of the service, its Dockerfile and the git tree id of its build context at HEAD, so it
 * changes exactly when those do. Building real images is the image module's tests' job, not this library's.
 * Where the plugin derives a directory from the step's workspace, the recorder does the same:
 * {@code dir} is the repository below the workspace, goModCache restores into
 * {@code <workspace>@gopipe/<policy>} (or {@code path}), goBuildKitImage feeds the build the caches
 * it finds there, and the module cache key hashes the go.sum files below the repository directory.
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
        Files.createDirectories(args.get("path") != null ? Path.of(args.get("path").toString())
                : Path.of(ctx.cwd() + "@gopipe", policy));
        Path repo = repo(args, ctx);
        if (policy.equals("mod") && Files.isDirectory(repo) && !KeyCalculator.goSumFiles(repo).isEmpty()) {
            moduleKeyHashes.add(KeyCalculator.hashFiles(repo, KeyCalculator.goSumFiles(repo)).substring(0, 24));
        }
        cacheCalls.add("restore " + args.get("policy") + " readOnly=" + args.get("readOnly") + " branch=" + ctx.branch());
        return Map.of("hit", false);
    }

    @Override
    public void goModCacheSave(Map<String, Object> args, boolean bodySucceeded, Ctx ctx) {
        cacheCalls.add("save " + args.get("policy") + " readOnly=" + args.get("readOnly") + " ok=" + bodySucceeded);
    }
}
