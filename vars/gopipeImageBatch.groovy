// One `gopipe image build` for all of a job's images (engine cli, one workspace), while each service
// keeps its own branch and its own 'Image' stage: a branch that passed its tests arrives here and
// waits; the last one to arrive (or, when some branch failed before its image, the first waiter to
// notice that everyone else is accounted for) builds every arrived service in one JVM with one plan
// and one builder probe (`--parallel`), and each branch then reads its own result from the shared
// JSON, so a failed image still fails its own branch. Measured in bench/pipeline ("one image build
// per job"): a JVM, a plan and a probe per service were ~0.5 s of every image step.
//
// CPS threads switch only at steps, so the check-and-claim of the leader below is atomic.

/**
 * The fan-out's shared batch state, or null when each branch builds its own image: batchImages not true,
 * engine plugin, an agent per service, fewer than two images, a maxParallel below the image count
 * (waiting branches would keep their slots from the others), or a per-service cache session around
 * each image (the remote build cache without the workspace's daemon).
 */
def create(Map cfg, List plan, String planFile) {
    if (cfg.batchImages != true || cfg.engine != 'cli' || cfg.agent || !cfg.image) {
        return null
    }
    List names = imageNames(plan)
    if (names.size() < 2 || !gopipeCaches.imagePlain(cfg)) {
        return null
    }
    if (cfg.maxParallel && cfg.maxParallel < names.size()) {
        echo("gopipe: ${names.size()} images, maxParallel ${cfg.maxParallel}: one image build per branch (batchImages needs every image branch running at once)")
        return null
    }
    return [names: names, arrived: [], gone: [], leader: null, done: false, json: null, error: null, planFile: planFile]
}

/** This branch's image: waits for, or runs, the job's one build, and returns its own entry. */
def image(Map cfg, Map batch, Map svc) {
    batch.arrived << svc.name
    while (!batch.done) {
        if (claim(batch, svc.name)) {
            build(cfg, batch)
        } else {
            // Re-checked at most every ~0.5 s: waitUntil backs off (x1.2 per check), so each wait is
            // bounded and started again rather than left to grow while a long batch runs.
            long start = System.currentTimeMillis()
            waitUntil(initialRecurrencePeriod: 250, quiet: true) {
                batch.done || claimable(batch) || System.currentTimeMillis() - start > 2000
            }
        }
    }
    if (batch.error) {
        error("gopipe image build of ${svc.name}: ${batch.error}")
    }
    return gopipeAffected.plain(goBuildKitImageCli.imageResult(batch.json, svc.name))
}

/** A branch that will not reach its image (its tests failed, it was aborted): nobody waits for it. */
def leave(Map batch, String name) {
    if (batch != null) {
        markGone(batch, name)
    }
}

def build(Map cfg, Map batch) {
    try {
        Map args = [services: strings(batch.arrived), push: cfg.push, branch: cfg.branch,
                    gopipe: cfg.gopipe, repo: cfg.repo, parallel: cfg.imageParallel ?: (cfg.maxParallel ?: 2)]
        if (cfg.defaultBranch) { args.defaultBranch = cfg.defaultBranch }
        if (cfg.registry) {
            args.registry = cfg.registry
            args.tags = cfg.imageTags
        }
        if (cfg.cacheRepo) { args.cacheRepo = cfg.cacheRepo }
        if (cfg.imageNetwork) { args.network = cfg.imageNetwork }
        if (batch.planFile) { args.plan = batch.planFile }
        batch.json = goBuildKitImageCli.batch(args)
    } catch (e) {
        batch.error = e.message ?: e.toString()
    } finally {
        batch.done = true
    }
}

@NonCPS
boolean claimable(Map batch) {
    return batch.leader == null && batch.arrived.size() + batch.gone.size() >= batch.names.size()
}

@NonCPS
boolean claim(Map batch, String name) {
    if (!claimable(batch)) {
        return false
    }
    batch.leader = name
    return true
}

@NonCPS
void markGone(Map batch, String name) {
    if (batch.names.contains(name) && !batch.arrived.contains(name) && !batch.gone.contains(name)) {
        batch.gone << name
    }
}

@NonCPS
List strings(List l) {
    List out = []
    for (Object x : l) {
        out << x.toString()
    }
    return out
}

@NonCPS
List imageNames(List plan) {
    List out = []
    for (Object s : plan) {
        if (((Map) s).image) {
            out << ((Map) s).name.toString()
        }
    }
    return out
}
