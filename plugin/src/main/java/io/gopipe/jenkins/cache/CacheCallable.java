package io.gopipe.jenkins.cache;

import hudson.AbortException;
import hudson.remoting.VirtualChannel;
import io.gopipe.core.GopipeException;
import io.gopipe.core.cache.CacheJob;
import io.gopipe.core.cache.CacheJobOptions;
import io.gopipe.core.cache.ProcessGoEnv;
import io.gopipe.core.cache.RestoreResult;
import io.gopipe.core.cache.SaveResult;
import io.gopipe.jenkins.report.ListenerReporter;
import java.io.File;
import java.util.HashMap;
import jenkins.agents.ControllerToAgentFileCallable;

/**
 * Runs one {@link CacheJob} restore or save on the agent, where the cache folder and the checkout
 * are. The options (the store's secrets included) travel with this callable and are never kept.
 */
final class CacheCallable implements ControllerToAgentFileCallable<String> {

    private static final long serialVersionUID = 1L;

    enum Action { RESTORE, SAVE }

    private final Action action;
    private final CacheJobOptions options;
    private final HashMap<String, String> env;
    private final ListenerReporter reporter;

    CacheCallable(Action action, CacheJobOptions options, HashMap<String, String> env, ListenerReporter reporter) {
        this.action = action;
        this.options = options;
        this.env = env;
        this.reporter = reporter;
    }

    @Override
    public String invoke(File workspace, VirtualChannel channel) throws AbortException {
        // go env runs in this agent JVM's process table; the pod-aware command runner replaces ProcessGoEnv here.
        CacheJob job = new CacheJob(options, env, reporter, new ProcessGoEnv());
        try {
            if (action == Action.RESTORE) {
                RestoreResult r = job.restore();
                return r.hit() ? "hit " + r.matchedKey() : "miss";
            }
            SaveResult s = job.save();
            return s.status() + " " + s.key();
        } catch (GopipeException e) {
            // Only with failOnError. The message names the cause; its cause may be a class from a bundled
            // jar that the controller's JEP-200 filter rejects, so only the text crosses the channel.
            throw new AbortException("gopipe: " + e.getMessage());
        }
    }
}
