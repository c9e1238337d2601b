package io.gopipe.jenkins.cache;

import io.gopipe.core.cache.CacheJob;
import io.gopipe.core.cache.CacheJobOptions;
import io.gopipe.core.cache.RestoreResult;
import io.gopipe.core.cache.SaveResult;
import io.gopipe.jenkins.exec.LauncherCommandRunner;
import io.gopipe.jenkins.remote.AgentFileCallable;
import io.gopipe.jenkins.report.ListenerReporter;
import java.io.File;
import java.util.HashMap;

/**
 * Runs one {@link CacheJob} restore or save on the agent, where the cache folder and the checkout
 * are; {@code go env} runs through the step's launcher (inside {@code container()} where there is
 * one). The options (the store's secrets included) travel with this callable and are never kept.
 * Failures cross back as text ({@link AgentFileCallable}).
 */
final class CacheCallable extends AgentFileCallable<String> {

    private static final long serialVersionUID = 1L;

    enum Action { RESTORE, SAVE }

    private final Action action;
    private final CacheJobOptions options;
    private final HashMap<String, String> env;
    private final ListenerReporter reporter;
    private final LauncherCommandRunner commands;

    CacheCallable(Action action, CacheJobOptions options, HashMap<String, String> env, ListenerReporter reporter,
                  LauncherCommandRunner commands) {
        this.action = action;
        this.options = options;
        this.env = env;
        this.reporter = reporter;
        this.commands = commands;
    }

    @Override
    protected String run(File workspace) {
        CacheJob job = new CacheJob(options, env, reporter, commands);
        if (action == Action.RESTORE) {
            RestoreResult r = job.restore();
            return r.hit() ? "hit " + r.matchedKey() : "miss";
        }
        SaveResult s = job.save();
        return s.status() + " " + s.key();
    }
}
