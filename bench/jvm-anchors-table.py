#!/usr/bin/env python3
"""The table of bench/jvm-anchors.sh: median tokens/s per engine, file and test, and llmgraph's ratio to
each other engine with a 95% percentile-bootstrap interval (the same method as bench's RatioInterval)."""
import glob, json, os, random, re, statistics, sys

out = sys.argv[1]
samples = {}  # (file, test, engine) -> [t/s]
tests = {}
for path in sorted(glob.glob(os.path.join(out, "llama3java-*.out"))):
    name = re.sub(r"^llama3java-(.*)-\d+\.out$", r"\1", os.path.basename(path))
    line = next((l for l in open(path) if l.startswith("context:")), None)
    if line is None:
        sys.exit(f"{path}: no 'context:' line; llama3.java failed:\n{open(path).read()[-2000:]}")
    m = re.search(r"prompt: ([\d.]+) tokens/s \((\d+)\) generation: ([\d.]+) tokens/s \((\d+)\)", line)
    pp, tg = f"pp{m.group(2)}", f"tg{m.group(4)}"
    tests.setdefault(name, (pp, tg))
    samples.setdefault((name, pp, "llama3.java"), []).append(float(m.group(1)))
    samples.setdefault((name, tg, "llama3.java"), []).append(float(m.group(3)))
for path in sorted(glob.glob(os.path.join(out, "bench-*-*", "*.json"))):
    name = re.sub(r"^bench-(.*)-\d+$", r"\1", os.path.basename(os.path.dirname(path)))
    for r in json.load(open(path))["results"]:
        samples.setdefault((name, r["test"], r["engine"]), []).extend(r["samples_ts"])

def interval(a, b, n=10000):
    rng = random.Random(20261205)
    ratios = sorted(statistics.median(rng.choices(a, k=len(a))) / statistics.median(rng.choices(b, k=len(b)))
                    for _ in range(n))
    return statistics.median(a) / statistics.median(b), ratios[int(0.025 * (n - 1))], ratios[int(0.975 * (n - 1))]

print("| file | test | llmgraph t/s | llama.cpp t/s | llama3.java t/s | llmgraph / llama.cpp | llmgraph / llama3.java |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
for (name, test, engine), ours in sorted(samples.items()):
    if engine != "llmgraph":
        continue
    kind = test[:2]
    anchor_test = next((t for t in tests.get(name, ()) if t.startswith(kind)), None)
    cpp = samples.get((name, test, "llama.cpp"), [])
    jv = samples.get((name, anchor_test, "llama3.java"), [])
    def cell(s):
        return f"{statistics.median(s):.2f} (n={len(s)})" if s else "-"
    def ratio(s):
        return "%.2f [%.2f, %.2f]" % interval(ours, s) if s else "-"
    print(f"| {name} | {test} | {cell(ours)} | {cell(cpp)} | {cell(jv)} | {ratio(cpp)} | {ratio(jv)} |")
