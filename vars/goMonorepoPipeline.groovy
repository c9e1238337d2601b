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
    stage('Affected') {
        base = gopipeBase(cfg)
        affected = gopipeAffected(cfg, base)
        gopipeWhy(affected, base)
    }
    try {
        stage('Build') {
            List plan = gopipeFanOut.plan(affected, cfg)
            if (cfg.agent || plan.isEmpty()) {
                // Nothing to build (docs-only change): no cache to restore, and nothing new to save.
                gopipeFanOut(cfg, affected, results)
            } else {
                // One workspace: restore the caches once, not once per branch. A remote build cache's
                // daemon starts prefetching the first service's set at once.
                gopipeCaches(cfg + [prefetchService: plan[0].name]) { gopipeFanOut(cfg, affected, results) }
            }
        }
    } finally {
        gopipeSummary(cfg, base, affected, results)
    }
    return [base: base, affected: affected, results: results]
}
