package io.gopipe.library;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gopipe.library.harness.PluginSteps;

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
 */
final class EnginePluginSteps implements PluginSteps {
    final List<Map<String, Object>> images = Collections.synchronizedList(new ArrayList<>());
    final List<String> cacheCalls = Collections.synchronizedList(new ArrayList<>());
    final List<Map<String, Object>> affectedCalls = Collections.synchronizedList(new ArrayList<>());
    /** Names of the services in the engine's last answer, in its order. */
    final List<String> lastServices = Collections.synchronizedList(new ArrayList<>());

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> goAffectedServices(Map<String, Object> args, Ctx ctx) throws Exception {
        affectedCalls.add(args);
        Map<String, Object> r = new ObjectMapper().readValue(EngineRequests.affectedJson(ctx.cwd(), args), LinkedHashMap.class);
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
        String context = args.get("context") == null ? "." : args.get("context").toString();
        String tree = ShopFixture.git(ctx.cwd(), "rev-parse", "HEAD:" + (context.equals(".") ? "" : context)).trim();
        Map<String, Object> r = new LinkedHashMap<>();
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

    @Override
    public Map<String, Object> goModCacheRestore(Map<String, Object> args, Ctx ctx) {
        cacheCalls.add("restore " + args.get("policy") + " readOnly=" + args.get("readOnly") + " branch=" + ctx.branch());
        return Map.of("hit", false);
    }

    @Override
    public void goModCacheSave(Map<String, Object> args, boolean bodySucceeded, Ctx ctx) {
        cacheCalls.add("save " + args.get("policy") + " readOnly=" + args.get("readOnly") + " ok=" + bodySucceeded);
    }
}
