// The whole flow for a Go monorepo: choose the base, find the affected services and say why,
// then build them as parallel branches (tests, image) inside the Go caches, and summarize.
// Call it inside a node with the repository checked out (see docs/jenkins.md).

def call(Map config = [:]) {
    Map cfg = gopipeConfig(config)
    if (cfg.abortSuperseded) {
        int n = Integer.parseInt((env.BUILD_NUMBER ?: '1').toString())
        if (n > 1) {
            milestone(ordinal: n - 1, label: 'gopipe: superseded')
        }
        milestone(ordinal: n, label: 'gopipe: superseded')
    }
    Map base = null
    Map affected = null
    Map results = [:]
    Map daemon = null
    Map warm = null
    Map owner = [caches: false]
    stage('Affected') {
        base = gopipeBase(cfg)
        // The remote build cache's daemon (and its bridge) start in the background now, so their JVM
        // start-up overlaps the affected-services engine's; stopped again when nothing is affected.
        if (!cfg.agent && cfg.overlapDaemon && gopipeCaches.daemon(cfg)) {
            daemon = gopipeGocacheDaemon.launch(cfg, false)
        }
        try {
            affected = gopipeAffected(cfg, base)
            gopipeWhy(affected, base)
        } catch (e) {
            gopipeGocacheDaemon.stop(daemon)
            throw e
        }
    }
    try {
        stage('Build') {
            List plan = gopipeFanOut.plan(affected, cfg)
            if (cfg.agent || plan.isEmpty()) {
                gopipeGocacheDaemon.stop(daemon)
                // Nothing to build (docs-only change): no cache to restore, and nothing new to save.
                gopipeFanOut(cfg, affected, results)
            } else {
                // The builder unpacks the images' base images while the caches start and the tests run.
                warm = gopipeWarmup.start(cfg, plan)
                // One workspace: restore the caches once, not once per branch. The daemon launched above is
                // waited for here, and stopped by gopipeCaches from then on.
                gopipeCaches(cfg + [prefetchService: plan[0].name, launchedDaemon: daemon]) {
                    owner.caches = true
                    gopipeFanOut(cfg, affected, results)
                }
            }
        }
    } finally {
        if (!owner.caches) {
            gopipeGocacheDaemon.stop(daemon)
        }
        gopipeWarmup.finish(warm)
        gopipeSummary(cfg, base, affected, results)
    }
    return [base: base, affected: affected, results: results]
}
