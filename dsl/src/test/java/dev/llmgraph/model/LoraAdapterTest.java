package dev.llmgraph.model;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LoRA adapters on a tiny LLaMA: the paper's start (the adapted model is the base model), attach and detach,
 * the update reaching every lowering, merging, and bad input in words. llama.cpp checks the update itself
 * ({@code io.gguf.LoraLlamaCppParityTest}).
 */
class LoraAdapterTest {
    static final ModelOptions F32 = ModelOptions.cpu().withThreads(1).withMatrixType(GgmlType.F32);
    static final int[] PROMPT = {3, 14, 15, 9, 26, 5, 35, 8, 9, 7, 9, 3};

    static ModelSpec tinyLlama() {
        return Transformer.causalDecoder("tiny-llama").vocabSize(40).dModel(32).layers(2).contextLength(32)
                .attention(Attention.grouped(4, 2)).positional(Positional.rope(10_000))
                .norm(Norm.rms(1e-5), NormPlacement.PRE).ffn(Ffn.swiglu(64)).build();
    }

    /** B drawn at random (std {@code std}), as if trained: the update is then not zero. */
    static void randomB(LoraAdapter adapter, double std) {
        SplittableRandom random = new SplittableRandom(7);
        for (String target : adapter.targets()) {
            Tensor b = adapter.b(target);
            float[] values = new float[(int) b.elementCount()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (std * random.nextGaussian());
            }
            b.setFloats(values);
        }
    }

    /** max |a - b| / max |b|. */
    static double relative(float[] a, float[] b) {
        double max = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return max / scale;
    }

    @Test
    void aNewAdapterLeavesTheModelAsItWasBecauseBStartsAtZero() {
        try (Model model = Model.random(tinyLlama(), WeightInit.lecun(1), F32);
             LoraAdapter adapter = LoraAdapter.create(model, LoraConfig.allLinear(4, 8))) {
            float[] base = model.forward(PROMPT).toArray();
            model.attach(adapter);
            assertEquals(14, adapter.targets().size(), "7 projections in each of 2 blocks");
            assertArrayEquals(new long[] {32, 4}, adapter.a("blk.0.attn_q.weight").shape());
            assertArrayEquals(new long[] {4, 16}, adapter.b("blk.1.attn_k.weight").shape());
            assertTrue(java.util.Arrays.stream(toDouble(adapter.a("blk.0.ffn_up.weight").toFloats()))
                    .anyMatch(v -> v != 0), "A is random");
            assertArrayEquals(base, model.forward(PROMPT).toArray(), "B = 0: the adapted model is the base model");
        }
    }

    @Test
    void attachingAndDetachingChangesWhatEveryLaterPassComputes() {
        try (Model model = Model.random(tinyLlama(), WeightInit.lecun(2), F32);
             LoraAdapter adapter = LoraAdapter.create(model, LoraConfig.of(4, 8, "attn_[qv]"))) {
            randomB(adapter, 0.5);
            assertEquals(List.of("blk.0.attn_q.weight", "blk.0.attn_v.weight", "blk.1.attn_q.weight",
                    "blk.1.attn_v.weight"), adapter.targets());
            try (Session session = model.session()) {
                float[] base = session.feedAll(PROMPT).toArray();
                model.attach(adapter);
                session.reset();
                float[] adapted = session.feedAll(PROMPT).toArray();
                assertTrue(relative(adapted, base) > 1e-2, "the session's graph applies the adapter now: "
                        + relative(adapted, base));
                // a prompt-sized cache: ggml's softmax rounds the tail of shorter rows differently (ulps)
                float[] fresh = model.forward(PROMPT).toArray();
                assertTrue(relative(fresh, adapted) < 1e-5, "a new session applies it too: " + relative(fresh, adapted));
                model.detach();
                session.reset();
                assertArrayEquals(base, session.feedAll(PROMPT).toArray(), "detached: the base model again");
            }
            assertTrue(model.adapter().isEmpty());
        }
    }

    @Test
    void theTrainableLoweringAppliesTheAdapterAsInferenceDoes() {
        try (Model model = Model.random(tinyLlama(), WeightInit.lecun(3), F32);
             LoraAdapter adapter = LoraAdapter.create(model, LoraConfig.allLinear(2, 4))) {
            randomB(adapter, 0.5);
            model.attach(adapter);
            int[] sequence = java.util.Arrays.copyOf(PROMPT, 12);
            int[][] batch = {sequence};
            double expected = crossEntropy(model.forward(java.util.Arrays.copyOf(sequence, 11)).toArray(), sequence);
            try (TrainingGraph graph = TrainingGraph.build(model, 1, 11, 0, name -> false, false)) {
                double loss = graph.run(batch);
                // f32 against f32 on different graphs (unfused attention in training): rounding only
                assertEquals(expected, loss, 1e-5 * expected, "loss of the training lowering vs forward logits");
            }
        }
    }

    /** Mean cross-entropy of the logits [T, V] predicting sequence[t + 1], in double. */
    static double crossEntropy(float[] logits, int[] sequence) {
        int tokens = sequence.length - 1, vocab = logits.length / tokens;
        double sum = 0;
        for (int t = 0; t < tokens; t++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, logits[t * vocab + v]);
            }
            double z = 0;
            for (int v = 0; v < vocab; v++) {
                z += Math.exp(logits[t * vocab + v] - max);
            }
            sum += max + Math.log(z) - logits[t * vocab + sequence[t + 1]];
        }
        return sum / tokens;
    }

    @Test
    void mergingGivesThePlainModelTheAdaptedLogits() {
        try (Model model = Model.random(tinyLlama(), WeightInit.lecun(4), F32);
             LoraAdapter adapter = LoraAdapter.create(model, LoraConfig.allLinear(4, 8))) {
            randomB(adapter, 0.3);
            float[] base = model.forward(PROMPT).toArray();
            model.attach(adapter);
            float[] adapted = model.forward(PROMPT).toArray();
            adapter.mergeInto(model);
            assertTrue(model.adapter().isEmpty(), "merging detaches the adapter, which would otherwise count twice");
            float[] merged = model.forward(PROMPT).toArray();
            // W x + s B (A x) against (W + s B A) x in f32: rounding of sums of 32 to 64 products
            assertTrue(relative(merged, adapted) < 1e-5, "merged vs adapted: " + relative(merged, adapted));
            assertTrue(relative(merged, base) > 1e-2, "and not the base model: " + relative(merged, base));
        }
    }

    @Test
    void badInputIsRefusedInWords() {
        var rank = assertThrows(IllegalArgumentException.class, () -> LoraConfig.of(0, 8, "attn_q"));
        assertEquals("rank = 0: a LoRA update needs rank at least 1 (the paper uses 1 to 64)", rank.getMessage());
        try (Model model = Model.random(tinyLlama(), WeightInit.lecun(5), F32)) {
            var tooHigh = assertThrows(IllegalArgumentException.class,
                    () -> LoraAdapter.create(model, LoraConfig.of(20, 20, "attn_[kv]")));
            assertEquals("rank = 20 is more than blk.0.attn_k.weight allows: it maps 32 inputs to 16 outputs, and B A "
                    + "has rank at most min(in, out) = 16; choose rank <= 16", tooHigh.getMessage());
            var noMatch = assertThrows(IllegalArgumentException.class,
                    () -> LoraAdapter.create(model, LoraConfig.of(4, 8, "attn_qkv")));
            assertEquals("LoRA target \"attn_qkv\" matches no projection of tiny-llama; its projections are [attn_q, "
                    + "attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down] (targets are regular expressions over "
                    + "these names, e.g. \"attn_[qv]\")", noMatch.getMessage());
            ModelSpec wider = tinyLlama().withDModel(64);
            try (LoraAdapter adapter = LoraAdapter.create(model, LoraConfig.of(4, 8, "attn_q"));
                 Model other = Model.random(wider, WeightInit.lecun(5), F32)) {
                var misfit = assertThrows(IllegalArgumentException.class, () -> other.attach(adapter));
                assertEquals("this adapter was made for tiny-llama and does not fit tiny-llama: blk.0.attn_q.weight is "
                        + "[64, 64] there and the adapter's factors need [32, 32] (ggml order)", misfit.getMessage());
                assertTrue(other.adapter().isEmpty());
            }
        }
    }

    @Test
    void aClosedAdapterIsDetachedFirst() {
        try (Model model = Model.random(tinyLlama(), WeightInit.lecun(6), F32)) {
            LoraAdapter adapter = LoraAdapter.create(model, LoraConfig.of(2, 2, "ffn_down"));
            model.attach(adapter);
            adapter.close();
            assertFalse(model.adapter().isPresent());
            model.forward(PROMPT); // runs on the base weights, reading nothing freed
            var closed = assertThrows(IllegalStateException.class, () -> model.attach(adapter));
            assertEquals("this LoRA adapter was closed; create or load it again", closed.getMessage());
        }
    }

    private static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
