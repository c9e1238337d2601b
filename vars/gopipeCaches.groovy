// Runs the body inside the configured Go caches ('mod' and/or 'build'), through the plugin's
// goModCache or, for engine 'cli', goModCacheCli. Pull requests restore but never save by default.
// With buildCacheFlavour 'remote' the 'build' cache is not restored here: each service's go
// commands ask `gopipe gocache` per action instead (remoteBuild), keyed per service and branch,
// through goModCache(flavour: 'remote') or, for engine 'cli', goModCacheCli.

def call(Map cfg, Closure body) {
    return nest(cfg, archived(cfg), 0, body)
}

/** The policies restored and saved around the whole fan-out (or each agent's node). */
@NonCPS
List archived(Map cfg) {
    List all = cfg.caches ?: []
    return remote(cfg) ? all.findAll { it.toString() != 'build' } : all
}

@NonCPS
boolean remote(Map cfg) {
    return (cfg.caches ?: []).contains('build') && cfg.buildCacheFlavour == 'remote'
}

/**
 * Runs one service's go commands (its Test stage, its agent-mode image build) with GOCACHEPROG set
 * to `gopipe gocache` when the remote build cache is on; otherwise just the body. The prefetch key
 * is the service on its branch; a pull request reads its target branch's key and writes nothing.
 */
def remoteBuild(Map cfg, String service, Closure body) {
    if (!remote(cfg)) {
        return body()
    }
    String branch = cfg.pullRequest && env.CHANGE_TARGET ? env.CHANGE_TARGET.toString() : cfg.branch.toString()
    String key = "${service}/${branch}".toString()
    if (cfg.engine == 'cli') {
        Map cli = [policy: 'build', flavour: 'remote', readOnly: cfg.readOnlyCache ? true : false,
                   key: key, gopipe: cfg.gopipe, repo: cfg.repo]
        if (cfg.cacheBackend) {
            cli.backend = cfg.cacheBackend
        }
        return goModCacheCli(cli) { body() }
    }
    // The plugin sets GOCACHEPROG for the body; its store is the admin's (the controller's, a shared
    // directory or S3), and on the controller store the controller decides what a pull request may write.
    Map args = [policy: 'build', flavour: 'remote', readOnly: cfg.readOnlyCache ? true : false, key: key, gopipe: cfg.gopipe]
    if (cfg.repo && cfg.repo != '.') { args.dir = cfg.repo }
    return goModCache(args) { body() }
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
