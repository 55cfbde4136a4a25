#!/usr/bin/env bash
# The Jupyter kernel's JIT, C1 alone (the kernelspec's default, KernelSpec.QUICK_JIT_FLAG) against C1 and C2
# (installed with LLMGRAPH_JAVA_OPTS=-XX:TieredStopAtLevel=4), both with the launcher's start-up cache, alternating:
#   (a) kernel start to notebook 01's first cell result and to a tiny model's logits (aot_kernel_start.py --timeline)
#   (b) with NOTEBOOK names: each tutorial notebook executed whole by nbconvert, wall seconds, NOTEBOOK_RUNS
#       rounds (default 2); notebook 03 rewrites notebooks/data/decode-vs-context.csv, as in the tests
#
#   bench/kernel-jit.sh [RUNS] [NOTEBOOK...]      e.g. bench/kernel-jit.sh 10 01-declare-your-first-llm 09-tokenizers
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
notebooks=("${@:2}")
work="$(mktemp -d /tmp/llmgraph-kernel-jit.XXXXXX)"
trap 'rm -rf "$work"' EXIT
llmgraph="$root/bin/llmgraph"
load() { echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"; }

echo "# $(date -u '+%F %T UTC'), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
# a cache each (LLMGRAPH_JAVA_OPTS is part of a cache's key); one trained in the background is waited for
for opts in "" -XX:TieredStopAtLevel=4; do
  for ((try = 0; try < 60; try++)); do
    LLMGRAPH_JAVA_OPTS="$opts" "$llmgraph" aot >/dev/null 2>&1 && break
    sleep 5
  done
done
JUPYTER_DATA_DIR="$work/c1" "$llmgraph" kernel install 2>/dev/null
JUPYTER_DATA_DIR="$work/c2" LLMGRAPH_JAVA_OPTS=-XX:TieredStopAtLevel=4 "$llmgraph" kernel install 2>/dev/null
for jit in c1 c2; do
  grep -q AOTCache "$work/$jit/kernels/llmgraph/kernel.json" || { echo "the $jit kernelspec has no cache" >&2; exit 1; }
done
grep -q 'TieredStopAtLevel=1"' "$work/c1/kernels/llmgraph/kernel.json" \
  || { echo "no C1 flag in the kernelspec" >&2; exit 1; }

load; echo "# (a) jit, milestones in seconds from start_kernel (result-1: the first cell's result)"
for ((i = 0; i < runs; i++)); do
  for jit in c1 c2; do
    echo "kernel $jit $(/usr/bin/python3 "$root/bench/aot_kernel_start.py" "$work/$jit" --timeline)"
  done
done
if ((${#notebooks[@]})); then
  load; echo "# (b) jit, notebook, wall seconds of jupyter nbconvert --execute"
  for ((i = 0; i < ${NOTEBOOK_RUNS:-2}; i++)); do
    for notebook in "${notebooks[@]}"; do
      for jit in c1 c2; do
        start=$(date +%s.%N)
        (cd "$root/notebooks" && JUPYTER_PATH="$work/$jit" /usr/bin/jupyter nbconvert --to notebook --execute \
          --ExecutePreprocessor.timeout=900 --ExecutePreprocessor.kernel_name=llmgraph --output-dir "$work/out" \
          --output "$notebook-$jit" "$notebook.ipynb" >"$work/nbconvert.log" 2>&1) \
          || { cat "$work/nbconvert.log" >&2; exit 1; }
        echo "notebook $jit $notebook $(echo "$(date +%s.%N) - $start" | bc)"
      done
    done
  done
fi
load
