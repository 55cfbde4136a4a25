#!/usr/bin/env python3
"""Medians of bench/load-bench.sh's lines (read from stdin) as a markdown table, with llmgraph / llama.cpp ratios:
llmgraph-default against llama.cpp-repack (both repacking at load), the others against llama.cpp (neither does)."""
import statistics
import sys
from collections import defaultdict

rows = defaultdict(list)
again = defaultdict(list)  # LOAD_AGAIN=1 lines: engine, file, five load times in one process
for line in sys.stdin:
    parts = line.rstrip("\n").split("\t")
    if len(parts) == 8:
        rows[(parts[1], parts[0])].append([int(x) for x in parts[2:]])
    elif len(parts) == 7:
        again[(parts[1], parts[0])].append([int(x) for x in parts[2:]])

# the anchor of each engine's ratios: llama.cpp-repack for llmgraph-default (both repack at load), else llama.cpp
ANCHORS = {"llmgraph-mapped": "llama.cpp", "llmgraph-copied": "llama.cpp", "llama.cpp": "llama.cpp",
           "llmgraph-default": "llama.cpp-repack", "llama.cpp-repack": "llama.cpp-repack"}
if rows:
    print("| file | engine | runs | load ms (median, min-max) | VmRSS after load MiB | of it RssAnon / RssFile MiB"
          " | VmRSS after 8-token forward MiB | load vs llama.cpp | RSS vs llama.cpp |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for file in dict.fromkeys(f for f, _ in rows):
        for engine, anchor in ANCHORS.items():
            runs = rows.get((file, engine))
            if not runs:
                continue
            reference = rows.get((file, anchor))
            ref_ms = statistics.median(r[0] for r in reference) if reference else None
            ref_rss = statistics.median(r[2] for r in reference) if reference else None
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

if again:
    print()
    print("| file | engine | processes | first load ms (median) | later loads ms (median of loads 2-5) "
          "| later loads vs llama.cpp |")
    print("| --- | --- | --- | --- | --- | --- |")
    for (file, engine), runs in again.items():
        later = statistics.median(ms for r in runs for ms in r[1:])
        reference = again.get((file, ANCHORS[engine]))
        ratio = "-"
        if reference:
            ratio = f"{later / statistics.median(ms for r in reference for ms in r[1:]):.2f}x"
        print(f"| {file} | {engine} | {len(runs)} | {statistics.median(r[0] for r in runs):.0f} | {later:.0f} | {ratio} |")
