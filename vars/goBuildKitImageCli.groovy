// goBuildKitImage without the plugin: `gopipe image build --json FILE` on the agent (its build
// output goes to the log), then the result is read back. Returns the same fields as the plugin step:
// [digest, tags, cachedSteps, executedSteps, hitRatio, seconds] (digest null when the build exported
// no image, e.g. no registry and a builder without an image store), plus name. Parameters: those of
// goBuildKitImage (service, dockerfile, context, tags as full references REGISTRY/SERVICE:TAG, push,
// cacheRepo, branch, defaultBranch, network) plus gopipe, repo and plan (the job's `gopipe affected` JSON: the
// command takes the service from it instead of discovering every service again).

def call(Map args = [:]) {
    // The workspace's temp directory, as Jenkins names it; the agent may not have made it yet.
    String tmp = "${env.WORKSPACE}@tmp".toString()
    String resultFile = "${tmp}/gopipe-image-${args.service}.json".toString()
    List argv = argv(args, resultFile)
    sh(script: 'mkdir -p ' + goAffectedServicesCli.shq(tmp) + ' && ' + argv.collect { goAffectedServicesCli.shq(it) }.join(' '),
            label: "gopipe image build: ${args.service}")
    // readFile, not a second sh: the agent JVM reads the shared workspace volume (also from a pod's other
    // container) in milliseconds, where each sh is a durable task of its own on a real Jenkins.
    String out = readFile(file: resultFile, encoding: 'UTF-8')
    return imageResult(goAffectedServicesCli.parse(out, "gopipe image build ${args.service}"), args.service.toString())
}

/**
 * Several services in one command (gopipeImageBatch): `gopipe image build --service A --service B ...
 * --parallel N --json FILE`, the JSON read back whole; each caller takes its own entry with
 * imageResult. A failed service is its entry's error (the command then exits 1), so the step itself
 * fails only when the command wrote no result at all. Parameters: services, parallel, registry, tags
 * (plain tags), push, cacheRepo, branch, defaultBranch, network, gopipe, repo, plan.
 */
def batch(Map args) {
    String tmp = "${env.WORKSPACE}@tmp".toString()
    String resultFile = "${tmp}/gopipe-images.json".toString()
    List argv = batchArgv(args, resultFile)
    int rc = sh(script: 'mkdir -p ' + goAffectedServicesCli.shq(tmp) + ' && rm -f ' + goAffectedServicesCli.shq(resultFile) + ' && '
            + argv.collect { goAffectedServicesCli.shq(it) }.join(' '), returnStatus: true,
            label: "gopipe image build: ${args.services.size()} services")
    String out = fileExists(resultFile) ? readFile(file: resultFile, encoding: 'UTF-8') : null
    if (!out?.trim()) {
        throw new Exception("gopipe image build exited ${rc} without writing its results (see its output above)")
    }
    return goAffectedServicesCli.parse(out, 'gopipe image build')
}

@NonCPS
List batchArgv(Map a, String resultFile) {
    checkKnown(a, ['services', 'parallel', 'registry', 'tags'], 'goBuildKitImageCli.batch')
    if (!a.services) {
        throw new Exception("goBuildKitImageCli.batch: parameter 'services' is required")
    }
    List cmd = goAffectedServicesCli.gopipeWords(a.gopipe) + ['image', 'build', '--repo', (a.repo ?: '.').toString()]
    for (Object s : a.services) {
        cmd += ['--service', s.toString()]
    }
    cmd += ['--json', resultFile, '--parallel', (a.parallel ?: 1).toString()]
    if (a.registry) {
        cmd += ['--registry', a.registry.toString()]
        for (Object t : (a.tags instanceof Collection ? a.tags : (a.tags ? [a.tags] : []))) {
            cmd += ['--tag', t.toString()]
        }
    }
    return (cmd + sharedFlags(a)).collect { it.toString() }
}

/**
 * The one service's entry of the command's JSON ({"services":[...]}). A build that exported no image
 * has a null digest and still succeeded, as with the plugin step; only an error fails it.
 */
@NonCPS
Map imageResult(Map json, String service) {
    Map r = (json.services ?: []).find { it instanceof Map && it.name == service }
    if (r == null) {
        throw new Exception("gopipe image build ${service}: no result for the service in ${json}")
    }
    if (r.error) {
        throw new Exception("gopipe image build ${service}: ${r.error}")
    }
    return r
}

/** "registry.example.com/shop/orders:1a2b" for service orders → [registry.example.com/shop, 1a2b]. */
@NonCPS
List splitRef(String ref, String service) {
    int colon = ref.lastIndexOf(':')
    if (colon < 0 || colon < ref.lastIndexOf('/')) {
        throw new Exception("goBuildKitImageCli: tag '${ref}' is not REGISTRY/${service}:TAG")
    }
    String repo = ref.substring(0, colon)
    if (!repo.endsWith('/' + service)) {
        throw new Exception("goBuildKitImageCli: tag '${ref}' is not in a repository named after the service (REGISTRY/${service}:TAG)")
    }
    return [repo.substring(0, repo.length() - service.length() - 1), ref.substring(colon + 1)]
}

@NonCPS
List argv(Map a, String resultFile) {
    checkKnown(a, ['service', 'dockerfile', 'context', 'tags'], 'goBuildKitImageCli')
    if (!a.service) {
        throw new Exception("goBuildKitImageCli: parameter 'service' is required")
    }
    List cmd = goAffectedServicesCli.gopipeWords(a.gopipe) + ['image', 'build', '--repo', (a.repo ?: '.').toString(),
                                                             '--service', a.service.toString(), '--json', resultFile]
    if (a.dockerfile) { cmd += ['--dockerfile', a.dockerfile.toString()] }
    if (a.context) { cmd += ['--context', a.context.toString()] }
    String registry = null
    for (Object t : (a.tags instanceof Collection ? a.tags : (a.tags ? [a.tags] : []))) {
        List rt = splitRef(t.toString(), a.service.toString())
        if (registry != null && registry != rt[0]) {
            throw new Exception("goBuildKitImageCli: tags name two registries: ${registry} and ${rt[0]}")
        }
        registry = rt[0]
        cmd += ['--tag', rt[1]]
    }
    if (registry) { cmd += ['--registry', registry] }
    return (cmd + sharedFlags(a)).collect { it.toString() }
}

/** The parameters both command lines take besides their own, in the order the flags follow them. */
@NonCPS
List sharedKeys() {
    return ['push', 'cacheRepo', 'network', 'branch', 'defaultBranch', 'gopipe', 'repo', 'plan']
}

@NonCPS
void checkKnown(Map a, List own, String what) {
    List known = own + sharedKeys()
    for (Object k : a.keySet()) {
        if (!known.contains(k.toString())) {
            throw new Exception("${what}: unknown parameter '${k}' (known: ${known.join(', ')})")
        }
    }
}

/** The flags after the services, registry and tags, the same for one service and for several. */
@NonCPS
List sharedFlags(Map a) {
    List f = []
    if (a.push) { f += ['--push'] }
    if (a.cacheRepo) { f += ['--cache-repo', a.cacheRepo.toString()] }
    if (a.network) { f += ['--network', a.network.toString()] }
    if (a.branch) { f += ['--branch', a.branch.toString()] }
    if (a.defaultBranch) { f += ['--default-branch', a.defaultBranch.toString()] }
    if (a.plan) { f += ['--plan', a.plan.toString()] }
    return f
}
