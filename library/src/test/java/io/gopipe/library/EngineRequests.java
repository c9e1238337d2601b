package io.gopipe.library;

import io.gopipe.core.affected.AffectedEngine;
import io.gopipe.core.affected.AffectedRequest;
import io.gopipe.core.affected.BaseSpec;
import io.gopipe.core.affected.BuildTarget;
import io.gopipe.core.affected.ParseCache;
import io.gopipe.core.report.Reporter;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Maps goAffectedServices' parameters onto the engine, as the plugin's step does: one of base,
 * targetBranch, sinceCommit; goos/goarch/cgo/tags for the target. Returns the JSON contract.
 */
final class EngineRequests {
    private EngineRequests() {
    }

    static String affectedJson(Path repo, Map<String, Object> args) {
        BaseSpec base;
        if (args.get("base") != null) {
            base = BaseSpec.revision(args.get("base").toString());
        } else if (args.get("targetBranch") != null) {
            base = BaseSpec.mergeBaseWith(args.get("targetBranch").toString());
        } else if (args.get("sinceCommit") != null) {
            base = BaseSpec.sinceCommit(args.get("sinceCommit").toString());
        } else {
            throw new IllegalArgumentException("goAffectedServices: give one of base, targetBranch, sinceCommit");
        }
        Set<String> tags = new LinkedHashSet<>();
        Object t = args.get("tags");
        if (t instanceof Collection<?> c) {
            c.forEach(x -> tags.add(x.toString()));
        } else if (t != null && !t.toString().isBlank()) {
            tags.addAll(java.util.List.of(t.toString().split(",")));
        }
        BuildTarget target = new BuildTarget(str(args.get("goos"), "linux"), str(args.get("goarch"), "amd64"),
                Boolean.TRUE.equals(args.get("cgo")) || "true".equals(String.valueOf(args.get("cgo"))), tags);
        AffectedEngine engine = new AffectedEngine(new ParseCache(), Reporter.silent());
        return engine.compute(new AffectedRequest(repo, base, "HEAD", target, null)).toJson();
    }

    private static String str(Object o, String dflt) {
        return o == null ? dflt : o.toString();
    }
}
