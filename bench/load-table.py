#!/usr/bin/env python3
"""Medians of bench/load-bench.sh's lines (read from stdin) as a markdown table, with llmgraph / llama.cpp ratios."""
import statistics
import sys
from collections import defaultdict

rows = defaultdict(list)
for line in sys.stdin:
    parts = line.rstrip("\n").split("\t")
    if len(parts) == 8:
        rows[(parts[1], parts[0])].append([int(x) for x in parts[2:]])

print("| file | engine | runs | load ms (median, min-max) | VmRSS after load MiB | of it RssAnon / RssFile MiB"
      " | VmRSS after 8-token forward MiB | load vs llama.cpp | RSS vs llama.cpp |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for file in dict.fromkeys(f for f, _ in rows):
    reference = rows.get((file, "llama.cpp"))
    ref_ms = statistics.median(r[0] for r in reference) if reference else None
    ref_rss = statistics.median(r[2] for r in reference) if reference else None
    for engine in ("llmgraph-mapped", "llmgraph-copied", "llama.cpp"):
        runs = rows.get((file, engine))
        if not runs:
            continue
        ms = statistics.median(r[0] for r in runs)
        rss = statistics.median(r[2] for r in runs)
        anon = statistics.median(r[3] for r in runs)
        shared = statistics.median(r[4] for r in runs)
        after = statistics.median(r[5] for r in runs)
        lo, hi = min(r[0] for r in runs), max(r[0] for r in runs)
        ratio = f"{ms / ref_ms:.2f}x" if ref_ms else "-"
        rss_ratio = f"{rss / ref_rss:.2f}x" if ref_rss else "-"
        print(f"| {file} | {engine} | {len(runs)} | {ms:.0f} ({lo}-{hi}) | {rss:.0f} | {anon:.0f} / {shared:.0f} "
              f"| {after:.0f} | {ratio} | {rss_ratio} |")
