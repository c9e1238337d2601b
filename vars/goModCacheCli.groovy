// goModCache without the plugin: `gopipe cache restore` before the body, `gopipe cache save`
// after it (only when the body succeeded and readOnly is false), with GOMODCACHE or GOCACHE
// pointing at the restored directory while the body runs. A cache problem is a warning, never a
// failed build. Parameters: policy ('mod' | 'build'), readOnly, key, restoreKeys, path, gopipe, repo,
// backend ('local:/mnt/gocache' or 's3://bucket/prefix'; default: the agent's GOPIPE_CACHE_BACKEND),
// flavour ('archive' | 'remote', policy 'build' only; default: GOPIPE_BUILD_CACHE_FLAVOUR, else archive).

def call(Map args = [:], Closure body) {
    Map a = check(args)
    a.backend = a.backend ?: env.GOPIPE_CACHE_BACKEND
    if (!a.backend) {
        error("goModCacheCli: parameter 'backend' is not set and the agent has no GOPIPE_CACHE_BACKEND (e.g. local:/mnt/gocache or s3://bucket/prefix)")
    }
    String path = a.path ?: "${env.WORKSPACE}@gopipe/${a.policy}".toString()
    String var = a.policy == 'build' ? 'GOCACHE' : 'GOMODCACHE'
    if (a.policy == 'build' && (a.flavour ?: env.GOPIPE_BUILD_CACHE_FLAVOUR) == 'remote') {
        // go before 1.24 ignores GOCACHEPROG and would build with an empty GOCACHE: use the archive then.
        String goVersion = sh(script: 'go env GOVERSION 2>/dev/null || true', returnStdout: true,
                label: 'go env GOVERSION (the remote build cache needs go1.24)').trim()
        if (gocacheprogSupported(goVersion)) {
            // Remote flavour: every go command in the body asks `gopipe gocache` per action; nothing to restore or save.
            return withEnv(["GOCACHE=${path}".toString(), "GOCACHEPROG=${gocacheProg(a, (a.key ?: env.JOB_NAME ?: 'default').toString())}".toString()]) { body() }
        }
        echo("gopipe: WARNING: the remote build cache needs go1.24 or newer (GOCACHEPROG); go here is '${goVersion ?: 'not found'}'. Using the archive build cache")
    }
    int restored = sh(script: command('restore', a, path), returnStatus: true,
            label: "gopipe cache restore (${a.policy})")
    if (restored != 0) {
        echo("gopipe: WARNING: ${a.policy} cache restore failed (exit ${restored}); continuing with an empty cache")
    }
    def result = withEnv(["${var}=${path}".toString()]) { body() }
    if (a.readOnly) {
        echo("gopipe: ${a.policy} cache is read-only here; not saved")
    } else {
        int saved = sh(script: command('save', a, path), returnStatus: true, label: "gopipe cache save (${a.policy})")
        if (saved != 0) {
            echo("gopipe: WARNING: ${a.policy} cache save failed (exit ${saved}); the build goes on")
        }
    }
    return result
}

@NonCPS
Map check(Map args) {
    List known = ['policy', 'readOnly', 'key', 'restoreKeys', 'path', 'gopipe', 'repo', 'backend', 'flavour']
    for (Object k : args.keySet()) {
        if (!known.contains(k.toString())) {
            throw new Exception("goModCacheCli: unknown parameter '${k}' (known: ${known.join(', ')})")
        }
    }
    Map a = [:]
    a.putAll(args)
    a.policy = (a.policy ?: 'mod').toString()
    if (!(a.policy in ['mod', 'build'])) {
        throw new Exception("goModCacheCli: parameter 'policy' must be 'mod' or 'build', got '${a.policy}'")
    }
    a.readOnly = a.readOnly ? true : false
    if (a.flavour && !(a.flavour in ['archive', 'remote'])) {
        throw new Exception("goModCacheCli: parameter 'flavour' must be 'archive' or 'remote', got '${a.flavour}'")
    }
    return a
}

/** Whether `go env GOVERSION` (go1.24.3, devel go1.25-…) names a go that honours GOCACHEPROG. */
@NonCPS
boolean gocacheprogSupported(String goVersion) {
    def m = (goVersion ?: '') =~ /go(\d+)\.(\d+)/
    if (!m.find()) {
        return false
    }
    int major = Integer.parseInt(m.group(1))
    int minor = Integer.parseInt(m.group(2))
    return major > 1 || minor >= 24
}

/** GOCACHEPROG for the remote flavour (go splits it on spaces itself; no shell). */
@NonCPS
String gocacheProg(Map a, String prefetchKey) {
    List cmd = goAffectedServicesCli.gopipeWords(a.gopipe) + ['gocache', '--backend', a.backend.toString(), '--prefetch-key', prefetchKey]
    if (a.readOnly) { cmd += ['--read-only'] }
    return cmd.join(' ')
}

@NonCPS
String command(String verb, Map a, String path) {
    List cmd = goAffectedServicesCli.gopipeWords(a.gopipe) + ['cache', verb, '--backend', a.backend.toString(),
                                                             '--policy', a.policy, '--path', path,
                                                             '--repo', (a.repo ?: '.').toString()]
    if (a.key) { cmd += ['--key', a.key.toString()] }
    if (a.restoreKeys && verb == 'restore') {
        List keys = a.restoreKeys instanceof Collection ? a.restoreKeys : [a.restoreKeys]
        cmd += ['--restore-keys', keys.join(',')]
    }
    if (a.readOnly && verb == 'restore') { cmd += ['--read-only'] }
    return cmd.collect { "'" + it.toString().replace("'", "'\"'\"'") + "'" }.join(' ')
}
