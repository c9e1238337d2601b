package io.gopipe.core.exec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * One command to run. Not serializable on purpose: the line consumer and the masker live where the
 * engine runs; a runner that starts the process elsewhere forwards only the plain values.
 *
 * @param argv    program and arguments (no shell: each element is one argument)
 * @param env     variables set on top of the runner's environment
 * @param unset   variables removed from it (a runner that cannot remove one sets it empty)
 * @param workDir working directory, or null for the runner's default
 * @param timeout how long it may run before it is killed
 * @param masker  hides secrets in every output line before it reaches {@code lines} or the tail
 * @param lines   receives each masked output line, stdout and stderr together
 */
public record CommandRequest(List<String> argv, Map<String, String> env, Set<String> unset, Path workDir,
                             Duration timeout, UnaryOperator<String> masker, Consumer<String> lines) {

    /** Used when no timeout is given: long enough for any build, short enough to end a hung one. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);

    public CommandRequest {
        if (argv == null || argv.isEmpty() || argv.get(0) == null || argv.get(0).isBlank()) {
            throw new IllegalArgumentException("a command needs a program name");
        }
        argv = List.copyOf(argv);
        env = env == null ? Map.of() : Map.copyOf(env);
        unset = unset == null ? Set.of() : Set.copyOf(unset);
        timeout = timeout == null || timeout.isNegative() || timeout.isZero() ? DEFAULT_TIMEOUT : timeout;
        masker = masker == null ? UnaryOperator.identity() : masker;
        lines = lines == null ? l -> { } : lines;
    }

    /** {@code argv} with nothing else set: the runner's environment and directory, the default timeout. */
    public static CommandRequest of(List<String> argv) {
        return new CommandRequest(argv, null, null, null, null, null, null);
    }

    public static CommandRequest of(String... argv) {
        return of(List.of(argv));
    }

    public CommandRequest withEnv(Map<String, String> v) {
        return new CommandRequest(argv, v, unset, workDir, timeout, masker, lines);
    }

    public CommandRequest withUnset(Set<String> v) {
        return new CommandRequest(argv, env, v, workDir, timeout, masker, lines);
    }

    public CommandRequest withWorkDir(Path v) {
        return new CommandRequest(argv, env, unset, v, timeout, masker, lines);
    }

    public CommandRequest withTimeout(Duration v) {
        return new CommandRequest(argv, env, unset, workDir, v, masker, lines);
    }

    public CommandRequest withMasker(UnaryOperator<String> v) {
        return new CommandRequest(argv, env, unset, workDir, timeout, v, lines);
    }

    public CommandRequest withLines(Consumer<String> v) {
        return new CommandRequest(argv, env, unset, workDir, timeout, masker, v);
    }

    /** The program, as given. */
    public String program() {
        return argv.get(0);
    }

    /** The command line for logs, masked. */
    public String display() {
        return masker.apply(String.join(" ", argv));
    }
}
