#!/usr/bin/env bash
# The floor under any remote build cache on a fresh agent, on run.sh's seeded data: the service's own
# GOCACHE entries (exactly the files go opens to build it, found once with strace on the warm
# GOCACHE) copied with cp from the page cache into a new, empty GOCACHE, then the same go build.
# No store, no network, no JVM, no decompression: what is left is putting the closure's files on
# disk, and go's own work. Side by side with the warm local GOCACHE, per repetition:
#   change: a new one-line change in SVC_CHANGE (the closure is the one before the change, what a
#           prefetch of the key brings); same: SVC_SAME unchanged.
# Prints the medians and the ratios to warm local (the issue's targets: <= 1.5x and <= 1.3x).
# Usage: BENCH_DATA=/work/data/bench-gocache-1g bench/gocache/floor.sh [reps]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATA="${BENCH_DATA:-/work/data/bench-gocache-1g}"
GO="${GO:-/usr/lib/go-1.24/bin/go}"
SVC_CHANGE="${SVC_CHANGE:-s07}"
SVC_SAME="${SVC_SAME:-s08}"
REPS="${1:-5}"
[ -f "$DATA/seeded" ] || { echo "floor.sh: $DATA is not seeded (bench/gocache/run.sh --seed-only first)" >&2; exit 2; }
command -v strace >/dev/null || { echo "floor.sh: needs strace" >&2; exit 2; }
export PATH="$(dirname "$GO"):$PATH" GOTOOLCHAIN=local GOPROXY=off GOFLAGS= CGO_ENABLED=0 GOENV=off
export GOPATH="$DATA/gopath"
FL="$DATA/floor"; rm -rf "$FL"; mkdir -p "$FL"
cd "$DATA/mono"
ms() { echo $(( $(date +%s%N) / 1000000 )); }
RES="$FL/results.tsv"; : > "$RES"
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$RES"; }
hfile="svc/$SVC_CHANGE/internal/h/h.go"
orig=$(grep '^const Version = ' "$hfile")
trap 'sed -i "s/^const Version = .*/$orig/" "$hfile"' EXIT

# closure SERVICE: the warm GOCACHE's files that go opens for this build, copied into $FL/closure-SERVICE.
closure() {
  local s="$1" dst="$FL/closure-$1"
  GOCACHE="$DATA/warm" strace -f -qq -e trace=openat -o "$FL/trace-$s" go build -o "$FL/scan-bin" "./svc/$s"
  grep -o "\"$DATA/warm/[0-9a-f][0-9a-f]/[0-9a-f]*-[ad]\"" "$FL/trace-$s" | tr -d '"' | sort -u \
    | while read -r p; do [ ! -f "$p" ] || echo "$p"; done > "$FL/files-$s"   # not the misses (ENOENT)
  mkdir -p "$dst"
  sed "s#^$DATA/warm/##" "$FL/files-$s" | tar -C "$DATA/warm" -cf - -T - | tar -C "$dst" -xf -
  echo "   closure of $s: $(wc -l < "$FL/files-$s") files, $(du -sm "$dst" | cut -f1) MiB"
}
fresh() { rm -rf "$FL/fresh"; mkdir -p "$FL/fresh"; echo "$FL/fresh"; }
newout() { rm -rf "$FL/out"; mkdir -p "$FL/out"; echo "$FL/out/bin"; }

echo "== floor: $SVC_CHANGE (one-line change), $SVC_SAME (unchanged); load $(cut -d' ' -f1-3 /proc/loadavg)"
closure "$SVC_CHANGE"; closure "$SVC_SAME"
NONCE=$(date +%s)
for r in $(seq "$REPS"); do
  echo "== rep $r/$REPS (load $(cut -d' ' -f1-3 /proc/loadavg))"
  sed -i "s/^const Version = .*/const Version = ${NONCE}${r}/" "$hfile"
  t0=$(ms); GOCACHE="$DATA/warm" go build -o "$(newout)" "./svc/$SVC_CHANGE"; record change warm-local $(( $(ms) - t0 ))
  # The warm build just cached this change: the floor's copy is the closure from before it.
  f=$(fresh); t0=$(ms)
  cp -r "$FL/closure-$SVC_CHANGE" "$f/gocache"; t1=$(ms)
  GOCACHE="$f/gocache" go build -o "$(newout)" "./svc/$SVC_CHANGE"
  record change floor $(( $(ms) - t0 )); record change floor-copy $(( t1 - t0 ))
  t0=$(ms); GOCACHE="$DATA/warm" go build -o "$(newout)" "./svc/$SVC_SAME"; record same warm-local $(( $(ms) - t0 ))
  f=$(fresh); t0=$(ms)
  cp -r "$FL/closure-$SVC_SAME" "$f/gocache"; t1=$(ms)
  GOCACHE="$f/gocache" go build -o "$(newout)" "./svc/$SVC_SAME"
  record same floor $(( $(ms) - t0 )); record same floor-copy $(( t1 - t0 ))
done
echo "== load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$RES" <<'PY'
import sys, statistics, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    case, variant, millis = line.split('\t'); rows[(case, variant)].append(int(millis))
med = {k: statistics.median(v) / 1000 for k, v in rows.items()}
for case, target in (('change', 1.5), ('same', 1.3)):
    w, f, c = med[(case, 'warm-local')], med[(case, 'floor')], med[(case, 'floor-copy')]
    print(f"{case:6s} warm local {w:.2f} s | floor (cp of the closure + build) {f:.2f} s, of which cp {c:.2f} s"
          f" | floor / warm {f / w:.2f}x (target <= {target}x)")
PY
