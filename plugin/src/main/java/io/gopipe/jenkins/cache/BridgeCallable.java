package io.gopipe.jenkins.cache;

import io.gopipe.core.exec.CommandRequest;
import io.gopipe.core.exec.CommandResult;
import io.gopipe.jenkins.exec.LauncherCommandRunner;
import io.gopipe.jenkins.remote.AgentFileCallable;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@code gopipe gocache bridge} through the step's launcher (inside {@code container()} where
 * there is one), where the daemon and go run: it takes the bridge of this go version and platform
 * from the cache store, or builds it with the build's go and publishes it for the next agent, with
 * the store flags and credentials the daemon has. Its GOCACHEPROG line comes back through a file on
 * the workspace volume, because a container's exec merges the command's warnings into its stdout.
 * Returns the line; a failure is an {@link IOException} with the command's last output lines.
 */
final class BridgeCallable extends AgentFileCallable<String> {

    private static final long serialVersionUID = 1L;
    static final Duration TIMEOUT = Duration.ofMinutes(10);

    private final LauncherCommandRunner commands;
    private final ArrayList<String> argv;
    private final String lineFile;

    /** {@code argv} is the whole {@code gopipe gocache bridge … --output lineFile} command. */
    BridgeCallable(LauncherCommandRunner commands, List<String> argv, String lineFile) {
        this.commands = commands;
        this.argv = new ArrayList<>(argv);
        this.lineFile = lineFile;
    }

    @Override
    protected String run(File dir) throws IOException {
        CommandResult r = commands.run(CommandRequest.of(argv).withWorkDir(dir.toPath()).withTimeout(TIMEOUT));
        Path line = Path.of(lineFile);
        if (!r.succeeded() || !Files.isRegularFile(line)) {
            throw new IOException("'" + String.join(" ", argv.subList(0, Math.min(3, argv.size()))) + "' failed (exit "
                    + r.exitCode() + (r.timedOut() ? ", timed out" : "") + "): " + r.tailText());
        }
        return Files.readString(line).strip();
    }
}
