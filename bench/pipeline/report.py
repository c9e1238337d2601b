#!/usr/bin/env python3
"""Reads bench/pipeline's results.tsv and prints the side-by-side table: whole-pipeline seconds of
the naive pipeline and of goMonorepoPipeline per case, the ratio, the issue's target, and where
gopipe's time went (sh steps by kind)."""
import csv
import sys

TARGETS = {"one-service": 0.10, "docs": 0.03, "half-lib": 0.60}
LABELS = {"base": "base commit (previous build, every service)", "one-service": "one-line change in one service",
          "half-lib": "change in a library half the services import", "docs": "docs-only change",
          "gomod": "go.mod change in one module (billing, 1/4 of the services)"}


def main():
    rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
    by = {(r["variant"], r["case"]): r for r in rows}
    cases = []
    for r in rows:
        if r["case"] not in cases:
            cases.append(r["case"])
    print("| case | naive s (images) | gopipe s (images) | gopipe / naive | target | met |")
    print("|---|---|---|---|---|---|")
    for c in cases:
        n, g = by.get(("naive", c)), by.get(("gopipe", c))
        if not n or not g:
            continue
        ratio = float(g["seconds"]) / float(n["seconds"])
        t = TARGETS.get(c)
        met = "" if t is None else ("yes" if ratio <= t else "no")
        print(f"| {LABELS.get(c, c)} | {float(n['seconds']):.1f} ({n['images']}) | {float(g['seconds']):.1f} ({g['images']}) "
              f"| {ratio:.3f} | {'' if t is None else '≤ %.2f' % t} | {met} |")
    print()
    print("Where the time went (seconds in sh steps by kind; other = git, result reads; the rest of the"
          " wall time is the harness and Groovy):")
    print()
    print("| variant | case | wall | affected | cache restore | go test | image | cache save | other | load (1 min) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for c in cases:
        for v in ("naive", "gopipe"):
            r = by.get((v, c))
            if r:
                print(f"| {v} | {c} | {float(r['seconds']):.1f} | {r['affected_s']} | {r['restore_s']} | {r['test_s']} "
                      f"| {r['image_s']} | {r['save_s']} | {r['other_s']} | {r['load1']} |")


if __name__ == "__main__":
    main()
