#!/usr/bin/env python3
"""Prints the bench/cache table and ratios from a results TSV written by run.sh.

usage: report.py TSV FILES DU_BYTES CONTENT_BYTES ROUNDS DROP_CACHES TIMED_SYNC MACHINE TOOLS STAMP
"""
import csv, statistics, sys
tsv, files, du, apparent, rounds, drop, tsync, machine, versions, stamp = sys.argv[1:]
rows = list(csv.DictReader(open(tsv), delimiter="\t"))
label = {"gopipe": "gopipe", "zstd": "tar+zstd", "zstd-long": "tar+zstd-long", "gzip": "tar.gz"}
tools = list(dict.fromkeys(r["tool"] for r in rows))
def pick(tool, op, col):
    return [float(r[col]) for r in rows if r["tool"] == tool and r["op"] == op and r["ok"] == "ok"]
def med(tool, op, col="wall_s"):
    v = pick(tool, op, col)
    return statistics.median(v) if v else None
def bad(tool):
    return [r["op"] + " " + r["ok"] for r in rows if r["tool"] == tool and r["ok"] != "ok"]
print()
print("gopipe cache benchmark, %s UTC" % stamp)
print("data: %s files, %.0f MiB of file content (%.0f MiB of disk blocks), Go module cache layout" % (files, int(apparent) / 2**20, int(du) / 2**20))
print("machine: %s" % machine)
print("tools: %s" % versions)
print("rounds: %s, interleaved; page cache %s; %s" % (rounds, "dropped before each step" if drop == "1" else "warm (not dropped)",
      "timings include a final sync" if tsync == "1" else "timings end when the command returns (no sync)"))
print()
print("%-14s %11s %8s %7s %11s %10s %7s %11s  %s" % ("tool", "archive MiB", "save s", "cpu s", "range", "restore s", "cpu s", "range", "status"))
for t in tools:
    sz = [float(r["bytes"]) for r in rows if r["tool"] == t and r["op"] == "save" and r["ok"] == "ok"]
    sv, rs = med(t, "save"), med(t, "restore")
    cpu = lambda op: (med(t, op, "user_s") or 0) + (med(t, op, "sys_s") or 0)
    f = lambda x: "%.2f" % x if x is not None else "-"
    def rng(op):
        v = pick(t, op, "wall_s")
        return "%.1f-%.1f" % (min(v), max(v)) if v else "-"
    print("%-14s %11s %8s %7s %11s %10s %7s %11s  %s" % (
        label[t], "%.0f" % (statistics.median(sz) / 2**20) if sz else "-", f(sv), f(cpu("save")), rng("save"),
        f(rs), f(cpu("restore")), rng("restore"), ", ".join(bad(t)) or "ok"))
print()
def ratio(a, b, op):
    x, y = med(a, op), med(b, op)
    return x / y if x and y else None
def line(text, value, target, better):
    if value is None:
        print("  %-44s %8s" % (text, "n/a")); return
    ok = value <= target if better == "le" else value >= target
    print("  %-44s %7.2fx  target %s %.1fx  %s" % (text, value, "<=" if better == "le" else ">=", target, "MET" if ok else "MISSED"))
if "gopipe" in tools:
    print("ratios of median wall seconds (range = min-max over the rounds; cpu s = user+sys of the process tree):")
    if "zstd" in tools:
        line("save    gopipe / tar+zstd", ratio("gopipe", "zstd", "save"), 1.0, "le")
        line("restore gopipe / tar+zstd", ratio("gopipe", "zstd", "restore"), 0.8, "le")
    if "zstd-long" in tools:
        line("save    gopipe / tar+zstd-long", ratio("gopipe", "zstd-long", "save"), 1.0, "le")
        line("restore gopipe / tar+zstd-long", ratio("gopipe", "zstd-long", "restore"), 0.8, "le")
    if "gzip" in tools:
        line("save    tar.gz / gopipe (speed-up)", ratio("gzip", "gopipe", "save"), 4.0, "ge")
        line("restore tar.gz / gopipe (speed-up)", ratio("gzip", "gopipe", "restore"), 4.0, "ge")
else:
    for op in ("save", "restore"):
        if "zstd" in tools and "gzip" in tools:
            print("  %-7s tar.gz / tar+zstd = %.2fx" % (op, ratio("gzip", "zstd", op)))
print()
print("raw figures: %s" % tsv)
