#!/usr/bin/env python3
"""Interleaved A/B of gcoauth builds on one target: each round runs every binary once, in
turn, so they share the VM's slow and fast minutes; prints median and minimum wall and CPU.

    scripts/bench/ab.py ROUNDS TARGET BIN...
    scripts/bench/ab.py 30 /tmp/gcoauth-bench/corpus/full/tree /tmp/gcoauth-old target/release/gcoauth
"""
import os
import statistics
import subprocess
import sys
import time

if len(sys.argv) < 4:
    sys.exit(__doc__)
rounds, target, bins = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
wall = {b: [] for b in bins}
cpu = {b: [] for b in bins}
for _ in range(rounds):
    for b in bins:
        before, t0 = os.times(), time.perf_counter()
        subprocess.run([b, "audit", "--format", "json", target],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        t1, after = time.perf_counter(), os.times()
        wall[b].append(t1 - t0)
        cpu[b].append(after.children_user - before.children_user
                      + after.children_system - before.children_system)
for b in bins:
    w, c = wall[b], cpu[b]
    print(f"{b}: wall median {statistics.median(w) * 1000:.1f} ms (min {min(w) * 1000:.1f}), "
          f"cpu median {statistics.median(c) * 1000:.0f} ms (min {min(c) * 1000:.0f})")
