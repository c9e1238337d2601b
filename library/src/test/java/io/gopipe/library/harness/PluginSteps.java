package io.gopipe.library.harness;

import java.nio.file.Path;
import java.util.Map;

/**
 * The gopipe plugin's steps as the harness provides them. Tests back them with the real core
 * engine (or, for image builds, with a recorder that returns what a build reports). A harness
 * without a PluginSteps has no such steps, as on a Jenkins without the plugin.
 */
public interface PluginSteps {

    /** Where a step runs: the workspace directory and the effective environment. */
    record Ctx(Path cwd, Map<String, String> env, String branch) {
    }

    /** {@code goAffectedServices(...)}: returns the parsed JSON contract as plain maps and lists. */
    Map<String, Object> goAffectedServices(Map<String, Object> args, Ctx ctx) throws Exception;

    /** {@code goBuildKitImage(...)}: returns [digest, tags, cachedSteps, executedSteps, hitRatio, seconds]. */
    Map<String, Object> goBuildKitImage(Map<String, Object> args, Ctx ctx) throws Exception;

    /** Before the body of {@code goModCache(...) { }}: returns a map describing the restore. */
    Map<String, Object> goModCacheRestore(Map<String, Object> args, Ctx ctx) throws Exception;

    /** After the body of {@code goModCache(...) { }}; {@code bodySucceeded} false when the body threw. */
    void goModCacheSave(Map<String, Object> args, boolean bodySucceeded, Ctx ctx) throws Exception;
}
