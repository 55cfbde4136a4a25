#!/usr/bin/env bash
# One prepared session on a GPU server: build the CUDA libraries, run the GPU tests, benchmark against
# llama.cpp. Each step has its own time limit and log, so a failing or slow step still leaves the others'
# results. Runs from a source checkout or from a dist made by `bin/llmgraph dist --with-tests`.
#
#   bin/gpu-check.sh OUT_DIR [STEP...]      steps: info build check bench graphs (default: all, in that order)
#
#   info    nvidia-smi, nvcc, the CPU                       -> OUT_DIR/info.log
#   build   bin/llmgraph build-native --cuda                -> OUT_DIR/build.log
#   check   bin/llmgraph check (tests tagged gpu)           -> OUT_DIR/check.log, OUT_DIR/junit/
#   bench   bin/llmgraph bench --backend cuda               -> OUT_DIR/bench.log, OUT_DIR/bench/
#   graphs  the decode part of bench again with ggml-cuda's CUDA graphs disabled (GGML_CUDA_DISABLE_GRAPHS=1,
#           both engines)                                   -> OUT_DIR/graphs.log, OUT_DIR/graphs/
#
# Time limits (seconds) can be changed with LIMIT_<STEP>, e.g. LIMIT_BUILD=600. Bench settings:
# GPU_BENCH_MODELS (default tinyllama-1.1b), GPU_BENCH_TYPES (default f16,q8_0,q4_0,q4_k), GPU_BENCH_ROUNDS
# (default 2). OUT_DIR/summary.log lists each step's exit status and duration.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: bin/gpu-check.sh OUT_DIR [info|build|check|bench|graphs]...}"
shift
steps=("$@")
((${#steps[@]})) || steps=(info build check bench graphs)
mkdir -p "$out"
llmgraph="$root/bin/llmgraph"
models="${GPU_BENCH_MODELS:-tinyllama-1.1b}"
types="${GPU_BENCH_TYPES:-f16,q8_0,q4_0,q4_k}"
rounds="${GPU_BENCH_ROUNDS:-2}"
model_args=()
for m in ${models//,/ }; do model_args+=(--model "$m"); done

# run_step NAME LIMIT COMMAND...: the command's output goes to OUT_DIR/NAME.log; its status and time to the summary.
run_step() {
  local name="$1" limit="$2"; shift 2
  local start=$SECONDS status
  echo "== $name (limit ${limit}s): $*" | tee -a "$out/summary.log"
  timeout --kill-after=10 "$limit" "$@" >"$out/$name.log" 2>&1
  status=$?
  echo "== $name: exit $status after $((SECONDS - start)) s$([[ $status == 124 ]] && echo ' (time limit)')" \
    | tee -a "$out/summary.log"
  tail -n 5 "$out/$name.log"
  return 0
}

for step in "${steps[@]}"; do
  case "$step" in
    info)
      run_step info "${LIMIT_INFO:-30}" bash -c 'nvidia-smi; nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total --format=csv;
        nvcc --version | tail -n 2; nproc; grep -m1 "model name" /proc/cpuinfo; free -g | head -n 2; uname -a'
      ;;
    build)
      run_step build "${LIMIT_BUILD:-480}" "$llmgraph" build-native --cuda
      ;;
    check)
      run_step check "${LIMIT_CHECK:-300}" "$llmgraph" check --backend cuda --reports-dir "$out/junit"
      ;;
    bench)
      run_step bench "${LIMIT_BENCH:-300}" "$llmgraph" bench --backend cuda "${model_args[@]}" --type "$types" \
        --rounds "$rounds" --out "$out/bench"
      ;;
    graphs)
      run_step graphs "${LIMIT_GRAPHS:-150}" env GGML_CUDA_DISABLE_GRAPHS=1 "$llmgraph" bench --backend cuda \
        "${model_args[@]}" --type "$types" --rounds 1 -p 64 --out "$out/graphs"
      ;;
    *)
      echo "bin/gpu-check.sh: unknown step '$step' (info, build, check, bench, graphs)" >&2
      exit 2
      ;;
  esac
done
