#!/usr/bin/env bash
# Start-up with and without the launcher's ahead-of-time cache (bin/aot.sh), runs alternating:
#   (a) Jupyter kernel start to notebook 01's first cell result, and to a tiny model's logits (aot_kernel_start.py)
#   (b) wall and CPU time of bin/llmgraph run examples/quickstart.jsh
#   (c) decode tokens/s of a fresh JVM's first 32 tokens against the same after warm-up (aot-decode.jsh)
#
#   bench/aot-startup.sh [RUNS]        (default 5; LLMGRAPH_NATIVE_DIR as for bin/llmgraph)
#
# Everything goes to a private folder: a cache trained by `bin/llmgraph aot` there, and two Jupyter data folders
# with the kernelspec installed without (LLMGRAPH_AOT=0) and with the cache. Prints one line per run and the
# load average before each part.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
work="$(mktemp -d /tmp/llmgraph-aot-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export LLMGRAPH_CACHE="$work/cache"
llmgraph="$root/bin/llmgraph"
load() { echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"; }

echo "# $(date -u '+%F %T UTC'), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
"$llmgraph" aot
for mode in 0 1; do
  JUPYTER_DATA_DIR="$work/jupyter-$mode" LLMGRAPH_AOT=$mode "$llmgraph" kernel install 2>/dev/null
done
grep -q AOTCache "$work/jupyter-1/kernels/llmgraph/kernel.json" || { echo "the kernelspec has no cache" >&2; exit 1; }

load; echo "# (a) kernel: aot, seconds to first cell result, seconds to tiny-model logits"
for ((i = 0; i < runs; i++)); do
  for mode in 0 1; do echo "kernel $mode $(/usr/bin/python3 "$root/bench/aot_kernel_start.py" "$work/jupyter-$mode")"; done
done
load; echo "# (b) quickstart: aot, wall seconds, CPU seconds (user + system; less moved by other load than wall time)"
for ((i = 0; i < runs; i++)); do
  for mode in 0 1; do
    LLMGRAPH_AOT=$mode /usr/bin/time -f "quickstart $mode %e %U %S" -o "$work/time" \
      "$llmgraph" run "$root/examples/quickstart.jsh" >/dev/null
    read -r _ _ wall user sys < "$work/time"
    echo "quickstart $mode $wall $(echo "$user + $sys" | bc)"
  done
done
load; echo "# (c) decode: aot, cold tokens/s, warmed tokens/s"
for ((i = 0; i < runs; i++)); do
  for mode in 0 1; do echo "decode $mode $(LLMGRAPH_AOT=$mode "$llmgraph" run "$root/bench/aot-decode.jsh")"; done
done
load
