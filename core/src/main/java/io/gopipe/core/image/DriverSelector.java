package io.gopipe.core.image;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Picks the build driver: the one asked for, or (auto) buildctl when a buildkitd address is
 * configured and {@code buildctl} is installed, else {@code docker buildx}. Every probe shares one
 * time budget, so an unreachable setup fails within it with every reason listed.
 */
public final class DriverSelector {

    /** How long detection may take in total. */
    public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(10);

    private final ProcessRunner runner;
    private final Map<String, String> environment;

    /**
     * @param runner      runs probe commands
     * @param environment the environment to read BUILDKIT_HOST from
     */
    public DriverSelector(ProcessRunner runner, Map<String, String> environment) {
        this.runner = runner;
        this.environment = environment;
    }

    /**
     * Chooses and checks a driver.
     *
     * @param choice      {@code auto}, {@code buildx} or {@code buildctl}
     * @param buildkit    buildkitd address, or null to use BUILDKIT_HOST
     * @param dockerHost  DOCKER_HOST for buildx, or null
     * @param builderName buildx builder instance, or null
     * @param budget      total time the probes may take
     */
    public BuildDriver select(String choice, BuildkitAddress buildkit, String dockerHost, String builderName,
                              Duration budget) {
        long deadline = System.nanoTime() + budget.toNanos();
        BuildkitAddress addr = buildkit;
        if (addr == null && environment.get("BUILDKIT_HOST") != null && !environment.get("BUILDKIT_HOST").isBlank()) {
            addr = BuildkitAddress.of(environment.get("BUILDKIT_HOST"));
        }
        String c = choice == null ? "auto" : choice;
        switch (c) {
            case "buildctl" -> {
                if (addr == null) {
                    throw new InvalidImageConfigException("--driver buildctl needs --buildkit-addr or BUILDKIT_HOST");
                }
                requireOnPath("buildctl", "--driver buildctl");
                BuildDriver d = new BuildctlDriver(addr, runner);
                d.checkReachable(remaining(deadline));
                return d;
            }
            case "buildx" -> {
                requireOnPath("docker", "--driver buildx");
                BuildDriver d = new BuildxDriver(dockerHost, builderName, runner);
                d.checkReachable(remaining(deadline));
                return d;
            }
            case "auto" -> {
                List<String> reasons = new ArrayList<>();
                if (addr != null) {
                    if (onPath("buildctl")) {
                        BuildDriver d = new BuildctlDriver(addr, runner);
                        try {
                            d.checkReachable(remaining(deadline));
                            return d;
                        } catch (BuilderUnreachableException e) {
                            reasons.add("buildctl: " + e.getMessage());
                        }
                    } else {
                        reasons.add("buildctl: not installed (a buildkitd address " + addr.uri() + " is configured)");
                    }
                } else {
                    reasons.add("buildctl: no buildkitd address (--buildkit-addr or BUILDKIT_HOST)");
                }
                if (onPath("docker")) {
                    BuildDriver d = new BuildxDriver(dockerHost, builderName, runner);
                    try {
                        Duration left = remaining(deadline);
                        if (left.isZero()) {
                            throw new BuilderUnreachableException("no time left of the " + budget.toSeconds() + " s budget");
                        }
                        d.checkReachable(left);
                        return d;
                    } catch (BuilderUnreachableException e) {
                        reasons.add("buildx: " + e.getMessage());
                    }
                } else {
                    reasons.add("buildx: the docker command is not installed");
                }
                throw new BuilderUnreachableException("no BuildKit builder is reachable:\n  - "
                        + String.join("\n  - ", reasons));
            }
            default -> throw new InvalidImageConfigException("--driver '" + c + "' is not one of auto, buildx, buildctl");
        }
    }

    private static Duration remaining(long deadline) {
        long left = deadline - System.nanoTime();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    private void requireOnPath(String command, String flag) {
        if (!onPath(command)) {
            throw new BuilderUnreachableException(flag + ": the " + command + " command is not on PATH");
        }
    }

    /** Whether the runner can start that command (where it runs commands, not on this JVM's PATH). */
    boolean onPath(String command) {
        return runner.available(command);
    }
}
