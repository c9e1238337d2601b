package io.gopipe.core.image;

import java.time.Duration;
import java.util.Map;

/** One way of talking to BuildKit: {@code docker buildx build} or {@code buildctl build}. */
public interface BuildDriver {

    /** {@code buildx} or {@code buildctl}. */
    String name();

    /**
     * Checks that the daemon answers, within {@code timeout}.
     *
     * @throws BuilderUnreachableException with the reason when it does not
     */
    void checkReachable(Duration timeout);

    /** The command line for a plan; {@code env} is added to its environment (e.g. DOCKER_CONFIG). */
    BuildInvocation invocation(BuildPlan plan, Map<String, String> env);

    /** A fresh parser for the progress format this driver asks for. */
    ProgressParser newParser();

    /**
     * Whether a RUN step with {@code --network host} shares this machine's network, so that it can
     * reach a loopback port of this process: known only after {@link #checkReachable} said so (the
     * local Docker daemon's own BuildKit); false when unsure.
     */
    default boolean stepsShareThisHostsNetwork() {
        return false;
    }
}
