package dev.llmgraph.spec;

import dev.llmgraph.io.gguf.GgufReport;
import dev.llmgraph.model.lower.TrainingSupport;
import dev.llmgraph.presets.LinearAttentionPresets;
import dev.llmgraph.presets.Presets;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The linear-attention spec: the TransNormerLLM-shaped preset's parameters and state counted by hand, a block of
 * linear attention then the spec's FFN with llama.cpp's attention names, every refusal word for word (the spec's, the
 * GGUF and HF writers', training's).
 */
class LinearAttentionSpecTest {
    private static ModelBuilder linear(String name, int dModel, LinearAttention mixer) {
        return Transformer.causalDecoder(name).vocabSize(64).dModel(dModel).layers(2).contextLength(128)
                .positional(Positional.none()).norm(Norm.simpleRms(1e-5)).ffn(Ffn.bilinear(256))
                .linearAttention(mixer);
    }

    @Test
    void transNormerShapedPresetCountsItsTensors() {
        ModelSpec spec = LinearAttentionPresets.transNormerLlm385m();
        long d = 1024, v = 64_000, glu = 2816;
        long mixer = 5 * d * d; // q, k, v, the output gate u, the output
        assertEquals(mixer, spec.linear().parameters(1024));
        // one table, tied to the head; SRMSNorm has no gain
        assertEquals(v * d + 24 * (mixer + 3 * d * glu), spec.parameterCount());
        assertEquals(398_983_168L, spec.parameterCount());
        assertEquals(java.util.Map.of("token embedding", v * d, "linear attention", 24 * mixer, "ffn",
                24 * 3 * d * glu), spec.accounting().parameters().components());
        assertEquals(32.0, spec.embeddings().scale()); // sqrt(decoder_embed_dim): no_scale_embedding is false
        assertEquals(FeatureMap.SILU, spec.linear().featureMap()); // linear_act_fun silu on q and k
        assertEquals(4L * 24 * 8 * 128 * 128, spec.accounting().recurrentStateBytes());
        assertEquals(12_582_912L, spec.accounting().recurrentStateBytes());
        assertEquals(spec, Presets.byName("transnormerllm-385m"));
        ModelSpec tiny = Presets.byName("tiny-transnormerllm-385m");
        assertEquals(LinearAttention.transNormer(2), tiny.linear());
        assertEquals(352, tiny.ffnDim());
    }

    @Test
    void aBlockIsLinearAttentionThenTheFfn() {
        ModelSpec spec = linear("block", 128, LinearAttention.gla(2)).build();
        assertEquals(LinearAttention.gla(2), spec.layer(1).mixer());
        assertEquals(Ffn.bilinear(256), spec.layer(1).channel());
        assertEquals(null, spec.attention());
        assertEquals(spec, spec.toBuilder().build());
        List<String> names = spec.plan().blocks().get(1).steps().stream()
                .flatMap(step -> step.weights().stream()).map(w -> w.name()).toList();
        assertEquals(List.of("blk.1.attn_q.weight", "blk.1.attn_k.weight", "blk.1.attn_v.weight",
                "blk.1.attn_gk1.weight", "blk.1.attn_gk2.weight", "blk.1.attn_gk2.bias", "blk.1.attn_gate.weight",
                "blk.1.attn_output.weight", "blk.1.ffn_gate.weight", "blk.1.ffn_up.weight", "blk.1.ffn_down.weight"),
                names); // SRMSNorm has no gain, so the block's norms have no weights
    }

    @Test
    void buildReportsEveryProblemAtOnce() {
        var e = assertThrows(InvalidSpecException.class, () -> linear("bad-linear", 96, LinearAttention.of(1)
                .withDecay(new LinearDecay.Gated(0, -1)).withLrpe(true)).positional(Positional.rope(10_000)).build());
        assertEquals("spec 'bad-linear' has 5 problems:\n"
                + "  - linear.heads = 1: gives heads of dModel / heads = 96 channels; ggml's gated_linear_attn runs "
                + "heads of 64 or 128; use heads = dModel / 64 or dModel / 128\n"
                + "  - linear.decay.rank = 0: must be at least 1; GLA's gate projection has rank 16\n"
                + "  - linear.decay.temperature = -1.0: must be a positive number: the gate is sigmoid(.)^(1 / "
                + "temperature); GLA uses 16\n"
                + "  - linear.lrpe = true: is not lowered: LRPE turns each query and key into its cos and sin features "
                + "(twice headDim), while ggml's gated_linear_attn takes queries, keys and values of one head size, "
                + "and a rotation whose angles are learned per channel has no ggml kernel to apply them; use "
                + ".withLrpe(false); TransNormerLLM uses LRPE on its first layer only\n"
                + "  - positional = RoPE(theta=10000.0, ADJACENT): linear attention takes order from its causal "
                + "recurrence and its decay, so it adds no positions; use .positional(Positional.none())",
                e.getMessage());
        var split = assertThrows(InvalidSpecException.class, () -> linear("split", 128, LinearAttention.of(3))
                .build());
        assertEquals("spec 'split' has 1 problem:\n  - linear.heads = 3: must divide dModel = 128: each head is "
                + "dModel / heads channels wide; use heads = dModel / 64 or dModel / 128", split.getMessage());
        var small = assertThrows(InvalidSpecException.class, () -> linear("small", 128, LinearAttention.of(4))
                .build());
        assertEquals("spec 'small' has 1 problem:\n  - linear.heads = 4: gives heads of dModel / heads = 32 "
                + "channels; ggml's gated_linear_attn runs heads of 64 or 128; use heads = dModel / 64 or dModel / 128",
                small.getMessage());
        var rates = assertThrows(InvalidSpecException.class, () -> linear("rates", 128, LinearAttention.of(2)
                .withDecay(LinearDecay.fixed(DecaySchedule.perHead(0.9)))).build());
        assertEquals("spec 'rates' has 1 problem:\n  - linear.decay.schedule = PerHead[0.9]: lists 1 rate for 2 "
                + "heads; give one rate per head", rates.getMessage());
        var growing = assertThrows(InvalidSpecException.class, () -> linear("growing", 128, LinearAttention.of(2)
                .withDecay(LinearDecay.fixed(DecaySchedule.perHead(0.9, 1.5)))).build());
        assertEquals("spec 'growing' has 1 problem:\n  - linear.decay.schedule = PerHead[0.9, 1.5]: gives head 1 "
                + "of layer 0 the rate 1.5; a decay multiplies the state at every token, so it must lie in (0, 1]; "
                + "RetNet uses 1 - 2^(-5-h), between 0.97 and 1", growing.getMessage());
        assertEquals("linear.heads = 0: must be at least 1; TransNormerLLM-385M has 8 heads of 128",
                assertThrows(IllegalArgumentException.class, () -> LinearAttention.of(0)).getMessage());
        assertEquals("linear.decay.rank = 0: must be at least 1; GLA's gate projection has rank 16",
                assertThrows(IllegalArgumentException.class, () -> LinearDecay.gated(0, 16)).getMessage());
    }

    @Test
    void ggufHfAndTrainingRefuseLinearAttentionInWords() {
        ModelSpec spec = linear("no-gguf", 128, LinearAttention.retNet(2)).build();
        GgufReport report = GgufReport.of(spec);
        assertEquals(java.util.Optional.empty(), report.architecture());
        assertEquals("no-gguf maps to no llama.cpp architecture:\n"
                + "  linear attention (llama.cpp has no linear-attention architecture, so no GGUF it reads can hold this "
                + "model; keep it in llmgraph, or use softmax attention)\n"
                + "  SimpleRMSNorm (llama.cpp's block norms have a weight)", report.toString());
        assertEquals("spec 'no-gguf' has no HF config.json equivalent among llama, mistral, qwen2, qwen3, "
                + "gemma2, gemma3_text, phi, phi3, gpt2, bloom, falcon, mixtral, qwen2_moe, qwen3_moe, olmoe, "
                + "deepseek_v2 and bert; "
                + "the closest, llama, differs in:\n"
                + "  - linear = LinearAttention(heads=2, phi=x, fixed decay RetNet(1 - 2^(-5-h)), SiLU output gate, "
                + "SRMSNorm): the HF config classes llmgraph writes have softmax attention (transformers has no "
                + "linear-attention model class llmgraph could write)",
                assertThrows(dev.llmgraph.io.hf.NoHfEquivalentException.class,
                        () -> dev.llmgraph.io.hf.HfConfig.modelTypeFor(spec)).getMessage());
        assertEquals(List.of("training: ggml has no gradient for gated_linear_attn, the recurrence linear attention "
                + "is lowered with; keep linear-attention models to inference, or train softmax attention"),
                TrainingSupport.problems(spec));
    }
}
