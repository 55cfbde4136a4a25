#!/usr/bin/env bash
# Load time and resident memory of a GGUF file: llmgraph with weights mapped in place, llmgraph with weights
# copied, and llama.cpp (libllama, mmap as its default), each load in a fresh JVM, in alternation, ROUNDS rounds.
# Prints one tab-separated line per load (engine, file, load ms, VmRSS MiB before / after load, RssAnon and RssFile after load, VmRSS after a forward
# of 8 tokens). Needs the modules compiled (mvn -o compile -pl dsl -am) and LLMGRAPH_NATIVE_DIR set.
# LOAD_ENGINES chooses the engines (default: llmgraph-mapped llmgraph-copied llama.cpp, none repacking;
# "llmgraph-default llama.cpp-repack" compares the two as a user gets them, both repacking at load).
# LOAD_AGAIN=1: each JVM loads the file five times instead (LoadBench again), one line of five load times.
# LOAD_LAUNCHER=1: each JVM is started as a user's is, by `bin/llmgraph java`, with the launcher's start-up cache
# (bin/aot.sh; trained first if there is none) and the modules' jars.
#   bench/load-bench.sh ROUNDS FILE...
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds="$1"; shift
: "${LLMGRAPH_NATIVE_DIR:?set LLMGRAPH_NATIVE_DIR to the folder of the native libraries}"
cp="$root/dsl/target/classes:$root/ffi-bindings/target/classes:$(cat "$root/dsl/target/classpath.txt")"
java=("${JAVA_HOME:?set JAVA_HOME to a JDK 25}/bin/java" --enable-native-access=ALL-UNNAMED
      -Dllmgraph.native.dir="$LLMGRAPH_NATIVE_DIR" -cp "$cp" dev.llmgraph.bench.LoadBench)
if [[ "${LOAD_LAUNCHER:-0}" == 1 ]]; then
  "$root/bin/llmgraph" aot >&2
  java=("$root/bin/llmgraph" java dev.llmgraph.bench.LoadBench)
fi
for file in "$@"; do
  cat "$file" > /dev/null  # into the page cache first: every engine then reads it from memory
  for ((round = 1; round <= rounds; round++)); do
    for engine in ${LOAD_ENGINES:-llmgraph-mapped llmgraph-copied llama.cpp}; do
      "${java[@]}" ${LOAD_AGAIN:+again} "$engine" "$file" 2 2>/dev/null | tail -n 1
    done
  done
done
