package io.gopipe.core.image;

import io.gopipe.core.exec.CommandRequest;
import io.gopipe.core.exec.CommandResult;
import io.gopipe.core.exec.CommandRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The image engine's view of a {@link CommandRunner}: the caller's runner decides where commands
 * run; this adds the image errors (a command that cannot be started is an {@link ImageException}
 * naming it) and the {@link CommandResult} the drivers read.
 */
public final class ProcessRunner {

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    private final CommandRunner commands;

    /** @param commands where commands run: the CLI's local runner, the plugin's Launcher runner, ... */
    public ProcessRunner(CommandRunner commands) {
        this.commands = commands;
    }

    /** The caller's runner, for engine code that takes a {@link CommandRunner} (the gocache bridge build). */
    CommandRunner commands() {
        return commands;
    }

    /**
     * Runs {@code argv} and waits for it.
     *
     * @param argv    the command and its arguments
     * @param env     variables added to (or, with a null value, removed from) the runner's environment
     * @param workDir working directory, or null for the runner's default
     * @param timeout how long it may run before it is killed
     * @param masker  hides secrets in every line before it reaches {@code lines} or the tail
     * @param lines   receives each masked output line
     * @throws ImageException when the command cannot be started
     */
    public CommandResult run(List<String> argv, Map<String, String> env, Path workDir, Duration timeout,
                             SecretMasker masker, Consumer<String> lines) {
        Map<String, String> set = new HashMap<>();
        Set<String> unset = new HashSet<>();
        env.forEach((k, v) -> {
            if (v == null) {
                unset.add(k);
            } else {
                set.put(k, v);
            }
        });
        CommandResult r = commands.run(new CommandRequest(argv, set, unset, workDir, timeout, masker::mask, lines));
        if (r.notFound()) {
            throw new ImageException("cannot run " + argv.get(0) + ": " + r.lastLine() + " (is it installed and on PATH?)");
        }
        return r;
    }

    /**
     * Whether {@code command} can be started where the runner runs commands ({@code command --version}
     * answers). Asking the runner, not scanning this JVM's PATH: in a pod the tools live in another container.
     */
    public boolean available(String command) {
        return !commands.run(CommandRequest.of(command, "--version").withTimeout(PROBE_TIMEOUT)).notFound();
    }
}
