#!/usr/bin/env bash
# The fixed cost of one `gopipe image build` JVM up to its builder (a JVM start on a fresh agent and the
# plan), without docker: the probe is made to fail (`--driver buildctl` with no buildctl / no buildkitd),
# which ImageJob reaches only after the plan. Three ways alternated per round, each a fresh agent
# (empty CDS folder): main's (`--service`, service discovery), `--plan` (the job's `gopipe affected`
# JSON) and `--plan` with the archives of bin/gopipe-cds (and discovery with them); plus `gopipe affected`
# with/without them; and the plan phase alone, in-process (PlanPhase.java: wall seconds, CPU column 0).
# Prints wall and CPU (user+sys) seconds, medians over ROUNDS.
#   bench/pipeline/image-step-microbench.sh REPO BASE SERVICE [ROUNDS] [JAR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
repo=$1; base=$2; svc=$3; rounds=${4:-10}; jar=${5:-$root/cli/target/gopipe.jar}
export GOPIPE_JAR=$jar
g=$root/bin/gopipe
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
baked=$tmp/baked; GOPIPE_CDS_BAKED_DIR=$baked bash "$root/bin/gopipe-cds" >/dev/null
plan=$tmp/plan.json
GOPIPE_CDS_BAKED_DIR=$tmp/none "$g" affected --repo "$repo" --base "$base" --output "$plan"
run() { # label, then env assignments and the command, in a fresh agent's CDS folder
  local label=$1; shift
  rm -rf "$tmp/cds"; mkdir -p "$tmp/cds"
  /usr/bin/time -f "$label %e %U %S" env GOPIPE_CDS_DIR="$tmp/cds" "$@" >/dev/null 2>"$tmp/err" || true
  tail -n 1 "$tmp/err" >>"$tmp/times"
}
for ((i = 1; i <= rounds; i++)); do
  run image-discovery GOPIPE_CDS_BAKED_DIR=$tmp/none "$g" image build --repo "$repo" --service "$svc" --driver buildctl
  run image-discovery-cds GOPIPE_CDS_BAKED_DIR=$baked "$g" image build --repo "$repo" --service "$svc" --driver buildctl
  run image-plan GOPIPE_CDS_BAKED_DIR=$tmp/none "$g" image build --repo "$repo" --service "$svc" --plan "$plan" --driver buildctl
  run image-plan-cds GOPIPE_CDS_BAKED_DIR=$baked "$g" image build --repo "$repo" --service "$svc" --plan "$plan" --driver buildctl
  run affected GOPIPE_CDS_BAKED_DIR=$tmp/none "$g" affected --repo "$repo" --base "$base"
  run affected-cds GOPIPE_CDS_BAKED_DIR=$baked "$g" affected --repo "$repo" --base "$base"
  # The plan phase alone, in-process (Jackson loaded before, as a real build loads it anyway).
  (cd "$repo" && echo "plan-phase-discovery $(java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$jar" "$root/bench/pipeline/PlanPhase.java" "$svc") 0 0") >>"$tmp/times"
  (cd "$repo" && echo "plan-phase-planfile $(java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$jar" "$root/bench/pipeline/PlanPhase.java" "$svc" "$plan") 0 0") >>"$tmp/times"
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$tmp/times" <<'PY'
import sys, statistics
rows = {}
for line in open(sys.argv[1]):
    p = line.split()
    if len(p) == 4:
        rows.setdefault(p[0], []).append((float(p[1]), float(p[2]) + float(p[3])))
print("| command | wall s (median) | CPU s (median) | n |\n|---|---|---|---|")
for k, v in rows.items():
    print(f"| {k} | {statistics.median(x[0] for x in v):.3f} | {statistics.median(x[1] for x in v):.3f} | {len(v)} |")
PY
