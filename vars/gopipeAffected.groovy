// Runs the affected-services engine (plugin step or gopipe command) with the chosen base and the
// configured target, and returns the result as plain, serializable maps and lists.

def call(Map cfg, Map base) {
    Map args = [:]
    args.putAll(base.args)
    if (cfg.goos) { args.goos = cfg.goos }
    if (cfg.goarch) { args.goarch = cfg.goarch }
    if (cfg.cgo != null) { args.cgo = cfg.cgo }
    // Comma-separated, as `go build -tags` and GoAffectedServicesStep.setTags(String) take them.
    if (cfg.tags) { args.tags = cfg.tags.join(',') }
    Map raw
    String planFile = null
    if (cfg.engine == 'cli') {
        args.gopipe = cfg.gopipe
        args.repo = cfg.repo
        if (!cfg.agent && env.WORKSPACE) {
            // Per workspace, rewritten by every job; the image steps check its head against their checkout.
            planFile = "${env.WORKSPACE}@gopipe/affected.json".toString()
            args.output = planFile
        }
        raw = goAffectedServicesCli(args)
    } else {
        // The step's own 'dir', not dir(): the step stays in the workspace, as goModCache does.
        if (cfg.repo && cfg.repo != '.') { args.dir = cfg.repo }
        raw = goAffectedServices(args)
    }
    Map affected = normalize(raw)
    if (planFile) {
        affected.planFile = planFile
    }
    if (base.all) {
        // Our reason (first build, missing commit, asked for) says more than the engine's "no base".
        affected.all = true
        affected.allReason = base.reason
    }
    return affected
}

/** Deep copy into plain maps, lists and strings, checking the contract's keys. */
@NonCPS
Map normalize(Object raw) {
    if (!(raw instanceof Map)) {
        throw new Exception("gopipe: the affected-services result is not a JSON object: ${raw}")
    }
    Map r = plain(raw)
    for (String k : ['services', 'testAffected', 'changedFiles']) {
        if (r[k] == null) {
            r[k] = []
        }
        if (!(r[k] instanceof List)) {
            throw new Exception("gopipe: the affected-services result's '${k}' is not a list")
        }
    }
    for (Object s : r.services + r.testAffected) {
        if (!(s instanceof Map) || !s.name || s.path == null) {
            throw new Exception("gopipe: a service in the affected-services result has no name or path: ${s}")
        }
        if (s.reasons == null) {
            s.reasons = []
        }
    }
    r.all = r.all == true
    return r
}

/** Maps, lists and arrays copied into map and list literals (serializable), other values as strings. */
@NonCPS
Object plain(Object v) {
    if (v instanceof Map) {
        Map m = [:]
        for (Object e : v.entrySet()) {
            m.put(e.key.toString(), plain(e.value))
        }
        return m
    }
    if (v instanceof Collection || v instanceof Object[]) {
        List l = []
        for (Object x : v) {
            l.add(plain(x))
        }
        return l
    }
    if (v == null || v instanceof Number || v instanceof Boolean) {
        return v
    }
    return v.toString()
}
