#!/usr/bin/env bash
# A/B of two gopipe builds on the fresh-agent daemon job of bench/gocache (run.sh must have seeded
# $BENCH_DATA): the same two jobs as run.sh's "daemon" variant (a one-line change in SVC_CHANGE, and
# SVC_SAME unchanged), alternating A and B in each pair (ABBA...) so both see the same load, plus a
# warm-local build per pair for the ratios. Each variant is LABEL=JAR[@LAUNCHER] (LAUNCHER defaults
# to bin/gopipe; a launcher other than bin/gopipe tries other JVM options); each has its own CDS
# directory, warmed by one untimed job first. Records wall time, the daemon's and go's CPU
# (/usr/bin/time), s3proxy's and the latency proxy's CPU during the job (a bench artifact on the same
# cores) and the 1-minute load of every job; the daemon runs with GOPIPE_GOCACHE_DEBUG=1,
# its timeline in $DATA/ab/log/. Prints medians per variant, also of the job without the daemon JVM's
# start until its serve command runs (that start varies most with the load). DEFER_DELETE=1 moves
# each job's directories aside instead of deleting them and deletes them all before each pair,
# followed by a 31 s pause: on a file system without a journal, ext4 scans the inodes deleted in the
# last 30 s each time it creates one (a fresh agent never has them); DEFER_DELETE=alt does that for
# odd pairs only and labels their rows "+defer", to measure the artifact within one run. Usage:
#   BENCH_DATA=/work/data/bench-gocache-1g bench/gocache/ab.sh old=/tmp/old.jar new=cli/target/gopipe.jar [pairs]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
DATA="${BENCH_DATA:-/work/data/bench-gocache-1g}"
GO="${GO:-/usr/lib/go-1.24/bin/go}"
SVC_CHANGE="${SVC_CHANGE:-s07}"
SVC_SAME="${SVC_SAME:-s08}"
DELAY="${DELAY:-5ms}"
CASES="${CASES:-change same}"
[ $# -ge 2 ] || { sed -n 2,10p "$0"; exit 2; }
A="$1"; B="$2"; PAIRS="${3:-3}"
[ -f "$DATA/seeded" ] || { echo "ab.sh: $DATA is not seeded (run bench/gocache/run.sh --seed-only first)" >&2; exit 2; }

AB="$DATA/ab"; mkdir -p "$AB/log" "$AB/bin"
DEFER_DELETE="${DEFER_DELETE:-0}"; DEFER=0; TAG=""
TRASH="$AB/trash"; rm -rf "$TRASH"; mkdir -p "$TRASH"
# discard DIR: delete it now, or (DEFER=1) move it aside to be deleted before the next pair.
discard() { if [ "$DEFER" = 1 ]; then [ ! -e "$1" ] || mv "$1" "$TRASH/$(date +%s%N)"; else rm -rf "$1"; fi; }
RES="$AB/results.tsv"; : > "$RES"
export PATH="$(dirname "$GO"):$PATH" GOTOOLCHAIN=local GOPROXY=off GOFLAGS= CGO_ENABLED=0 GOENV=off
export GOPATH="$DATA/gopath" GOPIPE_S3_ACCESS_KEY=bench GOPIPE_S3_SECRET_KEY=bench-secret

"$GO" build -o "$AB/bin/latencyproxy" "$here/latencyproxy/main.go"
cp_s3=$(tr ':' '\n' < "$DATA/s3proxy.cp" | grep -v logback | paste -sd:)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P_S3=$(free_port); P_LAT=$(free_port)
sed "s#^s3proxy.endpoint=.*#s3proxy.endpoint=http://127.0.0.1:$P_S3#" "$DATA/s3proxy.properties" > "$AB/s3proxy.properties"
java -cp "$cp_s3" org.gaul.s3proxy.Main --properties "$AB/s3proxy.properties" > "$AB/s3proxy.log" 2>&1 &
S3_PID=$!
"$AB/bin/latencyproxy" -listen "127.0.0.1:$P_LAT" -target "127.0.0.1:$P_S3" -delay "$DELAY" 2> "$AB/latencyproxy.log" &
LAT_PID=$!
cleanup() {
  kill "$LAT_PID" "$S3_PID" 2>/dev/null || true; wait "$LAT_PID" "$S3_PID" 2>/dev/null || true
  rm -rf "$TRASH"
  sed -i "s/^const Version = .*/const Version = 0/" "$DATA/mono/svc/$SVC_CHANGE/internal/h/h.go"
}
trap cleanup EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$P_LAT/" && break; sleep 0.2; done
S3="--backend s3://bench/ci --s3-endpoint http://127.0.0.1:$P_LAT --s3-path-style"

label() { echo "${1%%=*}"; }
jar() { local v="${1#*=}"; echo "${v%%@*}"; }
launcher() { local v="${1#*=}"; [ "$v" != "${v#*@}" ] && echo "${v#*@}" || echo "$root/bin/gopipe"; }

# Each variant's bridge (its jar embeds the source), built once outside the jobs, as in run.sh.
for v in "$A" "$B"; do
  rm -rf "$AB/bridge-$(label "$v")"
  GOCACHE="$AB/bridge-gocache" GOPIPE_JAR="$(jar "$v")" "$root/bin/gopipe" gocache bridge --go "$GO" \
    --cache-dir "$AB/bridge-$(label "$v")" --daemon unix:/x >/dev/null
done
bridge() { ls "$AB/bridge-$(label "$1")"/gopipe-gocache-bridge-* | head -1; }

cd "$DATA/mono"
ms() { echo $(( $(date +%s%N) / 1000000 )); }
# CPU seconds (user + system) a process has used so far: s3proxy's and the latency proxy's share of
# each job is a bench artifact (a real S3 runs elsewhere), measured and printed next to the figures.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz}' "/proc/$1/stat" 2>/dev/null || echo 0; }
NONCE=$(date +%s)
n=0
# job VARIANT CASE SERVICE NAME: one fresh-agent daemon job, timed; appends a result line.
job() {
  local v="$1" case="$2" svc="$3" name="$4" f="$DATA/fresh-ab" load t0 t1
  discard "$f"; mkdir -p "$f"; discard "$DATA/out/ab"; mkdir -p "$DATA/out/ab"
  load=$(cut -d' ' -f1 /proc/loadavg)
  local s3a lata; s3a=$(cpu_s "$S3_PID"); lata=$(cpu_s "$LAT_PID")
  t0=$(ms)
  GOPIPE_GOCACHE_DEBUG=1 GOPIPE_JAR="$(jar "$v")" GOPIPE_CDS_DIR="$AB/cds-$(label "$v")" \
    /usr/bin/time -f '%U %S' -o "$AB/log/$name.dcpu" "$(launcher "$v")" gocache serve $S3 --dir "$f/tier" --socket "$f/d.sock" \
    --idle-exit 1s --prefetch-key "$svc/ab-$NONCE-$(label "$v")" 2> "$AB/log/$name.log" &
  local dpid=$!
  GOCACHE="$f/gocache" GOCACHEPROG="$(bridge "$v") -daemon unix:$f/d.sock -wait 20s -quiet -prefetch-key $svc/ab-$NONCE-$(label "$v") -stats-json $AB/log/$name.json" \
    /usr/bin/time -f '%U %S' -o "$AB/log/$name.gocpu" go build -o "$DATA/out/ab/bin" "./svc/$svc"
  t1=$(ms)
  wait "$dpid"
  local s3b latb; s3b=$(cpu_s "$S3_PID"); latb=$(cpu_s "$LAT_PID")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(label "$v")$TAG" "$case" "$((t1 - t0))" "$load" \
    "$(awk '{print $1+$2}' "$AB/log/$name.dcpu")" "$(awk '{print $1+$2}' "$AB/log/$name.gocpu")" "$name" \
    "$(awk -v a="$s3a" -v b="$s3b" 'BEGIN{printf "%.2f", b-a}')" "$(awk -v a="$lata" -v b="$latb" 'BEGIN{printf "%.2f", b-a}')" \
    "$(sed -n 's/.* \([0-9]*\) ms after JVM start: daemon starts.*/\1/p' "$AB/log/$name.log" | head -1)" >> "$RES"
}
warm() {   # CASE SERVICE
  local t0 load; load=$(cut -d' ' -f1 /proc/loadavg); discard "$DATA/out/ab"; mkdir -p "$DATA/out/ab"
  t0=$(ms); GOCACHE="$DATA/warm" go build -o "$DATA/out/ab/bin" "./svc/$2"
  printf 'warm%s\t%s\t%s\t%s\t0\t0\twarm\t0\t0\t0\n' "$TAG" "$1" "$(( $(ms) - t0 ))" "$load" >> "$RES"
}

echo "== ab: $(label "$A") vs $(label "$B"), $PAIRS pairs, cases: $CASES; load $(cut -d' ' -f1-3 /proc/loadavg)"
# Untimed: each variant's first run writes its CDS archive, and each variant keeps its own manifests
# (key <service>/ab-<run>-<label>, new each run; its first job fetches object by object and writes
# it), so a change of what a run writes is compared on the manifests that variant writes: an older
# jar reading manifests with kept packs lists only what they list (bench/gocache/README.md).
for v in "$A" "$B"; do
  job "$v" warmup "$SVC_SAME" "warmup-$(label "$v")"; sed -i '$d' "$RES"
  job "$v" warmup "$SVC_SAME" "warmup2-$(label "$v")"; sed -i '$d' "$RES"
  job "$v" warmup "$SVC_CHANGE" "warmup3-$(label "$v")"; sed -i '$d' "$RES"
done
for p in $(seq "$PAIRS"); do
  if [ $((p % 2)) = 1 ]; then order="$A $B"; else order="$B $A"; fi
  if [ "$DEFER_DELETE" = 1 ] || { [ "$DEFER_DELETE" = alt ] && [ $((p % 2)) = 1 ]; }; then
    DEFER=1; TAG=$([ "$DEFER_DELETE" = alt ] && echo "+defer" || true)
    rm -rf "$TRASH"; mkdir -p "$TRASH"; sleep 31   # no deletion of ours in the 30 s before the pair
  else
    DEFER=0; TAG=""
  fi
  for c in $CASES; do
    if [ "$c" = change ]; then svc="$SVC_CHANGE"; else svc="$SVC_SAME"; fi
    for v in $order; do
      n=$((n + 1))
      if [ "$c" = change ]; then
        sed -i "s/^const Version = .*/const Version = ${NONCE}${n}/" "svc/$SVC_CHANGE/internal/h/h.go"
      fi
      job "$v" "$c" "$svc" "$(label "$v")-$c-$p"
    done
    [ "$c" = change ] && sed -i "s/^const Version = .*/const Version = ${NONCE}${n}9/" "svc/$SVC_CHANGE/internal/h/h.go"
    warm "$c" "$svc"
  done
  echo "   pair $p done (load $(cut -d' ' -f1 /proc/loadavg))"
done
python3 - "$RES" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
by = {}
for v, c, ms, load, dcpu, gocpu, name, s3cpu, latcpu, jvm in rows:
    by.setdefault((c, v), []).append((int(ms), float(load), float(dcpu), float(gocpu), float(s3cpu), float(latcpu),
                                      int(jvm or 0), int(ms) - int(jvm or 0)))
for (c, v), xs in sorted(by.items()):
    med = lambda i: statistics.median(x[i] for x in xs)
    w = by.get((c, "warm" + (v[v.index("+"):] if "+" in v else "")))
    ratio = f"  {med(0) / statistics.median(x[0] for x in w):.2f}x warm" if w and not v.startswith("warm") else ""
    print(f"{c:7s} {v:10s} median {med(0)/1000:.2f}s{ratio}  [{' '.join(str(x[0]) for x in xs)}] ms  " +
          (f"JVM start to serve {med(6)}ms, job after it {med(7)/1000:.2f}s  " if not v.startswith("warm") else "") +
          f"daemon CPU {med(2):.2f}s  go CPU {med(3):.2f}s  s3proxy CPU {med(4):.2f}s  latencyproxy CPU {med(5):.2f}s  load {' '.join(str(x[1]) for x in xs)}")
PY
