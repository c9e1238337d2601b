// goBuildKitImage without the plugin: `gopipe image build --format json` on the agent. Returns the
// same Map: [digest, tags, cachedSteps, executedSteps, hitRatio, seconds]. Parameters: those of
// goBuildKitImage (service, dockerfile, context, tags, push, cacheRepo, branch) plus gopipe, repo.

def call(Map args = [:]) {
    List argv = argv(args)
    String out = sh(script: argv.collect { goAffectedServicesCli.shq(it) }.join(' '), returnStdout: true,
            label: "gopipe image build: ${args.service}")
    Map r = goAffectedServicesCli.parse(out, "gopipe image build ${args.service}")
    if (!r.digest) {
        throw new IllegalStateException("gopipe image build ${args.service}: no digest in its result")
    }
    return r
}

@NonCPS
List argv(Map a) {
    Set known = ['service', 'dockerfile', 'context', 'tags', 'push', 'cacheRepo', 'branch', 'gopipe', 'repo'] as Set
    for (Object k : a.keySet()) {
        if (!known.contains(k.toString())) {
            throw new IllegalArgumentException("goBuildKitImageCli: unknown parameter '${k}' (known: ${known.join(', ')})")
        }
    }
    if (!a.service) {
        throw new IllegalArgumentException("goBuildKitImageCli: parameter 'service' is required")
    }
    List cmd = goAffectedServicesCli.gopipeWords(a.gopipe) + ['image', 'build', '--repo', (a.repo ?: '.').toString(),
                                                             '--service', a.service.toString(), '--format', 'json']
    if (a.dockerfile) { cmd += ['--dockerfile', a.dockerfile.toString()] }
    if (a.context) { cmd += ['--context', a.context.toString()] }
    for (Object t : (a.tags instanceof Collection ? a.tags : (a.tags ? [a.tags] : []))) {
        cmd += ['--tag', t.toString()]
    }
    if (a.push) { cmd += ['--push'] }
    if (a.cacheRepo) { cmd += ['--cache-repo', a.cacheRepo.toString()] }
    if (a.branch) { cmd += ['--branch', a.branch.toString()] }
    return cmd.collect { it.toString() }
}
