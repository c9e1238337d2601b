#!/usr/bin/env python3
"""Prints the gocache benchmark table from results.tsv and the stats-*.jsonl figures."""
import json
import os
import statistics
import sys

d = sys.argv[1]
res = {}
for line in open(os.path.join(d, "results.tsv")):
    case, variant, v = line.rstrip("\n").split("\t")
    res.setdefault((case, variant), []).append(int(v))


def med(case, variant):
    return statistics.median(res[(case, variant)])


def stats(name):
    p = os.path.join(d, f"stats-{name}.jsonl")
    return [json.loads(l) for l in open(p)] if os.path.exists(p) else []


def ratio(a, b):
    return a / b if b else float("nan")


def has(case, variant):
    return (case, variant) in res


rows = []
c_w, c_g, c_a = med("change", "warm-local"), med("change", "gocache"), med("change", "archive")
rows.append(("fresh agent, one-line change, build that service", f"gocache {c_g/1000:.2f}s | warm local {c_w/1000:.2f}s | archive+build {c_a/1000:.2f}s",
             f"{ratio(c_g, c_w):.2f}x warm (target <= 1.5x); archive/gocache {ratio(c_a, c_g):.2f}x (target >= 3x)"))
if has("change", "daemon"):
    c_d = med("change", "daemon")
    rows.append(("  same, bridge + daemon (daemon start in the job)", f"daemon {c_d/1000:.2f}s | warm local {c_w/1000:.2f}s | archive+build {c_a/1000:.2f}s",
                 f"{ratio(c_d, c_w):.2f}x warm (target <= 1.5x); archive/daemon {ratio(c_a, c_d):.2f}x (target >= 3x)"))
SIDECARS = (("sidecar", "daemon already running on the agent (sidecar)"),
            ("sidecar-warm", "daemon already running on the agent, warmed up (sidecar, --warm-up)"))
for v, label in SIDECARS:
    if has("change", v):
        c_s = med("change", v)
        rows.append((f"  same, bridge + {label}", f"{v} {c_s/1000:.2f}s | warm local {c_w/1000:.2f}s | archive+build {c_a/1000:.2f}s",
                     f"{ratio(c_s, c_w):.2f}x warm (target <= 1.5x); archive/{v} {ratio(c_a, c_s):.2f}x (target >= 3x)"))
s_w, s_g = med("same", "warm-local"), med("same", "gocache")
rows.append(("fresh agent, nothing changed", f"gocache {s_g/1000:.2f}s | warm local {s_w/1000:.2f}s", f"{ratio(s_g, s_w):.2f}x warm (target <= 1.3x)"))
if has("same", "daemon"):
    s_d = med("same", "daemon")
    rows.append(("  same, bridge + daemon (daemon start in the job)", f"daemon {s_d/1000:.2f}s | warm local {s_w/1000:.2f}s", f"{ratio(s_d, s_w):.2f}x warm (target <= 1.3x)"))
for v, label in SIDECARS:
    if has("same", v):
        s_s = med("same", v)
        rows.append((f"  same, bridge + {label}", f"{v} {s_s/1000:.2f}s | warm local {s_w/1000:.2f}s", f"{ratio(s_s, s_w):.2f}x warm (target <= 1.3x)"))
same = stats("same")
if same:
    down = statistics.median(s["bytesDown"] for s in same)
    used = statistics.median(s["hitBytes"] for s in same)
    rows.append(("bytes downloaded for one service", f"{down/2**20:.1f} MiB down (zstd) for {used/2**20:.1f} MiB of outputs used",
                 f"{ratio(down, used):.2f}x of its closure (target <= 1.2x)"))
g = res.get(("growth", "bytes"), [0])
store = res.get(("growth", "store"), [1])
rows.append(("store growth after an unchanged rebuild", f"+{statistics.median(g)} bytes on {store[0]/2**20:.1f} MiB",
             f"{100*statistics.median(g)/store[0]:.3f}% (target <= 1%)"))
l_w, l_g = med("localwarm", "warm-local"), med("localwarm", "gocache")
rows.append(("local directory store, fully warm", f"gocache {l_g/1000:.2f}s | plain GOCACHE {l_w/1000:.2f}s", f"{ratio(l_g, l_w):.2f}x (target <= 1.3x)"))
if has("localwarm", "daemon"):
    l_d = med("localwarm", "daemon")
    rows.append(("  same, bridge + running daemon", f"daemon {l_d/1000:.2f}s | plain GOCACHE {l_w/1000:.2f}s", f"{ratio(l_d, l_w):.2f}x (target <= 1.3x)"))
if has("localwarm-nolink", "warm-local"):
    n_w = med("localwarm-nolink", "warm-local")
    for v, label in (("gocache", "gocache"), ("daemon", "bridge + running daemon")):
        if has("localwarm-nolink", v):
            n = med("localwarm-nolink", v)
            rows.append((f"  same, no link (-o holds the binary already), {label}", f"{v} {n/1000:.2f}s | plain GOCACHE {n_w/1000:.2f}s",
                         f"{ratio(n, n_w):.2f}x"))
if has("growth-daemon", "bytes"):
    rows.append(("  store growth, unchanged rebuild through the daemon", f"+{statistics.median(res[('growth-daemon', 'bytes')])} bytes", ""))
print("| case | figures (medians) | ratio |")
print("|---|---|---|")
for r in rows:
    print(f"| {r[0]} | {r[1]} | {r[2]} |")
print()
for name, case in (("change", "change"), ("same", "same"), ("localwarm", "localwarm")):
    st = stats(name)
    if not st:
        continue
    start = statistics.median(s["startupMillis"] for s in st)
    wait = statistics.median(s["storeWaitMillis"] for s in st)
    flush = statistics.median(s["flushMillis"] for s in st)
    total = med(case, "gocache")
    print(f"{name}: JVM start-up {start} ms = {100*start/total:.0f}% of the gocache run; store/prefetch wait {wait} ms; "
          f"close flush {flush} ms; hits {st[-1]['hits']}/{st[-1]['gets']} (prefetched {st[-1]['prefetchHits']}), "
          f"misses {st[-1]['misses']}, up {st[-1]['bytesUp']/2**20:.2f} MiB")
for name, case in (("change-daemon", "change"), ("same-daemon", "same"), ("change-sidecar", "change"), ("same-sidecar", "same"),
                   ("change-sidecar-warm", "change"), ("same-sidecar-warm", "same"), ("localwarm-daemon", "localwarm")):
    st = stats(name)
    if not st:
        continue
    wait = statistics.median(s["storeWaitMillis"] for s in st)
    flush = statistics.median(s["flushMillis"] for s in st)
    start = statistics.median(s["startupMillis"] for s in st)
    pre = [s["prefetchMillis"] for s in st if s.get("prefetchMillis", -1) >= 0]
    variant = name.split("-", 1)[1] if "sidecar" in name else "daemon"
    share = f" = {100*start/med(case, variant):.0f}% of the job" if start and has(case, variant) else ""
    pre_s = f"; prefetch {statistics.median(pre)} ms" if pre else ""
    print(f"{name}: daemon JVM start to listening {start} ms{share}{pre_s}; store/prefetch wait {wait} ms; close flush {flush} ms; hits {st[-1]['hits']}/{st[-1]['gets']} "
          f"(local {st[-1]['localHits']}, prefetched {st[-1]['prefetchHits']}, fetched {st[-1]['remoteHits']}), misses {st[-1]['misses']}, "
          f"down {st[-1]['bytesDown']/2**20:.2f} MiB, up {st[-1]['bytesUp']/2**20:.2f} MiB")
if has("bridge", "cold-build"):
    print(f"bridge: cold build (empty GOCACHE) {med('bridge', 'cold-build')/1000:.2f}s, once per agent image or tool cache")
# A job whose bridge lost its daemon writes no figures and built from its own folder: say so.
for name, case, variant in (("change-daemon", "change", "daemon"), ("same-daemon", "same", "daemon"),
                            ("change-sidecar", "change", "sidecar"), ("same-sidecar", "same", "sidecar"),
                            ("change-sidecar-warm", "change", "sidecar-warm"), ("same-sidecar-warm", "same", "sidecar-warm")):
    if has(case, variant) and len(stats(name)) < len(res[(case, variant)]):
        print(f"WARNING: {name}: {len(stats(name))} figures for {len(res[(case, variant)])} jobs; a job without figures did not reach its daemon")
lp = os.path.join(d, "loads.txt")
if os.path.exists(lp):
    loads = [float(x) for x in open(lp).read().split()]
    if loads:
        print(f"load average (1 min) at each repetition: {', '.join(f'{x:.1f}' for x in loads)}")
