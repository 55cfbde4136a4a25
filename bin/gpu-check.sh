#!/usr/bin/env bash
# One prepared session on a GPU server: build the CUDA libraries, run the GPU tests, benchmark against
# llama.cpp. Each step has its own time limit and log, so a failing or slow step still leaves the others'
# results. Runs in a dist folder made by `bin/llmgraph dist --with-tests` (the check step runs its test jars).
#
#   bin/gpu-check.sh OUT_DIR [STEP...]      steps: info build doctor check notebooks bench graphs fusion stacks
#                                           graph-dump kernels rpc (default: these, in that order), cpu-decode
#
#   info    nvidia-smi, nvcc, the CPU                       -> OUT_DIR/info.log
#   build   bin/llmgraph build-native --cuda                -> OUT_DIR/build.log
#           (skipped when LLMGRAPH_NATIVE_DIR names a CUDA build made elsewhere that loads here:
#           native/build-cuda-elsewhere.sh; one that does not load is unset, and the build runs)
#   doctor  bin/llmgraph doctor: the build in use, the GPU as ggml sees it, what ggml-cuda was built for
#                                                           -> OUT_DIR/doctor.log
#   check   bin/llmgraph check (tests tagged gpu), one JVM per group of test classes, so that a native crash
#           in one group leaves the others' results          -> OUT_DIR/check-GROUP.log, OUT_DIR/junit-GROUP/
#           (check-GROUP runs one group: parity, lifecycle, ops, kvcache, reference, training, settings)
#   notebooks  the notebooks named by GPU_NOTEBOOKS run without Jupyter on the GPU (LLMGRAPH_BACKEND=cuda,
#           bin/llmgraph run NOTEBOOK.ipynb --out ...): by default 03 (its decode-speed experiment times every
#           backend there is), 02 and 08 (their models follow the backend setting; 08 trains one live)
#                                                           -> OUT_DIR/notebooks.log, OUT_DIR/notebooks/*.ipynb
#   bench   bin/llmgraph bench --backend cuda               -> OUT_DIR/bench.log, OUT_DIR/bench/
#   graphs  the decode part of bench again with ggml-cuda's CUDA graphs disabled (GGML_CUDA_DISABLE_GRAPHS=1,
#           both engines)                                   -> OUT_DIR/graphs.log, OUT_DIR/graphs/
#   fusion  the same with ggml-cuda's kernel fusions disabled (GGML_CUDA_DISABLE_FUSION=1, both engines): whether
#           the decode gap is in which kernels get fused     -> OUT_DIR/fusion.log, OUT_DIR/fusion/
#   stacks  the decode part of bench again with q, k and v stored apart multiplied as three products, as llama.cpp's
#           graph does (-Dllmgraph.stackSeparateProjections=false; on a GPU llmgraph holds them as one stack and
#           multiplies once): what the two products a layer fewer gain  -> OUT_DIR/stacks.log, OUT_DIR/stacks/
#   graph-dump  bin/graph-dump.sh on this backend: one decode step's graph as each engine hands it to ggml, node
#           by node, with the pieces the scheduler runs on the GPU and on the CPU   -> OUT_DIR/graph-dump.log,
#           OUT_DIR/graph-dump/compare.txt
#   kernels bin/graph-dump.sh --kernel-times (CUDA only): both engines decode under Nsight Compute (ncu), which
#           times each kernel by itself                     -> OUT_DIR/kernels.log, OUT_DIR/kernels/kernels-*.txt
#   rpc     an RPC server on this GPU (bin/llmgraph rpc-server --backend cuda on 127.0.0.1), and bench with the
#           layers after the first on it, against llama-bench with the same --rpc   -> OUT_DIR/rpc.log, OUT_DIR/rpc/
#   cpu-decode (only when named) GPT-2-small's CPU cells of the default table at 2 threads, on this server's
#           many cores: whether llmgraph's decoding ties llama.cpp's once the JVM's own threads have cores of their
#           own (on a 2-vCPU machine they share ggml's two; bench/NOTES.md, "The decode gap is the process, not the
#           graph")                                          -> OUT_DIR/cpu-decode.log, OUT_DIR/cpu-decode/
#
# Time limits (seconds) can be changed with LIMIT_<STEP>, e.g. LIMIT_BUILD=600. Bench settings:
# GPU_BENCH_MODELS (default tinyllama-1.1b), GPU_BENCH_TYPES (default f16,q8_0,q4_0,q4_k), GPU_BENCH_ROUNDS
# (default 2); GPU_CHECK_REPORTS: where the JUnit XML reports go (default OUT_DIR/junit-GROUP).
# OUT_DIR/summary.log lists each step's exit status and duration. GPU_CHECK_BACKEND=cpu runs the check, notebooks,
# bench, graphs, fusion, stacks and graph-dump steps on the CPU: a rehearsal of the script on a machine without a GPU.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: bin/gpu-check.sh OUT_DIR [info|build|doctor|check|notebooks|bench|graphs|fusion|stacks|graph-dump|kernels|rpc|cpu-decode]...}"
shift
steps=("$@")
((${#steps[@]})) || steps=(info build doctor check notebooks bench graphs fusion stacks graph-dump kernels rpc)
mkdir -p "$out"
llmgraph="$root/bin/llmgraph"
# Where the CUDA toolkit usually lives when a non-login shell has not put it on PATH.
[[ -d /usr/local/cuda/bin ]] && export PATH="$PATH:/usr/local/cuda/bin"
# A CUDA build made elsewhere (native/build-cuda-elsewhere.sh) finds CUDA's runtime and cuBLAS through the loader's
# path; a build made here also knows where it found them.
if [[ -f "${LLMGRAPH_NATIVE_DIR:-}/libggml-cuda.so" ]]; then
  for dir in /usr/local/cuda/lib64 /usr/local/cuda/lib /usr/local/cuda/targets/x86_64-linux/lib; do
    [[ -d "$dir" ]] && export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$dir"
  done
fi
models="${GPU_BENCH_MODELS:-tinyllama-1.1b}"
types="${GPU_BENCH_TYPES:-f16,q8_0,q4_0,q4_k}"
rounds="${GPU_BENCH_ROUNDS:-2}"
backend="${GPU_CHECK_BACKEND:-cuda}"
model_args=()
for m in ${models//,/ }; do model_args+=(--model "$m"); done

# The groups of the check step: console-launcher selections of the tests tagged gpu.
check_groups=(
  "parity --select-class dev.llmgraph.io.gguf.CudaParityTest"
  "lifecycle --select-class dev.llmgraph.model.CudaModelLifecycleTest"
  "ops --select-package dev.llmgraph.ggml"
  "kvcache --select-class dev.llmgraph.model.lower.CudaKvCacheConsistencyTest"
  "reference --select-class dev.llmgraph.reference.CudaReferenceForwardTest"
  "training --select-class dev.llmgraph.train.CudaTrainingTest"
  "settings --select-class dev.llmgraph.model.ModelOptionsBackendSettingTest"
)

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

# bench_without NAME LIMIT VAR=VALUE: the decode cells again (one round, short prompts) with a ggml-cuda feature
# turned off in both engines, or an llmgraph setting changed.
bench_without() {
  run_step "$1" "$2" env "$3" "$llmgraph" bench --backend "$backend" "${model_args[@]}" --type "$types" --rounds 1 \
    -p 64 --out "$out/$1"
}

for step in "${steps[@]}"; do
  case "$step" in
    info)
      run_step info "${LIMIT_INFO:-30}" bash -c 'nvidia-smi; nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total --format=csv;
        nvcc --version | tail -n 2; nproc; grep -m1 "model name" /proc/cpuinfo; free -g | head -n 2; uname -a'
      ;;
    build)
      if [[ -f "${LLMGRAPH_NATIVE_DIR:-}/libggml-cuda.so" ]]; then
        # Built elsewhere and copied here (native/build-cuda-elsewhere.sh): used if it loads, else built here.
        natives="$("$llmgraph" doctor 2>&1 | grep -E '^(ok|fix) +natives' || true)"
        if [[ "$natives" == ok* ]]; then
          echo "== build: skipped, LLMGRAPH_NATIVE_DIR=$LLMGRAPH_NATIVE_DIR holds a CUDA build that loads" \
            | tee -a "$out/summary.log"
          continue
        fi
        echo "== build: LLMGRAPH_NATIVE_DIR=$LLMGRAPH_NATIVE_DIR does not load here, so it is built here instead:" \
          "${natives:-doctor said nothing about it}" | tee -a "$out/summary.log"
        unset LLMGRAPH_NATIVE_DIR
      fi
      run_step build "${LIMIT_BUILD:-480}" "$llmgraph" build-native --cuda
      ;;
    doctor)
      run_step doctor "${LIMIT_DOCTOR:-60}" "$llmgraph" doctor
      ;;
    check|check-*)
      for entry in "${check_groups[@]}"; do
        group="${entry%% *}"
        [[ "$step" == check || "$step" == "check-$group" ]] || continue
        # shellcheck disable=SC2086
        run_step "check-$group" "${LIMIT_CHECK:-150}" "$llmgraph" check --backend "$backend" ${entry#* } \
          --include-tag gpu --reports-dir "${GPU_CHECK_REPORTS:-$out/junit}-$group"
      done
      ;;
    notebooks)
      mkdir -p "$out/notebooks"
      # shellcheck disable=SC2016
      run_step notebooks "${LIMIT_NOTEBOOKS:-240}" env LLMGRAPH_BACKEND="$backend" bash -c 'cd "$1" && status=0
        for nb in ${2//,/ }; do bin/llmgraph run "notebooks/$nb.ipynb" --out "$3/notebooks/$nb.ipynb" || status=$?; done
        exit $status' notebooks "$root" "${GPU_NOTEBOOKS:-03-attention-and-kv-cache,02-positional-encodings,08-training-experiments}" "$(cd "$out" && pwd)"
      ;;
    bench)
      run_step bench "${LIMIT_BENCH:-300}" "$llmgraph" bench --backend "$backend" "${model_args[@]}" --type "$types" \
        --rounds "$rounds" --out "$out/bench"
      ;;
    graphs)
      bench_without graphs "${LIMIT_GRAPHS:-150}" GGML_CUDA_DISABLE_GRAPHS=1
      ;;
    fusion)
      bench_without fusion "${LIMIT_FUSION:-150}" GGML_CUDA_DISABLE_FUSION=1
      ;;
    stacks)
      bench_without stacks "${LIMIT_STACKS:-150}" \
        "LLMGRAPH_JAVA_OPTS=${LLMGRAPH_JAVA_OPTS:+$LLMGRAPH_JAVA_OPTS }-Dllmgraph.stackSeparateProjections=false"
      ;;
    graph-dump)
      run_step graph-dump "${LIMIT_GRAPH_DUMP:-240}" "$root/bin/graph-dump.sh" "$out/graph-dump" "$backend"
      ;;
    kernels)
      if [[ "$backend" == cuda ]]; then
        run_step kernels "${LIMIT_KERNELS:-300}" "$root/bin/graph-dump.sh" "$out/kernels" cuda --kernel-times
      else
        echo "== kernels: skipped (CUDA only; GPU_CHECK_BACKEND=$backend)" | tee -a "$out/summary.log"
      fi
      ;;
    rpc)
      port="${GPU_RPC_PORT:-50152}"
      "$llmgraph" rpc-server --port "$port" --backend "$backend" >"$out/rpc-server.log" 2>&1 &
      server=$!
      run_step rpc "${LIMIT_RPC:-240}" bash -c "for i in \$(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null \
        && break; sleep 0.5; done; \"$llmgraph\" bench --model tiny-gpt2-small --type q8_0 -p 32 -n 16 -r 3 --rounds 2 \
        --rpc 127.0.0.1:$port --local-layers 1 --out \"$out/rpc\""
      kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
      ;;
    cpu-decode)
      run_step cpu-decode "${LIMIT_CPU_DECODE:-300}" "$llmgraph" bench --backend cpu --model gpt2-small \
        --type f16,q8_0,q4_0 --threads 2 -p 8 -n 128 -r 5 --rounds 3 --out "$out/cpu-decode"
      ;;
    *)
      echo "bin/gpu-check.sh: unknown step '$step'" \
        "(info, build, doctor, check, check-GROUP, notebooks, bench, graphs, fusion, stacks, graph-dump, kernels, rpc," \
        "cpu-decode)" >&2
      exit 2
      ;;
  esac
done
