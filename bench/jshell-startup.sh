#!/usr/bin/env bash
# Where a fresh JVM's first JShell result goes (bench/JshellStartup.java), without and with an AOT cache trained on
# this very program (the best an AOT cache can do for it), runs alternating:
#   bench/jshell-startup.sh [RUNS] [separate]
# RUNS defaults to 3; "separate" evaluates the default imports one snippet each, as the kernel did before it took
# the package imports in one snippet. Needs a build: the modules' jars and target/classpath.txt.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-3}"
mode=("${@:2}")
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
work="$(mktemp -d /tmp/llmgraph-jshell-startup.XXXXXX)"
trap 'rm -rf "$work"' EXIT
jars=""
for module in dsl ffi-bindings kernel; do
  jars="$jars:$(ls "$root/$module"/target/"$module"-*-SNAPSHOT.jar | grep -v -- -tests | head -1)"
done
cp="$(cat "$root/dsl/target/classpath.txt")$jars:$(cat "$root/kernel/target/classpath.txt")"
"${java%/java}/javac" -cp "$cp" -d "$work/classes" "$root/bench/JshellStartup.java"
"${java%/java}/jar" cf "$work/startup.jar" -C "$work/classes" .
cp="$cp:$work/startup.jar"
"$java" -XX:AOTCacheOutput="$work/startup.aot" -Xlog:aot=off -Xlog:cds=off -cp "$cp" JshellStartup "${mode[@]}" >/dev/null 2>&1
for ((i = 0; i < runs; i++)); do
  echo "without cache: $("$java" -cp "$cp" JshellStartup "${mode[@]}" | tail -1)"
  echo "with cache:    $("$java" -XX:AOTCache="$work/startup.aot" -cp "$cp" JshellStartup "${mode[@]}" | tail -1)"
done
