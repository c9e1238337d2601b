package io.gopipe.jenkins.cache;

import io.gopipe.core.gocache.GoCacheSupport;
import io.gopipe.jenkins.exec.LauncherCommandRunner;
import io.gopipe.jenkins.remote.AgentFileCallable;
import java.io.File;

/**
 * Asks the build's go, through the step's launcher (inside {@code container()} where there is one),
 * whether it honours GOCACHEPROG. Returns the warning to print, or null when it does: go before
 * 1.24 ignores the variable and would build with an empty GOCACHE, so the step falls back to the
 * archive flavour instead.
 */
final class GoVersionCallable extends AgentFileCallable<String> {

    private static final long serialVersionUID = 1L;

    private final LauncherCommandRunner commands;
    /** The step's {@code go}: the one whose version decides, since the bridge is built with it too. */
    private final String go;

    GoVersionCallable(LauncherCommandRunner commands, String go) {
        this.commands = commands;
        this.go = go;
    }

    @Override
    protected String run(File dir) {
        return GoCacheSupport.check(commands, go, dir.toPath()).warning();
    }
}
