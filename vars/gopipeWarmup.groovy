// Warms the builder while the tests run: pulls and unpacks the base images of the planned services'
// Dockerfiles on BuildKit in the background, so the first image build does not pay for it. Why: a
// fresh (pruned) builder unpacks the Go toolchain image before the first `go build` can start (~2 s
// on a free machine, more under load) — for a one-service change that is a third of the image step,
// and the Test stage before it leaves the disk and one core idle. How: one detached shell per build
// (its own process group, output to a file, never the step's), one tiny build per base image:
// `FROM <image>` + `RUN --network=none true`, which makes BuildKit unpack the image's layers; the
// real build then finds them unpacked (BuildKit keeps them by content, not by build). Only the images
// of stages that RUN something are warmed (those have a shell, and those are the big ones); an image
// written with a build ARG (`$`) or another stage's name is skipped. A failing warm-up is one warning,
// never a failed build: the image build then simply unpacks the image itself.

/**
 * Whether this pipeline warms its builder: images on, engine cli, warmBuilder: true. Off by default:
 * on dockerd with the containerd image store the base images stay unpacked across `buildx prune`, and
 * bench/pipeline measured no gain there; it is for builders that pull and unpack them per fresh
 * builder (a buildkitd pod, the docker-container driver, a fresh Docker-in-Docker).
 */
@NonCPS
boolean enabled(Map cfg) {
    return cfg.image && cfg.engine == 'cli' && cfg.warmBuilder == true
}

/** Where the warm-up keeps its pid, script, log and status: the workspace's temp directory. */
@NonCPS
String dir(String workspace) {
    return "${workspace}@tmp/gopipe-warmup".toString()
}

/** The planned services' Dockerfiles (relative to the repository), one each, in plan order. */
@NonCPS
List dockerfiles(List plan) {
    List out = []
    for (Object o : plan) {
        Map s = (Map) o
        if (s.image && s.dockerfile && !out.contains(s.dockerfile.toString())) {
            out << s.dockerfile.toString()
        }
    }
    return out
}

/**
 * Starts the warm-up in the background and returns at once: [dir, pid] for finish(), or null when
 * there is nothing to warm (no image planned, no Dockerfile of the user's, switched off).
 */
def start(Map cfg, List plan) {
    if (!enabled(cfg)) {
        return null
    }
    List files = dockerfiles(plan)
    if (files.isEmpty()) {
        return null
    }
    String d = dir(env.WORKSPACE.toString())
    String out = sh(script: startScript(d, cfg.repo ?: '.', files), returnStdout: true, label: 'gopipe: warm the builder (background)')
    Map s = gopipeGocacheDaemon.parse(out)
    if (!s.pid) {
        echo("gopipe: WARNING: could not start the builder warm-up (${out.trim()}); each image build unpacks its base images itself")
        return null
    }
    return [dir: d, pid: s.pid]
}

/**
 * After the fan-out: stops a warm-up still running (the build failed early) and reports one warning
 * when it failed (the image builds then unpacked their base images themselves).
 */
def finish(Map w) {
    if (w == null) {
        return
    }
    String out = sh(script: finishScript(w.dir.toString()), returnStdout: true, label: 'gopipe: builder warm-up result')
    Map s = gopipeGocacheDaemon.parse(out)
    if (s.status && s.status != '0' && s.status != 'stopped') {
        echo("gopipe: WARNING: the builder warm-up failed (${s.error ?: 'exit ' + s.status}; log ${w.dir}/warmup.log);"
                + ' the image builds unpacked their base images themselves')
    }
}

/**
 * The background part reads the Dockerfiles itself (awk), so the step returns in milliseconds. BuildKit
 * through buildctl when BUILDKIT_HOST names one (as `gopipe image build` picks it), else docker buildx.
 */
@NonCPS
String startScript(String d, String repo, List files) {
    String dq = goAffectedServicesCli.shq(d)
    String fq = files.collect { goAffectedServicesCli.shq(it) }.join(' ')
    return """\
d=${dq}
mkdir -p "\$d/ctx"
rm -f "\$d/status" "\$d/pid" "\$d/images"
cat >"\$d/from.awk" <<'GOPIPE_AWK'
${fromAwk()}
GOPIPE_AWK
cat >"\$d/warmup.sh" <<'GOPIPE_WARMUP'
${warmupScript()}
GOPIPE_WARMUP
cd ${goAffectedServicesCli.shq(repo)}
if command -v setsid >/dev/null 2>&1; then
  setsid sh "\$d/warmup.sh" "\$d" ${fq} </dev/null >"\$d/warmup.log" 2>&1 &
else
  sh "\$d/warmup.sh" "\$d" ${fq} </dev/null >"\$d/warmup.log" 2>&1 &
fi
pid=\$!
echo "\$pid" >"\$d/pid"
echo "pid=\$pid"
""".toString()
}

/** Images of the stages that RUN something, per Dockerfile: no ARG-built names, no stage names, no scratch. */
@NonCPS
String fromAwk() {
    return '''\
FNR == 1 { delete stages; cur = "" }
{ line = $0; sub(/^[ \\t]+/, "", line); w = tolower(line) }
w ~ /^from[ \\t]/ {
  n = split(line, f, /[ \\t]+/); cur = ""
  for (i = 2; i <= n; i++) { if (f[i] !~ /^--/) { cur = f[i]; break } }
  for (i = 2; i < n; i++) { if (tolower(f[i]) == "as") { stages[tolower(f[i + 1])] = 1 } }
  if (cur ~ /\\$/ || tolower(cur) == "scratch") { cur = "" }
  for (s in stages) { if (tolower(cur) == s) { cur = "" } }
  next
}
w ~ /^run[ \\t]/ && cur != "" { print cur }
'''
}

/** The detached part: one tiny build per image, then its status (0, or the first failure's exit). */
@NonCPS
String warmupScript() {
    return '''\
d=$1; shift
st=0
awk -f "$d/from.awk" "$@" | awk '!seen[$0]++' >"$d/images" || st=$?
for img in $(cat "$d/images"); do
  echo "gopipe warm-up: $img"
  printf 'FROM %s\\nRUN --network=none true\\n' "$img" >"$d/ctx/Dockerfile"
  rc=0
  if [ -n "${BUILDKIT_HOST:-}" ] && command -v buildctl >/dev/null 2>&1; then
    buildctl build --progress plain --frontend dockerfile.v0 --local context="$d/ctx" --local dockerfile="$d/ctx" || rc=$?
  else
    # cacheonly: nothing exported (the docker driver would otherwise store a dangling image per warm-up)
    docker buildx build --progress plain --provenance=false --output type=cacheonly "$d/ctx" || rc=$?
  fi
  if [ "$rc" != 0 ]; then
    echo "gopipe warm-up: $img failed (exit $rc)"
    [ "$st" != 0 ] || st=$rc
  fi
done
echo "$st" >"$d/status"
'''
}

@NonCPS
String finishScript(String d) {
    // Still running (the fan-out ended before the images needed it): stop its process group, no wait.
    return """\
d=${goAffectedServicesCli.shq(d)}
pid=\$(cat "\$d/pid" 2>/dev/null || true)
if [ ! -s "\$d/status" ] && [ -n "\$pid" ] && kill -0 "\$pid" 2>/dev/null; then
  kill -TERM -- "-\$pid" 2>/dev/null || kill -TERM "\$pid" 2>/dev/null || true
  echo status=stopped
else
  echo "status=\$(cat "\$d/status" 2>/dev/null || echo 0)"
  echo "error=\$(grep 'gopipe warm-up: .* failed\\|ERROR\\|error:' "\$d/warmup.log" 2>/dev/null | tail -n 1)"
fi
""".toString()
}
