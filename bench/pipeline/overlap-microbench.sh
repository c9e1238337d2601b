#!/usr/bin/env bash
# The Affected stage's critical path with the remote build cache's daemon, as goMonorepoPipeline runs
# it: "seq" (before: `gopipe affected`, then the daemon and the bridge lookup, waited for) against
# "overlap" (now: daemon and bridge launched in the background, then `gopipe affected`, then the wait).
# No docker: the same commands the library's sh steps run, on a fresh $HOME and local tier each time,
# alternating the two orders; prints each run and the medians.
#
#   bench/pipeline/overlap-microbench.sh REPO BASE HEAD [REPS] [GOPIPE]
#
# REPO: a generated monorepo (gen_monorepo.py, or run.sh's OUT/repo); BASE/HEAD: the previous build's
# and the built commit; GOPIPE: the gopipe command (default: this checkout's bin/gopipe).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo=$1; base=$2; head=$3; reps=${4:-6}; gopipe=${5:-$here/../../bin/gopipe}
GO_BIN=${GO_BIN:-/usr/lib/go-1.24/bin}
w=$(mktemp -d /tmp/gopipe-overlap.XXXXXX)
trap 'rm -rf "$w"' EXIT
git clone -q "$repo" "$w/ws"
git -C "$w/ws" checkout -q "$head"
export PATH="$GO_BIN:$PATH"
run() {
  local mode=$1 d="$w/d" t0 t1 t2
  rm -rf "$d" "$w/home" "$w/tier"; mkdir -p "$d" "$w/home"
  export HOME="$w/home" GOPIPE_GOCACHE_DIR="$w/tier"
  serve() { setsid $gopipe gocache serve --backend "local:$w/store" --tcp 127.0.0.1:0 --ready-file "$d/ready" \
              --lock "$d/daemon.lock" --idle-exit 30m "$@" </dev/null >"$d/daemon.log" 2>&1 & echo $! >"$d/pid"; }
  bridge() { rc=0; $gopipe gocache bridge --daemon tcp:127.0.0.1:1 --go go --backend "local:$w/store" >"$d/bridge.out" \
               2>"$d/bridge.err" || rc=$?; echo $rc >"$d/bridge.rc"; }
  affected() { (cd "$w/ws" && $gopipe affected --repo . --format json --since-commit "$base" >/dev/null); }
  t0=$(date +%s.%N)
  if [ "$mode" = overlap ]; then
    serve; (bridge) & affected; t1=$(date +%s.%N)
  else
    affected; t1=$(date +%s.%N); serve --prefetch-key first/main; bridge
  fi
  while [ ! -s "$d/ready" ] || [ ! -s "$d/bridge.rc" ]; do sleep 0.05; done
  t2=$(date +%s.%N)
  kill -TERM -- "-$(cat "$d/pid")" 2>/dev/null || true; sleep 0.3
  printf '%s affected %.2f total %.2f load %s\n' "$mode" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t0" | bc)" \
    "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$w/runs"
}
for ((i = 0; i < reps; i++)); do run seq; run overlap; done
for m in seq overlap; do
  printf '%s: median total %s s over %d runs\n' "$m" \
    "$(awk -v m="$m" '$1 == m { print $5 }' "$w/runs" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }')" "$reps"
done
