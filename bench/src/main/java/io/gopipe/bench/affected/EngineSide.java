package io.gopipe.bench.affected;

import java.util.Set;

/** The side of the benchmark that runs gopipe's engine; timed and checked against the go list baseline. */
interface EngineSide {

    /**
     * One engine answer: affected service directories, test-only affected service directories, and
     * the wall and CPU time (all threads of the process) it took, in ns.
     */
    record Outcome(Set<String> services, Set<String> testAffected, boolean all, long nanos, long cpuNanos) {
    }

    /** Computes with a parse cache that is empty. */
    Outcome computeEmptyCache(String base, String head) throws Exception;

    /** Computes with one parse cache kept across calls (for correctness sweeps, not timed). */
    Outcome computeSharedCache(String base, String head) throws Exception;

    /** Computes with a parse cache warmed by one compute on the warm-up pair. */
    Outcome computeWarmCache(String warmBase, String warmHead, String base, String head) throws Exception;
}
