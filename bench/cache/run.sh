#!/usr/bin/env bash
# Times SAVE and RESTORE of a ~1.1 GB, ~90,000-file Go module cache with
#   gopipe    bin/gopipe cache save|restore --backend local:DIR ...   (the launcher: java -XX:+UseSerialGC -jar cli/target/gopipe.jar)
#   tar+zstd  tar --posix -I 'zstd -T0' -cf / -xf   (actions/cache's method)
#   tar.gz    tar czf / xzf                          (jobcacher's default)
# on the same data and disk, several interleaved rounds, and prints medians and ratios.
# Every restore goes into a fresh, empty target and is checked against the source (file count,
# listing with types, modes, sizes and mtimes, and a CRC of every file's content), so a fast but
# incomplete restore cannot win. See bench/cache/README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# --mode real: the real-shaped module cache, zips-only vs full tree, restore over a tree (real.sh)
for arg in "$@"; do [ "$arg" = real ] && [ "${prev:-}" = --mode ] && exec "$here/real.sh" "$@"; prev="$arg"; done

ROUNDS="${ROUNDS:-3}"
TOOLS="${TOOLS:-gopipe,zstd,gzip}"
DATA="${BENCH_DATA:-/work/data/bench-cache}"
SEED="${SEED:-1}"
TARGET_MB="${TARGET_MB:-1100}"
TARGET_FILES="${TARGET_FILES:-90000}"
DROP_CACHES="${DROP_CACHES:-0}"
VERIFY="${VERIFY:-full}"
TIMED_SYNC="${TIMED_SYNC:-0}"
JAR="${GOPIPE_JAR:-$root/cli/target/gopipe.jar}"
BUILD="${BUILD:-1}"
KEEP="${KEEP:-0}"

usage() {
  cat <<'EOF'
usage: bench/cache/run.sh [options]
  --rounds N        rounds, each runs every tool once in a rotated order (default 3)
  --tools LIST      comma list of gopipe, zstd, gzip, zstd-long (default gopipe,zstd,gzip);
                    zstd-long is actions/cache's exact flags (zstd -T0 --long=30)
  --data DIR        where the generated cache and the scratch files live (default /work/data/bench-cache)
  --seed N          generator seed (default 1); --size-mb M --files N: generator size (default 1100 / 90000)
  --quick           small data (200 MiB, 15000 files) and 1 round: a smoke test of the script
  --drop-caches     sync and drop the page cache before every timed step (needs root; cold-cache figures)
  --timed-sync      include a final `sync` in every timed step (pays the write-back inside the timing)
  --verify MODE     full (listing + content CRC, default) or listing (listing only: faster)
  --jar PATH        gopipe jar (default cli/target/gopipe.jar, built with Maven when missing)
  --no-build        never run Maven; fail if the jar is missing
  --keep            keep the last round's archives and every restored tree
  --mode real       the real-shaped cache (>= 1,500 module versions, a buildable service): save, restore,
                    restore over a tree, restore + go build zips-only vs full tree (bench/cache/real.sh)
Every option also has an environment variable: ROUNDS, TOOLS, BENCH_DATA, SEED, TARGET_MB,
TARGET_FILES, DROP_CACHES=1, TIMED_SYNC=1, VERIFY, GOPIPE_JAR, BUILD=0, KEEP=1.
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --tools) TOOLS="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --size-mb) TARGET_MB="$2"; shift 2 ;;
    --files) TARGET_FILES="$2"; shift 2 ;;
    --quick) TARGET_MB=200; TARGET_FILES=15000; ROUNDS=1; shift ;;
    --drop-caches) DROP_CACHES=1; shift ;;
    --timed-sync) TIMED_SYNC=1; shift ;;
    --verify) VERIFY="$2"; shift 2 ;;
    --jar) JAR="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --keep) KEEP=1; shift ;;
    --mode) [ "$2" = synthetic ] || { echo "run.sh: --mode must be synthetic or real" >&2; exit 2; }; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$VERIFY" in full|listing) ;; *) echo "run.sh: --verify must be full or listing, not '$VERIFY'" >&2; exit 2 ;; esac
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --rounds must be a positive number, not '$ROUNDS'" >&2; exit 2; }
IFS=, read -r -a tools <<<"$TOOLS"
for t in "${tools[@]}"; do
  case "$t" in gopipe|zstd|gzip|zstd-long) ;; *) echo "run.sh: unknown tool '$t' in --tools" >&2; exit 2 ;; esac
done
for cmd in python3 tar zstd gzip find sort cksum sha256sum; do
  command -v "$cmd" >/dev/null || { echo "run.sh: '$cmd' is not installed (bash .ci/install-deps installs zstd)" >&2; exit 1; }
done

# ---------------------------------------------------------------- data and tools
src_parent="$DATA/src-s$SEED-${TARGET_MB}m-${TARGET_FILES}f"
SRC="$src_parent/mod"
mkdir -p "$DATA"
free_mb() { df -Pm "$1" | awk 'NR==2 {print $4}'; }
# every restored copy is kept until the end (see the restore loop), plus one round's archives and a margin
need_mb=$(( TARGET_MB * (ROUNDS * ${#tools[@]} + ${#tools[@]}) + 1024 ))
if [ ! -d "$SRC" ]; then need_mb=$(( need_mb + TARGET_MB )); fi
if [ "$(free_mb "$DATA")" -lt "$need_mb" ]; then
  echo "run.sh: $DATA has $(free_mb "$DATA") MiB free, the benchmark needs about $need_mb MiB" >&2
  exit 1
fi
python3 "$here/gen_modcache.py" --out "$SRC" --seed "$SEED" --target-mb "$TARGET_MB" --target-files "$TARGET_FILES"

if [[ ",$TOOLS," == *",gopipe,"* ]]; then
  if [ ! -f "$JAR" ]; then
    [ "$BUILD" = 1 ] || { echo "run.sh: $JAR is missing (build it: mvn -B -q -pl cli -am package -DskipTests)" >&2; exit 1; }
    echo "building $JAR ..." >&2
    (cd "$root" && mvn -B -q -pl cli -am package -DskipTests >&2)
  fi
  java -jar "$JAR" cache --help >/dev/null 2>&1 || { echo "run.sh: '$JAR' has no 'cache' command yet (merge the cache branch)" >&2; exit 1; }
fi

WORK="$(mktemp -d "$DATA/run.XXXXXX")"
LOG="$WORK/commands.log"
RESULTS="$DATA/results"
mkdir -p "$RESULTS"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
TSV="$RESULTS/$stamp.tsv"

rm_tree() {  # Go's read-only trees: make writable first, as Go's `go clean -modcache` does
  [ -e "$1" ] || return 0
  chmod -R u+w "$1" 2>/dev/null || true
  rm -rf "$1"
}
cleanup() {
  if [ "$KEEP" = 1 ]; then echo "kept $WORK" >&2; else rm_tree "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- verification
listing() {  # type, mode, size, mtime (files) and path of every entry, sorted
  (cd "$1" && find . -mindepth 1 \( -type f -printf 'f %m %s %Ts %P\n' \) -o \( -type d -printf 'd %m %P\n' \) \
      -o \( -type l -printf 'l %l %P\n' \) -o -printf '? %y %m %P\n' | LC_ALL=C sort)
}
content_sum() {
  (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r cksum | sha256sum | cut -c1-16)
}
fingerprint() {  # "<files> <listing sha> <content sha>"
  local l; l="$(listing "$1")"
  printf '%s %s %s\n' "$(grep -c '^f ' <<<"$l")" "$(sha256sum <<<"$l" | cut -c1-16)" \
    "$([ "$VERIFY" = full ] && content_sum "$1" || echo -)"
}

echo "fingerprinting the source tree ..." >&2
ref="$(fingerprint "$SRC")"
listing "$SRC" >"$WORK/ref.listing"
src_files="${ref%% *}"
src_bytes="$(du -s -B1 "$SRC" | cut -f1)"
src_apparent="$(find "$SRC" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')"

# ---------------------------------------------------------------- the tools
# save_<tool> ROUND: writes the archive/entry of ROUND; restore_<tool> ROUND TARGET; size_<tool> ROUND
zstd_prog='zstd -T0'
save_zstd() { tar --posix -I "$zstd_prog" -cf "$WORK/r$1.tar.zst" -C "$SRC" .; }
restore_zstd() { mkdir -p "$2" && tar -I "$zstd_prog" -xf "$WORK/r$1.tar.zst" -C "$2"; }
size_zstd() { stat -c %s "$WORK/r$1.tar.zst"; }
drop_zstd() { rm -f "$WORK/r$1.tar.zst"; }

save_zstd-long() { tar --posix -I 'zstd -T0 --long=30' -cf "$WORK/r$1.long.tar.zst" -C "$SRC" .; }
restore_zstd-long() { mkdir -p "$2" && tar -I 'zstd -d --long=30' -xf "$WORK/r$1.long.tar.zst" -C "$2"; }
size_zstd-long() { stat -c %s "$WORK/r$1.long.tar.zst"; }
drop_zstd-long() { rm -f "$WORK/r$1.long.tar.zst"; }

save_gzip() { tar czf "$WORK/r$1.tar.gz" -C "$SRC" .; }
restore_gzip() { mkdir -p "$2" && tar xzf "$WORK/r$1.tar.gz" -C "$2"; }
size_gzip() { stat -c %s "$WORK/r$1.tar.gz"; }
drop_gzip() { rm -f "$WORK/r$1.tar.gz"; }

# Through the launcher users run, so gopipe gets the JVM options it ships with (GOPIPE_JAVA_OPTS overrides them).
gopipe() { GOPIPE_JAR="$JAR" "$root/bin/gopipe" "$@"; }
save_gopipe() { gopipe cache save --fail-on-error --create-store --backend "local:$WORK/store-r$1" --key "bench-r$1" --mod-layout tree --path "$SRC"; }
restore_gopipe() { gopipe cache restore --fail-on-error --backend "local:$WORK/store-r$1" --key "bench-r$1" --path "$2"; }
size_gopipe() { du -sb "$WORK/store-r$1" | cut -f1; }
drop_gopipe() { rm_tree "$WORK/store-r$1"; }

label() { case "$1" in gopipe) echo gopipe ;; zstd) echo tar+zstd ;; zstd-long) echo tar+zstd-long ;; gzip) echo tar.gz ;; esac; }

# ---------------------------------------------------------------- timing
prepare() {  # untimed: flush what the previous step left dirty; optionally drop the page cache
  sync
  if [ "$DROP_CACHES" = 1 ]; then echo 3 >/proc/sys/vm/drop_caches; fi
}
# timed OUTFILE CMD...: runs CMD with its output in the log, writes "wall user sys" to OUTFILE
timed() {
  local out="$1"; shift
  local TIMEFORMAT='%R %U %S' rc=0
  echo "+ $*" >>"$LOG"
  { time { "$@" >>"$LOG" 2>&1 && { [ "$TIMED_SYNC" = 0 ] || sync; }; } ; } 2>"$out" || rc=$?
  return $rc
}

if [ "$DROP_CACHES" = 1 ]; then
  sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || { echo "run.sh: cannot drop the page cache here (--drop-caches needs root and a writable /proc/sys)" >&2; exit 1; }
fi

printf 'round\ttool\top\twall_s\tuser_s\tsys_s\tbytes\tok\n' >"$TSV"
failed=0
n=${#tools[@]}
for ((r = 1; r <= ROUNDS; r++)); do
  order=()
  for ((i = 0; i < n; i++)); do order+=("${tools[$(( (i + r - 1) % n ))]}"); done
  echo "round $r/$ROUNDS: ${order[*]}" >&2
  for t in "${order[@]}"; do
    prepare
    if timed "$WORK/t" "save_$t" "$r"; then
      read -r w u s <"$WORK/t"; sz="$("size_$t" "$r")"; ok=ok
    else
      read -r w u s <"$WORK/t" || true; sz=0; ok=FAILED; failed=1
      echo "  $(label "$t") save FAILED (see $LOG)" >&2; tail -5 "$LOG" >&2
    fi
    printf '%s\t%s\tsave\t%s\t%s\t%s\t%s\t%s\n' "$r" "$t" "$w" "$u" "$s" "$sz" "$ok" >>"$TSV"
    echo "  $(label "$t") save ${w}s $((sz / 1048576)) MiB" >&2
  done
  for t in "${order[@]}"; do
    # A fresh directory per restore, all removed at the end, never between steps: for about a
    # minute after files are deleted, ext4 steps over their inodes one by one when it allocates new
    # ones (recently_deleted()), so restoring 91k files right after deleting the previous restore's
    # 91k cost whichever tool came next up to 50 s of kernel time (seen here: 4.7 s vs 30 s).
    target="$WORK/restore-r$r-$t/mod"
    mkdir -p "$WORK/restore-r$r-$t"
    prepare
    if timed "$WORK/t" "restore_$t" "$r" "$target"; then
      read -r w u s <"$WORK/t"
      got="$(fingerprint "$target")"
      if [ "$got" = "$ref" ]; then ok=ok; else
        ok=BROKEN; failed=1
        echo "  $(label "$t") restore is NOT equal to the source: got '$got', want '$ref'" >&2
        listing "$target" | diff "$WORK/ref.listing" - | head -8 >&2 || true
      fi
    else
      read -r w u s <"$WORK/t" || true; ok=FAILED; failed=1
      echo "  $(label "$t") restore FAILED (see $LOG)" >&2; tail -5 "$LOG" >&2
    fi
    printf '%s\t%s\trestore\t%s\t%s\t%s\t%s\t%s\n' "$r" "$t" "$w" "$u" "$s" 0 "$ok" >>"$TSV"
    echo "  $(label "$t") restore ${w}s $ok" >&2
  done
  if [ "$KEEP" != 1 ] || [ "$r" -lt "$ROUNDS" ]; then
    for t in "${tools[@]}"; do "drop_$t" "$r"; done
  fi
done

# ---------------------------------------------------------------- report
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
mem="$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
fs="$(df -PT "$DATA" | awk 'NR==2 {print $2 " on " $1}')"
machine="$(nproc) cores ($cpu), $mem RAM, $fs, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
versions="$(tar --version | head -1), zstd $(zstd -V 2>/dev/null | grep -o 'v[0-9.]*' | head -1), $(gzip --version | head -1), $(java -version 2>&1 | head -1)"
python3 "$here/report.py" "$TSV" "$src_files" "$src_bytes" "$src_apparent" "$ROUNDS" "$DROP_CACHES" "$TIMED_SYNC" "$machine" "$versions" "$stamp"
exit $failed
