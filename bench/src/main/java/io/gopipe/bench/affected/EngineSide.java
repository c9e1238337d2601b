package io.gopipe.bench.affected;

import java.util.Set;

/** The side of the benchmark that runs gopipe's engine; timed and checked against the go list baseline. */
interface EngineSide {

    /** One engine answer: affected service directories and test-only affected service directories. */
    record Outcome(Set<String> services, Set<String> testAffected, boolean all, long nanos) {
    }

    /** Computes with a parse cache that is empty. */
    Outcome computeEmptyCache(String base, String head) throws Exception;

    /** Computes with a parse cache warmed by one compute on the warm-up pair. */
    Outcome computeWarmCache(String warmBase, String warmHead, String base, String head) throws Exception;
}
