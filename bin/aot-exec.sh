#!/usr/bin/env bash
# Runs a java command line, with its -XX:AOTCache=FILE flag only while FILE still belongs to the jars of its -cp.
#
#   bin/aot-exec.sh JAVA [FLAGS...] -cp CLASS_PATH MAIN [ARGS...]
#
# The Jupyter kernelspec starts the kernel through this script (KernelSpec): kernel.json outlives rebuilds, and
# JDK 25 does not notice a rebuilt jar on the class path; it would run the classes the cache was trained with.
# bin/aot.sh wrote FILE's jars with their sizes and times next to it (classpath.stat); any difference drops the
# flag and the kernel starts as it would without a cache.
set -euo pipefail
args=("$@"); cache=""; cp=""
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    -XX:AOTCache=*) cache="${args[i]#-XX:AOTCache=}" ;;
    -cp|-classpath|--class-path) cp="${args[i + 1]:-}" ;;
  esac
done
# aot_class_path_stat: each class path entry with its size and time, as bin/aot.sh wrote them at training.
# shellcheck source=bin/aot.sh
source "$(dirname "${BASH_SOURCE[0]}")/aot.sh"
if [[ -n "$cache" ]] && ! { [[ -s "$cache" && -f "${cache%/*}/classpath.stat" ]] \
    && [[ "$(aot_class_path_stat "$cp")" == "$(< "${cache%/*}/classpath.stat")" ]]; }; then
  kept=()
  for a in "${args[@]}"; do [[ "$a" == -XX:AOTCache=* ]] || kept+=("$a"); done
  args=("${kept[@]}")
fi
exec "${args[@]}"
