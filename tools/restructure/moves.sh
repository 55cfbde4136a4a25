#!/usr/bin/env bash
# The package moves of issue 9, as rules that can be applied again after other branches are merged:
#
#   tools/restructure/moves.sh          move what the rules name, rewrite package and import lines
#   tools/restructure/moves.sh --dry    say what would move, change nothing
#
# A rule names a module, a package, a sub-package and the simple class names (bash globs, main and test sources
# alike; !GLOB keeps a name where it is) that go there. Running the script again moves the files the rules match that are still in the old package
# (new ones from a merge included) and rewrites again every reference it knows of; what is already done is left as
# it is. It uses only git mv, grep and sed.
#
# For every class C moved from package P to Q it then:
#   1. rewrites P.C to Q.C in every tracked or new source and text file (imports, static imports, fully qualified
#      names in code, JShell scripts, notebooks, the kernel's imports.txt, launch scripts);
#   2. adds "import Q.C;" to files of P, and of P's other sub-packages, that name C, and "import P.X;" to files of Q
#      that name a class X still in P (they shared the package before);
#   3. adds "import Q.C;" to files that import P.* and name C.
# Access that the move breaks (package-private members used across the new packages) is not the script's: those
# members are made public in separate commits that say which.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
DRY=${1:-}

# module | from package | to package | class name globs
RULES=(
  "ffi-bindings|dev.llmgraph.ggml|dev.llmgraph.ggml.gguf|Gguf* GgmlGgufReference !GgufWriterMatchesGgmlTest"
  "ffi-bindings|dev.llmgraph.ggml|dev.llmgraph.ggml.llama|Llama* Tokenizer* Chat* CapturedTensor JavaLlamaForward TinyLlamaGguf"
  "dsl|dev.llmgraph.model|dev.llmgraph.model.lower|*Lowering *LoweringTest CachedAttention TrainableAttention GraphBuilder Positions Differentiable Inputs KvCache KvCache*Test CudaKvCache*Test RecurrentState RecurrentStateTest RwkvStateTest LinearAttentionStateTest HybridStackTest StoredTypes StoredTypesTest Weights LastTokenTrim LastTokenTrimTest LowRankUpdate TrainingSupport HostMemory MemoryCheck"
)

dir_of() { echo "${1//.//}"; }

# Whether NAME matches one of GLOBS and none of the globs written !GLOB.
matches() { # NAME GLOBS...
  local name=$1; shift
  local g hit=1
  for g in "$@"; do
    # shellcheck disable=SC2053
    if [[ $g == '!'* ]]; then
      [[ $name == ${g#!} ]] && return 1
    elif [[ $name == $g ]]; then
      hit=0
    fi
  done
  return $hit
}

# Source files of a package in every module (main and test), one a line.
package_files() { # PACKAGE
  local d
  d=$(dir_of "$1")
  find . -path ./node_modules -prune -o -path "*/target" -prune -o -type f -name '*.java' \
      -path "*/src/*/java/$d/*" -print | while read -r f; do
    [[ $(dirname "$f") == */java/$d ]] && echo "$f"
  done
}

# Simple class names of a package (every module), one a line.
package_classes() { # PACKAGE
  package_files "$1" | xargs -r -n1 basename | sed 's/\.java$//' | sort -u
}

# Text files that may name classes: sources, scripts, notebooks, import lists, build and launch scripts.
text_files() {
  { git ls-files; git ls-files --others --exclude-standard; } | sort -u \
    | grep -E '\.(java|jsh|ipynb|txt|md|sh|xml|py)$|^bin/' | while read -r f; do [[ -f $f ]] && echo "$f"; done
}

add_import() { # FILE QUALIFIED
  local f=$1 q=$2
  grep -q "^import ${q//./\\.};" "$f" && return 0
  [[ -n $DRY ]] && { echo "import $q into $f"; return 0; }
  if grep -q '^import ' "$f"; then
    sed -i "0,/^import /s//import ${q};\nimport /" "$f"
  else
    sed -i "0,/^package .*;/s//&\n\nimport ${q};/" "$f"
  fi
}

# The capitalised words FILE uses in code, one a line: lines that are comments (Javadoc lines start with *) do not
# count, so that no import is added for a class only a comment mentions (an unused import of a package-private
# class would not compile). A name in a string or after code on a line still counts; the compiler then says so.
declare -A WORDS
code_words() { # FILE
  if [[ -z ${WORDS[$1]+x} ]]; then
    WORDS[$1]=$'\n'$(grep -v -E '^[[:space:]]*(\*|//|/\*)' -- "$1" | grep -ow '[A-Z][A-Za-z0-9_]*' | sort -u)$'\n'
  fi
}

# Whether FILE names CLASS in code (see code_words).
names() { # FILE CLASS
  code_words "$1"
  [[ ${WORDS[$1]} == *$'\n'"$2"$'\n'* ]]
}

# 0. Moves.
for rule in "${RULES[@]}"; do
  IFS='|' read -r module from to globs <<<"$rule"
  read -r -a patterns <<<"$globs"
  for kind in main test; do
    src="$module/src/$kind/java/$(dir_of "$from")"
    dst="$module/src/$kind/java/$(dir_of "$to")"
    [[ -d $src ]] || continue
    for f in "$src"/*.java; do
      [[ -f $f ]] || continue
      name=$(basename "$f" .java)
      matches "$name" "${patterns[@]}" || continue
      if [[ -n $DRY ]]; then echo "move $f -> $dst/"; continue; fi
      mkdir -p "$dst"
      if git ls-files --error-unmatch "$f" >/dev/null 2>&1; then
        git mv "$f" "$dst/$name.java"
      else # a new file not added yet
        mv "$f" "$dst/$name.java"
      fi
      sed -i "s/^package ${from//./\\.};/package ${to};/" "$dst/$name.java"
    done
  done
done
[[ -n $DRY ]] && exit 0

mapfile -t TEXT < <(text_files)

# 1-3. References, for every rule, whether its files moved in this run or an earlier one.
for rule in "${RULES[@]}"; do
  IFS='|' read -r module from to globs <<<"$rule"
  mapfile -t moved < <(package_classes "$to")
  mapfile -t stayed < <(package_classes "$from")
  # 1. qualified names
  if ((${#moved[@]})); then
    alternatives=$(IFS='|'; echo "${moved[*]}")
    expressions=()
    for c in "${moved[@]}"; do
      expressions+=(-e "s/\b${from//./\\.}\.${c}\b/${to}.${c}/g")
    done
    grep -l -E -- "\b${from//./\\.}\.(${alternatives})\b" "${TEXT[@]}" | while read -r f; do
      sed -i "${expressions[@]}" "$f"
    done || true
  fi
  # 2. what shared a package before: the old package and its sub-packages that the rules fill
  siblings=("$from")
  for other in "${RULES[@]}"; do
    IFS='|' read -r _ ofrom oto _ <<<"$other"
    [[ $ofrom == "$from" ]] && siblings+=("$oto")
  done
  for here in "${siblings[@]}"; do
    [[ $here == "$to" ]] && continue
    while read -r f; do
      for c in "${moved[@]}"; do
        if names "$f" "$c"; then add_import "$f" "$to.$c"; fi
      done
    done < <(package_files "$here")
  done
  while read -r f; do
    for x in "${stayed[@]}"; do
      if names "$f" "$x"; then add_import "$f" "$from.$x"; fi
    done
  done < <(package_files "$to")
  # 3. wildcard imports of the old package
  grep -l -- "^import ${from//./\\.}\.\*;" "${TEXT[@]}" | grep '\.java$' | while read -r f; do
    for c in "${moved[@]}"; do
      if names "$f" "$c"; then add_import "$f" "$to.$c"; fi
    done
  done || true
done
echo "moves done; now compile: mvn -B -o verify -pl ffi-bindings,dsl,kernel -am -DskipTests"
