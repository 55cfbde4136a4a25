#!/usr/bin/env bash
# Builds ggml and llama.cpp (shared libraries with the RPC backend, plus llama-bench, ggml-rpc-server and the
# llmgraph shim) from the pinned
# llama.cpp source and prints the folder that holds them. A second call with the same source and
# options finds the cached build and costs a few milliseconds.
#
#   native/build.sh              CPU build
#   LLMGRAPH_CUDA=1 native/build.sh
#                                CPU + CUDA (cuBLAS); LLMGRAPH_CUDA_ARCH picks CMAKE_CUDA_ARCHITECTURES
#                                (default: the compute capability nvidia-smi reports, else 90)
#
# Other variables:
#   LLMGRAPH_LLAMA_CPP_DIR   a local llama.cpp checkout to build instead of the pinned source
#   LLMGRAPH_SOURCE_ARCHIVE  the pinned source as a .tar.xz (default: native/llama.cpp-src.tar.xz when present,
#                            as in a `bin/llmgraph dist` folder); then neither npm nor git is needed
#   LLMGRAPH_CACHE           cache folder (default ${XDG_CACHE_HOME:-$HOME/.cache}/llmgraph)
#   LLMGRAPH_BUILD_JOBS      parallel compile jobs (default: number of cores)
#   LLMGRAPH_CUBLAS_INCLUDE  with LLMGRAPH_CUDA=1, for a machine that builds for a GPU elsewhere and has nvcc but no
#                            cuBLAS: a folder holding cublas_v2.h (native/build-cuda-elsewhere.sh finds one). The
#                            libraries are linked against stubs named as the toolkit's cuBLAS and as the driver; the
#                            GPU machine's own are loaded at run time. The CPU backend is then compiled for any x86-64
#                            CPU with AVX2 rather than for this one.
#
# Output (stdout, last line): the library folder, e.g. ~/.cache/llmgraph/native/<key>/lib
# Progress and tool output go to stderr and to <key>/build.log.
#
#   native/build.sh --where      builds nothing: prints the library folder these options use, and exits 0 when it
#                                holds a finished build, 3 when none is there yet, 1 (with the reason on stderr) when
#                                this machine cannot make one (what bin/llmgraph doctor reports)
set -euo pipefail

where_only=0
[[ "${1:-}" == --where ]] && where_only=1

PACKAGE=node-llama-cpp
PACKAGE_VERSION=3.22.1
PACKAGE_SHA256=a0d9dd80eacd2ab1cfe71aee57ac8a806487fd70b3d2a38fbec637752d9e5c5f
TARGETS=(ggml-base ggml-cpu ggml-rpc ggml llama llama-bench ggml-rpc-server)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${LLMGRAPH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/llmgraph}"
jobs="${LLMGRAPH_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}"

say() { echo "llmgraph native: $*" >&2; }
die() { echo "llmgraph native: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is missing: $2"; }

need cmake "install CMake >= 3.14 (Debian: apt-get install cmake)"
need gcc   "install a C/C++ compiler (Debian: apt-get install build-essential)"
need g++   "install a C++ compiler (Debian: apt-get install g++)"
need sha256sum "install coreutils"

# The folders a CUDA toolkit may be in, one per line: those the variables name, nvcc's own, then the usual places.
cuda_roots() {
  printf '%s\n' "${CUDA_HOME:-}" "${CUDA_PATH:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v nvcc)")")")" \
    /usr/local/cuda /usr/local/cuda-* /usr
}

# make_stubs DIR CUBLAS_INCLUDE CUDA_MAJOR: link-time stand-ins for cuBLAS (and cuBLASLt) and the driver, with their
# sonames and every function their headers declare, for a build whose GPU and libraries are elsewhere. Nothing of
# them is loaded at run time: the libraries record the sonames, and the GPU machine's libraries answer to them.
make_stubs() {
  local dir="$1" include="$2" major="$3" header prefix soname
  local toolkit="" root
  while read -r root; do
    [[ -n "$root" && -f "$root/include/cuda.h" ]] && { toolkit="$root"; break; }
  done < <(cuda_roots)
  [[ -n "$toolkit" ]] || die "found no cuda.h of nvcc's CUDA toolkit for the link stubs; name the toolkit with CUDA_HOME"
  rm -rf "$dir"; mkdir -p "$dir"
  for entry in "cublas_v2.h cublas libcublas.so.$major" "cublasLt.h cublasLt libcublasLt.so.$major" \
               "cuda.h cu libcuda.so.1"; do
    read -r header prefix soname <<<"$entry"
    echo "#include <$header>" | gcc -E -P -I "$include" -I "$toolkit/include" -x c - \
      | grep -oE "\b${prefix}[A-Za-z0-9_]*[[:space:]]*\(" | sed -E 's/[[:space:]]*\($//' | sort -u \
      | sed 's/.*/void &(void) {}/' > "$dir/$soname.c" || die "reading $header for the link stubs failed"
    gcc -shared -fPIC -Wl,-soname,"$soname" -o "$dir/$soname" "$dir/$soname.c" \
      || die "compiling the link stub $soname failed"
    ln -sf "$soname" "$dir/${soname%%.so*}.so"
  done
}

# A local llama.cpp checkout is named in the cache key by its commit.
local_source_id() { echo "local-$(git -C "$1" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"; }

# --- the source -------------------------------------------------------------------------------------
if ((where_only)); then
  # The cache key names the source without fetching or unpacking it.
  source_id="${PACKAGE}-${PACKAGE_VERSION}"
  [[ -n "${LLMGRAPH_LLAMA_CPP_DIR:-}" ]] && source_id="$(local_source_id "$LLMGRAPH_LLAMA_CPP_DIR")"
elif [[ -n "${LLMGRAPH_LLAMA_CPP_DIR:-}" ]]; then
  src="$(cd "$LLMGRAPH_LLAMA_CPP_DIR" && pwd)" || die "LLMGRAPH_LLAMA_CPP_DIR=$LLMGRAPH_LLAMA_CPP_DIR is not a folder"
  [[ -f "$src/ggml/include/ggml.h" ]] || die "$src does not look like a llama.cpp checkout (no ggml/include/ggml.h)"
  source_id="$(local_source_id "$src")"
elif [[ -n "${LLMGRAPH_SOURCE_ARCHIVE:-}" || -f "$here/llama.cpp-src.tar.xz" ]]; then
  # An offline copy (bin/llmgraph dist): the same pinned source, so the same cache key as the npm route.
  archive="${LLMGRAPH_SOURCE_ARCHIVE:-$here/llama.cpp-src.tar.xz}"
  [[ -f "$archive" ]] || die "LLMGRAPH_SOURCE_ARCHIVE=$archive is not a file; name the llama.cpp-src.tar.xz of a dist folder"
  need xz "install xz-utils (Debian: apt-get install xz-utils); the source archive is a .tar.xz"
  source_id="${PACKAGE}-${PACKAGE_VERSION}"
  archive_sha256="$(sha256sum "$archive" | cut -d' ' -f1)"
  if [[ -f "$archive.sha256" && "$(cut -d' ' -f1 "$archive.sha256")" != "$archive_sha256" ]]; then
    die "sha256 of $archive is $archive_sha256, not the one in $archive.sha256; copy the archive again"
  fi
  # Its own folder, not the npm route's: the archive leaves out what a build does not need (docs, models).
  src="$cache/src/$source_id-archive-${archive_sha256:0:12}"
  if [[ ! -f "$src/.complete" ]]; then
    say "unpacking the llama.cpp source from $archive"
    rm -rf "$src"; mkdir -p "$src"
    tar -xJf "$archive" -C "$src" --strip-components=1 || die "unpacking $archive failed (a truncated copy?)"
    echo "$archive_sha256" > "$src/.complete"
  fi
else
  source_id="${PACKAGE}-${PACKAGE_VERSION}"
  src="$cache/src/$source_id"
  if [[ ! -f "$src/.complete" ]]; then
    need git "install git (Debian: apt-get install git); git unpacks the llama.cpp bundle"
    need npm "install Node.js and npm (Debian: apt-get install npm); npm fetches the pinned llama.cpp source"
    say "fetching the llama.cpp source from the npm package $PACKAGE@$PACKAGE_VERSION"
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && npm pack --silent "$PACKAGE@$PACKAGE_VERSION" >/dev/null) \
      || die "npm pack $PACKAGE@$PACKAGE_VERSION failed (is the npm registry reachable?)"
    tarball="$tmp/$PACKAGE-$PACKAGE_VERSION.tgz"
    actual="$(sha256sum "$tarball" | cut -d' ' -f1)"
    [[ "$actual" == "$PACKAGE_SHA256" ]] \
      || die "sha256 of $PACKAGE-$PACKAGE_VERSION.tgz is $actual, expected $PACKAGE_SHA256; refusing to build"
    tar -xzf "$tarball" -C "$tmp" package/llama/gitRelease.bundle
    rm -rf "$src"; mkdir -p "$(dirname "$src")"
    git clone --quiet "$tmp/package/llama/gitRelease.bundle" "$src" 2>/dev/null \
      || die "git clone of the llama.cpp bundle failed"
    touch "$src/.complete"
    rm -rf "$tmp"; trap - EXIT
  fi
fi

# --- the options and the cache key ------------------------------------------------------------------
cmake_args=(
  -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DCMAKE_BUILD_RPATH_USE_ORIGIN=ON
  -DGGML_NATIVE=ON -DGGML_BACKEND_DL=OFF -DGGML_RPC=ON
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_APP=OFF
  -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_COMMON=ON -DLLAMA_OPENSSL=OFF
)
flavour=cpu
if [[ "${LLMGRAPH_CUDA:-0}" == 1 ]]; then
  need nvcc "install the CUDA toolkit (nvcc) for LLMGRAPH_CUDA=1"
  # A driver older than the toolkit cannot load what the toolkit builds ("CUDA driver version is
  # insufficient"). Minor versions are compatible within a major version, so only majors are compared.
  # (|| true: without nvidia-smi, say on a machine that builds for GPUs elsewhere, there is no driver to compare)
  driver_cuda="$(nvidia-smi 2>/dev/null | sed -n 's/.*CUDA Version: *\([0-9][0-9.]*\).*/\1/p' | head -n1 || true)"
  nvcc_cuda="$(nvcc --version 2>/dev/null | sed -n 's/.*release \([0-9][0-9.]*\),.*/\1/p' | head -n1 || true)"
  if [[ -n "$driver_cuda" && -n "$nvcc_cuda" && "${driver_cuda%%.*}" -lt "${nvcc_cuda%%.*}" ]]; then
    die "the NVIDIA driver here supports CUDA $driver_cuda but nvcc is CUDA $nvcc_cuda, so what it builds would not \
run on this GPU; install a driver for CUDA $nvcc_cuda or newer, or put a CUDA ${driver_cuda%%.*} toolkit first on PATH"
  fi
  cublas=""
  elsewhere="${LLMGRAPH_CUBLAS_INCLUDE:-}"
  if [[ -n "$elsewhere" ]]; then
    [[ -f "$elsewhere/cublas_v2.h" ]] || die "LLMGRAPH_CUBLAS_INCLUDE=$elsewhere holds no cublas_v2.h"
    [[ "$(uname -m)" == x86_64 ]] || die "LLMGRAPH_CUBLAS_INCLUDE builds for x86-64 GPU machines only"
    # Compiled for the GPU machine's CPU, whatever it is: every x86-64 server CPU of the last decade has these.
    cmake_args=("${cmake_args[@]/-DGGML_NATIVE=ON/-DGGML_NATIVE=OFF}" -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON
      -DGGML_F16C=ON -DGGML_BMI2=ON)
  fi
  while read -r root; do
    [[ -n "$root" && -z "$elsewhere" ]] || continue
    cublas="$(compgen -G "$root/include/cublas_v2.h" || compgen -G "$root/targets/*/include/cublas_v2.h" || true)"
    [[ -n "$cublas" ]] && break
  done < <(cuda_roots)
  [[ -n "$cublas" || -n "$elsewhere" ]] || die "cuBLAS is missing (no cublas_v2.h next to nvcc's CUDA toolkit); \
install it (with NVIDIA's repository: apt-get install libcublas-dev-<version>) for LLMGRAPH_CUDA=1, or, to build for a \
GPU elsewhere, name cuBLAS's headers with LLMGRAPH_CUBLAS_INCLUDE (native/build-cuda-elsewhere.sh)"
  arch="${LLMGRAPH_CUDA_ARCH:-}"
  if [[ -z "$arch" ]] && command -v nvidia-smi >/dev/null 2>&1; then
    arch="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -n1 | tr -d '. ' || true)"
    # Without a driver, nvidia-smi prints why on stdout ("NVIDIA-SMI has failed ..."): that is no compute capability.
    [[ "$arch" =~ ^[0-9]+$ ]] || arch=""
  fi
  arch="${arch:-90}"
  cmake_args+=(-DGGML_CUDA=ON "-DCMAKE_CUDA_ARCHITECTURES=$arch")
  flavour="cuda$arch"
fi
# GGML_NATIVE compiles for this CPU, so the CPU's feature flags are part of the key (x86 lists them as flags, Arm as
# Features; with neither, the key has the hash of nothing rather than the script stopping without a word).
cpu_flags="$({ grep -m1 -E '^(flags|Features)' /proc/cpuinfo 2>/dev/null || true; } | sha256sum | cut -c1-8)"
[[ -n "${elsewhere:-}" ]] && cpu_flags=avx2
# So are the build options and targets: a build made with other options (say, before the RPC backend was
# added) is not reused.
options="$(printf '%s\n' "${cmake_args[@]}" "${TARGETS[@]}" | sha256sum | cut -c1-6)"
key="$source_id-$flavour-$(uname -m)-$cpu_flags-$options"
out="$cache/native/$key"
lib="$out/lib"
if ((where_only)); then
  echo "$lib"
  [[ -f "$lib/.complete" && -f "$lib/libllmgraph-shim.so" ]] && exit 0
  exit 3
fi
mkdir -p "$out"

shim_src=("$here"/shim/*.c)
shim_stamp="$(cat "$here"/shim/*.c "$here"/shim/*.h | sha256sum | cut -c1-16)"

if [[ ! -f "$lib/.complete" ]]; then
  say "building ggml + llama.cpp ($flavour) into $out (a few minutes on 2 cores; once per source and options)"
  build="$out/build"
  log="$out/build.log"
  : > "$log"
  if [[ -n "${elsewhere:-}" ]]; then
    stubs="$out/stubs"
    make_stubs "$stubs" "$elsewhere" "${nvcc_cuda%%.*}"
    cmake_args+=("-DCMAKE_CUDA_FLAGS=-I$elsewhere" "-DCUDA_cublas_LIBRARY=$stubs/libcublas.so"
      "-DCUDA_cublasLt_LIBRARY=$stubs/libcublasLt.so" "-DCUDA_cuda_driver_LIBRARY=$stubs/libcuda.so"
      "-DCMAKE_EXE_LINKER_FLAGS=-Wl,-rpath-link,$stubs" "-DCMAKE_SHARED_LINKER_FLAGS=-Wl,-rpath-link,$stubs")
  fi
  cmake -S "$src" -B "$build" "${cmake_args[@]}" >>"$log" 2>&1 \
    || { tail -n 30 "$log" >&2; die "cmake configure failed; full log: $log"; }
  cmake --build "$build" -j "$jobs" --target "${TARGETS[@]}" >>"$log" 2>&1 \
    || { tail -n 30 "$log" >&2; die "cmake build failed; full log: $log"; }
  rm -rf "$lib"; mkdir -p "$lib"
  cp -a "$build"/bin/*.so* "$build/bin/llama-bench" "$build/bin/ggml-rpc-server" "$lib/"
  mkdir -p "$out/include"
  cp "$src"/ggml/include/*.h "$src"/include/llama.h "$out/include/"
  rm -rf "$build" "${stubs:-}"
  touch "$lib/.complete"
fi

# The shim is rebuilt whenever its source changes; it takes a second.
if [[ ! -f "$lib/libllmgraph-shim.so" || "$(cat "$lib/.shim" 2>/dev/null)" != "$shim_stamp" ]]; then
  gcc -O2 -shared -fPIC -std=c11 -Wall -Werror "${shim_src[@]}" -I "$out/include" \
      -L "$lib" -lllama -lggml -lggml-base -Wl,-rpath,'$ORIGIN' -o "$lib/libllmgraph-shim.so" \
    || die "compiling the shim (${shim_src[*]}) failed"
  echo "$shim_stamp" > "$lib/.shim"
fi

# Tests read llama.cpp's tokenizer vectors (models/ggml-vocab-*) from the source it was built from.
echo "$src" > "$out/source-dir"
# Which archive that source came from, when it came from one (bin/llmgraph dist).
if [[ -n "${archive_sha256:-}" ]]; then echo "$archive_sha256  $archive" > "$out/source-archive.sha256"
else rm -f "$out/source-archive.sha256"; fi
ln -sfn "$key" "$cache/native/current-$flavour"
echo "$lib"
