#!/usr/bin/env bash
# Builds the CUDA libraries for a GPU machine elsewhere, on a machine with nvcc but no GPU and no cuBLAS, and packs
# them into one archive to copy there. A lent GPU machine then skips the build: about 300 s of its 15 minutes.
#
#   native/build-cuda-elsewhere.sh OUT.tar.xz
#
# cuBLAS's headers come from Debian's nvidia-cuda-dev package (in non-free), downloaded and unpacked into the cache,
# not installed; LLMGRAPH_CUBLAS_INCLUDE names a folder with them instead. LLMGRAPH_CUDA_ARCH picks the GPU
# generation (default 90: H100, H200). The libraries link against stubs with the toolkit's sonames
# (native/build.sh, LLMGRAPH_CUBLAS_INCLUDE), so the GPU machine needs the same CUDA major version as this nvcc.
#
# On the GPU machine:
#   mkdir -p natives && tar -xJf OUT.tar.xz -C natives && export LLMGRAPH_NATIVE_DIR="$PWD/natives/lib"
# bin/llmgraph, bin/gpu-check.sh (which then skips its build step) and bin/graph-dump.sh use that build.
set -euo pipefail

out="${1:?usage: native/build-cuda-elsewhere.sh OUT.tar.xz}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${LLMGRAPH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/llmgraph}"
say() { echo "llmgraph native: $*" >&2; }
die() { echo "llmgraph native: $*" >&2; exit 1; }
command -v nvcc >/dev/null 2>&1 || die "nvcc is missing: install the CUDA toolkit (its compiler is all this needs)"

include="${LLMGRAPH_CUBLAS_INCLUDE:-}"
if [[ -z "$include" ]]; then
  command -v apt-get >/dev/null 2>&1 || die "no apt-get here to fetch cuBLAS's headers; name a folder holding \
cublas_v2.h with LLMGRAPH_CUBLAS_INCLUDE"
  include="$cache/cublas-headers/include"
  if [[ ! -f "$include/cublas_v2.h" ]]; then
    say "fetching cuBLAS's headers (Debian's nvidia-cuda-dev, non-free; about 800 MB, headers kept only)"
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    # A private apt configuration: the system's sources need not list non-free.
    mkdir -p "$tmp/lists/partial" "$tmp/archives/partial"
    codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: non-free\nSigned-By: %s\n' \
      "$codename" /usr/share/keyrings/debian-archive-keyring.gpg > "$tmp/non-free.sources"
    apt_opts=(-o "Dir::Etc::sourcelist=$tmp/non-free.sources" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$tmp/lists"
      -o "Dir::Cache::archives=$tmp/archives" -o Debug::NoLocking=1)
    apt-get "${apt_opts[@]}" -qq update >&2 || die "apt-get update of Debian's non-free section failed"
    (cd "$tmp" && apt-get "${apt_opts[@]}" -qq download nvidia-cuda-dev >&2) \
      || die "downloading nvidia-cuda-dev from Debian's non-free section failed"
    mkdir -p "$tmp/x"
    dpkg-deb --fsys-tarfile "$tmp"/nvidia-cuda-dev_*.deb | tar -x -C "$tmp/x" --wildcards './usr/include/cublas*' \
      || die "unpacking cuBLAS's headers from nvidia-cuda-dev failed"
    rm -rf "$include"; mkdir -p "$include"
    cp "$tmp"/x/usr/include/cublas*.h "$include/"
    rm -rf "$tmp"; trap - EXIT
  fi
fi

lib="$(LLMGRAPH_CUDA=1 LLMGRAPH_CUDA_ARCH="${LLMGRAPH_CUDA_ARCH:-90}" LLMGRAPH_CUBLAS_INCLUDE="$include" \
  "$here/build.sh")"
[[ -f "$lib/libggml-cuda.so" ]] || die "$lib holds no libggml-cuda.so"
mkdir -p "$(dirname "$out")"
say "packing $lib and its headers into $out"
tar -cJf "$out" -C "$(dirname "$lib")" lib include
echo "$out"
