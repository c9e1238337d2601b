#!/usr/bin/env bash
# Affected-services benchmark: gopipe's engine (in-process with a warm and an empty parse cache, and
# the CLI from a cold start) against `go list -deps -json` at base and head, on the commit pairs of a
# generated monorepo. Checks that both sides return identical affected sets and prints the ratios.
#
#   bench/affected/run.sh                       # generate if missing, build, run the default pairs
#   RUNS=5 PAIRS=all bench/affected/run.sh      # more runs, every pair in pairs.tsv
#   REGEN=1 SEED=7 bench/affected/run.sh        # regenerate the monorepo first
#   CHECK_HISTORY=1 bench/affected/run.sh       # also check engine vs baseline on all 30 commits
#   GO=go bench/affected/run.sh                 # baseline with Go 1.19 instead of 1.24
#
# Data (repo, worktrees, go list cache, results.txt) lives in $DATA, never inside the repository.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="${DATA:-/work/data/bench-affected}"
RUNS="${RUNS:-3}"
PAIRS="${PAIRS:-hub-edit,new-package,gomod-go-line,range-20}"
SEED="${SEED:-42}"
GO="${GO:-/usr/lib/go-1.24/bin/go}"
[ -x "$GO" ] || GO="$(command -v go)"
JAVA_OPTS="${JAVA_OPTS:--Xmx3g}"

cd "$root"
echo "building gopipe.jar and gopipe-bench.jar ..." >&2
mvn -B -q -o -pl cli,bench -am package -DskipTests 2>/dev/null || mvn -B -q -pl cli,bench -am package -DskipTests
bench_jar="$root/bench/target/gopipe-bench.jar"
cli_jar="$root/cli/target/gopipe.jar"

mkdir -p "$DATA"
if [ -n "${REGEN:-}" ] || [ ! -f "$DATA/pairs.tsv" ] || [ ! -d "$DATA/repo/.git" ]; then
  echo "generating the monorepo (seed $SEED) in $DATA ..." >&2
  rm -rf "$DATA/golist-cache"
  java $JAVA_OPTS -cp "$bench_jar" io.gopipe.bench.affected.GenerateMonorepo --out "$DATA" --seed "$SEED"
fi

args=(--data "$DATA" --runs "$RUNS" --go "$GO" --cli-jar "$cli_jar")
[ "$PAIRS" = all ] || args+=(--pairs "$PAIRS")
[ -z "${CHECK_HISTORY:-}" ] || args+=(--check-history)
[ -z "${NO_GOLIST_TIMING:-}" ] || args+=(--no-golist-timing)
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); go: $("$GO" version)" >&2
exec java $JAVA_OPTS -cp "$bench_jar" io.gopipe.bench.affected.AffectedBench "${args[@]}"
