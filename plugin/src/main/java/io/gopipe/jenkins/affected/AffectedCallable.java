package io.gopipe.jenkins.affected;

import hudson.remoting.VirtualChannel;
import io.gopipe.core.affected.AffectedEngine;
import io.gopipe.core.affected.AffectedRequest;
import io.gopipe.core.affected.BuildTarget;
import io.gopipe.core.affected.CiBaseSelector;
import io.gopipe.core.affected.ParseCache;
import io.gopipe.core.report.Reporter;
import java.io.File;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Set;
import jenkins.MasterToSlaveFileCallable;

/** Runs the affected-services engine on the agent, next to the checkout; returns the JSON contract. */
final class AffectedCallable extends MasterToSlaveFileCallable<String> {

    private static final long serialVersionUID = 1L;

    /**
     * One parse cache per agent JVM: agents run many builds of the same repository, and unchanged
     * files (by git blob id) need not be parsed again. Entries are immutable facts about blobs.
     */
    private static final ParseCache AGENT_PARSE_CACHE = new ParseCache();

    /** The step's options in serializable form; the engine's own records stay on the agent. */
    record Options(String base, String targetBranch, String sinceCommit, ArrayList<String> changedFiles,
                   String head, String goos, String goarch, boolean cgo, String tags, String modCache,
                   HashMap<String, String> env) implements Serializable {
    }

    private final Options options;
    private final Reporter reporter;

    AffectedCallable(Options options, Reporter reporter) {
        this.options = options;
        this.reporter = reporter;
    }

    @Override
    public String invoke(File repo, VirtualChannel channel) {
        CiBaseSelector.BaseChoice choice = CiBaseSelector.choose(options.base(), options.targetBranch(),
                options.sinceCommit(), options.changedFiles(), options.env());
        reporter.info("comparing with " + choice.explanation());
        Set<String> tags = options.tags() == null ? Set.of()
                : new LinkedHashSet<>(Arrays.asList(options.tags().split("\\s*,\\s*")));
        BuildTarget target = new BuildTarget(options.goos(), options.goarch(), options.cgo(), tags);
        Path modCache = options.modCache() == null ? null : Path.of(options.modCache());
        AffectedRequest request = new AffectedRequest(repo.toPath(), choice.spec(), options.head(), target, modCache);
        return new AffectedEngine(AGENT_PARSE_CACHE, reporter).compute(request).toJson();
    }
}
