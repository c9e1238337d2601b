package io.gopipe.jenkins.image;

import hudson.AbortException;
import hudson.remoting.VirtualChannel;
import io.gopipe.core.GopipeException;
import io.gopipe.core.image.ImageBuilder;
import io.gopipe.core.image.ImageJob;
import io.gopipe.core.image.ImageJobOptions;
import io.gopipe.core.report.Reporter;
import io.gopipe.jenkins.exec.LauncherCommandRunner;
import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jenkins.MasterToSlaveFileCallable;

/**
 * Builds one service image on the agent, next to the checkout and the restored Go caches. The
 * options (registry password included) travel with this callable and are never stored.
 */
final class ImageCallable extends MasterToSlaveFileCallable<ArrayList<Map<String, Object>>> {

    private static final long serialVersionUID = 1L;

    private final ImageJobOptions options;
    private final HashMap<String, String> env;
    private final Reporter reporter;
    private final LauncherCommandRunner commands;

    ImageCallable(ImageJobOptions options, HashMap<String, String> env, Reporter reporter,
                  LauncherCommandRunner commands) {
        this.options = options;
        this.env = env;
        this.reporter = reporter;
        this.commands = commands;
    }

    @Override
    public ArrayList<Map<String, Object>> invoke(File repo, VirtualChannel channel) throws AbortException {
        try {
            List<ImageBuilder.Outcome> outcomes = new ImageJob(options, env, commands, reporter).run();
            for (ImageBuilder.Outcome o : outcomes) {
                if (!o.ok()) {
                    throw new AbortException("gopipe: " + o.error().getMessage());
                }
            }
            return new ArrayList<>(ImageJob.toMaps(outcomes));
        } catch (GopipeException e) {
            // Engine messages are already masked and name the option; a stack trace adds nothing.
            throw new AbortException("gopipe: " + e.getMessage());
        }
    }
}
