package dev.llmgraph.io.safetensors;

import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.Transformer;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One-layer specs small enough to list every HF tensor by hand (dModel 8, vocabulary 16, context 8), and
 * hand-listed checkpoints for them. In an F32 listing tensor k holds 1000 k + i (i its row-major element
 * index), so a test can say which HF element each llmgraph element must be; F16 and BF16 listings hold
 * quarter steps in [-8, 8), which both types represent exactly.
 */
final class TinyCheckpoints {
    static final int D = 8, VOCAB = 16, CONTEXT = 8;

    /** llama: 2 query heads of 4 sharing 1 K/V head, SwiGLU of 16, untied. */
    static ModelSpec llama(RopePairing pairing) {
        return Transformer.causalDecoder("tiny-llama").vocabSize(VOCAB).dModel(D).layers(1).contextLength(CONTEXT)
                .attention(Attention.grouped(2, 1))
                .positional(Positional.rope(10_000).withPairing(pairing))
                .norm(Norm.rms(1e-6), NormPlacement.PRE)
                .ffn(Ffn.swiglu(16))
                .build();
    }

    /** gpt2: 2 heads of 4, GELU MLP of 16, learned positions, tied. */
    static ModelSpec gpt2() {
        return Transformer.causalDecoder("tiny-gpt2").vocabSize(VOCAB).dModel(D).layers(1).contextLength(CONTEXT)
                .attention(Attention.multiHead(2).withBias(true))
                .positional(Positional.learned())
                .norm(Norm.layer(1e-5), NormPlacement.PRE)
                .ffn(Ffn.mlp(16, Activation.GELU_TANH))
                .tiedEmbeddings(true)
                .build();
    }

    /** bloom: 2 heads of 4, ALiBi, embedding LayerNorm, MLP of 32, tied. */
    static ModelSpec bloom() {
        return Transformer.causalDecoder("tiny-bloom").vocabSize(VOCAB).dModel(D).layers(1).contextLength(CONTEXT)
                .attention(Attention.multiHead(2).withBias(true))
                .positional(Positional.alibi())
                .norm(Norm.layer(1e-5), NormPlacement.PRE)
                .ffn(Ffn.mlp(32, Activation.GELU_TANH))
                .embeddings(Embeddings.tiedWeights().withLayerNorm(true))
                .build();
    }

    /** falcon: {@code heads} query heads over {@code kvHeads}, parallel block, no biases, tied. */
    static ModelSpec falcon(int heads, int kvHeads, RopePairing pairing) {
        return Transformer.causalDecoder("tiny-falcon").vocabSize(VOCAB).dModel(D).layers(1).contextLength(CONTEXT)
                .attention(Attention.grouped(heads, kvHeads))
                .positional(Positional.rope(10_000).withPairing(pairing))
                .norm(Norm.layer(1e-5), NormPlacement.PRE)
                .ffn(Ffn.mlp(32, Activation.GELU).withBias(false))
                .parallelBlock(true)
                .tiedEmbeddings(true)
                .build();
    }

    /** A hand-listed checkpoint. */
    static final class Listing {
        final HandWrittenSafetensors file = new HandWrittenSafetensors();
        private final Map<String, Integer> bases = new HashMap<>();
        private final String dtype;

        Listing(String dtype) {
            this.dtype = dtype;
        }

        Listing add(String name, long... shape) {
            int k = bases.size();
            bases.put(name, k);
            file.tensor(name, dtype, shape, i -> value(k, i));
            return this;
        }

        private double value(int k, long i) {
            return dtype.equals("F32") ? 1000.0 * k + i : ((k * 37 + i) % 64) * 0.25 - 8;
        }

        /** The value of element {@code index} (row-major) of {@code name}. */
        float at(String name, long index) {
            return (float) value(bases.get(name), index);
        }

        Path write(Path path) {
            return file.write(path);
        }
    }

    /** The HF tensors of {@link #llama}, in a llama checkpoint's order, with their PyTorch shapes. */
    static Map<String, long[]> llamaTensors() {
        Map<String, long[]> t = new LinkedHashMap<>();
        t.put("model.embed_tokens.weight", new long[] {VOCAB, D});
        t.put("model.layers.0.input_layernorm.weight", new long[] {D});
        t.put("model.layers.0.self_attn.q_proj.weight", new long[] {8, D});
        t.put("model.layers.0.self_attn.k_proj.weight", new long[] {4, D});
        t.put("model.layers.0.self_attn.v_proj.weight", new long[] {4, D});
        t.put("model.layers.0.self_attn.o_proj.weight", new long[] {D, 8});
        t.put("model.layers.0.post_attention_layernorm.weight", new long[] {D});
        t.put("model.layers.0.mlp.gate_proj.weight", new long[] {16, D});
        t.put("model.layers.0.mlp.up_proj.weight", new long[] {16, D});
        t.put("model.layers.0.mlp.down_proj.weight", new long[] {D, 16});
        t.put("model.norm.weight", new long[] {D});
        t.put("lm_head.weight", new long[] {VOCAB, D});
        return t;
    }

    static Listing llamaListing(String dtype) {
        Listing l = new Listing(dtype);
        llamaTensors().forEach(l::add);
        return l;
    }

    private TinyCheckpoints() {}
}
