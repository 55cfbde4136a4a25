package dev.llmgraph.io.safetensors;

import dev.llmgraph.io.hf.HfModelType;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.RopePairing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.function.IntUnaryOperator;

import static dev.llmgraph.io.safetensors.TinyCheckpoints.D;
import static dev.llmgraph.io.safetensors.TinyCheckpoints.VOCAB;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Hand-listed checkpoints of each model type loaded into models, every element checked against the HF
 * element the modelling code's conventions put there (stated in each test). Values are exact (F32 integers,
 * or quarter steps that F16 and BF16 hold exactly), so the tolerance is zero.
 */
class SafetensorsLayoutTest {
    @TempDir
    Path dir;

    private static final ModelOptions CPU = ModelOptions.cpu().withThreads(1);

    private static Model load(ModelSpec spec, Path file, HfModelType type) {
        try (SafetensorsWeights weights = SafetensorsWeights.open(file, type)) {
            return Model.create(spec, weights, CPU);
        }
    }

    /** llmgraph {@code weight}'s row r (ne[0] = rowLength elements) must be HF row {@code hfRow(r)} of {@code hf}. */
    private static void assertRows(Model m, String weight, TinyCheckpoints.Listing l, String hf, int rowLength,
                                   IntUnaryOperator hfRow) {
        float[] w = m.weight(weight);
        for (int r = 0; r < w.length / rowLength; r++) {
            for (int i = 0; i < rowLength; i++) {
                assertEquals(l.at(hf, (long) hfRow.applyAsInt(r) * rowLength + i), w[r * rowLength + i],
                        weight + " row " + r + " element " + i);
            }
        }
    }

    private static void assertSame(Model m, String weight, TinyCheckpoints.Listing l, String hf) {
        float[] w = m.weight(weight);
        for (int i = 0; i < w.length; i++) {
            assertEquals(l.at(hf, i), w[i], weight + " element " + i);
        }
    }

    @Test
    void llama_adjacentPairing_qkRowsPermutedWithinHeads() {
        TinyCheckpoints.Listing l = TinyCheckpoints.llamaListing("F32");
        Path file = l.write(dir.resolve("model.safetensors"));
        // HF rotates dims (i, i + hd/2) together; llmgraph's ADJACENT rotates (2i, 2i + 1). With hd = 4, llmgraph's
        // pairs (0,1) and (2,3) must hold HF's pairs (0,2) and (1,3): rows 0,1,2,3 of a head are HF rows 0,2,1,3.
        int[] withinHead = {0, 2, 1, 3};
        try (Model m = load(TinyCheckpoints.llama(RopePairing.ADJACENT), file, HfModelType.LLAMA)) {
            assertRows(m, "blk.0.attn_q.weight", l, "model.layers.0.self_attn.q_proj.weight", D,
                    r -> r / 4 * 4 + withinHead[r % 4]);
            assertRows(m, "blk.0.attn_k.weight", l, "model.layers.0.self_attn.k_proj.weight", D, r -> withinHead[r]);
            assertSame(m, "blk.0.attn_v.weight", l, "model.layers.0.self_attn.v_proj.weight");
            assertSame(m, "blk.0.attn_output.weight", l, "model.layers.0.self_attn.o_proj.weight");
            assertSame(m, "blk.0.ffn_gate.weight", l, "model.layers.0.mlp.gate_proj.weight");
            assertSame(m, "blk.0.ffn_down.weight", l, "model.layers.0.mlp.down_proj.weight");
            assertSame(m, "token_embd.weight", l, "model.embed_tokens.weight");
            assertSame(m, "output.weight", l, "lm_head.weight");
            assertSame(m, "output_norm.weight", l, "model.norm.weight");
            assertSame(m, "blk.0.ffn_norm.weight", l, "model.layers.0.post_attention_layernorm.weight");
        }
        try (Model m = load(TinyCheckpoints.llama(RopePairing.HALVES), file, HfModelType.LLAMA)) {
            assertSame(m, "blk.0.attn_q.weight", l, "model.layers.0.self_attn.q_proj.weight");
            assertSame(m, "blk.0.attn_k.weight", l, "model.layers.0.self_attn.k_proj.weight");
        }
    }

    @Test
    void gpt2_conv1dTransposed_cAttnSplitIntoQkv_namesWithoutPrefix_unusedBuffersIgnored() {
        int d = D, ffn = 16;
        TinyCheckpoints.Listing l = new TinyCheckpoints.Listing("F32")
                .add("wte.weight", VOCAB, d).add("wpe.weight", TinyCheckpoints.CONTEXT, d)
                .add("h.0.ln_1.weight", d).add("h.0.ln_1.bias", d)
                .add("h.0.attn.c_attn.weight", d, 3 * d).add("h.0.attn.c_attn.bias", 3 * d)
                .add("h.0.attn.c_proj.weight", d, d).add("h.0.attn.c_proj.bias", d)
                .add("h.0.ln_2.weight", d).add("h.0.ln_2.bias", d)
                .add("h.0.mlp.c_fc.weight", d, ffn).add("h.0.mlp.c_fc.bias", ffn)
                .add("h.0.mlp.c_proj.weight", ffn, d).add("h.0.mlp.c_proj.bias", d)
                .add("ln_f.weight", d).add("ln_f.bias", d);
        // Old GPT-2 checkpoints carry the causal mask as a buffer; it is no weight and is never read.
        l.file.raw("h.0.attn.bias", "BOOL", new long[] {1, 1, 2, 2}, new byte[] {1, 0, 1, 1});
        Path file = l.write(dir.resolve("gpt2.safetensors"));
        try (Model m = load(TinyCheckpoints.gpt2(), file, HfModelType.GPT2)) {
            // Conv1D computes x @ W with W [in, out]: llmgraph element (i, o), at o * in + i, is W[i][o].
            String[] qkv = {"blk.0.attn_q", "blk.0.attn_k", "blk.0.attn_v"};
            for (int part = 0; part < 3; part++) {
                float[] w = m.weight(qkv[part] + ".weight"), b = m.weight(qkv[part] + ".bias");
                for (int o = 0; o < d; o++) {
                    assertEquals(l.at("h.0.attn.c_attn.bias", part * d + o), b[o], qkv[part] + ".bias " + o);
                    for (int i = 0; i < d; i++) {
                        assertEquals(l.at("h.0.attn.c_attn.weight", (long) i * 3 * d + part * d + o), w[o * d + i],
                                qkv[part] + " (" + i + ", " + o + ")");
                    }
                }
            }
            float[] up = m.weight("blk.0.ffn_up.weight"), down = m.weight("blk.0.ffn_down.weight");
            for (int i = 0; i < d; i++) {
                for (int o = 0; o < ffn; o++) {
                    assertEquals(l.at("h.0.mlp.c_fc.weight", (long) i * ffn + o), up[o * d + i]);
                    assertEquals(l.at("h.0.mlp.c_proj.weight", (long) o * d + i), down[i * ffn + o]);
                }
            }
            assertSame(m, "position_embd.weight", l, "wpe.weight");
            assertSame(m, "blk.0.ffn_up.bias", l, "h.0.mlp.c_fc.bias");
            assertSame(m, "output_norm.bias", l, "ln_f.bias");
        }
    }

    @Test
    void bloom_queryKeyValueInterleavedPerHead() {
        int d = D, hd = 4;
        TinyCheckpoints.Listing l = new TinyCheckpoints.Listing("F32")
                .add("transformer.word_embeddings.weight", VOCAB, d)
                .add("transformer.word_embeddings_layernorm.weight", d).add("transformer.word_embeddings_layernorm.bias", d)
                .add("transformer.h.0.input_layernorm.weight", d).add("transformer.h.0.input_layernorm.bias", d)
                .add("transformer.h.0.self_attention.query_key_value.weight", 3 * d, d)
                .add("transformer.h.0.self_attention.query_key_value.bias", 3 * d)
                .add("transformer.h.0.self_attention.dense.weight", d, d)
                .add("transformer.h.0.self_attention.dense.bias", d)
                .add("transformer.h.0.post_attention_layernorm.weight", d)
                .add("transformer.h.0.post_attention_layernorm.bias", d)
                .add("transformer.h.0.mlp.dense_h_to_4h.weight", 4 * d, d).add("transformer.h.0.mlp.dense_h_to_4h.bias", 4 * d)
                .add("transformer.h.0.mlp.dense_4h_to_h.weight", d, 4 * d).add("transformer.h.0.mlp.dense_4h_to_h.bias", d)
                .add("transformer.ln_f.weight", d).add("transformer.ln_f.bias", d);
        Path file = l.write(dir.resolve("bloom.safetensors"));
        try (Model m = load(TinyCheckpoints.bloom(), file, HfModelType.BLOOM)) {
            // BloomAttention views the fused rows as [heads, 3, headDim]: head h's q, k, v rows are blocks 3h, 3h+1, 3h+2.
            String[] qkv = {"blk.0.attn_q", "blk.0.attn_k", "blk.0.attn_v"};
            for (int part = 0; part < 3; part++) {
                int p = part;
                assertRows(m, qkv[part] + ".weight", l, "transformer.h.0.self_attention.query_key_value.weight", d,
                        r -> (r / hd * 3 + p) * hd + r % hd);
                assertRows(m, qkv[part] + ".bias", l, "transformer.h.0.self_attention.query_key_value.bias", 1,
                        r -> (r / hd * 3 + p) * hd + r % hd);
            }
            assertSame(m, "token_embd_norm.bias", l, "transformer.word_embeddings_layernorm.bias");
            assertSame(m, "blk.0.ffn_down.weight", l, "transformer.h.0.mlp.dense_4h_to_h.weight");
        }
    }

    private static TinyCheckpoints.Listing falconListing(int qkvRows) {
        return new TinyCheckpoints.Listing("F32")
                .add("transformer.word_embeddings.weight", VOCAB, D)
                .add("transformer.h.0.input_layernorm.weight", D).add("transformer.h.0.input_layernorm.bias", D)
                .add("transformer.h.0.self_attention.query_key_value.weight", qkvRows, D)
                .add("transformer.h.0.self_attention.dense.weight", D, D)
                .add("transformer.h.0.mlp.dense_h_to_4h.weight", 4 * D, D)
                .add("transformer.h.0.mlp.dense_4h_to_h.weight", D, 4 * D)
                .add("transformer.ln_f.weight", D).add("transformer.ln_f.bias", D);
    }

    @Test
    void falcon7bStyle_multiQuery_allQueryRowsThenKeyThenValue() {
        // multi_query: the fused rows are [heads + 2, headDim]: every q head, then the one k head, then the one v head.
        TinyCheckpoints.Listing l = falconListing(16);
        Path file = l.write(dir.resolve("falcon.safetensors"));
        String qkv = "transformer.h.0.self_attention.query_key_value.weight";
        try (Model m = load(TinyCheckpoints.falcon(2, 1, RopePairing.HALVES), file, HfModelType.FALCON)) {
            assertRows(m, "blk.0.attn_q.weight", l, qkv, D, r -> r);
            assertRows(m, "blk.0.attn_k.weight", l, qkv, D, r -> 8 + r);
            assertRows(m, "blk.0.attn_v.weight", l, qkv, D, r -> 12 + r);
        }
        try (Model m = load(TinyCheckpoints.falcon(2, 1, RopePairing.ADJACENT), file, HfModelType.FALCON)) {
            int[] withinHead = {0, 2, 1, 3};
            assertRows(m, "blk.0.attn_q.weight", l, qkv, D, r -> r / 4 * 4 + withinHead[r % 4]);
            assertRows(m, "blk.0.attn_k.weight", l, qkv, D, r -> 8 + withinHead[r]);
            assertRows(m, "blk.0.attn_v.weight", l, qkv, D, r -> 12 + r);
        }
    }

    @Test
    void falcon40bStyle_groupedKv_eachGroupsQueriesThenItsKeyAndValue() {
        // new_decoder_architecture: [kvHeads, heads / kvHeads + 2, headDim]. With 4 query heads of 2 over 2 groups:
        // fused heads 0,1 = q0,q1; 2 = k0; 3 = v0; 4,5 = q2,q3; 6 = k1; 7 = v1.
        TinyCheckpoints.Listing l = falconListing(16);
        Path file = l.write(dir.resolve("falcon40.safetensors"));
        String qkv = "transformer.h.0.self_attention.query_key_value.weight";
        int[] qHeads = {0, 1, 4, 5}, kHeads = {2, 6}, vHeads = {3, 7};
        try (Model m = load(TinyCheckpoints.falcon(4, 2, RopePairing.HALVES), file, HfModelType.FALCON)) {
            assertRows(m, "blk.0.attn_q.weight", l, qkv, D, r -> qHeads[r / 2] * 2 + r % 2);
            assertRows(m, "blk.0.attn_k.weight", l, qkv, D, r -> kHeads[r / 2] * 2 + r % 2);
            assertRows(m, "blk.0.attn_v.weight", l, qkv, D, r -> vHeads[r / 2] * 2 + r % 2);
        }
    }

    @Test
    void matricesKeepTheFileDtype_normsBecomeF32() {
        for (String dtype : new String[] {"BF16", "F16"}) {
            TinyCheckpoints.Listing l = TinyCheckpoints.llamaListing(dtype);
            Path file = l.write(dir.resolve(dtype + ".safetensors"));
            try (Model m = load(TinyCheckpoints.llama(RopePairing.HALVES), file, HfModelType.LLAMA)) {
                assertEquals(GgmlType.parse(dtype), m.weightType("blk.0.ffn_up.weight"));
                assertEquals(GgmlType.F32, m.weightType("output_norm.weight"));
                assertSame(m, "blk.0.ffn_up.weight", l, "model.layers.0.mlp.up_proj.weight");
                assertSame(m, "blk.0.attn_q.weight", l, "model.layers.0.self_attn.q_proj.weight");
                assertSame(m, "output_norm.weight", l, "model.norm.weight");
            }
        }
    }

    @Test
    void typesFromOptions_f16FileToF32Exactly_f32FileToF16RoundedLikeJava() {
        TinyCheckpoints.Listing half = TinyCheckpoints.llamaListing("F16");
        Path halfFile = half.write(dir.resolve("half.safetensors"));
        try (SafetensorsWeights w = SafetensorsWeights.open(halfFile, HfModelType.LLAMA).typesFromOptions();
             Model m = Model.create(TinyCheckpoints.llama(RopePairing.HALVES), w, CPU)) {
            assertEquals(GgmlType.F32, m.weightType("blk.0.attn_v.weight"));
            assertSame(m, "blk.0.attn_v.weight", half, "model.layers.0.self_attn.v_proj.weight");
        }
        HandWrittenSafetensors thirds = new HandWrittenSafetensors();
        TinyCheckpoints.llamaTensors().forEach((name, shape) -> thirds.f32(name, shape, i -> (i + 1) / 3.0));
        Path thirdsFile = thirds.write(dir.resolve("thirds.safetensors"));
        try (SafetensorsWeights w = SafetensorsWeights.open(thirdsFile, HfModelType.LLAMA).typesFromOptions();
             Model m = Model.create(TinyCheckpoints.llama(RopePairing.HALVES), w, CPU.withMatrixType(GgmlType.F16))) {
            assertEquals(GgmlType.F16, m.weightType("blk.0.ffn_up.weight"));
            float[] values = m.weight("blk.0.ffn_up.weight");
            for (int i = 0; i < values.length; i++) {
                assertEquals(Float.float16ToFloat(Float.floatToFloat16((float) ((i + 1) / 3.0))), values[i], "element " + i);
            }
        }
    }
}
