// Runs the affected-services engine (plugin step or gopipe command) with the chosen base and the
// configured target, and returns the result as plain, serializable maps and lists.

def call(Map cfg, Map base) {
    Map args = [:]
    args.putAll(base.args)
    if (cfg.goos) { args.goos = cfg.goos }
    if (cfg.goarch) { args.goarch = cfg.goarch }
    if (cfg.cgo != null) { args.cgo = cfg.cgo }
    if (cfg.tags) { args.tags = cfg.tags }
    Map raw
    if (cfg.engine == 'cli') {
        args.gopipe = cfg.gopipe
        args.repo = cfg.repo
        raw = goAffectedServicesCli(args)
    } else if (cfg.repo && cfg.repo != '.') {
        raw = dir(cfg.repo) { goAffectedServices(args) }
    } else {
        raw = goAffectedServices(args)
    }
    Map affected = normalize(raw)
    if (base.all) {
        // Our reason (first build, missing commit, asked for) says more than the engine's "no base".
        affected.all = true
        affected.allReason = base.reason
    }
    return affected
}

/** Deep copy into LinkedHashMap/ArrayList/String, checking the contract's keys. */
@NonCPS
Map normalize(Object raw) {
    if (!(raw instanceof Map)) {
        throw new IllegalArgumentException("gopipe: the affected-services result is not a JSON object: ${raw}")
    }
    Map r = plain(raw)
    for (String k : ['services', 'testAffected', 'changedFiles']) {
        if (r[k] == null) {
            r[k] = []
        }
        if (!(r[k] instanceof List)) {
            throw new IllegalArgumentException("gopipe: the affected-services result's '${k}' is not a list")
        }
    }
    for (Object s : r.services + r.testAffected) {
        if (!(s instanceof Map) || !s.name || s.path == null) {
            throw new IllegalArgumentException("gopipe: a service in the affected-services result has no name or path: ${s}")
        }
        if (s.reasons == null) {
            s.reasons = []
        }
    }
    r.all = r.all == true
    return r
}

@NonCPS
Object plain(Object v) {
    if (v instanceof Map) {
        Map m = new LinkedHashMap()
        for (Object e : v.entrySet()) {
            m.put(e.key.toString(), plain(e.value))
        }
        return m
    }
    if (v instanceof Collection || (v != null && v.getClass().isArray())) {
        List l = new ArrayList()
        for (Object x : v) {
            l.add(plain(x))
        }
        return l
    }
    if (v == null || v instanceof Number || v instanceof Boolean) {
        return v
    }
    String s = v.toString()
    return s == 'null' && v.getClass().name.startsWith('net.sf.json') ? null : s
}
