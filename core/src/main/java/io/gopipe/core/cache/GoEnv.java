package io.gopipe.core.cache;

import java.util.List;

/**
 * Answers {@code go env NAME...}: the Go toolchain a cache belongs to (GOVERSION, GOOS, GOARCH) and
 * where Go keeps its caches (GOMODCACHE, GOCACHE). The caller decides where {@code go} runs: on the
 * CLI's machine, or where the Jenkins pipeline's {@code sh} would run it (inside {@code container()}).
 */
@FunctionalInterface
public interface GoEnv {

    /**
     * The values of {@code names}, in order.
     *
     * @param goBinary the go command ({@code go} when null or blank)
     * @throws CacheException when go cannot be run or prints too little
     */
    List<String> query(String goBinary, List<String> names);
}
