// Runs the body inside the configured Go caches ('mod' and/or 'build'), through the plugin's
// goModCache or, for engine 'cli', goModCacheCli. Pull requests restore but never save by default.
// With buildCacheFlavour 'remote' the 'build' cache is not restored here: each service's go
// commands ask `gopipe gocache` per action instead (remoteBuild), keyed per service and branch,
// through goModCache(flavour: 'remote') or, for engine 'cli', goModCacheCli. For engine 'cli' one
// `gopipe gocache serve` per workspace serves them all (gopipeGocacheDaemon; buildCacheDaemon: false
// for a JVM per go command instead): go through the bridge, image builds through GOPIPE_GOCACHE_DAEMON.

def call(Map cfg, Closure body) {
    if (!daemon(cfg)) {
        return nest(cfg, archived(cfg), 0, body)
    }
    // A daemon goMonorepoPipeline launched while the affected services were computed: wait for it here.
    Map d = cfg.launchedDaemon != null ? gopipeGocacheDaemon.ready(cfg, cfg.launchedDaemon) : gopipeGocacheDaemon.start(cfg)
    try {
        // go older than 1.24: the build cache travels as the archive, restored once around the fan-out.
        List policies = d.mode == 'archive' ? cfg.caches : archived(cfg)
        return withEnv(gopipeGocacheDaemon.env(d)) { nest(cfg, policies, 0, body) }
    } finally {
        gopipeGocacheDaemon.stop(d)
    }
}

/** Whether this workspace runs its own gocache daemon: engine cli, remote build cache, not switched off. */
@NonCPS
boolean daemon(Map cfg) {
    return remote(cfg) && cfg.engine == 'cli' && cfg.buildCacheDaemon != false
}

/**
 * A service's remote build cache key: the service on its branch; a pull request's is its target branch's.
 * On any other branch than the default one (defaultBranch, else 'main') the key names the default
 * branch's key as its fallback, `svc/BRANCH|svc/DEFAULT` (the engine's read order): a new branch's first
 * build prefetches what the default branch's last build used instead of nothing, and its own set is
 * recorded under svc/BRANCH, as the image build's IMAGE@BRANCH|IMAGE@DEFAULT.
 */
@NonCPS
String prefetchKey(Map cfg, String service, String changeTarget) {
    String branch = cfg.pullRequest && changeTarget ? changeTarget : cfg.branch.toString()
    String fallback = (cfg.defaultBranch ?: 'main').toString()
    String key = "${service}/${branch}".toString()
    return branch == fallback ? key : "${key}|${service}/${fallback}".toString()
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
    String key = prefetchKey(cfg, service, env.CHANGE_TARGET ? env.CHANGE_TARGET.toString() : null)
    if (cfg.engine == 'cli') {
        if (env.GOPIPE_GOCACHE_FALLBACK == 'archive') {
            return body() // GOCACHE was restored from the archive around the whole fan-out
        }
        if (env.GOPIPE_GOCACHE_BRIDGE && env.GOPIPE_GOCACHE_DAEMON) {
            // The workspace's daemon: go starts the bridge (milliseconds), not a JVM, per go command.
            String prog = gopipeGocacheDaemon.progLine(env.GOPIPE_GOCACHE_BRIDGE.toString(), env.GOPIPE_GOCACHE_DAEMON.toString(),
                    key, cfg.readOnlyCache ? true : false)
            return withEnv(["GOCACHE=${env.WORKSPACE}@gopipe/build".toString(), "GOCACHEPROG=${prog}".toString()]) { body() }
        }
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

/**
 * Runs one service's image build: with the workspace's daemon (engine cli) `gopipe image build` finds it
 * in GOPIPE_GOCACHE_DAEMON and keys it <image>@<branch> itself (the go build inside BuildKit tunnels to
 * it; agent mode builds its own bridge); otherwise as remoteBuild.
 */
def remoteImage(Map cfg, String service, Closure body) {
    if (remote(cfg) && cfg.engine == 'cli' && env.GOPIPE_GOCACHE_DAEMON && env.GOPIPE_GOCACHE_FALLBACK != 'archive') {
        return body()
    }
    return remoteBuild(cfg, service, body)
}

/**
 * Whether remoteImage runs its body as it is, with no per-service cache session around it (no remote
 * build cache, or engine cli with the workspace's daemon or the archive fallback): then one command
 * may build several services' images (gopipeImageBatch).
 */
boolean imagePlain(Map cfg) {
    if (!remote(cfg)) {
        return true
    }
    return cfg.engine == 'cli' && (env.GOPIPE_GOCACHE_FALLBACK == 'archive' || (env.GOPIPE_GOCACHE_DAEMON ? true : false))
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
