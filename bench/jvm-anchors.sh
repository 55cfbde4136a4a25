#!/usr/bin/env bash
# llmgraph and llama.cpp (bin/llmgraph bench) against llama3.java, the single-file pure-Java engine
# (Vector API), on the same GGUF files, in alternation: each round runs llama3.java once per file, then
# bench once per file (llmgraph and llama-bench, -r 3). Prompt: PROMPT_TOKENS tokens including llama3.java's
# chat header, then GEN tokens decoded greedily. Writes each run's output into OUT and prints a table.
#   bench/jvm-anchors.sh LLAMA3_JAVA_DIR ROUNDS OUT FILE...
# LLAMA3_JAVA_DIR holds Llama3.java from github.com/mukel/llama3.java (compiled here on first use).
# Needs JAVA_HOME (JDK 21+), and bin/llmgraph working (LLMGRAPH_NATIVE_DIR / LLMGRAPH_CLASSPATH as usual).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
anchor="$1" rounds="$2" out="$3"; shift 3
threads="${THREADS:-2}" gen="${GEN:-64}"
java="${JAVA_HOME:?set JAVA_HOME to a JDK 21 or newer}/bin/java"
if [[ ! -d "$anchor/classes" ]]; then
  "$JAVA_HOME/bin/javac" --enable-preview --release "$("$java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java.specification.version = //p')" --add-modules jdk.incubator.vector -nowarn \
      -d "$anchor/classes" "$anchor/Llama3.java" 2>/dev/null
fi
mkdir -p "$out"
# Plain English: 128 tokens with llama3.java's begin-of-text and chat headers (the table shows the count
# llama3.java reports).
prompt="${PROMPT:-$(cat "$root/bench/jvm-anchors-prompt.txt")}"
for ((round = 1; round <= rounds; round++)); do
  for file in "$@"; do
    name="$(basename "$file" .gguf)"
    # --max-tokens counts positions: PROMPT_TOKENS + GEN - 1 of them give GEN generated tokens (the last one is
    # not fed back). Its common pool runs the matrix products: parallelism threads - 1, plus the caller.
    "$java" --enable-preview --add-modules jdk.incubator.vector -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0 \
        -Djava.util.concurrent.ForkJoinPool.common.parallelism=$((threads - 1)) -cp "$anchor/classes" \
        com.llama4j.Llama3 --model "$file" --prompt "$prompt" --temperature 0 --stream false \
        --max-tokens "$((${PROMPT_TOKENS:-128} + gen - 1))" > "$out/llama3java-$name-$round.out" 2>&1
    grep '^context:' "$out/llama3java-$name-$round.out"
  done
  for file in "$@"; do
    name="$(basename "$file" .gguf)"
    "$root/bin/llmgraph" bench --model "$file" -p "${PROMPT_TOKENS:-128}" -n "$gen" -r 3 --rounds 1 \
        --threads "$threads" --out "$out/bench-$name-$round" > "$out/bench-$name-$round.out" 2>&1
    grep -E '^\| ' "$out/bench-$name-$round.out" | tail -n 2
  done
done
python3 "$root/bench/jvm-anchors-table.py" "$out"
