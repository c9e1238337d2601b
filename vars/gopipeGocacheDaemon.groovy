// One `gopipe gocache serve` per build workspace for the remote build cache (engine 'cli'): started
// before the fan-out, stopped after it (also on failure or abort). Go commands reach it through the
// small bridge (GOCACHEPROG = bridge line, milliseconds per go command instead of a JVM start), and
// `gopipe image build` through GOPIPE_GOCACHE_DAEMON (Dockerfile builds tunnel it into BuildKit).
// Why it looks like this (docs/jenkins.md, "The gocache daemon on an agent"):
// - loopback TCP on a free port, read back from the ready file: in a Kubernetes pod `sh` runs in one
//   container and docker/buildctl may run in another; they share the network namespace, not /tmp,
//   and a unix socket path under a long workspace path can pass the 108-byte limit;
// - the daemon survives its `sh` (Pipeline kills leftovers only when the node block ends, through
//   JENKINS_NODE_COOKIE, which we keep as a backstop) and writes to a log file, never to the step's
//   output; it runs in its own process group (setsid) so stopping it also stops a JVM the gopipe
//   launcher runs as a child; --idle-exit ends a daemon whose stop never ran;
// - a lock file per workspace, so two builds on one agent each get their own daemon;
// - nothing here fails the build: go older than 1.24 uses the archive build cache, a daemon that is
//   not ready in time leaves each go command to start `gopipe gocache` itself, each with one warning;
// - an agent that runs its own daemon (gocacheDaemon / GOPIPE_GOCACHE_AGENT_DAEMON: a pod's sidecar
//   started with the agent, warmed up) is used instead: no JVM starts in the job, and it is left running.

/** Seconds the start waits for the daemon's ready file (a JVM start on a loaded agent, the bridge build). */
@NonCPS
int readySeconds() {
    return 120
}

/** A daemon whose stop never ran (a lost agent connection, a killed controller) exits after this long idle. */
@NonCPS
String idleExit() {
    return '30m'
}

/** Where the daemon keeps its pid, ready file, lock and log: the workspace's temp directory, as Jenkins names it. */
@NonCPS
String dir(String workspace) {
    return "${workspace}@tmp/gopipe-gocache".toString()
}

/**
 * Starts the daemon and builds the bridge. Returns the state the body and stop() need:
 * [mode: 'daemon' (address, bridge), 'program' (each go command runs gopipe gocache), or 'archive'
 * (go older than 1.24), dir, address, bridge, warning].
 */
def start(Map cfg) {
    return ready(cfg, launch(cfg, true))
}

/**
 * Starts the daemon and the bridge's build in the background and returns at once (wait: false), so
 * their JVM start-up overlaps what the pipeline does next (goMonorepoPipeline: the affected-services
 * engine); ready() then waits for them. Null without a cache store (see ready()). With wait: true the
 * same step also waits (one sh instead of two, for start()).
 */
def launch(Map cfg, boolean wait) {
    String d = dir(env.WORKSPACE.toString())
    String backend = (cfg.cacheBackend ?: env.GOPIPE_CACHE_BACKEND ?: '').toString()
    String agentDaemon = (cfg.gocacheDaemon ?: env.GOPIPE_GOCACHE_AGENT_DAEMON ?: '').toString()
    if (!backend && !agentDaemon) {
        return null
    }
    // The first service's set starts downloading as soon as the daemon runs, before its go test asks
    // (known only when the daemon starts after the affected services are).
    String first = cfg.prefetchService ? gopipeCaches.prefetchKey(cfg, cfg.prefetchService.toString(),
            env.CHANGE_TARGET ? env.CHANGE_TARGET.toString() : null) : null
    String script = (agentDaemon ? agentScript(cfg, backend, d, agentDaemon) : launchScript(cfg, backend, d, first)) +
            (wait ? awaitScript(d, agentDaemon ? first : null) : 'echo "pid=$pid"\n')
    String out = sh(script: script, returnStdout: true,
            label: agentDaemon ? "gopipe gocache: this agent's daemon ${agentDaemon}" + (wait ? '' : ' (background)')
                    : wait ? 'gopipe gocache serve (this workspace)' : 'gopipe gocache serve (this workspace, background)')
    Map s = parse(out)
    s.dir = d
    s.waited = wait
    s.agent = agentDaemon ? true : false
    return s
}

/** Waits for a launched daemon (unless launch already did) and decides how go reaches the cache. */
def ready(Map cfg, Map launched) {
    if (launched == null) {
        // goModCacheCli names the missing parameter when the first go command asks for the cache.
        return [mode: 'program', dir: dir(env.WORKSPACE.toString())]
    }
    Map s = launched
    if (!s.waited) {
        // Launched before the plan was known, the daemon has no key yet: the first service's is primed once it is ready.
        String first = cfg.prefetchService ? gopipeCaches.prefetchKey(cfg, cfg.prefetchService.toString(),
                env.CHANGE_TARGET ? env.CHANGE_TARGET.toString() : null) : null
        Map r = parse(sh(script: awaitScript(s.dir.toString(), first), returnStdout: true, label: 'gopipe gocache serve: ready'))
        r.dir = s.dir
        r.agent = s.agent
        s = r
    }
    String d = s.dir.toString()
    if (s.bridgeExit != '0' && s.bridgeError?.contains('go1.24')) {
        stop(s)
        s.mode = 'archive'
        echo("gopipe: WARNING: the remote build cache needs go1.24 or newer (GOCACHEPROG); using the archive build cache"
                + " (${s.bridgeError})")
    } else if (!s.address) {
        stop(s)
        s.mode = 'program'
        echo("gopipe: WARNING: the gocache daemon did not become ready within ${readySeconds()} s (${s.daemonLog ?: 'no output'});"
                + " each go command starts `gopipe gocache` itself")
    } else if (s.agent && (s.bridgeExit != '0' || !s.bridge)) {
        s.mode = 'program'
        echo("gopipe: WARNING: cannot build the gocache bridge (${s.bridgeError ?: 'exit ' + s.bridgeExit}) for this agent's daemon"
                + " ${s.address}; each go command starts `gopipe gocache` itself")
    } else if (s.agent) {
        s.mode = 'daemon'
        echo("gopipe: gocache daemon ${s.address} of this agent (gocacheDaemon), left running")
    } else if (s.bridgeExit != '0' || !s.bridge) {
        // The daemon serves image builds (their bridge is built inside BuildKit); go on the agent uses the program.
        s.mode = 'program'
        echo("gopipe: WARNING: cannot build the gocache bridge (${s.bridgeError ?: 'exit ' + s.bridgeExit}); each go command"
                + " starts `gopipe gocache` itself, images still use the daemon ${s.address}")
    } else {
        s.mode = 'daemon'
        echo("gopipe: gocache daemon ${s.address} for this workspace (pid ${s.pid}, log ${d}/daemon.log)")
    }
    return s
}

/** Stops the daemon started by start() (its whole process group) and shows its log so far. */
def stop(Map s) {
    if (s == null || !s.pid) {
        return
    }
    sh(script: stopScript(s.dir.toString()), label: 'gopipe gocache serve: stop')
    s.pid = null
}

/** The environment of the fan-out: the daemon's address (image builds) and the bridge (go commands). */
@NonCPS
List env(Map s) {
    List e = []
    if (s.address && s.mode != 'archive') {
        e << "GOPIPE_GOCACHE_DAEMON=${s.address}".toString()
    }
    if (s.mode == 'daemon') {
        e << "GOPIPE_GOCACHE_BRIDGE=${s.bridge}".toString()
    }
    if (s.mode == 'archive') {
        e << 'GOPIPE_GOCACHE_FALLBACK=archive'
    }
    return e
}

/** GOCACHEPROG for one service: the bridge, the daemon, the service's key (go splits it on spaces, no shell). */
@NonCPS
String progLine(String bridge, String address, String key, boolean readOnly) {
    List w = [bridge, '-daemon', address, '-prefetch-key', key]
    if (readOnly) { w << '-read-only' }
    for (Object x : w) {
        if (!x || x.toString() =~ /\s/) {
            throw new Exception("gopipe: GOCACHEPROG cannot hold '${x}': go splits it on spaces without quoting")
        }
    }
    return w.join(' ')
}

/**
 * For an agent that runs its own daemon: only the bridge is built (in the background, as for a
 * workspace daemon), and the ready file names the agent's daemon, so the wait and the priming below
 * are the same; there is no pid, so stop() leaves the daemon alone. An unreachable daemon costs each go
 * command one warning from its bridge, which then goes on without the cache.
 */
@NonCPS
String agentScript(Map cfg, String backend, String d, String address) {
    return freshDirScript(d) + """\
printf '%s\\n' ${goAffectedServicesCli.shq(address)} >"\$d/ready"
pid=
""".toString() + bridgeScript(cfg, backend)
}

@NonCPS
String launchScript(Map cfg, String backend, String d, String prefetchKey) {
    List serve = goAffectedServicesCli.gopipeWords(cfg.gopipe) + ['gocache', 'serve', '--backend', backend, '--tcp', '127.0.0.1:0',
                      '--ready-file', d + '/ready', '--lock', d + '/daemon.lock', '--idle-exit', idleExit()]
    if (cfg.readOnlyCache) { serve << '--read-only' }
    if (prefetchKey) { serve += ['--prefetch-key', prefetchKey] }
    String q = serve.collect { goAffectedServicesCli.shq(it) }.join(' ')
    return freshDirScript(d) + """\
# Own process group, so stop reaches a JVM the launcher runs as its child; output to a file, never this step's.
if command -v setsid >/dev/null 2>&1; then
  setsid ${q} </dev/null >"\$d/daemon.log" 2>&1 &
  echo group >"\$d/group"
else
  ${q} </dev/null >"\$d/daemon.log" 2>&1 &
fi
pid=\$!
echo "\$pid" >"\$d/pid"
# The bridge in the background too: its JVM starts beside the daemon's; ready() waits for both.
""".toString() + bridgeScript(cfg, backend)
}

/** Sets d to the daemon's folder and clears what the last start left there. */
@NonCPS
String freshDirScript(String d) {
    return """\
d=${goAffectedServicesCli.shq(d)}
mkdir -p "\$d"
rm -f "\$d/ready" "\$d/pid" "\$d/group" "\$d/bridge.out" "\$d/bridge.rc"
""".toString()
}

/**
 * The bridge's lookup in the background, its line to bridge.out and its exit code to bridge.rc. Its own
 * address is a placeholder: the line is put together per service with the real one. With the store, a
 * fresh agent downloads the bridge another agent built instead of compiling it.
 */
@NonCPS
String bridgeScript(Map cfg, String backend) {
    List bridge = goAffectedServicesCli.gopipeWords(cfg.gopipe) + ['gocache', 'bridge', '--daemon', 'tcp:127.0.0.1:1', '--go', 'go']
    if (backend) { bridge += ['--backend', backend] }
    if (cfg.readOnlyCache) { bridge << '--read-only' }
    String b = bridge.collect { goAffectedServicesCli.shq(it) }.join(' ')
    return """\
( brc=0; ${b} >"\$d/bridge.out" 2>"\$d/bridge.err" </dev/null || brc=\$?; echo "\$brc" >"\$d/bridge.rc" ) </dev/null >/dev/null 2>&1 &
""".toString()
}

/**
 * Waits for the daemon's ready file and the bridge's result; prints them as key=value lines. With a
 * key, primes the daemon with it: a read-only bridge session of that key that closes at once (what go
 * sends to a GOCACHEPROG when it is done), in the background. The daemon starts the key's prefetch at
 * the session's hello and shares it with the key's next sessions (the first service's go test), so the
 * download starts now instead of when go test asks; read-only, the session records no set.
 */
@NonCPS
String awaitScript(String d, String primeKey) {
    String prime = !primeKey ? '' : """\
if [ -n "\$bridge" ] && [ -s "\$d/ready" ]; then
  ( printf '{"ID":1,"Command":"close"}\\n' | "\${bridge%% *}" -daemon "\$(head -n 1 "\$d/ready")" -prefetch-key ${goAffectedServicesCli.shq(primeKey)} -read-only -quiet ) </dev/null >/dev/null 2>&1 &
fi
""".toString()
    return """\
# gopipe gocache daemon: ready
d=${goAffectedServicesCli.shq(d)}
pid=\$(cat "\$d/pid" 2>/dev/null || true)
end=\$((\$(date +%s) + ${readySeconds()}))
while { [ ! -s "\$d/ready" ] || [ ! -s "\$d/bridge.rc" ]; } && [ "\$(date +%s)" -lt "\$end" ]; do
  # A daemon that exited is never ready (lock held elsewhere, bad store): wait only for the bridge then.
  if [ ! -s "\$d/ready" ] && ! kill -0 "\$pid" 2>/dev/null && [ -s "\$d/bridge.rc" ]; then break; fi
  sleep 0.05 2>/dev/null || sleep 1
done
bridge=\$(cat "\$d/bridge.out" 2>/dev/null || true)
${prime}echo "pid=\$pid"
echo "bridgeExit=\$(cat "\$d/bridge.rc" 2>/dev/null || echo timeout)"
echo "bridge=\${bridge%% *}"
echo "bridgeError=\$(tail -n 1 "\$d/bridge.err" 2>/dev/null)"
if [ -s "\$d/ready" ]; then echo "address=\$(head -n 1 "\$d/ready")"; fi
echo "daemonLog=\$(tail -n 1 "\$d/daemon.log" 2>/dev/null)"
""".toString()
}

@NonCPS
String stopScript(String d) {
    // SIGTERM to the group, then a detached reaper sends SIGKILL after 10 s if anything is left: the
    // step does not wait for the JVM to exit (it has nothing left to flush: each go command's uploads
    // were flushed at its close), and the reaper holds none of the step's output.
    return """\
d=${goAffectedServicesCli.shq(d)}
pid=\$(cat "\$d/pid" 2>/dev/null || true)
if [ -n "\$pid" ]; then
  t="\$pid"
  if [ -s "\$d/group" ]; then t="-\$pid"; fi
  # A pid the daemon no longer holds (it exited idle, the number was reused) is left alone.
  if [ -r "/proc/\$pid/cmdline" ] && ! tr '\\000' ' ' <"/proc/\$pid/cmdline" | grep -q gocache; then t=""; fi
  if [ -n "\$t" ] && kill -TERM "\$t" 2>/dev/null; then
    ( i=0; while kill -0 "\$t" 2>/dev/null && [ "\$i" -lt 50 ]; do sleep 0.2 2>/dev/null || sleep 1; i=\$((i + 1)); done
      kill -KILL "\$t" 2>/dev/null ) </dev/null >/dev/null 2>&1 &
  fi
  rm -f "\$d/pid" "\$d/group"
fi
cat "\$d/daemon.log" 2>/dev/null || true
""".toString()
}

/** key=value lines of the start script. */
@NonCPS
Map parse(String out) {
    Map m = [:]
    for (String line : (out ?: '').readLines()) {
        int eq = line.indexOf('=')
        if (eq > 0) {
            m[line.substring(0, eq).trim()] = line.substring(eq + 1).trim()
        }
    }
    return m
}
