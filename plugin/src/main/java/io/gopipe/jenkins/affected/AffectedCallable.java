package io.gopipe.jenkins.affected;

import io.gopipe.core.affected.AffectedEngine;
import io.gopipe.core.affected.AffectedRequest;
import io.gopipe.core.affected.BuildTarget;
import io.gopipe.core.affected.CiBaseSelector;
import io.gopipe.core.affected.ParseCache;
import io.gopipe.jenkins.remote.AgentFileCallable;
import io.gopipe.jenkins.report.ListenerReporter;
import java.io.File;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Set;

/** Runs the affected-services engine on the agent, next to the checkout; returns the JSON contract. */
final class AffectedCallable extends AgentFileCallable<String> {

    private static final long serialVersionUID = 1L;

    /**
     * One parse cache per agent JVM: agents run many builds of the same repository, and unchanged
     * files (by git blob id) need not be parsed again. Entries are immutable facts about blobs.
     * Bounded ({@link ParseCache#DEFAULT_MAX_BYTES}, least recently used first): the agent, or the
     * controller for the built-in node, lives for months.
     */
    private static final ParseCache AGENT_PARSE_CACHE = new ParseCache();

    /** The step's options in serializable form; the engine's own records stay on the agent. */
    record Options(String base, String targetBranch, String sinceCommit, ArrayList<String> changedFiles,
                   String head, String goos, String goarch, boolean cgo, String tags, String modCache,
                   HashMap<String, String> env) implements Serializable {
    }

    private final Options options;
    private final ListenerReporter reporter;

    AffectedCallable(Options options, ListenerReporter reporter) {
        this.options = options;
        this.reporter = reporter;
    }

    @Override
    protected String run(File repo) {
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
