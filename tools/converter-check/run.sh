#!/usr/bin/env bash
# llama.cpp's own converter (convert_hf_to_gguf.py of the pinned source) on the Hugging Face checkpoints llmgraph
# writes, one per preset at test size: llmgraph's logits on the converter's file must equal those of the model the
# checkpoint was written from (so the converter read llmgraph's config.json as llmgraph meant it), and llama.cpp's on it;
# and llama.cpp on the file llmgraph's own converter (bin/llmgraph convert) writes of the same folder must give the
# logits and token ids it gives on the converter's.
# The presets are those whose GGUF llama.cpp runs as llmgraph does (mistral-7b's and phi-3-mini-4k's windows it
# drops; DeepSeek-V2's expert groups it ranks otherwise; Falcon's exact GELU it computes in tanh form, so falcon-7b's
# last column shows 3e-4; DeepSeek-V2-Lite, built with 26 layers since llama.cpp tells it by that, shows 5.5e-4 against
# llama.cpp: the YaRN logit scale llama.cpp computes in float is one ulp from llmgraph's, 0.3244811 against 0.32448107,
# and 26 layers of random weights amplify the difference, as `bin/llmgraph parity` shows layer by layer):
# Llama 1, Mixtral, Gemma 2 and 3, Phi-3.5 and Phi-4-mini, whose converters take a sentencepiece tokenizer.model (512
# pieces with byte fallback, trained here); and
# GPT-2, Qwen3, Phi-2, DeepSeek-V2-Lite, OLMoE, Qwen3-MoE, BLOOM, Falcon and Llama 3.2 (Llama 3's RoPE) (BPE_PRESETS),
# whose converters take a BPE tokenizer.json only where its pre-tokenizer is one they know: they get a published
# vocabulary as the tokenizer.json llmgraph writes (io.hf.TokenizerJson), Qwen3's presets Qwen2's, Llama 3.2 Llama 3's
# (instead of a tokenizer.model), the others GPT-2's. Last, Hugging Face's tokenizers library encodes llama.cpp's
# tokenizer test vectors with the tokenizer.json files llmgraph wrote of thirteen vocabularies (nine byte-level; Llama
# 2's, Phi-3's and Gemma 4's SentencePiece-style; BGE's WordPiece), two variants of Llama 2's (a Metaspace
# pre-tokenizer) and Gemma 4's as Gemma's files have it (a Split at spaces), against the ids the original tokenizers
# gave, and GPT-2's vocabulary under each of the eighteen pre-tokenizers llmgraph names (gpt-2+NAME: llama.cpp's
# generic texts and texts aimed at the expressions), and saves them again in its own form, which llmgraph must read
# back as the same vocabulary and encode as the library does (tokenizers.jsh);
# XLM-RoBERTa's Unigram against SentencePiece itself too. Then T5 v1.0 and Flan-T5 folders with a Unigram vocabulary
# (spiece.model) through the converter and through bin/llmgraph convert (t5.jsh).
#
#   tools/converter-check/run.sh        (two to three minutes once the Python packages are there)
#   PRESETS=gemma-3-1b tools/converter-check/run.sh
#
# Not part of CI: the converter needs torch >= 2.1 (it names torch.float8_e4m3fn; Debian's python3-torch is 1.13),
# transformers and sentencepiece (whose model files need Debian's python3-protobuf). They are installed with pip into PYLIB (default ~/.cache/llmgraph/converter-python),
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

# a 512-piece sentencepiece tokenizer with byte fallback (the vocabulary of the presets without BPE_PRESETS): the
# converters read it from tokenizer.model; its size goes to spm-size.txt
PYTHONPATH="$pylib" "$python" - "$root/README.md" "$work" <<'PY'
import sys, sentencepiece as spm
text = ''.join(c for c in open(sys.argv[1], encoding='utf-8').read() if ord(c) < 128)
open(sys.argv[2] + '/train.txt', 'w').write(text)
spm.SentencePieceTrainer.train(input=sys.argv[2] + '/train.txt', model_prefix=sys.argv[2] + '/tokenizer',
    vocab_size=512, byte_fallback=True, model_type='bpe', character_coverage=1.0, minloglevel=2)
size = spm.SentencePieceProcessor(model_file=sys.argv[2] + '/tokenizer.model').get_piece_size()
open(sys.argv[2] + '/spm-size.txt', 'w').write(str(size))
PY

bpe_presets=gpt2-small,qwen3-0.6b,phi-2,deepseek-v2-lite,olmoe-1b-7b,qwen3-30b-a3b,bloom-560m,falcon-7b,llama-3.2-1b
PRESETS="${PRESETS:-tinyllama-1.1b,mixtral-8x7b,gemma-2-2b,gemma-3-1b,phi-3.5-mini,phi-4-mini,$bpe_presets}" \
  BPE_PRESETS="$bpe_presets" PYTHONPATH="$pylib" LLAMA_CPP_SRC="$src" CHECK_DIR="$work" \
  "$root/bin/llmgraph" run "$here/families.jsh"

# Hugging Face's tokenizers on the tokenizer.json files llmgraph wrote, against llama.cpp's test vectors; the ids it
# gives those and texts around the tokenizer's special tokens go to hf-ids.json, for tokenizers.jsh
PYTHONPATH="$pylib" "$python" - "$work/tokenizers" "$src/models" <<'PY'
import sys, os, json
from tokenizers import Tokenizer
folders, models = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(os.path.dirname(models), 'gguf-py'))

def sentencepiece_of(gguf_path):
    # SentencePiece itself on a t5 GGUF's vocabulary: its pieces, scores, types and normalisation rules as the
    # ModelProto llama.cpp's converter read them from (sentencepiece and Debian's python3-protobuf)
    import gguf, sentencepiece
    from sentencepiece import sentencepiece_model_pb2 as pb
    fields = gguf.GGUFReader(gguf_path).fields
    items = lambda key: [fields[key].parts[i] for i in fields[key].data]
    one = lambda key, otherwise: fields[key].parts[fields[key].data[0]].tolist()[0] if key in fields else otherwise
    proto = pb.ModelProto()
    for token, score, kind in zip(items('tokenizer.ggml.tokens'), items('tokenizer.ggml.scores'),
                                  items('tokenizer.ggml.token_type')):
        piece = proto.pieces.add()
        piece.piece, piece.score, piece.type = bytes(token).decode(), float(score[0]), int(kind[0])
    proto.trainer_spec.model_type = pb.TrainerSpec.UNIGRAM
    proto.trainer_spec.unk_id = one('tokenizer.ggml.unknown_token_id', 2)
    proto.trainer_spec.bos_id = one('tokenizer.ggml.bos_token_id', -1)
    proto.trainer_spec.eos_id = one('tokenizer.ggml.eos_token_id', 1)
    proto.trainer_spec.pad_id = one('tokenizer.ggml.padding_token_id', -1)
    charsmap = fields['tokenizer.ggml.precompiled_charsmap']
    proto.normalizer_spec.precompiled_charsmap = bytes(int(charsmap.parts[i][0]) for i in charsmap.data)
    proto.normalizer_spec.add_dummy_prefix = bool(one('tokenizer.ggml.add_space_prefix', False))
    proto.normalizer_spec.remove_extra_whitespaces = bool(one('tokenizer.ggml.remove_extra_whitespaces', False))
    return sentencepiece.SentencePieceProcessor(model_proto=proto.SerializeToString())
for name in sorted(os.listdir(folders)):
    vocabulary = os.path.join(models, 'ggml-vocab-' + name.split('+')[0] + '.gguf')
    own_texts = os.path.join(folders, name, 'texts.json')   # a vocabulary without vectors: texts, no expected ids
    if os.path.exists(own_texts):
        texts, expected = json.load(open(own_texts, encoding='utf-8')), None
    else:
        texts = open(vocabulary + '.inp', encoding='utf-8').read().split('\n__ggml_vocab_test__\n')
        texts = texts[:-1] if texts[-1] == '' else texts   # gemma-4's file has no separator after its last text
        expected = [[int(t) for t in line.split()] for line in open(vocabulary + '.out', encoding='utf-8').read().splitlines()]
    tokenizer = Tokenizer.from_file(os.path.join(folders, name, 'tokenizer.json'))
    ids = [tokenizer.encode(text, add_special_tokens=False).ids for text in texts]
    if expected is not None and not name.startswith('llama-spm+'):   # Metaspace variants differ where a text starts with a space, as they should
        matches = sum(i == e for i, e in zip(ids, expected))
        print(f'{name:<28} Hugging Face tokenizers on llmgraph\'s tokenizer.json: {matches} of {len(expected)} vectors')
    specials = [t.content for t in tokenizer.get_added_tokens_decoder().values() if t.special][:3]
    around = [f(s) for s in specials for f in (lambda s: s + 'Hello', lambda s: s + ' Hello', lambda s: 'Hello' + s + 'world',
              lambda s: 'Hello ' + s + ' world', lambda s: ' ' + s + '  x\n')]
    found = {'texts': texts, 'ids': ids, 'around': around,
             'around_ids': [tokenizer.encode(text, add_special_tokens=True).ids for text in around]}
    if expected is None and json.load(open(os.path.join(folders, name, 'tokenizer.json')))['model']['type'] == 'Unigram':
        processor = sentencepiece_of(vocabulary)
        found['sentencepiece_ids'] = [processor.encode(text) for text in texts]
    json.dump(found, open(os.path.join(folders, name, 'hf-ids.json'), 'w'))
    tokenizer.save(os.path.join(folders, name, 'saved-by-tokenizers.json'))
PY

# and llmgraph on the tokenizer.json files Hugging Face's tokenizers library saved
LLAMA_CPP_SRC="$src" CHECK_DIR="$work" "$root/bin/llmgraph" run "$here/tokenizers.jsh"

# T5 v1.0 and Flan-T5 folders with a Unigram vocabulary through llama.cpp's converter and through bin/llmgraph convert
LLAMA_CPP_SRC="$src" ROOT="$root" PYTHONPATH="$pylib" "$root/bin/llmgraph" run "$here/t5.jsh"
