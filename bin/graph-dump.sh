#!/usr/bin/env bash
# The graph of one decode step as llama.cpp and llmgraph hand it to ggml, tensor by tensor, and where the two
# differ: every node's op, type, shape, strides, op parameters and flags, and the pieces (splits) the scheduler
# runs on each backend. Both engines decode the same GGUF file (a Llama-3-8B-shaped model with 2 layers and
# random F16 weights, written on first use) with an F16 KV cache and flash attention off, as bench runs them:
# llama-bench a warm-up token and 3 more from position 0, llmgraph 4 tokens. Their last steps are compared (the
# graphs span 256 keys either way).
#
#   bin/graph-dump.sh OUT_DIR [cpu|cuda]
#   bin/graph-dump.sh OUT_DIR cuda --kernel-times
#
# Writes OUT_DIR/llama.cpp.txt and OUT_DIR/llmgraph.txt (every step; format in native/tools/graph-dump.c) and
# OUT_DIR/compare.txt: each engine's splits, the kernels of the last step per op, then its nodes with their names
# left out, counted, as a diff (lines starting < are llama.cpp's only, > llmgraph's only). Needs gcc and the
# native build for the backend (bin/llmgraph build-native [--cuda]); bin/gpu-check.sh OUT graph-dump runs it on a
# GPU server. GRAPH_DUMP_MODEL names another GGUF file to decode instead (where it is missing, the default model
# is written there). GRAPH_DUMP_AS_ON_GPU=1 has llmgraph on the CPU load the weights as it does on a GPU: copied,
# not mapped or repacked, with q, k and v held as one stack (-Dllmgraph.stackSeparateProjections=true), so that the
# CPU shows the decode graph that CUDA runs.
#
# --kernel-times: instead, both engines decode 9 tokens under Nsight Compute (ncu, with --clock-control none),
# which times every kernel on the GPU by itself: OUT_DIR/kernels-llama.cpp.txt and OUT_DIR/kernels-llmgraph.txt
# hold, per kernel, how often it ran and its time. Equal times with a slower decode put the difference between
# the kernels (launches, waits); a kernel slower or more often in one engine puts it there.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: bin/graph-dump.sh OUT_DIR [cpu|cuda] [--kernel-times]}"
backend="${2:-cpu}"
[[ "$backend" == cpu || "$backend" == cuda ]] || { echo "graph-dump: the backend is cpu or cuda, not '$backend'" >&2; exit 2; }
[[ -z "${3:-}" || ( "${3:-}" == --kernel-times && "$backend" == cuda ) ]] \
  || { echo "graph-dump: the third argument can only be --kernel-times, after cuda" >&2; exit 2; }
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# The native build: the one LLMGRAPH_NATIVE_DIR names, as for bin/llmgraph, else the cached one for the backend.
status=0
lib="${LLMGRAPH_NATIVE_DIR:-}"
[[ -n "$lib" ]] || lib="$( ([[ "$backend" == cuda ]] && export LLMGRAPH_CUDA=1; "$root/native/build.sh" --where) )" \
  || status=$?
if ((status != 0)); then
  fix="bin/llmgraph build-native$([[ "$backend" == cuda ]] && echo ' --cuda')"
  echo "graph-dump: no native build for $backend${lib:+ at $lib}; run $fix" >&2
  exit 1
fi
model="${GRAPH_DUMP_MODEL:-${LLMGRAPH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/llmgraph}/bench/llama-3-8b-2-layers-f16.gguf}"
if [[ ! -f "$model" ]]; then
  mkdir -p "$(dirname "$model")"
  cat >"$out/write-model.jsh" <<'EOF'
var spec = Presets.llama3_8b().withLayers(2).withVocabSize(32000).withContextLength(256).withName("llama-3-8b-2-layers");
try (var model = Model.random(spec, WeightInit.gpt2(1), ModelOptions.cpu().withMatrixType(GgmlType.F16))) {
    dev.llmgraph.io.gguf.GgufModels.write(model, Path.of(ARGS[0] + ".part"));
}
Files.move(Path.of(ARGS[0] + ".part"), Path.of(ARGS[0]));
/exit
EOF
  "$root/bin/llmgraph" run "$out/write-model.jsh" "$model"
fi

cat >"$out/decode.jsh" <<'EOF'
var asOnGpu = "1".equals(System.getenv("GRAPH_DUMP_AS_ON_GPU"));
if (asOnGpu) System.setProperty("llmgraph.stackSeparateProjections", "true");
var cpu = ModelOptions.cpu().withThreads(Integer.parseInt(ARGS[2])).withCacheType(GgmlType.F16);
var options = ARGS[1].equals("cuda") ? ModelOptions.cuda()
        : asOnGpu ? cpu.withMapWeights(false) : cpu.withRepack(true);
try (var model = dev.llmgraph.io.gguf.GgufModels.load(Path.of(ARGS[0]), options);
     var session = model.session(Math.min(256, model.contextLength()))) {
    for (int token = 1; token <= Integer.parseInt(ARGS[3]); token++) session.feed(token);
}
/exit
EOF
threads=$(($(nproc) < 8 ? $(nproc) : 8))

# decode_both WRAP N: llama-bench decodes a warm-up token and N more, llmgraph N + 1 tokens, each command run as
# WRAP ENGINE COMMAND...; the engines' own output goes to OUT_DIR/llama-bench.log and OUT_DIR/llmgraph.log.
decode_both() {
  local wrap="$1" n="$2"
  LD_LIBRARY_PATH="$lib" "$wrap" llama.cpp "$lib/llama-bench" -m "$model" -p 0 -n "$n" -r 1 -fa 0 -t "$threads" \
    -ngl "$([[ "$backend" == cuda ]] && echo 99 || echo 0)" >"$out/llama-bench.log" 2>&1 || failed llama-bench
  LD_LIBRARY_PATH="$lib" LLMGRAPH_NATIVE_DIR="$lib" "$wrap" llmgraph "$root/bin/llmgraph" run "$out/decode.jsh" \
    "$model" "$backend" "$threads" $((n + 1)) >"$out/llmgraph.log" 2>&1 || failed llmgraph
}
failed() { echo "graph-dump: $1 failed; the end of $out/$1.log:" >&2; tail -n 5 "$out/$1.log" >&2; exit 1; }
dump() { local engine="$1"; shift; GRAPH_DUMP="$out/$engine.txt" LD_PRELOAD="$out/libgraph-dump.so" "$@"; }
profile() {
  local engine="$1"; shift
  ncu --target-processes all --clock-control none --metrics gpu__time_duration.sum --print-summary per-kernel \
    --log-file "$out/kernels-$engine.txt" "$@"
}

if [[ "${3:-}" == --kernel-times ]]; then
  for d in /usr/local/cuda/bin /opt/nvidia/nsight-compute/*; do [[ -x "$d/ncu" ]] && PATH="$PATH:$d"; done
  command -v ncu >/dev/null || { echo "graph-dump: ncu (Nsight Compute) is not on the PATH; it times the kernels" >&2; exit 1; }
  decode_both profile 8
  for engine in llama.cpp llmgraph; do echo "== $engine"; cat "$out/kernels-$engine.txt"; done
  exit 0
fi
command -v gcc >/dev/null || { echo "graph-dump: gcc is missing; it builds the interposer" >&2; exit 1; }
gcc -O2 -shared -fPIC -Wall -Werror "$root/native/tools/graph-dump.c" -I "$lib/../include" \
  -L "$lib" -lggml-base -ldl -o "$out/libgraph-dump.so"
rm -f "$out/llama.cpp.txt" "$out/llmgraph.txt"
decode_both dump 3

# last_step FILE: the last step's nodes, names and split lines left out, sorted and counted.
last_step() { awk '/^## step/ { n = 0; delete lines; next } /^###/ { next } { sub(/  # .*/, ""); lines[n++] = $0 }
  END { for (i = 0; i < n; i++) print lines[i] }' "$1" | sort | uniq -c; }
# kernels FILE: the last step's nodes per op, leaving out those that only describe memory (views and the like).
kernels() {
  last_step "$1" | awk '$2 !~ /^(VIEW|RESHAPE|PERMUTE|TRANSPOSE|NONE)$/ { n[$2] += $1 } END { for (op in n) print op, n[op] }' \
    | sort
}
# splits FILE: the last step's split lines.
splits() {
  awk '/^## step/ { n = 0; delete lines; next } /^###/ { lines[n++] = $0 } END { for (i = 0; i < n; i++) print lines[i] }' "$1"
}
{
  echo "llama.cpp's last step: $(grep -c '^## step' "$out/llama.cpp.txt") steps in all"; splits "$out/llama.cpp.txt"
  echo "llmgraph's last step: $(grep -c '^## step' "$out/llmgraph.txt") steps in all"; splits "$out/llmgraph.txt"
  echo "kernels of the last step per op: op, llama.cpp, llmgraph"
  join -a 1 -a 2 -e 0 -o 0,1.2,2.2 <(kernels "$out/llama.cpp.txt") <(kernels "$out/llmgraph.txt") \
    | awk '{ printf "%-10s %9s %9s\n", $1, $2, $3 }'
  echo "nodes of the last step, counted (< llama.cpp only, > llmgraph only):"
  diff <(last_step "$out/llama.cpp.txt") <(last_step "$out/llmgraph.txt") || true
} >"$out/compare.txt"
cat "$out/compare.txt"
