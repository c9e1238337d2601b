#!/usr/bin/env python3
"""Summarises `jfr print --events jdk.ExecutionSample` output: top self frames and inclusive gopipe/jgit frames."""
import collections
import re
import sys

text = open(sys.argv[1]).read()
events = text.split('jdk.ExecutionSample')[1:]
self_count, incl = collections.Counter(), collections.Counter()
for e in events:
    frames = re.findall(r'^\s+([\w.$<>]+)\(', e, re.M)
    if not frames:
        continue
    self_count[frames[0]] += 1
    for f in set(frames):
        if 'gopipe' in f or 'jgit' in f:
            incl[f] += 1
print(f"{len(events)} samples\n-- self --")
for f, c in self_count.most_common(20):
    print(f"{c:6d} {100.0 * c / len(events):5.1f}%  {f}")
print("-- inclusive (gopipe, jgit) --")
for f, c in incl.most_common(30):
    print(f"{c:6d} {100.0 * c / len(events):5.1f}%  {f}")
