// goAffectedServices without the plugin: runs `gopipe affected --format json` on the agent and
// returns the same Map. Parameters: those of goAffectedServices (base, targetBranch, sinceCommit,
// goos, goarch, cgo, tags) plus gopipe (the command), repo (directory) and output (a file the JSON
// is also written to, for `gopipe image build --plan`).

def call(Map args = [:]) {
    List argv = argv(args)
    String script = argv.collect { shq(it) }.join(' ')
    if (args.output) {
        // The JSON stays in the file too: the image steps of this job read their services from it
        // (`gopipe image build --plan`) instead of discovering them again.
        String f = args.output.toString()
        script = 'mkdir -p ' + shq(f.contains('/') ? f.substring(0, f.lastIndexOf('/')) : '.') + ' && ' + script + ' && cat ' + shq(f)
    }
    String out = sh(script: script, returnStdout: true, label: 'gopipe affected')
    return parse(out, 'gopipe affected')
}

@NonCPS
List argv(Map a) {
    List known = ['gopipe', 'repo', 'base', 'targetBranch', 'sinceCommit', 'goos', 'goarch', 'cgo', 'tags', 'output']
    for (Object k : a.keySet()) {
        if (!known.contains(k.toString())) {
            throw new Exception("goAffectedServicesCli: unknown parameter '${k}' (known: ${known.join(', ')})")
        }
    }
    int bases = ['base', 'targetBranch', 'sinceCommit'].count { a[it] }
    if (bases > 1) {
        throw new Exception('goAffectedServicesCli: give only one of base, targetBranch, sinceCommit')
    }
    List cmd = gopipeWords(a.gopipe) + ['affected', '--repo', (a.repo ?: '.').toString(), '--format', 'json']
    if (a.base) { cmd += ['--base', a.base.toString()] }
    if (a.targetBranch) { cmd += ['--target-branch', a.targetBranch.toString()] }
    if (a.sinceCommit) { cmd += ['--since-commit', a.sinceCommit.toString()] }
    if (a.goos) { cmd += ['--goos', a.goos.toString()] }
    if (a.goarch) { cmd += ['--goarch', a.goarch.toString()] }
    if (a.cgo) { cmd += ['--cgo'] }
    if (a.tags) { cmd += ['--tags', (a.tags instanceof Collection ? a.tags.join(',') : a.tags.toString())] }
    if (a.output) { cmd += ['--output', a.output.toString()] }
    return cmd.collect { it.toString() }
}

/** The command may be a path or several words ("java -jar /opt/gopipe.jar"); never a shell snippet. */
@NonCPS
List gopipeWords(Object gopipe) {
    String g = (gopipe ?: 'gopipe').toString().trim()
    if (!(g ==~ /[A-Za-z0-9_.\/@:= -]+/)) {
        throw new Exception("gopipe: parameter 'gopipe' must be a command (path and plain words): '${g}'")
    }
    return g.split(/\s+/).toList()
}

/**
 * Parses the command's JSON (from the first '{' of its output) into plain maps and lists. JsonSlurper
 * is in the sandbox's default whitelist (JsonSlurperClassic is not); its lazy maps are not
 * serializable, so the result is deep-copied before it leaves this @NonCPS method.
 */
@NonCPS
Map parse(String out, String what) {
    String text = out == null ? '' : out.trim()
    int start = text.indexOf('{')
    if (start < 0) {
        throw new Exception("${what}: no JSON in its output: ${text.take(500)}")
    }
    Object v
    try {
        v = new groovy.json.JsonSlurper().parseText(text.substring(start))
    } catch (Exception e) {
        throw new Exception("${what}: output is not JSON (${e.message}): ${text.take(500)}")
    }
    if (!(v instanceof Map)) {
        throw new Exception("${what}: output is not a JSON object: ${text.take(500)}")
    }
    return (Map) gopipeAffected.plain(v)
}

@NonCPS
String shq(Object s) {
    return "'" + s.toString().replace("'", "'\"'\"'") + "'"
}
