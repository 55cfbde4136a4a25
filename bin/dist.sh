#!/usr/bin/env bash
# Builds a self-contained llmgraph folder and a .tar.xz of it, for a Linux x86-64 machine that has gcc,
# cmake (and the CUDA toolkit) but no JDK, Maven, npm, git or network: a jlinked Java runtime, the jars, the
# pinned llama.cpp source as an archive that native/build.sh builds from, and this repository's launcher.
#
#   bin/dist.sh [--with-tests] [--out DIR]      (normally through: bin/llmgraph dist ...)
#
# Takes the compiled classes from each module's target/ folder and the dependency jars each module lists in
# target/classpath.txt (test-classpath.txt with --with-tests), so it runs no Maven itself: it works inside a
# running `mvn install` too (the dist test). JAVA_HOME names the JDK whose jlink and jar tools it uses.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
modules=(ffi-bindings dsl kernel)
source_id=node-llama-cpp-3.22.1
name=llmgraph-dist
# Vocabularies the tests read (llama-spm, gpt-2) and the smallest others that carry llama.cpp's tokenizer test
# vectors, so TokenizerVectorsTest finds the ten it asks for; all of them together are about 3 MB compressed.
vocabularies=(llama-spm gpt-2 bert-bge phi-3 deepseek-coder starcoder refact mpt falcon deepseek-llm)
# Parts of llama.cpp that neither the build (tests, examples, server UI and ggml backends other than CPU and
# CUDA are all off) nor llmgraph's tests read.
source_excludes=(docs benches media models examples pocs app tests tools/ui gguf-py conversion skills scripts
  grammars requirements ci .github .devops .gemini .pi
  ggml/src/ggml-cann ggml/src/ggml-et ggml/src/ggml-hexagon ggml/src/ggml-metal ggml/src/ggml-opencl
  ggml/src/ggml-openvino ggml/src/ggml-sycl ggml/src/ggml-vulkan ggml/src/ggml-webgpu ggml/src/ggml-virtgpu)

die() { echo "llmgraph dist: $*" >&2; exit 1; }
say() { echo "llmgraph dist: $*" >&2; }

with_tests=0
out="$root/target/dist"
while (($#)); do
  case "$1" in
    --with-tests) with_tests=1 ;;
    --out) [[ $# -ge 2 ]] || die "--out needs a folder, e.g. --out /tmp/dist"; out="$2"; shift ;;
    --out=*) out="${1#--out=}" ;;
    *) die "unknown option '$1'; usage: bin/llmgraph dist [--with-tests] [--out DIR]" ;;
  esac
  shift
done

[[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/jlink" ]] \
  || die "JAVA_HOME must name a JDK with jlink (JAVA_HOME=${JAVA_HOME:-unset}); run this through bin/llmgraph dist"
for tool in git xz tar sha256sum; do command -v "$tool" >/dev/null 2>&1 || die "$tool is missing; install it (Debian: apt-get install $tool)"; done
cache="${LLMGRAPH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/llmgraph}"
src="$cache/src/$source_id"
[[ -f "$src/.complete" && -d "$src/.git" ]] \
  || die "the pinned llama.cpp source is not in $src yet; run bin/llmgraph build-native once (it fetches it)"
for m in "${modules[@]}"; do
  [[ -d "$root/$m/target/classes" && -f "$root/$m/target/classpath.txt" ]] \
    || die "$m is not compiled; run bin/llmgraph dist (it compiles first) or mvn -DskipTests install"
  if ((with_tests)); then
    [[ -d "$root/$m/target/test-classes" && -f "$root/$m/target/test-classpath.txt" ]] \
      || die "$m's tests are not compiled; run mvn -DskipTests install first"
  fi
done

out="$(mkdir -p "$out" && cd "$out" && pwd)"
dist="$out/$name"
rm -rf "$dist" "$out/$name.tar.xz"
mkdir -p "$dist/bin" "$dist/lib" "$dist/native/shim" "$dist/native/tools"
started=$SECONDS

# ---- jars: the modules' classes as jars, then every dependency jar the modules list --------------------
jars_listed_in() { # FILE...: the jars in Maven class path files, less llmgraph's own (target/ or installed in ~/.m2)
  local f
  for f in "$@"; do tr ':' '\n' < "$f"; echo; done | grep '\.jar$' | grep -v -e "^$root/" -e /dev/llmgraph/ | sort -u
}
for m in "${modules[@]}"; do
  "$JAVA_HOME/bin/jar" --create --file "$dist/lib/llmgraph-$m.jar" -C "$root/$m/target/classes" .
done
runtime_lists=("${modules[@]/#/$root/}"); runtime_lists=("${runtime_lists[@]/%//target/classpath.txt}")
mapfile -t runtime_jars < <(jars_listed_in "${runtime_lists[@]}")
cp "${runtime_jars[@]}" "$dist/lib/"

if ((with_tests)); then
  mkdir -p "$dist/lib/tests"
  for m in "${modules[@]}"; do
    "$JAVA_HOME/bin/jar" --create --file "$dist/lib/tests/llmgraph-$m-tests.jar" -C "$root/$m/target/test-classes" .
  done
  test_lists=("${modules[@]/#/$root/}"); test_lists=("${test_lists[@]/%//target/test-classpath.txt}")
  mapfile -t test_jars < <(jars_listed_in "${test_lists[@]}" | grep -vxF -f <(printf '%s\n' "${runtime_jars[@]}"))
  printf '%s\n' "${test_jars[@]}" | grep -q 'junit-platform-console-standalone' \
    || die "junit-platform-console-standalone is not on the test class path; run mvn -DskipTests install first"
  cp "${test_jars[@]}" "$dist/lib/tests/"
fi

# ---- runtime: only the JDK modules the jars use, plus JShell (run, jshell) --------------------------
jdk_modules_used_by() { # JDEPS_ARGS... JAR...: the JDK modules those jars reach, comma-separated
  "$JAVA_HOME/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 "$@" 2>/dev/null | tail -n1
}
main_jars=("$dist"/lib/*.jar)
main_path="$(IFS=:; echo "${main_jars[*]}")"
# The modular jars (jackson, progressbar) name their dependencies as modules, hence the module path too.
jdk_modules="$(jdk_modules_used_by --module-path "$main_path" --class-path "$main_path" "${main_jars[@]}")"
[[ "$jdk_modules" =~ ^java\.base ]] || die "jdeps could not list the JDK modules the jars need (it said: $jdk_modules)"
if ((with_tests)); then
  # Class path only: the console launcher bundles JUnit's modules, which would clash on a module path.
  test_jars=("${main_jars[@]}" "$dist"/lib/tests/*.jar)
  test_path="$(IFS=:; echo "${test_jars[*]}")"
  test_modules="$(jdk_modules_used_by --class-path "$test_path" "$dist"/lib/tests/llmgraph-*-tests.jar \
    "$dist"/lib/tests/junit-platform-console-standalone-*.jar)"
  [[ "$test_modules" =~ ^java\.base ]] || die "jdeps could not list the JDK modules the test jars need (it said: $test_modules)"
  jdk_modules="$jdk_modules,$test_modules"
fi
# jdeps sees no reflective or service use: JShell compiles snippets with jdk.compiler, jline and the JVM tools
# reach into jdk.unsupported, zip file systems (jar:) need jdk.zipfs.
jdk_modules="$(echo "$jdk_modules,jdk.jshell,jdk.compiler,jdk.unsupported,jdk.zipfs,jdk.management" | tr ',' '\n' | sort -u | paste -sd,)"
say "linking a Java runtime with $jdk_modules"
# zip-0: the .tar.xz compresses the uncompressed class image to less than half of what zip-9 leaves it at.
"$JAVA_HOME/bin/jlink" --add-modules "$jdk_modules" --output "$dist/runtime" --strip-java-debug-attributes \
  --exclude-files='**/ct.sym' --no-man-pages --no-header-files --compress zip-0 \
  || die "jlink failed; JAVA_HOME=$JAVA_HOME must be a full JDK (>= 24 links without jmods)"

# ---- native: build.sh, the shim, and the pinned llama.cpp source as an archive build.sh finds ------------
cp "$root/native/build.sh" "$dist/native/"
cp "$root"/native/shim/*.c "$root"/native/shim/*.h "$dist/native/shim/"
cp "$root"/native/tools/*.c "$dist/native/tools/"   # the interposer bin/graph-dump.sh builds
say "packing the llama.cpp source from $src"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
pathspec=(.)
for e in "${source_excludes[@]}"; do pathspec+=(":(exclude)$e"); done
git -C "$src" archive --format=tar --prefix=llama.cpp/ HEAD -- "${pathspec[@]}" > "$tmp/source.tar"
vocab_files=()
for v in "${vocabularies[@]}"; do vocab_files+=("models/ggml-vocab-$v.gguf" "models/ggml-vocab-$v.gguf.inp" "models/ggml-vocab-$v.gguf.out"); done
git -C "$src" archive --format=tar --prefix=llama.cpp/ HEAD -- "${vocab_files[@]}" > "$tmp/vocab.tar"
tar --concatenate --file "$tmp/source.tar" "$tmp/vocab.tar"
xz -9 -T0 -c "$tmp/source.tar" > "$dist/native/llama.cpp-src.tar.xz"
(cd "$dist/native" && sha256sum llama.cpp-src.tar.xz > llama.cpp-src.tar.xz.sha256)

# ---- launcher, examples, notebooks, the JShell startup file, what went in -------------------------------
cp "$root/bin/llmgraph" "$root"/bin/aot{.sh,-exec.sh,-training.jsh} "$root"/bin/{gpu-check,graph-dump}.sh "$dist/bin/"
cp -r "$root/examples" "$root/notebooks" "$dist/"   # notebooks: bin/llmgraph run NOTEBOOK.ipynb runs them there
cp "$root/README.md" "$dist/"
"$JAVA_HOME/bin/java" -cp "$dist/lib/*" dev.llmgraph.shell.DefaultImports "$dist/lib/llmgraph-startup.jsh" \
  || die "could not write the JShell startup file"
# The notebooks without their outputs: a dist runs them afresh, and the outputs are nine tenths of their size.
"$JAVA_HOME/bin/java" -cp "$dist/lib/*" dev.llmgraph.kernel.NotebookFiles "$dist"/notebooks/*.ipynb \
  || die "could not clear the notebooks' outputs"
{
  echo "llmgraph commit: $(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo ' (with local changes)')"
  echo "llama.cpp source: $source_id, commit $(git -C "$src" rev-parse HEAD)"
  echo "llama.cpp archive sha256: $(cut -d' ' -f1 "$dist/native/llama.cpp-src.tar.xz.sha256")"
  echo "java runtime: $("$dist/runtime/bin/java" -version 2>&1 | head -n1)"
  echo "with tests: $( ((with_tests)) && echo yes || echo no)"
} > "$dist/dist-info.txt"

say "compressing $name.tar.xz"
tar -C "$out" -cf - "$name" | xz -9 -T0 > "$out/$name.tar.xz"
say "done in $((SECONDS - started)) s: $dist ($(du -sh "$dist" | cut -f1)), $out/$name.tar.xz" \
    "($(( $(stat -c %s "$out/$name.tar.xz") / 1024 / 1024 )) MiB)"
echo "$out/$name.tar.xz"
