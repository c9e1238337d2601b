// One parallel branch per service, named by the service (stable across builds, so Blue Ocean and
// Pipeline Graph View line builds up), each with a 'Test' and an 'Image' stage. Fills `results`
// (service name -> [status, image, tested, ...]) as branches finish, also when some fail.

def call(Map cfg, Map affected, Map results) {
    List plan = plan(affected, cfg)
    if (plan.isEmpty()) {
        echo('gopipe: nothing to build or test')
        return results
    }
    Map slots = [running: 0, limit: cfg.maxParallel ?: 0, waited: 0]
    // The services resolved by this job's `gopipe affected`: each image step takes its own from there.
    Map job = [planFile: affected.planFile ? affected.planFile.toString() : null]
    job.batch = gopipeImageBatch.create(cfg, plan, job.planFile)
    Map branches = [:]
    for (int i = 0; i < plan.size(); i++) {
        Map svc = plan[i]
        results[svc.name] = [name: svc.name, path: svc.path, status: 'PENDING', tested: false, image: null]
        branches[svc.name] = { runService(cfg, svc, slots, results[svc.name], job) }
    }
    if (cfg.maxParallel && plan.size() > cfg.maxParallel) {
        echo("gopipe: ${plan.size()} services, at most ${cfg.maxParallel} at once")
    }
    branches.failFast = cfg.failFast ? true : false
    parallel(branches)
    return results
}

def runService(Map cfg, Map svc, Map slots, Map record, Map job) {
    acquire(slots, svc.name)
    try {
        if (cfg.agent) {
            node(cfg.agent) {
                checkout(scm)
                gopipeCaches(cfg) { steps(cfg, svc, record, job) }
            }
        } else {
            steps(cfg, svc, record, job)
        }
        record.status = 'SUCCESS'
    } catch (e) {
        record.status = e instanceof InterruptedException || e.getClass().simpleName.contains('Interrupt') ? 'ABORTED' : 'FAILURE'
        record.error = e.message ?: e.toString()
        throw e
    } finally {
        gopipeImageBatch.leave(job.batch, svc.name)
        release(slots)
    }
}

def steps(Map cfg, Map svc, Map record, Map job) {
    String where = cfg.repo && cfg.repo != '.' ? "${cfg.repo}/${svc.path}" : svc.path
    if (svc.test && cfg.test) {
        stage('Test') {
            gopipeCaches.remoteBuild(cfg, svc.name) {
                dir(where) {
                    sh(script: cfg.testCommand, label: "go test: ${svc.name}")
                }
            }
            record.tested = true
        }
    }
    if (svc.image && cfg.image) {
        stage('Image') {
            // Agent-mode builds run go on the agent, which then asks the remote build cache too; with the
            // workspace's gocache daemon every mode does (Dockerfile builds through a tunnel into BuildKit).
            if (job.batch != null) {
                record.image = gopipeImageBatch.image(cfg, job.batch, svc)
            } else {
                record.image = gopipeCaches.remoteImage(cfg, svc.name) { image(cfg, svc, job.planFile) }
            }
        }
    }
}

def image(Map cfg, Map svc, String planFile) {
    Map args = [service: svc.name, push: cfg.push, branch: cfg.branch]
    // Only when given: the plugin's step otherwise takes the admin's default branch (global configuration).
    if (cfg.defaultBranch) { args.defaultBranch = cfg.defaultBranch }
    if (svc.dockerfile) { args.dockerfile = svc.dockerfile }
    if (svc.context) { args.context = svc.context }
    if (cfg.registry) { args.tags = imageRefs(cfg, svc.name) }
    if (cfg.cacheRepo) { args.cacheRepo = cfg.cacheRepo }
    if (cfg.imageNetwork) { args.network = cfg.imageNetwork }
    if (cfg.engine == 'cli') {
        args.gopipe = cfg.gopipe
        args.repo = cfg.repo
        if (planFile) { args.plan = planFile }
        return gopipeAffected.plain(goBuildKitImageCli(args))
    }
    // The step's own 'dir', not dir(): it finds the Go caches goModCache restored next to the
    // workspace (<workspace>@gopipe) and keeps its temp files in <workspace>@tmp.
    if (cfg.repo && cfg.repo != '.') { args.dir = cfg.repo }
    return gopipeAffected.plain(goBuildKitImage(args))
}

/** Waits for a free slot; CPS threads switch only at steps, so check-and-take is atomic. */
def acquire(Map slots, String name) {
    if (!slots.limit) {
        return
    }
    if (slots.running >= slots.limit) {
        echo("gopipe: ${name} waits for one of ${slots.limit} slots")
    }
    waitUntil(initialRecurrencePeriod: 1000, quiet: true) {
        if (slots.running < slots.limit) {
            slots.running = slots.running + 1
            return true
        }
        slots.waited = slots.waited + 1
        return false
    }
}

def release(Map slots) {
    if (slots.limit) {
        slots.running = slots.running - 1
    }
}

/** Services to build (image and tests) and services whose tests alone are affected, by name. */
@NonCPS
List plan(Map affected, Map cfg) {
    Map byName = new TreeMap()
    for (Map s : affected.services ?: []) {
        byName[s.name.toString()] = [name: s.name.toString(), path: s.path.toString(), dockerfile: s.dockerfile,
                                     context: s.context, image: true, test: true]
    }
    for (Map s : affected.testAffected ?: []) {
        String n = s.name.toString()
        if (!byName.containsKey(n)) {
            byName[n] = [name: n, path: s.path.toString(), image: false, test: true]
        }
    }
    if (byName.containsKey('failFast')) {
        throw new Exception("gopipe: a service named 'failFast' clashes with parallel's failFast option; rename it in gopipe.yaml")
    }
    List out = []
    for (Object v : byName.values()) {
        Map m = (Map) v
        if ((m.image && cfg.image) || (m.test && cfg.test)) {
            out << m
        }
    }
    return out
}

@NonCPS
List imageRefs(Map cfg, String service) {
    return cfg.imageTags.collect { "${cfg.registry}/${service}:${it}".toString() }
}
