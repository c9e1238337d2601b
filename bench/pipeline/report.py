#!/usr/bin/env python3
"""Reads one or more bench/pipeline results.tsv files (one per repetition) and prints the
side-by-side table: whole-pipeline seconds of the naive pipeline and of goMonorepoPipeline per
case (median over the repetitions), the ratio of the medians with each repetition's own ratio, the
issue's target, and where the time went (seconds in sh steps by kind, medians).

usage: report.py results.tsv [results.tsv ...]"""
import csv
import statistics
import sys

TARGETS = {"one-service": 0.10, "docs": 0.03, "half-lib": 0.60}
LABELS = {"base": "base commit (the previous build: every service)", "one-service": "one-line change in one service",
          "half-lib": "one-line change in a library half the services import", "docs": "docs-only change",
          "gomod": "go.mod change in one module (a quarter of the services)"}
KINDS = ["affected_s", "restore_s", "test_s", "image_s", "save_s", "other_s"]


def main():
    runs = [list(csv.DictReader(open(f), delimiter="\t")) for f in sys.argv[1:]]
    cases = []
    for rows in runs:
        for r in rows:
            if r["case"] not in cases:
                cases.append(r["case"])
    by = {}
    for rows in runs:
        for r in rows:
            by.setdefault((r["variant"], r["case"]), []).append(r)

    def med(v, c, key):
        return statistics.median(float(r[key]) for r in by[(v, c)])

    variants = [v for v in ("gopipe", "gopipe-remote", "gopipe-remote-seq", "gopipe-remote-seq-java") if any(k[0] == v for k in by)]
    print(f"{len(runs)} repetition(s); seconds are medians; ratio = median gopipe / median naive"
          + (" (each repetition's ratio in brackets)" if len(runs) > 1 else "")
          + "; gopipe-remote = the remote build cache through the workspace's gocache daemon")
    for v in variants:
        print()
        print(f"| case | naive s (images) | {v} s (images) | {v} / naive | target | met |")
        print("|---|---|---|---|---|---|")
        for c in cases:
            if ("naive", c) not in by or (v, c) not in by:
                continue
            n, g = med("naive", c, "seconds"), med(v, c, "seconds")
            ratio = g / n
            each = ""
            if len(runs) > 1:
                pairs = zip(by[("naive", c)], by[(v, c)])
                each = " [" + ", ".join(f"{float(b['seconds']) / float(a['seconds']):.2f}" for a, b in pairs) + "]"
            t = TARGETS.get(c)
            met = "" if t is None else ("yes" if ratio <= t else "no")
            print(f"| {LABELS.get(c, c)} | {n:.1f} ({by[('naive', c)][0]['images']}) | {g:.1f} ({by[(v, c)][0]['images']}) "
                  f"| {ratio:.3f}{each} | {'' if t is None else '≤ %.2f' % t} | {met} |")
    print()
    print("Where the time went (median seconds in sh steps by kind; other = git and result reads; the rest"
          " of the wall time is the CPS harness itself):")
    print()
    print("| variant | case | wall | affected | cache restore | go test | image | cache save | other | load (1 min) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for c in cases:
        for v in ["naive"] + variants:
            if (v, c) in by:
                loads = "/".join(r["load1"] for r in by[(v, c)])
                print(f"| {v} | {c} | {med(v, c, 'seconds'):.1f} | "
                      + " | ".join(f"{med(v, c, k):.1f}" for k in KINDS) + f" | {loads} |")


if __name__ == "__main__":
    main()
