# shellcheck shell=bash
# The ahead-of-time cache of bin/llmgraph (JDK 25: JEP 483 class loading and linking, JEP 514 one-step
# -XX:AOTCacheOutput, JEP 515 method profiles on machines of 4 cores or more). Sourced by bin/llmgraph, which
# defines root, classpath, native_dir, JAVA_HOME and jvm_flags before it calls these functions.
#
# A cache is only valid for the JDK and the exact jars it was trained with, so it lives in a folder named by
# a hash of both: ~/.cache/llmgraph/aot/<key>/llmgraph.aot. A JVM only takes jars into a cache (a non-empty
# folder on the class path makes training fail), so a checkout's target/classes folders are replaced by the
# modules' own target/*.jar when those are at least as new as every class (the launcher's build packages them).
#
# When: the first run that finds no cache starts the training in the background (nice, one at a time) and goes
# on without a cache, so a learner's first run is no slower than before; the runs after it start from the cache.
# `bin/llmgraph aot` trains in the foreground. LLMGRAPH_AOT=0 turns all of it off.

aot_cache_root() { echo "${LLMGRAPH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/llmgraph}/aot"; }

# The class path with each module's target/classes replaced by its up-to-date jar; fails where a folder stays.
aot_class_path() {
  local entry jar out=() seen=" "
  IFS=: read -r -a entries <<< "$classpath"
  for entry in "${entries[@]}"; do
    [[ -n "$entry" ]] || continue
    if [[ -d "$entry" ]]; then
      jar=""
      if [[ "$entry" == */target/classes ]]; then
        for jar in "${entry%/classes}"/*-SNAPSHOT.jar "${entry%/classes}"/*.jar; do
          [[ -f "$jar" && "$jar" != *-tests.jar && "$jar" != *-sources.jar ]] && break
          jar=""
        done
      fi
      # An empty folder is allowed; one with classes newer than the jar (or no jar) keeps the cache off.
      if [[ -z "$jar" ]]; then [[ -z "$(ls -A "$entry")" ]] && continue; return 1; fi
      [[ -z "$(find "$entry" -newer "$jar" -type f -print -quit)" ]] || return 1
      entry="$jar"
    fi
    [[ "$seen" == *" $entry "* ]] && continue
    seen="$seen$entry "
    out+=("$entry")
  done
  (IFS=:; echo "${out[*]}")
}

# A hash of what a cache depends on: the JDK (its release file and module image), the jars with their sizes and
# times, the JVM flags and the training script.
aot_key() {
  local cp="$1"
  {
    echo "$JAVA_HOME"; cat "$JAVA_HOME/release" 2>/dev/null
    stat -L -c '%s %Y' "$JAVA_HOME/lib/modules" 2>/dev/null
    jvm_flags; echo "${LLMGRAPH_JAVA_OPTS:-}"; aot_training_flags
    aot_class_path_stat "$cp"
    cat "$root/bin/aot-training.jsh" 2>/dev/null
  } | sha256sum | cut -c1-16
}

# Each class path entry with its size and time, one a line; bin/aot-exec.sh compares it with classpath.stat.
# One stat for all entries: the kernel starts through this, and a process per jar cost it ~0.1 s on 2 cores.
aot_class_path_stat() {
  local entries
  IFS=: read -r -a entries <<< "$1"
  (( ${#entries[@]} )) || return 0
  stat -L -c '%n %s %Y' -- "${entries[@]}" 2>/dev/null || true
}

# The JVM stays quiet about a cache it cannot use (another JDK, a rebuilt jar, a file being replaced).
aot_quiet_flags="-Xlog:aot=off -Xlog:cds=off"

# JEP 515's method profiles make C2 compile at once what the training ran hot. With fewer than 4 cores those
# compilations take a core from ggml's threads just when a fresh JVM loads a model and makes its first tokens, and on
# 2 vCPUs a cache without them loaded TinyLlama sooner and decoded its first 32 tokens a third faster (bench/NOTES.md,
# "A start-up cache without method profiles"). There the cache keeps its classes and links, and no profiles.
aot_training_flags() {
  (( $(nproc 2>/dev/null || echo 2) < 4 )) && echo "-XX:+UnlockDiagnosticVMOptions -XX:-AOTRecordTraining"
  return 0
}

# Sets aot_flags (empty: run as before) and, with a usable cache, classpath to the cache's class path.
# With no cache yet it starts the background training, unless $1 is "foreground" (then it trains now).
aot_prepare() {
  aot_flags=""
  [[ "${LLMGRAPH_AOT:-1}" != 0 ]] || return 0
  local cp key dir
  cp="$(aot_class_path)" || { aot_say "the class path has folders newer than their jars; running without a cache"; return 0; }
  key="$(aot_key "$cp")"
  dir="$(aot_cache_root)/$key"
  # A cache of another size than the training wrote is damaged (or half copied): trained again like a missing one.
  if [[ -s "$dir/llmgraph.aot" && "$(stat -c %s "$dir/llmgraph.aot")" == "$(cat "$dir/size" 2>/dev/null)" ]]; then
    touch "$dir"
    classpath="$cp"
    aot_flags="-XX:AOTCache=$dir/llmgraph.aot $aot_quiet_flags"
    # verbose: the JVM says whether it took the cache ("Using AOT-linked classes: true") on stderr
    [[ "${LLMGRAPH_AOT:-1}" == verbose ]] && aot_flags="-XX:AOTCache=$dir/llmgraph.aot -Xlog:aot:stderr"
    aot_say "using $dir/llmgraph.aot"
    return 0
  fi
  aot_say "no cache for this JDK and class path yet ($dir)"
  if [[ "${1:-}" == foreground ]]; then
    aot_train "$cp" "$dir"
  elif [[ -e "$dir/failed" || "${cmd:-}" == bench ]]; then
    return 0   # a failed training is not retried on every run; a benchmark measures with no training beside it
  elif [[ -n "${LLMGRAPH_CLASSPATH:-}" && "${LLMGRAPH_AOT:-}" != 1 ]]; then
    return 0   # a test's launcher run: no training unless the test asks for it (LLMGRAPH_AOT=1)
  else
    aot_say "training it in the background"
    (aot_train "$cp" "$dir" </dev/null >/dev/null 2>&1 &)
  fi
}

aot_say() { [[ "${LLMGRAPH_AOT:-1}" == verbose ]] && echo "llmgraph aot: $*" >&2; return 0; }

# Trains into a temporary file and renames it, so that a reader sees a whole cache or none. A lock folder keeps
# to one training at a time; a lock older than 30 minutes is taken to be left over from a killed training.
aot_train() {
  local cp="$1" dir="$2" lock tmp status
  mkdir -p "$dir"
  lock="$dir/.training"
  find "$lock" -maxdepth 0 -mmin +30 -exec rmdir {} \; 2>/dev/null || true
  mkdir "$lock" 2>/dev/null || { echo "llmgraph: a cache for this class path is being trained already ($lock)" >&2; return 0; }
  tmp="$dir/llmgraph.aot.$$.tmp"
  rm -f "$dir/failed" "$dir/size"
  # shellcheck disable=SC2046
  if nice -n 10 "$JAVA_HOME/bin/java" $(jvm_flags) ${LLMGRAPH_JAVA_OPTS:-} $(aot_training_flags) \
      -XX:AOTCacheOutput="$tmp" $aot_quiet_flags \
      -cp "$cp" dev.llmgraph.shell.ScriptRunner "$root/bin/aot-training.jsh" > "$dir/training.log" 2>&1; then
    status=0
  else
    status=$?
  fi
  if [[ $status == 0 && -s "$tmp" ]]; then
    aot_class_path_stat "$cp" > "$dir/classpath.stat"
    stat -c %s "$tmp" > "$dir/size"
    mv -f "$tmp" "$dir/llmgraph.aot"
    # Caches of other JDKs or jars that no run has used for two weeks only take room.
    find "$(dirname "$dir")" -mindepth 1 -maxdepth 1 -type d -mtime +14 -not -name "$(basename "$dir")" \
      -exec rm -rf {} + 2>/dev/null || true
  else
    rm -f "$tmp" "$tmp.config"
    touch "$dir/failed"   # no more background tries for this key; bin/llmgraph aot tries again
    echo "llmgraph: training the start-up cache failed (exit $status); see $dir/training.log" >&2
  fi
  rmdir "$lock" 2>/dev/null || true
  return $status
}

# bin/llmgraph aot: trains the cache for this JDK and class path now, unless there is one, and says where it is.
aot_command() {
  aot_prepare foreground
  [[ -n "$aot_flags" ]] || aot_prepare
  [[ -n "$aot_flags" ]] || die "no start-up cache: LLMGRAPH_AOT=0 turns it off, or the class path has folders" \
    "newer than their jars (rebuild with bin/llmgraph run or mvn package)"
  local file="${aot_flags%% *}"
  echo "llmgraph: start-up cache ${file#-XX:AOTCache=}"
}

aot_help() {
  cat <<'EOF_HELP'
usage: bin/llmgraph aot

Trains the start-up cache of this JDK and class path now (JDK 25's ahead-of-time cache: classes loaded, linked
and profiled by a short representative run, bin/aot-training.jsh), unless it exists, and prints where it is
(~/.cache/llmgraph/aot/KEY/llmgraph.aot). run, jshell, logits, generate, bench and the Jupyter kernel start from
it; the first run without one trains it in the background. LLMGRAPH_AOT=0 turns the cache off; LLMGRAPH_AOT=verbose
says what the launcher decided.
EOF_HELP
}
