// Validates goMonorepoPipeline's configuration and fills in the defaults. Every problem is reported
// at once, each naming its key, so a Jenkinsfile is fixed in one round.

def call(Map raw = [:]) {
    Map given = raw == null ? [:] : raw
    List problems = problems(given, env.CHANGE_ID != null)
    if (!problems.isEmpty()) {
        error('gopipe: invalid configuration:\n  - ' + problems.join('\n  - '))
    }
    return withDefaults(given, env.CHANGE_ID != null, env.BRANCH_NAME, env.GIT_COMMIT, env.BUILD_NUMBER)
}

/** Key → [type, description]; the single list of what goMonorepoPipeline accepts. */
@NonCPS
Map schema() {
    return [
        engine         : [String, "'plugin' (gopipe plugin steps) or 'cli' (the gopipe command via sh)"],
        gopipe         : [String, "the gopipe command on the agents: engine cli, and GOCACHEPROG for buildCacheFlavour 'remote'"],
        repo           : [String, 'repository directory, relative to the workspace'],
        base           : [String, 'explicit base revision (overrides the automatic choice)'],
        all            : [Boolean, 'build every service'],
        targetRemote   : [String, 'remote of the pull-request target branch'],
        goos           : [String, 'target GOOS'],
        goarch         : [String, 'target GOARCH'],
        cgo            : [Boolean, 'evaluate files with cgo on'],
        tags           : [List, 'Go build tags'],
        test           : [Boolean, 'run go test for affected and test-affected services'],
        testCommand    : [String, 'shell command run in the service directory'],
        image          : [Boolean, 'build an image per affected service'],
        registry       : [String, 'image repository prefix, e.g. registry.example.com/shop'],
        imageTags      : [List, 'tags for every image'],
        push           : [Boolean, 'push images'],
        cacheRepo      : [String, 'BuildKit registry cache repository'],
        imageNetwork   : [String, "network mode of the images' RUN steps, e.g. 'host' (with the agent's own Docker daemon the remote build cache then reaches the build through a direct loopback link)"],
        caches         : [List, "Go caches to restore and save: 'mod', 'build'"],
        buildCacheFlavour: [String, "how the 'build' cache travels: 'archive' (GOCACHE restored and saved whole) or 'remote' (GOCACHEPROG=gopipe gocache, Go >= 1.24, both engines)"],
        buildCacheDaemon: [Boolean, "engine cli with buildCacheFlavour 'remote': one 'gopipe gocache serve' per workspace, go through its bridge, images through GOPIPE_GOCACHE_DAEMON (default true; false: a JVM per go command)"],
        gocacheDaemon  : [String, "engine cli, remote build cache: a gocache daemon the agent already runs ('gopipe gocache serve --warm-up' in a pod's sidecar container or the agent's start script), 'tcp:127.0.0.1:PORT' or 'unix:PATH', used instead of one per workspace and left running (default: the agent's GOPIPE_GOCACHE_AGENT_DAEMON)"],
        cacheBackend   : [String, "cache store for engine cli: local:DIR or s3://BUCKET/PREFIX (default: agent's GOPIPE_CACHE_BACKEND)"],
        readOnlyCache  : [Boolean, 'restore caches but never save them'],
        defaultBranch  : [String, "the default branch: a branch's first build prefetches what its last build used (remote build cache) and shares its image cache ref (default: 'main')"],
        overlapDaemon  : [Boolean, "engine cli, remote build cache: launch the gocache daemon while the affected services are computed instead of after (default false: no gain in the whole pipeline on a 2-core agent, see bench/pipeline)"],
        warmBuilder    : [Boolean, "engine cli: unpack the planned Dockerfiles' base images on BuildKit in the background while the tests run (default false: measured no gain where the builder's image store keeps them unpacked)"],
        failFast       : [Boolean, 'abort the other services when one fails'],
        maxParallel    : [Integer, 'at most this many services at once (0: no limit)'],
        batchImages    : [Boolean, "engine cli, one workspace: build the job's images with one 'gopipe image build' (one JVM, plan and builder probe), each service's branch reading its own result (default true; false: one command per branch)"],
        imageParallel  : [Integer, 'engine cli with batchImages: images that one command builds at once (default: maxParallel, else 2)'],
        agent          : [String, 'run each service on its own agent with this label'],
        summaryFile    : [String, 'where to write the JSON build summary'],
        abortSuperseded: [Boolean, 'abort older running builds of this branch or pull request'],
    ]
}

@NonCPS
List problems(Map c, boolean pullRequest) {
    Map s = schema()
    List out = []
    for (Object k : c.keySet()) {
        String key = k.toString()
        if (!s.containsKey(key)) {
            String hint = s.keySet().find { it.equalsIgnoreCase(key) || distance(it, key) <= 2 }
            out << "unknown key '${key}'" + (hint ? " (did you mean '${hint}'?)" : '') + '; known keys: ' + s.keySet().join(', ')
            continue
        }
        Object v = c[k]
        Class type = s[key][0]
        if (v == null) {
            continue
        }
        boolean ok = type == Integer ? (v instanceof Integer || v instanceof Long) : type.isInstance(v) || (type == String && v instanceof GString)
        if (type == List && v instanceof String) {
            ok = true // one tag or one cache policy may be given as a string
        }
        if (!ok) {
            out << "key '${key}' must be a ${type.simpleName} (${s[key][1]}), got ${v.getClass().simpleName} '${v}'"
        }
    }
    if (c.engine != null && !(c.engine.toString() in ['plugin', 'cli'])) {
        out << "key 'engine' must be 'plugin' or 'cli', got '${c.engine}'"
    }
    if (c.imageParallel instanceof Number && c.imageParallel < 1) {
        out << "key 'imageParallel' must be 1 or more, got ${c.imageParallel}"
    }
    if (c.maxParallel instanceof Number && c.maxParallel < 0) {
        out << "key 'maxParallel' must be 0 (no limit) or more, got ${c.maxParallel}"
    }
    for (Object p : asList(c.caches)) {
        if (!(p.toString() in ['mod', 'build'])) {
            out << "key 'caches' may hold 'mod' and 'build', got '${p}'"
        }
    }
    if (c.buildCacheFlavour != null && !(c.buildCacheFlavour.toString() in ['archive', 'remote'])) {
        out << "key 'buildCacheFlavour' must be 'archive' or 'remote', got '${c.buildCacheFlavour}'"
    }
    if (c.gocacheDaemon != null && !(c.gocacheDaemon.toString() ==~ /(unix:\/\S+|tcp:(127\.\d+\.\d+\.\d+|\[::1\]|localhost):\d+)/)) {
        out << "key 'gocacheDaemon' must be 'tcp:127.0.0.1:PORT' or 'unix:/PATH' (the daemon serves loopback only), got '${c.gocacheDaemon}'"
    }
    if (c.push == true && !c.registry) {
        out << "key 'push' is true but key 'registry' is not set: images need a repository to be pushed to"
    }
    if (c.base != null && !(c.base.toString() ==~ /[A-Za-z0-9._\/~^@{}+-]+/)) {
        out << "key 'base' is not a git revision: '${c.base}'"
    }
    for (Object t : asList(c.imageTags)) {
        if (!(t.toString() ==~ /[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}/)) {
            out << "key 'imageTags' holds '${t}', which is not a valid image tag"
        }
    }
    if (c.registry != null && !(c.registry.toString() ==~ /[a-z0-9.:\/_-]+/)) {
        out << "key 'registry' must be a lower-case repository prefix, got '${c.registry}'"
    }
    return out
}

@NonCPS
Map withDefaults(Map c, boolean pullRequest, String branch, String commit, String buildNumber) {
    Map d = [:]
    d.putAll(c)
    d.engine = (c.engine ?: 'plugin').toString()
    d.gopipe = (c.gopipe ?: 'gopipe').toString()
    d.repo = (c.repo ?: '.').toString()
    d.targetRemote = (c.targetRemote ?: 'origin').toString()
    d.tags = asList(c.tags).collect { it.toString() }
    d.test = c.test == null ? true : c.test
    d.testCommand = (c.testCommand ?: 'go test ./...').toString()
    d.image = c.image == null ? true : c.image
    d.push = c.push == null ? (c.registry != null) : c.push
    d.caches = c.caches == null ? ['mod'] : asList(c.caches).collect { it.toString() }
    d.buildCacheFlavour = (c.buildCacheFlavour ?: 'archive').toString()
    d.buildCacheDaemon = c.buildCacheDaemon == null ? true : c.buildCacheDaemon
    d.warmBuilder = c.warmBuilder == null ? false : c.warmBuilder
    d.overlapDaemon = c.overlapDaemon == null ? false : c.overlapDaemon
    d.readOnlyCache = c.readOnlyCache == null ? pullRequest : c.readOnlyCache
    d.failFast = c.failFast == null ? false : c.failFast
    d.maxParallel = c.maxParallel == null ? 0 : ((Number) c.maxParallel).intValue()
    d.batchImages = c.batchImages == null ? true : c.batchImages
    d.imageParallel = c.imageParallel == null ? 0 : ((Number) c.imageParallel).intValue()
    d.summaryFile = (c.summaryFile ?: 'gopipe-summary.json').toString()
    d.abortSuperseded = c.abortSuperseded == null ? false : c.abortSuperseded
    d.all = c.all == null ? false : c.all
    if (c.imageTags == null) {
        List t = []
        if (commit) {
            t << commit.take(12)
        } else if (buildNumber) {
            t << "build-${buildNumber}".toString()
        }
        String b = sanitizeTag(branch)
        if (b && !pullRequest) {
            t << b
        }
        d.imageTags = t
    } else {
        d.imageTags = asList(c.imageTags).collect { it.toString() }
    }
    d.branch = (branch ?: 'main').toString()
    d.pullRequest = pullRequest
    return d
}

@NonCPS
String sanitizeTag(String branch) {
    if (!branch) {
        return null
    }
    String t = branch.replaceAll(/[^A-Za-z0-9_.-]/, '-').replaceAll(/^[.-]+/, '')
    return t.length() > 128 ? t.substring(0, 128) : t
}

@NonCPS
List asList(Object v) {
    if (v == null) {
        return []
    }
    return v instanceof Collection ? [] + v : [v]
}

/** Edit distance, case-insensitive, with two rows of list literals (no arrays, no Character). */
@NonCPS
int distance(String a, String b) {
    String x = a.toLowerCase()
    String y = b.toLowerCase()
    List prev = []
    for (int j = 0; j <= y.length(); j++) { prev.add(j) }
    for (int i = 1; i <= x.length(); i++) {
        List row = [i]
        for (int j = 1; j <= y.length(); j++) {
            int cost = x.charAt(i - 1) == y.charAt(j - 1) ? 0 : 1
            row.add(Math.min(Math.min((int) prev.get(j) + 1, (int) row.get(j - 1) + 1), (int) prev.get(j - 1) + cost))
        }
        prev = row
    }
    return (int) prev.get(y.length())
}
