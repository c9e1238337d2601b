package io.gopipe.core.exec;

/**
 * Starts external commands ({@code go}, {@code docker}, {@code buildctl}) for the engine. The engine
 * never starts a process itself: whoever calls it chooses where commands run. The CLI passes a
 * {@link LocalCommandRunner} (this machine); the Jenkins plugin passes one that goes through the
 * step's {@code Launcher}, so a command runs where {@code sh} would at that point of the pipeline
 * (inside {@code container('go')} on a Kubernetes pod, with {@code withEnv}/{@code tool} PATH).
 * Implementations must be safe to call from several threads at once.
 */
@FunctionalInterface
public interface CommandRunner {

    /**
     * Runs one command and waits for it. A non-zero exit is a result, not an exception; a command
     * that cannot be found or started is the result {@link CommandResult#NOT_FOUND} (the shell's 127)
     * with the reason as its output, whichever way it was started.
     *
     * @throws CommandException when waiting was interrupted or the runner itself broke down
     */
    CommandResult run(CommandRequest request);
}
