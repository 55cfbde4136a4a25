#!/usr/bin/env bash
# llama.cpp's own converter (convert_hf_to_gguf.py of the pinned source) on the Hugging Face checkpoints llmgraph
# writes, one per preset at test size: llmgraph's logits on the converter's file must equal llama.cpp's on it, and
# those of the model the checkpoint was written from, so the converter read llmgraph's config.json as llmgraph meant it.
# The presets are those whose tokenizer the converter takes from a sentencepiece tokenizer.model (the others need a
# known BPE pre-tokenizer) and whose GGUF llama.cpp runs as llmgraph does (mistral-7b's and phi-3-mini-4k's windows
# it drops): Llama 1 and 3.2 (Llama 3's RoPE), Mixtral, Gemma 2 and 3, Phi-3.5 and Phi-4-mini (LongRoPE).
#
#   tools/converter-check/run.sh        (two minutes once the Python packages are there)
#   PRESETS=gemma-3-1b tools/converter-check/run.sh
#
# Not part of CI: the converter needs torch >= 2.1 (it names torch.float8_e4m3fn; Debian's python3-torch is 1.13),
# transformers and sentencepiece. They are installed with pip into PYLIB (default ~/.cache/llmgraph/converter-python),
# a folder of their own, from whatever index pip is configured with.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
pylib="${PYLIB:-${XDG_CACHE_HOME:-$HOME/.cache}/llmgraph/converter-python}"
work="${WORK:-$(mktemp -d)}"
python=/usr/bin/python3

"$root/native/build.sh" >/dev/null     # fetches the pinned llama.cpp source too
src="$(ls -d "${LLMGRAPH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/llmgraph}"/src/*/ | head -1)"
[[ -f "$src/convert_hf_to_gguf.py" ]] || { echo "no convert_hf_to_gguf.py under $src" >&2; exit 1; }

if ! PYTHONPATH="$pylib" "$python" -c 'import torch, transformers, sentencepiece; torch.float8_e4m3fn' 2>/dev/null; then
  echo "converter-check: installing torch, transformers, numpy and sentencepiece into $pylib" >&2
  pip install -q --target "$pylib" torch numpy sentencepiece transformers
fi

# a 256-piece sentencepiece tokenizer (a tiny preset's vocabulary): the converters read it from tokenizer.model
PYTHONPATH="$pylib" "$python" - "$root/README.md" "$work" <<'PY'
import sys, sentencepiece as spm
text = ''.join(c for c in open(sys.argv[1], encoding='utf-8').read() if ord(c) < 128)
open(sys.argv[2] + '/train.txt', 'w').write(text)
spm.SentencePieceTrainer.train(input=sys.argv[2] + '/train.txt', model_prefix=sys.argv[2] + '/tokenizer',
    vocab_size=256, byte_fallback=False, model_type='bpe', character_coverage=1.0, hard_vocab_limit=False,
    minloglevel=2)
PY

PRESETS="${PRESETS:-tinyllama-1.1b,llama-3.2-1b,mixtral-8x7b,gemma-2-2b,gemma-3-1b,phi-3.5-mini,phi-4-mini}" \
  PYTHONPATH="$pylib" LLAMA_CPP_SRC="$src" CHECK_DIR="$work" "$root/bin/llmgraph" run "$here/families.jsh"
