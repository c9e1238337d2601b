// Runs the body inside the configured Go caches ('mod' and/or 'build'), through the plugin's
// goModCache or, for engine 'cli', goModCacheCli. Pull requests restore but never save by default.

def call(Map cfg, Closure body) {
    return nest(cfg, cfg.caches ?: [], 0, body)
}

def nest(Map cfg, List policies, int i, Closure body) {
    if (i >= policies.size()) {
        return body()
    }
    Map args = [policy: policies[i], readOnly: cfg.readOnlyCache ? true : false]
    if (cfg.engine == 'cli') {
        args.gopipe = cfg.gopipe
        args.repo = cfg.repo
        if (cfg.cacheBackend) {
            args.backend = cfg.cacheBackend
        }
        return goModCacheCli(args) { nest(cfg, policies, i + 1, body) }
    }
    // 'dir' is the repository the key hashes go.sum files in, as goModCacheCli's repo.
    if (cfg.repo && cfg.repo != '.') { args.dir = cfg.repo }
    return goModCache(args) { nest(cfg, policies, i + 1, body) }
}
