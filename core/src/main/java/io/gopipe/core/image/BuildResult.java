package io.gopipe.core.image;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of one service build.
 *
 * @param service       service name
 * @param driver        {@code buildx} or {@code buildctl}
 * @param mode          where the binary was compiled
 * @param digest        manifest digest from the metadata file, or null when nothing was exported
 * @param tags          the image names
 * @param pushed        whether the tags were pushed
 * @param steps         every vertex BuildKit reported (plus the agent's {@code go build} in agent mode)
 * @param cachedSteps   Dockerfile instructions (FROM excluded) reused from a cache
 * @param executedSteps Dockerfile instructions (FROM excluded) that ran
 * @param total         wall time of the whole build, retries included
 * @param attempts      how many times the build ran (more than 1 after transient push errors)
 * @param warnings      what went wrong without failing the build (e.g. a cache import)
 */
public record BuildResult(String service, String driver, BuildMode mode, String digest, List<String> tags,
                          boolean pushed, List<BuildStep> steps, int cachedSteps, int executedSteps,
                          Duration total, int attempts, List<String> warnings) {

    /** Share of instructions served from a cache, 0..1 (0 when there were none). */
    public double hitRatio() {
        int all = cachedSteps + executedSteps;
        return all == 0 ? 0 : (double) cachedSteps / all;
    }

    /** Counts the instructions of a step list (FROM excluded: resolving a base image is not building). */
    static int[] count(List<BuildStep> steps) {
        int cached = 0;
        int executed = 0;
        for (BuildStep s : steps) {
            if (!s.isInstruction() || s.isFrom()) {
                continue;
            }
            if (s.cached()) {
                cached++;
            } else {
                executed++;
            }
        }
        return new int[] {cached, executed};
    }
}
