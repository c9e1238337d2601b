package io.gopipe.bench.affected;

import io.gopipe.core.affected.AffectedEngine;
import io.gopipe.core.affected.AffectedRequest;
import io.gopipe.core.affected.AffectedResult;
import io.gopipe.core.affected.AffectedService;
import io.gopipe.core.affected.BaseSpec;
import io.gopipe.core.affected.BuildTarget;
import io.gopipe.core.affected.ParseCache;
import io.gopipe.core.report.Reporter;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The engine called in this JVM, as the Jenkins step does on an agent. */
final class InProcessEngine implements EngineSide {

    private final Path repo;
    private final ParseCache shared = new ParseCache();

    InProcessEngine(Path repo) {
        this.repo = repo;
    }

    @Override
    public Outcome computeEmptyCache(String base, String head) {
        return timed(new ParseCache(), base, head);
    }

    @Override
    public Outcome computeSharedCache(String base, String head) {
        return timed(shared, base, head);
    }

    @Override
    public Outcome computeWarmCache(String warmBase, String warmHead, String base, String head) {
        ParseCache cache = new ParseCache();
        timed(cache, warmBase, warmHead);
        return timed(cache, base, head);
    }

    private Outcome timed(ParseCache cache, String base, String head) {
        AffectedEngine engine = new AffectedEngine(cache, Reporter.silent());
        long cpu0 = CpuTime.process();
        long t0 = System.nanoTime();
        AffectedResult r = engine.compute(new AffectedRequest(repo, BaseSpec.revision(base), head,
            BuildTarget.linuxAmd64(), null));
        long nanos = System.nanoTime() - t0;
        return new Outcome(paths(r.services()), paths(r.testAffected()), r.all(), nanos, CpuTime.process() - cpu0);
    }

    private static Set<String> paths(List<AffectedService> services) {
        Set<String> out = new TreeSet<>();
        for (AffectedService s : services) {
            out.add(s.path());
        }
        return out;
    }
}
