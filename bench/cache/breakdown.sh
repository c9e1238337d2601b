#!/usr/bin/env bash
# Where does the time of a cache save / restore go? Splits the work into its parts with plain
# tools (read the tree, compress, hash, decompress, create the files) and profiles gopipe's own
# save and restore with Java Flight Recorder, printing the hottest methods of each.
# Uses the data of bench/cache/run.sh (generated if missing). One pass, warm page cache: the
# figures explain where time goes; run.sh is the benchmark.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
DATA="${BENCH_DATA:-/work/data/bench-cache}"
SEED="${SEED:-1}"
TARGET_MB="${TARGET_MB:-1100}"
TARGET_FILES="${TARGET_FILES:-90000}"
JAR="${GOPIPE_JAR:-$root/cli/target/gopipe.jar}"
PARTS="${PARTS:-tools,gopipe}"   # tools: the plain-tool split; gopipe: JFR profiles of gopipe
TOP="${TOP:-15}"

while [ $# -gt 0 ]; do
  case "$1" in
    --data) DATA="$2"; shift 2 ;;
    --jar) JAR="$2"; shift 2 ;;
    --parts) PARTS="$2"; shift 2 ;;
    --quick) TARGET_MB=200; TARGET_FILES=15000; shift ;;
    -h|--help) sed -n '2,6p' "$0"; echo "options: --data DIR --jar PATH --parts tools,gopipe --quick (env TOP=N hot methods)"; exit 0 ;;
    *) echo "breakdown.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done

SRC="$DATA/src-s$SEED-${TARGET_MB}m-${TARGET_FILES}f/mod"
python3 "$here/gen_modcache.py" --out "$SRC" --seed "$SEED" --target-mb "$TARGET_MB" --target-files "$TARGET_FILES"
WORK="$(mktemp -d "$DATA/breakdown.XXXXXX")"
rm_tree() { [ -e "$1" ] || return 0; chmod -R u+w "$1" 2>/dev/null || true; rm -rf "$1"; }
trap 'rm_tree "$WORK"' EXIT
trap 'exit 130' INT TERM

# step NAME CMD...: time one step (wall, user+sys of the process tree)
step() {
  local name="$1"; shift
  sync
  local TIMEFORMAT="%R %U %S" t
  t="$({ time "$@" >/dev/null 2>>"$WORK/err.log"; } 2>&1)" || { echo "breakdown.sh: '$name' failed:" >&2; tail -5 "$WORK/err.log" >&2; exit 1; }
  read -r w u s <<<"$t"
  printf '  %-52s %7.2f s wall %7.2f s cpu (user %.2f, sys %.2f)\n' "$name" "$w" "$(echo "$u + $s" | bc)" "$u" "$s"
}

echo "source: $SRC ($(find "$SRC" -type f | wc -l) files, $(du -s -B1M "$SRC" | cut -f1) MiB); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ ",$PARTS," == *",tools,"* ]]; then
  echo
  echo "save, part by part (plain tools):"
  step "read + pack the tree (tar -cf - | cat)" bash -c "tar -cf - -C '$SRC' . | cat >/dev/null"
  tar -cf "$WORK/plain.tar" -C "$SRC" .
  step "compress only, zstd -3 -T0 (tar in page cache)" zstd -q -T0 -3 -c "$WORK/plain.tar"
  step "compress only, zstd -3 -T1" zstd -q -T1 -3 -c "$WORK/plain.tar"
  step "compress only, zstd -1 -T0" zstd -q -T0 -1 -c "$WORK/plain.tar"
  zstd -q -T0 -3 -c "$WORK/plain.tar" >"$WORK/a.tar.zst"
  step "hash the archive (sha256sum, $(( $(stat -c %s "$WORK/a.tar.zst") >> 20 )) MiB)" sha256sum "$WORK/a.tar.zst"
  step "write the archive (cp, page cache)" cp "$WORK/a.tar.zst" "$WORK/copy.tar.zst"
  rm -f "$WORK/copy.tar.zst"
  step "whole save: tar --posix -I 'zstd -T0' -cf" tar --posix -I 'zstd -T0' -cf "$WORK/b.tar.zst" -C "$SRC" .
  rm -f "$WORK/b.tar.zst"
  echo
  echo "restore, part by part (plain tools):"
  step "decompress only (zstd -dc > /dev/null)" zstd -q -dc "$WORK/a.tar.zst"
  mkdir -p "$WORK/t1"
  step "create the files only (tar -xf plain.tar)" tar -xf "$WORK/plain.tar" -C "$WORK/t1"
  rm_tree "$WORK/t1"; mkdir -p "$WORK/t1"
  step "whole restore: tar -I 'zstd -T0' -xf" tar -I 'zstd -T0' -xf "$WORK/a.tar.zst" -C "$WORK/t1"
  step "delete the restored tree (chmod -R u+w; rm -rf)" rm_tree "$WORK/t1"
  rm -f "$WORK/plain.tar" "$WORK/a.tar.zst"
fi

if [[ ",$PARTS," == *",gopipe,"* ]]; then
  [ -f "$JAR" ] || { echo "breakdown.sh: $JAR is missing (mvn -B -q -pl cli -am package -DskipTests)" >&2; exit 1; }
  jfr_bin="$(dirname "$(readlink -f "$(command -v java)")")/jfr"
  [ -x "$jfr_bin" ] || { echo "breakdown.sh: no 'jfr' tool beside java (needs a full JDK)" >&2; exit 1; }
  profile() {  # profile NAME ARGS...: run gopipe under JFR, print wall/cpu and the hot methods
    local name="$1"; shift
    local rec="$WORK/$name.jfr"
    step "gopipe $name (with JFR)" java ${GOPIPE_JAVA_OPTS:-} "-XX:StartFlightRecording=filename=$rec,settings=profile" -jar "$JAR" "$@"
    "$jfr_bin" print --json --events jdk.ExecutionSample,jdk.NativeMethodSample "$rec" >"$WORK/$name.json"
    python3 - "$WORK/$name.json" "$TOP" <<'PY'
import collections, json, sys
events = json.load(open(sys.argv[1]))["recording"]["events"]
top = int(sys.argv[2])
self_c, incl, kind, threads = collections.Counter(), collections.Counter(), collections.Counter(), collections.Counter()
def tname(f):
    return f["method"]["type"]["name"].replace("/", ".")
def name(f):
    return "%s.%s" % (tname(f).split(".")[-1], f["method"]["name"])
for e in events:
    frames = (e["values"].get("stackTrace") or {}).get("frames") or []
    if not frames:
        continue
    k = "java" if e["type"] == "jdk.ExecutionSample" else "native"
    kind[k] += 1
    thread = (e["values"].get("sampledThread") or {}).get("javaName") or "?"
    threads[thread.rstrip("0123456789-")] += 1
    self_c[name(frames[0])] += 1
    seen = set()
    for f in frames:
        n = name(f)
        if n not in seen and (tname(f).startswith("io.gopipe") or "zstd" in tname(f).lower()):
            incl[n] += 1
            seen.add(n)
total = sum(kind.values()) or 1
print("    samples: %d (%s); by thread: %s" % (total, ", ".join("%s %d%%" % (k, 100 * v // total) for k, v in kind.items()),
      ", ".join("%s %d%%" % (k, 100 * v // total) for k, v in threads.most_common(5))))
print("    hottest frames (self):")
for n, c in self_c.most_common(top):
    print("      %5.1f%%  %s" % (100 * c / total, n))
print("    gopipe/zstd methods (inclusive):")
for n, c in incl.most_common(top):
    print("      %5.1f%%  %s" % (100 * c / total, n))
PY
  }
  echo
  echo "gopipe, profiled (JFR samples: java = running Java code, native = in JNI/syscalls such as zstd and file I/O):"
  profile save cache save --create-store --backend "local:$WORK/store" --key breakdown --mod-layout tree --path "$SRC"
  profile restore cache restore --backend "local:$WORK/store" --key breakdown --path "$WORK/t2/mod"
fi
