#!/usr/bin/env bash
# bench/cache real-shaped mode (bench/cache/run.sh --mode real): a generated module cache shaped like
# one CI filled from a few large projects across many releases (>= 1,500 module versions, >= 90k files,
# read-only folders, real zips with h1: hashes, many versions sharing most files), and a service module
# that imports 40 of its modules. Per round, interleaved, medians reported, wall and CPU seconds:
#   save          gopipe (full tree) | tar --posix | zstd -T0 -3
#   restore       into a fresh folder: gopipe (full tree) | tar+zstd
#   over          restore over the tree the previous step restored: gopipe | tar+zstd
#   job           restore into a fresh GOMODCACHE + `go build` of the service (Go 1.24, GOPROXY=off,
#                 warm GOCACHE): gopipe zips-only | gopipe full tree | tar+zstd full tree
# Every fresh restore is compared with the source (listing: types, modes, sizes, mtimes); every build's
# binary with the reference build. See bench/cache/README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
ROUNDS="${ROUNDS:-3}"
DATA="${BENCH_DATA:-/work/data/bench-cache}"
SEED="${SEED:-1}"
TARGET_MB="${TARGET_MB:-900}"
TARGET_FILES="${TARGET_FILES:-90000}"
MIN_VERSIONS="${MIN_VERSIONS:-1500}"
JAR="${GOPIPE_JAR:-$root/cli/target/gopipe.jar}"
GO124="${GO124:-/usr/lib/go-1.24/bin/go}"
KEEP="${KEEP:-0}"

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --size-mb) TARGET_MB="$2"; shift 2 ;;
    --files) TARGET_FILES="$2"; shift 2 ;;
    --min-versions) MIN_VERSIONS="$2"; shift 2 ;;
    --quick) TARGET_MB=60; TARGET_FILES=6000; MIN_VERSIONS=150; ROUNDS=1; shift ;;
    --jar) JAR="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --mode) shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; echo "options: --rounds N --data DIR --seed N --size-mb M --files N --min-versions N --quick --jar PATH --keep"; exit 0 ;;
    *) echo "real.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "real.sh: --rounds must be a positive number, not '$ROUNDS'" >&2; exit 2; }
for cmd in python3 tar zstd java find sort sha256sum cmp; do
  command -v "$cmd" >/dev/null || { echo "real.sh: '$cmd' is not installed" >&2; exit 1; }
done
[ -x "$GO124" ] || { echo "real.sh: Go 1.24 not found at $GO124 (set GO124)" >&2; exit 1; }
[ -f "$JAR" ] || { echo "real.sh: $JAR is missing (mvn -B -q -pl cli -am package -DskipTests)" >&2; exit 1; }

SRC="$DATA/real-s$SEED-${TARGET_MB}m-${TARGET_FILES}f/mod"
SVC="$SRC.svc"
mkdir -p "$DATA"
python3 "$here/gen_modcache.py" --out "$SRC" --shape real --seed "$SEED" --target-mb "$TARGET_MB" \
  --target-files "$TARGET_FILES" --min-versions "$MIN_VERSIONS"

WORK="$(mktemp -d "$DATA/real.XXXXXX")"
LOG="$WORK/commands.log"
mkdir -p "$DATA/results"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
TSV="$DATA/results/real-$stamp.tsv"
rm_tree() { [ -e "$1" ] || return 0; chmod -R u+w "$1" 2>/dev/null || true; rm -rf "$1"; }
cleanup() { if [ "$KEEP" = 1 ]; then echo "kept $WORK" >&2; else rm_tree "$WORK"; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM

listing() {
  (cd "$1" && find . -mindepth 1 \( -type f -printf 'f %m %s %Ts %P\n' \) -o \( -type d -printf 'd %m %P\n' \) \
      -o \( -type l -printf 'l %l %P\n' \) | LC_ALL=C sort | sha256sum | cut -c1-16)
}
ref="$(listing "$SRC")"
src_files="$(find "$SRC" -type f | wc -l)"
src_bytes="$(find "$SRC" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')"
dl_files="$(find "$SRC/cache/download" -type f ! -name '*.lock' | wc -l)"
versions="$(find "$SRC/cache/download" -name '*.zip' | wc -l)"

# bin/gopipe's AppCDS archives live in the scratch folder: every run starts from the same state
gopipe() { GOPIPE_JAR="$JAR" GOPIPE_CDS_DIR="$WORK/cds" "$root/bin/gopipe" "$@"; }
gobuild() {  # gobuild MODCACHE OUT
  (cd "$SVC" && GOMODCACHE="$1" GOPROXY=off GOFLAGS=-mod=mod GOSUMDB=off GONOSUMDB='*' GOTOOLCHAIN=local GOWORK=off \
    GOENV=off CGO_ENABLED=0 GOCACHE="$WORK/gocache" GOPATH="$WORK/gopath" "$GO124" build -trimpath -o "$2" .)
}

# Untimed set-up: one entry per layout (entries are immutable: every round restores the same ones),
# the reference binary, and a warm GOCACHE (a CI job restores its build cache too).
gopipe cache save --fail-on-error --create-store --backend "local:$WORK/store" --key bench-tree --policy mod --mod-layout tree --path "$SRC" >>"$LOG" 2>&1
gopipe cache save --fail-on-error --create-store --backend "local:$WORK/store" --key bench-zips --policy mod --mod-layout zips --path "$SRC" >>"$LOG" 2>&1
tar --posix -I 'zstd -T0 -3' -cf "$WORK/ref.tar.zst" -C "$SRC" .
# Two small restores, so the timed ones run as on an agent that has restored before: bin/gopipe
# writes its AppCDS archive on the second run of a jar (an ephemeral agent runs without one: ~0.1 CPU-s more).
for w in 1 2; do gopipe cache restore --fail-on-error --backend "local:$WORK/store" --key bench-zips --policy mod --path "$WORK/warm-$w" >>"$LOG" 2>&1; done
gobuild "$SRC" "$WORK/ref.bin" >>"$LOG" 2>&1

timed() {  # timed CMD...: prints "wall user sys"
  local TIMEFORMAT='%R %U %S'
  echo "+ $*" >>"$LOG"
  { time { "$@" >>"$LOG" 2>&1; } ; } 2>"$WORK/t" || { echo "FAILED: $*" >&2; tail -5 "$LOG" >&2; return 1; }
  cat "$WORK/t"
}
record() {  # record ROUND CASE TOOL "wall user sys" BYTES OK
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" $4 "$5" "$6" >>"$TSV"
  echo "  $2 $3: $4 $6" >&2
}
printf 'round\tcase\ttool\twall_s\tuser_s\tsys_s\tbytes\tok\n' >"$TSV"

save_gopipe() { gopipe cache save --fail-on-error --create-store --backend "local:$WORK/s-$1" --key bench --policy mod --mod-layout tree --path "$SRC"; }
save_zstd() { tar --posix -I 'zstd -T0 -3' -cf "$WORK/s-$1.tar.zst" -C "$SRC" .; }
restore_gopipe() { gopipe cache restore --fail-on-error --backend "local:$WORK/store" --key bench-tree --policy mod --path "$1"; }
restore_zstd() { mkdir -p "$1" && tar -I 'zstd -T0' -xf "$WORK/ref.tar.zst" -C "$1"; }
job_zips() { gopipe cache restore --fail-on-error --backend "local:$WORK/store" --key bench-zips --policy mod --path "$1" && gobuild "$1" "$1.bin"; }
job_tree() { gopipe cache restore --fail-on-error --backend "local:$WORK/store" --key bench-tree --policy mod --path "$1" && gobuild "$1" "$1.bin"; }
job_zstd() { restore_zstd "$1" && gobuild "$1" "$1.bin"; }

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= ROUNDS; r++)); do
  echo "round $r/$ROUNDS (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  two=(gopipe zstd); [ $((r % 2)) = 0 ] && two=(zstd gopipe)
  for t in "${two[@]}"; do
    sync; w="$(timed "save_$t" "$r")" || { record "$r" save "$t" "0 0 0" 0 FAILED; continue; }
    if [ "$t" = gopipe ]; then sz="$(du -sb "$WORK/s-$r" | cut -f1)"; rm_tree "$WORK/s-$r"; else sz="$(stat -c %s "$WORK/s-$r.tar.zst")"; rm -f "$WORK/s-$r.tar.zst"; fi
    record "$r" save "$t" "$w" "$sz" ok
  done
  for t in "${two[@]}"; do
    target="$WORK/fresh-$r-$t/mod"; mkdir -p "${target%/mod}"
    sync; w="$(timed "restore_$t" "$target")" || { record "$r" restore "$t" "0 0 0" 0 FAILED; continue; }
    ok=ok; [ "$(listing "$target")" = "$ref" ] || ok=BROKEN
    record "$r" restore "$t" "$w" 0 "$ok"
  done
  for t in "${two[@]}"; do
    target="$WORK/fresh-$r-$t/mod"
    sync; w="$(timed "restore_$t" "$target")" || { record "$r" over "$t" "0 0 0" 0 FAILED; continue; }
    ok=ok; [ "$(listing "$target")" = "$ref" ] || ok=BROKEN
    record "$r" over "$t" "$w" 0 "$ok"
  done
  three=(zips tree zstd)
  for ((i = 0; i < r - 1; i++)); do three=("${three[@]:1}" "${three[0]}"); done
  for t in "${three[@]}"; do
    target="$WORK/job-$r-$t/mod"; mkdir -p "${target%/mod}"
    sync; w="$(timed "job_$t" "$target")" || { record "$r" job "$t" "0 0 0" 0 FAILED; continue; }
    ok=ok; cmp -s "$target.bin" "$WORK/ref.bin" || ok=BROKEN
    record "$r" job "$t" "$w" 0 "$ok"
  done
done
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"

tree_size="$(du -sb "$WORK/store" | cut -f1)"
zips_entry="$(grep -o 'bench-zips, [0-9]* files' "$LOG" | head -1 || true)"
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
python3 - "$TSV" <<EOF
import csv, statistics, sys
rows = [r for r in csv.DictReader(open(sys.argv[1]), delimiter="\t")]
def vals(case, tool, col):
    return [float(r[col]) for r in rows if r["case"] == case and r["tool"] == tool and r["ok"] == "ok"]
def med(case, tool, col="wall_s"):
    v = vals(case, tool, col); return statistics.median(v) if v else None
def cpu(case, tool):
    v = [float(r["user_s"]) + float(r["sys_s"]) for r in rows if r["case"] == case and r["tool"] == tool and r["ok"] == "ok"]
    return statistics.median(v) if v else None
bad = sorted({r["case"] + " " + r["tool"] + " " + r["ok"] for r in rows if r["ok"] != "ok"})
print()
print("gopipe cache benchmark, real-shaped module cache, $stamp UTC (bench/cache/run.sh --mode real --rounds $ROUNDS)")
print("data: $src_files files, %.0f MiB, $versions module versions ($dl_files files in cache/download), read-only folders" % ($src_bytes / 2**20))
print("machine: $(nproc) cores ($cpu), kernel $(uname -r); load average $load_start at the start, $load_end at the end")
print("medians of $ROUNDS interleaved rounds; cpu = user + sys of the process tree")
print()
print("%-9s %-22s %8s %8s %8s %8s" % ("case", "tool", "wall s", "cpu s", "wall ×", "cpu ×"))
cases = [("save", "gopipe", "zstd"), ("restore", "gopipe", "zstd"), ("over", "gopipe", "zstd"),
         ("job", "zips", "tree"), ("job", "tree", "zstd"), ("job", "zstd", "zstd")]
names = {"gopipe": "gopipe (full tree)", "zstd": "tar+zstd -3", "zips": "gopipe zips-only", "tree": "gopipe full tree"}
done = set()
for case, tool, base in cases:
    if (case, tool) in done: continue
    done.add((case, tool))
    w, c, bw, bc = med(case, tool), cpu(case, tool), med(case, base), cpu(case, base)
    f = lambda x: "%.2f" % x if x is not None else "-"
    rw = "%.2f" % (w / bw) if w and bw and tool != base else ""
    rc = "%.2f" % (c / bc) if c and bc and tool != base else ""
    print("%-9s %-22s %8s %8s %8s %8s" % (case, names[tool], f(w), f(c), rw, rc))
print("  (ratios: save/restore/over against tar+zstd; job zips-only against job full tree, job full tree against tar+zstd + build)")
sz = [float(r["bytes"]) for r in rows if r["case"] == "save" and r["tool"] == "gopipe" and r["ok"] == "ok"]
zs = [float(r["bytes"]) for r in rows if r["case"] == "save" and r["tool"] == "zstd" and r["ok"] == "ok"]
if sz and zs:
    print("archive: gopipe %.0f MiB, tar+zstd -3 %.0f MiB, ratio %.2f" % (statistics.median(sz) / 2**20, statistics.median(zs) / 2**20,
          statistics.median(sz) / statistics.median(zs)))
print("status:", ", ".join(bad) or "every restore equal to the source, every binary identical")
print("raw figures: %s" % sys.argv[1])
EOF
