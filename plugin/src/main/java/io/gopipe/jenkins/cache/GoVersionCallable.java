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

    GoVersionCallable(LauncherCommandRunner commands) {
        this.commands = commands;
    }

    @Override
    protected String run(File dir) {
        return GoCacheSupport.check(commands, null, dir.toPath()).warning();
    }
}
