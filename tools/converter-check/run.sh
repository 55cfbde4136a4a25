#!/usr/bin/env bash
# llama.cpp's own converter (convert_hf_to_gguf.py of the pinned source) on a Hugging Face checkpoint llmgraph writes:
# a tiny Phi-3 with LongRoPE over 3/4 of each head (Phi-4-mini's form), trained on 32 positions and run on 64, so its
# long factors. llmgraph's logits on the converter's file must equal llama.cpp's on it, and those of the model the
# checkpoint was written from: the converter must have read llmgraph's config.json as llmgraph meant it.
#
#   tools/converter-check/run.sh        (a minute once the Python packages are there)
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

# a 300-piece sentencepiece tokenizer: the converter reads Phi-3's vocabulary from tokenizer.model
PYTHONPATH="$pylib" "$python" - "$root/README.md" "$work" <<'PY'
import sys, sentencepiece as spm
text = ''.join(c for c in open(sys.argv[1], encoding='utf-8').read() if ord(c) < 128)
open(sys.argv[2] + '/train.txt', 'w').write(text)
spm.SentencePieceTrainer.train(input=sys.argv[2] + '/train.txt', model_prefix=sys.argv[2] + '/tokenizer',
    vocab_size=300, byte_fallback=False, model_type='bpe', character_coverage=1.0, hard_vocab_limit=False,
    minloglevel=2)
PY

PYTHONPATH="$pylib" LLAMA_CPP_SRC="$src" CHECK_DIR="$work" "$root/bin/llmgraph" run "$here/phi3_longrope.jsh"
