#!/usr/bin/env bash
# Load time of a GGUF file in a fresh JVM: this checkout against another one (a worktree of an earlier commit), both
# started as a user's JVM is (bin/llmgraph java, each checkout with its own start-up cache), and llama.cpp (libllama
# in the same kind of JVM) beside them, alternating, ROUNDS rounds of: base, new, llama.cpp for the mapped load
# without repacking, then the same for the defaults (both engines repacking). Prints LoadBench's line for each load
# (engine, file, load ms, VmRSS...) after "base", "new" or "ref", then bench/load-table.py's table of each side (its
# loads with llama.cpp's: medians and ratios).
#   git worktree add /tmp/base COMMIT && bench/load-ab.sh /tmp/base [ROUNDS] [FILE]
# FILE defaults to bench's TinyLlama Q4_0 (bin/llmgraph bench writes it). Needs LLMGRAPH_NATIVE_DIR.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base="$(cd "${1:?usage: bench/load-ab.sh BASE_CHECKOUT [ROUNDS] [FILE]}" && pwd)"
rounds="${2:-8}"
file="${3:-$HOME/.cache/llmgraph/bench/tinyllama-1.1b-q4_0.gguf}"
: "${LLMGRAPH_NATIVE_DIR:?set LLMGRAPH_NATIVE_DIR to the folder of the native libraries}"
lines="$(mktemp)"
trap 'rm -f "$lines"' EXIT
load() { (cd "$1" && bin/llmgraph java dev.llmgraph.bench.LoadBench "$2" "$file" 2 2>/dev/null | tail -n 1); }
for checkout in "$base" "$root"; do (cd "$checkout" && bin/llmgraph aot >/dev/null); done
cat "$file" > /dev/null  # into the page cache first
echo "# $(date -u '+%F %T UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
for ((round = 1; round <= rounds; round++)); do
  for pair in "llmgraph-mapped llama.cpp" "llmgraph-default llama.cpp-repack"; do
    read -r engine reference <<< "$pair"
    echo "base $(load "$base" "$engine")"
    echo "new $(load "$root" "$engine")"
    echo "ref $(load "$root" "$reference")"
  done
done | tee "$lines"
for side in base new; do
  echo; echo "## $side"
  sed -n "s/^\($side\|ref\) //p" "$lines" | /usr/bin/python3 "$root/bench/load-table.py"
done
echo "# $(date -u '+%F %T UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
