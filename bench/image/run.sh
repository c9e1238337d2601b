#!/usr/bin/env bash
# bench/image: cold vs unchanged vs one-line change image jobs, gopipe against the baseline users
# have today (bench/image/baseline.Dockerfile: COPY . . + go build with cache mounts + registry
# cache mode=max). Every build starts on a pruned builder (`docker buildx prune -af`), as on an
# ephemeral agent; every gopipe job starts with empty Go cache folders (a fresh agent) and is timed
# whole: `gopipe cache restore` of GOMODCACHE and GOCACHE, `gopipe image build`, `gopipe cache save`.
# See bench/image/README.md for what each row means.
#
#   bench/image/run.sh [--repo DIR] [--services a,b|all] [--no-big] [--reps N] [--slow-reps N]
#                      [--variants baseline,gopipe,gopipe-user,gopipe-agent,gopipe-remote,gopipe-remote-user,
#                                  gopipe-remote-agent]
#                      [--out DIR]
# env EMBED=0: the gopipe-remote* variants start `gocache serve` beside `image build --gocache-daemon`
# (two JVMs) instead of `image build --gocache-backend` (one; the default).
# --reps: repetitions (medians); --slow-reps: how many of them also run the minutes-long cold and
# change builds of baseline and gopipe (default 1; later reps run their warm build only).
# The default services are the shop's first one (gateway, small) and bigsvc, a generated
# realistic-size service (gen-big-service.py: ~70-90 CPU-s of cold compile, like the issue's
# projects) in a repository of its own; --no-big leaves bigsvc out.
#
# Needs `.ci/test-env up` and cli/target/gopipe.jar (mvn -B -q -pl cli -am package -DskipTests).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
REG=${GOPIPE_REGISTRY:-127.0.0.1:5000}
DOCKER=${DOCKER:-docker}
GO=${GO:-/usr/lib/go-1.24/bin/go}
JAR=${GOPIPE_JAR:-$root/cli/target/gopipe.jar}
repo=""; services=""; reps=3; slow_reps=${SLOW_REPS:-1}; variants="baseline,gopipe,gopipe-user,gopipe-agent,gopipe-remote,gopipe-remote-user,gopipe-remote-agent"
out=${OUT:-/work/data/image-env/bench-$(date -u +%Y%m%d-%H%M%S)}
# EMBED=1 (default): the gopipe-remote* jobs are one command, `image build --gocache-backend` (the
# image build's JVM serves the gocache daemon); EMBED=0: the two-JVM form (`gocache serve` + `image
# build --gocache-daemon`), to compare the two.
EMBED=${EMBED:-1}
case "$EMBED" in 0|1) ;; *) echo "run.sh: EMBED must be 0 or 1, not $EMBED" >&2; exit 2 ;; esac
nsvc_default=1
big=1

while [ $# -gt 0 ]; do
  case "$1" in
    --repo) repo=$2; shift 2 ;;
    --services) services=$2; shift 2 ;;
    --no-big) big=0; shift ;;
    --reps) reps=$2; shift 2 ;;
    --slow-reps) slow_reps=$2; shift 2 ;;
    --variants) variants=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n 2,10p "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "bench/image: $*" >&2; exit 1; }
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

bash "$root/.ci/test-env" status >/dev/null || die "the test environment is not up: run 'bash .ci/test-env up' ($(bash "$root/.ci/test-env" status 2>&1 | grep -v ' up' | tr '\n' ' '))"
case ",$variants," in *,gopipe*) [ -f "$JAR" ] || die "$JAR missing: mvn -B -q -pl cli -am package -DskipTests" ;; esac
case ",$variants," in *,gopipe*) java -jar "$JAR" image build --help >/dev/null 2>&1 || die "$JAR has no 'image build' command (merge branch image and rebuild)" ;; esac
case ",$variants,$EMBED" in *,gopipe-remote*1) java -jar "$JAR" image build --help 2>&1 | grep -q -- --gocache-backend \
  || die "$JAR has no 'image build --gocache-backend' (rebuild it, or EMBED=0 for the two-JVM form)" ;; esac
mkdir -p "$out"
results=$out/results.tsv
printf 'variant\tphase\tservice\trep\tseconds\tcached\tsteps\trestore_s\timage_s\tsave_s\tload15\tgo_build_s\n' >"$results"

# ---- the repository: the shop fixture when this checkout has it, else a generated one -------
if [ -z "$repo" ]; then
  if [ -d "$root/test-repos/shop" ] && java -jar "$JAR" fixture materialize --help >/dev/null 2>&1; then
    repo=$out/shop
    java -jar "$JAR" fixture materialize "$root/test-repos/shop" --out "$repo" >/dev/null \
      || die "fixture materialize test-repos/shop failed"
  else
    repo=$out/benchshop
    log "test-repos/shop is not available here: generating a 3-service repo"
    bash "$here/gen-repo.sh" "$repo" 3 6 >/dev/null
  fi
fi
[ -d "$repo" ] || die "--repo $repo is not a directory"
src=$out/src
rm -rf "$src"; git clone -q "$repo" "$src" 2>/dev/null || cp -a "$repo" "$src"

# ---- services: NAME=PATH (a dir with a main package), from --services or discovered ----------
declare -A path_of=()
while IFS= read -r d; do
  n=$(basename "$d"); [ -n "${path_of[$n]:-}" ] || path_of[$n]=$d
done < <(cd "$src" && grep -rl --include='*.go' --exclude='*_test.go' -E '^package main\b' . \
           | grep -vE '/(vendor|testdata)/|/[._]' | xargs -r -n1 dirname | sed 's#^\./##' | sort -u)
[ ${#path_of[@]} -gt 0 ] || die "no main package found in $repo"
# gopipe.yaml's exclude globs (dir/** form) are never services.
if [ -f "$src/gopipe.yaml" ]; then
  for x in $(awk '/^exclude:/{e=1;next} /^[^ #-]/{e=0} e && /^ *- /{sub(/^ *- */,""); sub(/\/\*\*$/,""); print}' "$src/gopipe.yaml"); do
    for n in "${!path_of[@]}"; do case "${path_of[$n]}/" in "$x"/*) unset "path_of[$n]" ;; esac; done
  done
fi
services_given=$services
case ",$services_given," in *,bigsvc,*) big=1; services=$(echo ",$services," | sed 's/,bigsvc,/,/; s/^,//; s/,$//') ;; *) [ -z "$services_given" ] || big=0 ;; esac
if [ -z "$services" ] && [ -n "$services_given" ]; then services=none
elif [ -z "$services" ]; then
  # Default: the first service gopipe.yaml lists, else the first by name.
  first=$(awk '/^services:/{e=1;next} /^[^ #-]/{e=0} e && /- name:/{print $3; exit}' "$src/gopipe.yaml" 2>/dev/null || true)
  if [ -n "$first" ] && [ -n "${path_of[$first]:-}" ]; then services=$first
  else services=$(printf '%s\n' "${!path_of[@]}" | sort | head -n "$nsvc_default" | paste -sd,); fi
elif [ "$services" = all ]; then
  services=$(printf '%s\n' "${!path_of[@]}" | sort | paste -sd,)
fi
declare -A src_of=()
for n in "${!path_of[@]}"; do src_of[$n]=$src; done
# bigsvc: the realistic-size service, generated into a repository of its own.
if [ $big = 1 ]; then
  python3 "$here/gen-big-service.py" "$out/big" || die "gen-big-service.py failed"
  rm -rf "$out/bigsrc"; git clone -q "$out/big" "$out/bigsrc"
  path_of[bigsvc]=cmd/bigsvc; src_of[bigsvc]=$out/bigsrc
  services=$services,bigsvc
fi
services=${services#none,}
IFS=, read -r -a svcs <<<"$services"
for s in "${svcs[@]}"; do [ -n "${path_of[$s]:-}" ] || die "--services: no main package named $s (found: ${!path_of[*]})"; done

# module dir (nearest go.mod) and main package relative to it, for the baseline Dockerfile
moddir() { local d=$1 r=${2:-$src}; while [ "$d" != . ] && [ ! -f "$r/$d/go.mod" ]; do d=$(dirname "$d"); done; echo "$d"; }
mainrel() { local m; m=$(moddir "$1" "${2:-$src}"); if [ "$m" = . ]; then echo "./$1"; else echo "./${1#"$m"/}"; fi; }

run_id=$(date -u +%H%M%S)$$
# The CLI as users start it (bin/gopipe: per-command JVM options and AppCDS archives, kept per run).
export GOPIPE_JAR=$JAR GOPIPE_CDS_DIR=$out/cds
gopipe() { bash "$root/bin/gopipe" "$@"; }
# What an agent image carries with the jar: the AppCDS archives bin/gopipe-cds writes next to it
# (untimed, as the install is). Without them the first jobs of a run started without an archive and
# the second wrote one at its exit (~0.5 s inside a timed job).
case ",$variants," in *,gopipe*)
  GOPIPE_JAR=$JAR bash "$root/bin/gopipe-cds" >"$out/gopipe-cds.log" 2>&1 \
    || { cat "$out/gopipe-cds.log" >&2; die "bin/gopipe-cds failed"; } ;;
esac
uptime >"$out/load-start.txt"
load() { awk '{print $3}' /proc/loadavg; }
prune() { "$DOCKER" buildx prune -af >/dev/null 2>&1 || die "docker buildx prune failed"; }

# build VARIANT PHASE SERVICE REP CACHEREPO BRANCH: one build on a pruned builder, timed, appended
# to results. Registry cache as gopipe does it: import CACHEREPO:BRANCH then CACHEREPO:main,
# export to CACHEREPO:BRANCH only (so a change build never overwrites main's cache).
build() {
  local v=$1 phase=$2 s=$3 rep=$4 crepo=$5 branch=$6 p=${path_of[$3]} ssrc=${src_of[$3]} logf=$out/logs/$1-$2-$3-r$4.log t0 t1 rc=0 ta="" tb=""
  mkdir -p "$out/logs"
  prune
  t0=$(date +%s.%N)
  case "$v" in
    baseline)
      "$DOCKER" buildx build --network host --progress plain -f "$here/baseline.Dockerfile" \
        --build-arg MODULE_DIR="$(moddir "$p" "$ssrc")" --build-arg MAIN="$(mainrel "$p" "$ssrc")" --build-arg VERSION=bench \
        -t "$REG/bench/$s:baseline" --push --provenance=false \
        --cache-from "type=registry,ref=$crepo:$branch" --cache-from "type=registry,ref=$crepo:main" \
        --cache-to "type=registry,ref=$crepo:$branch,mode=max,image-manifest=true,oci-mediatypes=true,ignore-error=true" \
        "$ssrc" >"$logf" 2>&1 || rc=$?
      ;;
    gopipe-remote|gopipe-remote-user|gopipe-remote-agent)
      # Design (b), the whole job on a fresh agent (empty local tier, the variant's store): go build
      # (inside BuildKit through GOCACHEPROG and the direct link / tunnel, or on the agent) reaches a
      # gocache daemon. EMBED=1 (default): one command, `image build --gocache-backend`, whose JVM
      # serves the daemon itself (restore_s is 0). EMBED=0: the two-JVM form, `gocache serve` started
      # and waited for (restore_s), `image build --gocache-daemon`, the daemon stopped. No archive.
      local extra=() agentdir=$out/agent-$v store=$out/store-$run_id-$v-r$rep
      rm -rf "$agentdir"; mkdir -p "$agentdir" "$store"
      case "$v" in
        gopipe-remote) extra+=(--generate) ;;
        gopipe-remote-agent) extra+=(--generate --mode agent --go "$GO") ;;
        gopipe-remote-user) extra+=(--dockerfile "$here/baseline.Dockerfile" --build-arg MODULE_DIR="$(moddir "$p" "$ssrc")"
                                    --build-arg MAIN="$(mainrel "$p" "$ssrc")" --build-arg VERSION=bench) ;;
      esac
      printf '{"services":[{"name":"%s","path":"%s"}]}\n' "$s" "$p" >"$out/svc-$s.json"
      local common=(--repo "$ssrc" --affected "$out/svc-$s.json" --network host --registry "$REG/bench-$v" --push
        --go-image "$REG/gopipe/golang:1.24" --distroless-image "$REG/gopipe/static:nonroot"
        --alpine-image "$REG/gopipe/busybox:latest" --runtime distroless
        --cache-repo "$crepo" --branch "$branch" --default-branch main --version bench
        --json "$out/logs/$v-$phase-$s-r$rep.json")
      t0=$(date +%s.%N)
      if [ "$EMBED" = 1 ]; then
        ta=$t0
        gopipe image build "${common[@]}" --gocache-backend "local:$store" --gocache-dir "$agentdir/tier" \
          "${extra[@]}" >"$logf" 2>&1 || rc=$?
        tb=$(date +%s.%N)
      else
      {
        java -jar "$JAR" gocache serve --backend "local:$store" --dir "$agentdir/tier" --socket "$agentdir/gc.sock" \
          --ready-file "$agentdir/ready" --idle-exit 10m &
        dpid=$!
        for _ in $(seq 1 600); do [ -s "$agentdir/ready" ] && break; sleep 0.05; done
        ta=$(date +%s.%N)
        gopipe image build "${common[@]}" --gocache-daemon "unix:$agentdir/gc.sock" "${extra[@]}" || rc=$?
        tb=$(date +%s.%N)
        kill "$dpid"; wait "$dpid" || true
      } >"$logf" 2>&1
      fi
      ;;
    gopipe|gopipe-user|gopipe-agent)
      # The whole job of an image-only pipeline on a fresh agent: restore both Go caches from the
      # store (empty on the cold job), build, save what the build added. Nothing is filled outside.
      # One store per service: archive keys name the Go version, branch and revision, not the service,
      # so two services of one variant would restore each other's GOCACHE (run c1's bigsvc did).
      local extra=() agentdir=$out/agent-$v store=$out/store-$run_id-$v-$s-r$rep
      rm -rf "$agentdir"; mkdir -p "$agentdir/gocache" "$agentdir/gomodcache" "$store"
      case "$v" in
        gopipe) extra+=(--generate) ;;
        gopipe-user) extra+=(--dockerfile "$here/baseline.Dockerfile" --build-arg MODULE_DIR="$(moddir "$p" "$ssrc")"
                             --build-arg MAIN="$(mainrel "$p" "$ssrc")" --build-arg VERSION=bench) ;;
        gopipe-agent) extra+=(--generate --mode agent --go "$GO") ;;
      esac
      printf '{"services":[{"name":"%s","path":"%s"}]}\n' "$s" "$p" >"$out/svc-$s.json"
      local c=(--backend "local:$store" --repo "$ssrc" --go "$GO")
      t0=$(date +%s.%N)
      { gopipe cache restore "${c[@]}" --path "$agentdir/gomodcache" \
        && gopipe cache restore "${c[@]}" --policy build --branch "$branch" --path "$agentdir/gocache" \
        && ta=$(date +%s.%N) && GOCACHE=$agentdir/gocache GOMODCACHE=$agentdir/gomodcache gopipe image build --repo "$ssrc" \
        --affected "$out/svc-$s.json" --network host --registry "$REG/bench-$v" --push \
        --go-image "$REG/gopipe/golang:1.24" --distroless-image "$REG/gopipe/static:nonroot" \
        --alpine-image "$REG/gopipe/busybox:latest" --runtime distroless \
        --cache-repo "$crepo" --branch "$branch" --default-branch main --version bench \
        --gomodcache "$agentdir/gomodcache" --gocache "$agentdir/gocache" \
        --json "$out/logs/$v-$phase-$s-r$rep.json" "${extra[@]}" \
        && tb=$(date +%s.%N) && gopipe cache save "${c[@]}" --path "$agentdir/gomodcache" \
        && gopipe cache save "${c[@]}" --policy build --branch "$branch" --revision "$phase-$rep" \
             --path "$agentdir/gocache"; } >"$logf" 2>&1 || rc=$?
      ;;
  esac
  t1=$(date +%s.%N)
  [ $rc = 0 ] || { tail -n 30 "$logf" >&2; die "$v $phase $s failed (exit $rc); log: $logf"; }
  local cached steps j=$out/logs/$v-$phase-$s-r$rep.json
  if [ -f "$j" ]; then
    cached=$(jq '[.services[].cachedSteps] | add' "$j"); steps=$(jq '[.services[] | .cachedSteps + .executedSteps] | add' "$j")
  else # plain progress: a numbered step "[stage n/m]" and its "#id CACHED" line
    steps=$({ grep -E '^#[0-9]+ \[[^]]*[0-9]+/[0-9]+\]' "$logf" | grep -v '\] FROM ' || true; } | cut -d' ' -f1 | sort -u | wc -l)
    cached=$({ grep -oE '^#[0-9]+ CACHED' "$logf" || true; } | cut -d' ' -f1 | sort -u | wc -l)
  fi
  local secs parts; secs=$(awk "BEGIN{print $t1 - $t0}")
  if [ -n "$ta" ]; then parts=$(awk "BEGIN{printf \"%.2f\t%.2f\t%.2f\", $ta - $t0, $tb - $ta, $t1 - $tb}")
  else parts=$(printf -- '-\t%.2f\t-' "$secs"); fi
  # the compile inside the job: the RUN steps that ran (gopipe's --json timings; for the baseline its log's RUN step)
  local gob=-
  if [ -f "$j" ]; then gob=$(jq -r '.timings["buildkit RUN steps"] // "-"' "$j" 2>/dev/null || echo -)
  else
    local rid; rid=$({ grep -E '^#[0-9]+ \[[^]]*\] RUN ' "$logf" || true; } | head -1 | cut -d' ' -f1)
    [ -z "$rid" ] || gob=$({ grep -E "^$rid DONE [0-9.]+s" "$logf" || true; } | tail -1 | { grep -oE '[0-9.]+s$' || true; } | tr -d s)
  fi
  printf '%s\t%s\t%s\t%s\t%.2f\t%s\t%s\t%s\t%s\t%s\n' "$v" "$phase" "$s" "$rep" "$secs" "$cached" "$steps" "$parts" "$(load)" "${gob:--}" >>"$results"
  log "$(printf '%-14s %-6s %-10s r%s %7.1fs' "$v" "$phase" "$s" "$rep" "$secs")"
}

# one_file_change SERVICE REP: a one-line change of the service's main .go file (a new function:
# the package and everything after COPY must rebuild, nothing else changes).
one_file_change() {
  local d=${src_of[$1]} f; f=$(cd "$d" && grep -l -E '^package main\b' "${path_of[$1]}"/*.go | grep -v _test.go | head -1)
  printf '\nfunc benchChange%s() int { return %s }\n' "$2" "$2" >>"$d/$f"
}
revert() { local d; for d in "${src_of[@]}"; do (cd "$d" && git checkout -q -- . 2>/dev/null) || true; done; }

IFS=, read -r -a vs <<<"$variants"
log "repo $repo; services ${svcs[*]}; variants ${vs[*]}; EMBED=$EMBED; reps $reps (cold/change of baseline and gopipe: $slow_reps); results $results"
for ((r = 1; r <= reps; r++)); do
  for v in "${vs[@]}"; do
    revert
    slow=0; case "$v" in baseline) slow=1 ;; esac
    for s in "${svcs[@]}"; do
      if [ $slow = 1 ] && [ "$r" -gt "$slow_reps" ]; then
        # Cold and change cost minutes here; further reps of these variants measure warm only,
        # against the cache their first rep exported.
        build "$v" warm "$s" "$r" "$REG/bench-cache/$run_id-$v-r1/$s" main
        continue
      fi
      # A cache repository nobody wrote yet: the cold build starts with an empty registry cache.
      crepo="$REG/bench-cache/$run_id-$v-r$r/$s"
      build "$v" cold "$s" "$r" "$crepo" main
      build "$v" warm "$s" "$r" "$crepo" main
      one_file_change "$s" "$r"
      build "$v" change "$s" "$r" "$crepo" "change-r$r"
      revert
    done
  done
done

python3 "$here/report.py" "$results" | tee "$out/report.txt"
echo "raw: $results; logs: $out/logs" >&2
