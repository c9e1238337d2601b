#!/usr/bin/env python3
"""Prints bench/image results (results.tsv from run.sh) as tables of medians and ratios."""
import csv
import statistics
import sys
from collections import defaultdict

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
if not rows:
    sys.exit("no results in " + sys.argv[1])
variants = list(dict.fromkeys(r["variant"] for r in rows))
services = list(dict.fromkeys(r["service"] for r in rows))
phases = ["cold", "warm", "change"]

total = defaultdict(float)          # (variant, phase, rep) -> seconds summed over services
per = defaultdict(list)             # (variant, phase, service) -> [seconds]
cached = defaultdict(list)          # (variant, phase) -> ["cached/steps"]
for r in rows:
    total[(r["variant"], r["phase"], r["rep"])] += float(r["seconds"])
    per[(r["variant"], r["phase"], r["service"])].append(float(r["seconds"]))
    cached[(r["variant"], r["phase"])].append(f'{r["cached"]}/{r["steps"]}')


def med(v, p):
    xs = [s for (vv, pp, _), s in total.items() if vv == v and pp == p]
    return statistics.median(xs) if xs else None


reps = len({r["rep"] for r in rows})
# The true cold (nothing cached anywhere) comes from a variant without agent caches.
ref_v = next((v for v in ("baseline", "gopipe") if med(v, "cold") is not None), None)
ref = med(ref_v, "cold") if ref_v else None
print(f"bench/image: {len(services)} service(s) ({', '.join(services)}), {reps} rep(s); "
      f"seconds = median over reps of the sum over services; every build on a pruned builder")
if ref:
    print(f"true cold = {ref_v} cold = {ref:.1f}s (nothing cached anywhere)\n")
else:
    print("no true cold measured (add variant baseline or gopipe): ratios to it and targets skipped\n")
hdr = ["variant", "cold s", "warm s", "change s", "warm/cold", "change/cold",
       "warm/true-cold", "change/true-cold", "cached steps warm"]
print("| " + " | ".join(hdr) + " |")
print("|" + "---|" * len(hdr))
for v in variants:
    c, w, ch = (med(v, p) for p in phases)
    f = lambda x: f"{x:.1f}" if x is not None else "-"
    pct = lambda a, b: f"{100 * a / b:.0f}%" if a is not None and b else "-"
    cw = sorted(set(cached[(v, "warm")]))
    star = ""
    print(f"| {v} | {f(c)}{star} | {f(w)} | {f(ch)} | {pct(w, c)} | {pct(ch, c)} | {pct(w, ref)} | {pct(ch, ref)} | {','.join(cw)} |")

print("\ngopipe rows time the whole job on a fresh agent and a pruned builder: cache restore of GOMODCACHE"
      "\nand GOCACHE, image build (with its cache-mount fill and read-back), cache save. Cold = empty store.")
parts = defaultdict(list)           # (variant, phase) -> [(restore, image, save)]
for r in rows:
    if r.get("restore_s", "-") not in ("-", None, ""):
        parts[(r["variant"], r["phase"])].append((float(r["restore_s"]), float(r["image_s"]), float(r["save_s"])))
if parts:
    print("\nwhere a gopipe job's time goes (median s): cache restore (2 CLI runs) / image build (1 CLI run,"
          "\nincl. the cache-mount fill and read-back) / cache save (2 CLI runs)")
    print("| variant | phase | restore | image build | save | image build / true cold |")
    print("|---|---|---|---|---|---|")
    for v in variants:
        for p in phases:
            xs = parts.get((v, p))
            if xs:
                m = [statistics.median(x[i] for x in xs) for i in range(3)]
                rel = f"{100 * m[1] / ref:.0f}%" if ref else "-"
                print(f"| {v} | {p} | {m[0]:.1f} | {m[1]:.1f} | {m[2]:.1f} | {rel} |")

print("\nper service (median seconds):")
print("| variant | service | " + " | ".join(phases) + " |")
print("|---|---|" + "---|" * len(phases))
for v in variants:
    for s in services:
        cells = [f"{statistics.median(per[(v, p, s)]):.1f}" if per[(v, p, s)] else "-" for p in phases]
        print(f"| {v} | {s} | " + " | ".join(cells) + " |")

if not ref:
    sys.exit(0)
print("\ntargets (issue 9, vs the plain Dockerfile's cold): unchanged <= 8%, one-line change <= 15%")
for v in variants:
    w, ch = med(v, "warm"), med(v, "change")
    if w is None or ch is None:
        continue
    ok_w = "PASS" if w <= 0.08 * ref else "FAIL"
    ok_c = "PASS" if ch <= 0.15 * ref else "FAIL"
    print(f"  {v:15s} warm {100 * w / ref:5.1f}% {ok_w}   change {100 * ch / ref:5.1f}% {ok_c}")

# Per service against that service's own plain-Dockerfile cold build (the targets are per
# project: a small and a realistic-size service are reported side by side, not summed).
base = {s: statistics.median(per[("baseline", "cold", s)]) for s in services if per[("baseline", "cold", s)]}
if base:
    print("\nper service, against that service's baseline cold (targets: unchanged <= 8%, change <= 15%):")
    print("| service | variant | cold s | unchanged s (%) | change s (%) | go build in change s | targets |")
    print("|---|---|---|---|---|---|---|")
    gob = defaultdict(list)
    for r in rows:
        if r.get("go_build_s", "-") not in ("-", "", None):
            gob[(r["variant"], r["phase"], r["service"])].append(float(r["go_build_s"]))
    for s in services:
        if s not in base:
            continue
        for v in variants:
            m = {p: (statistics.median(per[(v, p, s)]) if per[(v, p, s)] else None) for p in phases}
            cell = lambda x: f"{x:.1f} ({100 * x / base[s]:.1f}%)" if x is not None else "-"
            g = gob.get((v, "change", s))
            ok = []
            if v != "baseline" and m["warm"] is not None:
                ok.append("unchanged " + ("PASS" if m["warm"] <= 0.08 * base[s] else "FAIL"))
            if v != "baseline" and m["change"] is not None:
                ok.append("change " + ("PASS" if m["change"] <= 0.15 * base[s] else "FAIL"))
            print(f"| {s} | {v} | {m['cold']:.1f} | {cell(m['warm'])} | {cell(m['change'])} | "
                  f"{statistics.median(g) if g else '-'} | {', '.join(ok)} |" if m["cold"] is not None else
                  f"| {s} | {v} | - | {cell(m['warm'])} | {cell(m['change'])} | - | {', '.join(ok)} |")
loads = [float(r["load15"]) for r in rows if r.get("load15", "") not in ("", "-", None)]
if loads:
    print(f"\n15-minute load average at the end of each build: {min(loads):.1f}-{max(loads):.1f} "
          f"(median {statistics.median(loads):.1f}) on 2 cores shared with other workers")
