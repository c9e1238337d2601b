#!/usr/bin/env bash
# bench/pipeline: the whole pipeline, gopipe's goMonorepoPipeline against a naive pipeline, on a
# generated monorepo (gen_monorepo.py), both run by the shared library's CPS harness (library/,
# PipelineBench) with the real gopipe command, docker, registry and cache store. Each case starts on
# a pruned builder and a fresh agent; the base commit is built first by both (the previous build),
# then each scenario commit in turn. Prints seconds and ratios (medians over --reps repetitions, each
# a whole chain with its own registry namespace and cache store); see bench/pipeline/README.md.
#
#   bench/pipeline/run.sh [--services N] [--funcs N] [--reps N] [--out DIR]
#                         [--variants naive,gopipe,gopipe-remote] [--cases one-service,half-lib,docs,gomod]
#                         [--launcher bin|java]   (the gopipe command: bin/gopipe, default, or java -jar gopipe.jar)
#
# Needs `.ci/test-env up`. Builds cli/target/gopipe.jar (mvn package, no install).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
services=24; funcs=40; reps=1; variants=naive,gopipe,gopipe-remote; cases=; launcher=bin
out=${OUT:-/work/data/pipeline-bench/run-$(date -u +%Y%m%d-%H%M%S)}
GO_BIN=${GO_BIN:-/usr/lib/go-1.24/bin}
while [ $# -gt 0 ]; do
  case "$1" in
    --services) services=$2; shift 2 ;;
    --funcs) funcs=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --variants) variants=$2; shift 2 ;;
    --cases) cases=$2; shift 2 ;;
    --launcher) launcher=$2; shift 2 ;;
    -h|--help) sed -n 2,13p "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
die() { echo "bench/pipeline: $*" >&2; exit 1; }
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

bash "$root/.ci/test-env" status >/dev/null || die "the test environment is not up: run 'bash .ci/test-env up'"
[ -x "$GO_BIN/go" ] || die "no Go at $GO_BIN (set GO_BIN)"
mkdir -p "$out"
out=$(cd "$out" && pwd)

log "building cli/target/gopipe.jar"
(cd "$root" && mvn -B -q -o -pl cli -am package -DskipTests) >"$out/mvn-package.log" 2>&1 \
  || (cd "$root" && mvn -B -q -pl cli -am package -DskipTests) >"$out/mvn-package.log" 2>&1 \
  || { tail -n 30 "$out/mvn-package.log" >&2; die "mvn package failed"; }

# What an agent image would carry with the jar: the AppCDS archives of the short commands (bin/gopipe-cds,
# untimed, as the install is). Variant gopipe-remote-nocds runs without them.
log "writing the AppCDS archives next to the jar (bin/gopipe-cds)"
GOPIPE_JAR="$root/cli/target/gopipe.jar" bash "$root/bin/gopipe-cds" >"$out/gopipe-cds.log" 2>&1 \
  || { cat "$out/gopipe-cds.log" >&2; die "bin/gopipe-cds failed"; }

log "generating the monorepo ($services services) in $out/repo"
python3 "$here/gen_monorepo.py" "$out/repo" --services "$services" --funcs "$funcs" >"$out/commits.tsv"
cat "$out/commits.tsv" >&2

all=()
for ((r = 1; r <= reps; r++)); do
  o=$out/rep$r; mkdir -p "$o"
  # A registry namespace nobody wrote yet: the base build starts with an empty registry cache.
  registry=127.0.0.1:5000/pbench-$(date -u +%H%M%S)$$-r$r
  log "rep $r/$reps: running the pipelines (progress: $o/progress.log)"
  touch "$o/progress.log"; tail -F -n +1 "$o/progress.log" 2>/dev/null >&2 & tailpid=$!
  rc=0
  (cd "$root" && mvn -B -q -o -pl library -am test -Dtest=PipelineBench -Dsurefire.failIfNoSpecifiedTests=false \
     -Dgopipe.bench.pipeline.out="$o" -Dgopipe.bench.pipeline.repo="$out/repo" \
     -Dgopipe.bench.pipeline.commits="$out/commits.tsv" -Dgopipe.bench.pipeline.jar="$root/cli/target/gopipe.jar" \
     -Dgopipe.bench.pipeline.go="$GO_BIN" -Dgopipe.bench.pipeline.registry="$registry" \
     -Dgopipe.bench.pipeline.naive="$here/naive.Jenkinsfile" -Dgopipe.bench.pipeline.variants="$variants" \
     -Dgopipe.bench.pipeline.cases="$cases" -Dgopipe.bench.pipeline.launcher="$launcher") >"$o/mvn-test.log" 2>&1 || rc=$?
  kill "$tailpid" 2>/dev/null || true
  if [ $rc != 0 ]; then
    tail -n 40 "$o/mvn-test.log" >&2
    die "the bench failed (exit $rc); see $o/mvn-test.log and $o/logs"
  fi
  all+=("$o/results.tsv")
done
python3 "$here/report.py" "${all[@]}" | tee "$out/report.txt"
echo "raw: ${all[*]}; logs: $out/rep*/logs" >&2
