// The harness's block steps, compiled with the CPS transformer like the library itself, so their
// bodies run as CPS code (in Jenkins the step engine runs a body as CPS code in the same thread).
// Leaf calls starting with '_' are the harness's bookkeeping; each one is a step boundary.

def stage(Object name, Closure body) {
    String n = name instanceof Map ? name.name : name
    _enter('stage', n)
    boolean ok = false
    try {
        def r = body()
        ok = true
        return r
    } finally {
        _exit('stage', ok ? 'SUCCESS' : 'FAILURE')
    }
}

def dir(String path, Closure body) {
    _enter('dir', path)
    try {
        return body()
    } finally {
        _exit('dir', null)
    }
}

def node(Closure body) {
    return node('', body)
}

def node(String label, Closure body) {
    _enter('node', label)
    try {
        return body()
    } finally {
        _exit('node', null)
    }
}

def withEnv(List overrides, Closure body) {
    _enter('env', overrides)
    try {
        return body()
    } finally {
        _exit('env', null)
    }
}

def timeout(Map args, Closure body) {
    _enter('timeout', args)
    try {
        return body()
    } finally {
        _exit('timeout', null)
    }
}

def lock(Object args, Closure body) {
    _enter('lock', args)
    try {
        return body()
    } finally {
        _exit('lock', null)
    }
}

def catchError(Closure body) {
    return catchError([:], body)
}

def catchError(Map args, Closure body) {
    _check('catchError', args)
    try {
        return body()
    } catch (Throwable t) {
        if (t instanceof io.gopipe.library.harness.FlowInterrupted && args.catchInterruptions == false) {
            throw t
        }
        _caught(args, t.message)
        return null
    }
}

def waitUntil(Closure body) {
    return waitUntil([:], body)
}

def waitUntil(Map args, Closure body) {
    _check('waitUntil', args)
    while (!body()) {
        _wait(args)
    }
    return null
}

def retry(Object count, Closure body) {
    int n = count instanceof Map ? count.count : count
    Throwable last = null
    for (int i = 0; i < n; i++) {
        try {
            return body()
        } catch (Throwable t) {
            last = t
        }
    }
    throw last
}

// The plugin's EnvironmentExpander: the variables the restore hands the body (GOCACHE, GOCACHEPROG).
def goModCache(Map args, Closure body) {
    Map restored = _goModCacheRestore(args)
    boolean ok = false
    try {
        def r = restored?.env ? withEnv(restored.env) { body() } : body()
        ok = true
        return r
    } finally {
        _goModCacheSave(args, ok)
    }
}
