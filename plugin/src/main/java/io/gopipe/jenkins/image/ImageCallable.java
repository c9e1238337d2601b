package io.gopipe.jenkins.image;

import hudson.AbortException;
import io.gopipe.core.PortableErrors;
import io.gopipe.core.image.ImageBuilder;
import io.gopipe.core.image.ImageJob;
import io.gopipe.core.image.ImageJobOptions;
import io.gopipe.jenkins.exec.LauncherCommandRunner;
import io.gopipe.jenkins.remote.AgentFileCallable;
import io.gopipe.jenkins.report.ListenerReporter;
import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds one service image on the agent, next to the checkout and the restored Go caches. The
 * options (registry password included) travel with this callable and are never stored.
 */
final class ImageCallable extends AgentFileCallable<ArrayList<Map<String, Object>>> {

    private static final long serialVersionUID = 1L;

    private final ImageJobOptions options;
    private final HashMap<String, String> env;
    private final ListenerReporter reporter;
    private final LauncherCommandRunner commands;

    ImageCallable(ImageJobOptions options, HashMap<String, String> env, ListenerReporter reporter,
                  LauncherCommandRunner commands) {
        this.options = options;
        this.env = env;
        this.reporter = reporter;
        this.commands = commands;
    }

    @Override
    protected ArrayList<Map<String, Object>> run(File repo) throws AbortException {
        // Engine errors (GopipeException) become an AbortException with the message chain in the base class.
        List<ImageBuilder.Outcome> outcomes = new ImageJob(options, env, commands, reporter).run();
        for (ImageBuilder.Outcome o : outcomes) {
            if (!o.ok()) {
                throw new AbortException("gopipe: " + PortableErrors.messageChain(o.error()));
            }
        }
        return new ArrayList<>(ImageJob.toMaps(outcomes));
    }
}
