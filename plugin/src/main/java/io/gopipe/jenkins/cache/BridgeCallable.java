package io.gopipe.jenkins.cache;

import io.gopipe.core.gocache.BridgeBinary;
import io.gopipe.jenkins.exec.LauncherCommandRunner;
import io.gopipe.jenkins.remote.AgentFileCallable;
import java.io.File;
import java.nio.file.Path;

/**
 * Builds the gocache bridge on the agent with the build's go, started through the step's launcher
 * (inside {@code container()} where there is one). Its sources are written by the agent JVM, so the
 * folder is on the workspace volume, which the container that runs go sees too. Returns the
 * binary's path.
 */
final class BridgeCallable extends AgentFileCallable<String> {

    private static final long serialVersionUID = 1L;

    private final LauncherCommandRunner commands;
    private final String go;
    private final String cacheDir;

    BridgeCallable(LauncherCommandRunner commands, String go, String cacheDir) {
        this.commands = commands;
        this.go = go;
        this.cacheDir = cacheDir;
    }

    @Override
    protected String run(File dir) {
        return BridgeBinary.build(commands, go, Path.of(cacheDir)).toString();
    }
}
