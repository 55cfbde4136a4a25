package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.NodeValue;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.HybridPattern;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Router;
import dev.llmgraph.spec.Ssm;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Jamba-style hybrid against llama.cpp's {@code jamba} graph on a tiny random-weight model written as GGUF by
 * llmgraph ({@link #tinyJamba()}: 4 layers, dModel 64; Mamba with RMSNorms on dt, B and C on layers 0, 1 and 3,
 * attention without positions (4 heads, 2 K/V heads) on layer 2; 4 SwiGLU experts, top-2, softmax without
 * renormalising, on layers 1 and 3, a dense SwiGLU on 0 and 2). llama.cpp computes the 40-token prompt in one batch
 * (a KV cache for its attention layer, a recurrent state for its Mamba layers, as the file's per-layer
 * {@code head_count_kv} says), and one token at a time for the token-by-token comparison; llmgraph computes it in one
 * batch, one token at a time, and from the file read back. Errors are relative to llama.cpp's largest |logit|.
 *
 * <p>Weights as {@link MambaParityTest} initialises them (A = -(1..16), D = 1, a log-uniform dt), so the recurrence
 * neither explodes nor vanishes ({@link MambaParityTest#assertNotDegenerate} checks it on llama.cpp's logits); the
 * routers choose with a margin ({@link #routersChooseWithAMargin}), so both engines pick the same experts and the
 * differences stay rounding. Both KV caches are F16 (llama.cpp's default).
 *
 * <p>Tolerances: F32 1e-4 and Q8_0 / Q4_0 1e-3, {@link MambaParityTest}'s: the same kernels on the same values and
 * the same quantized bytes. Measured: 0 in all three comparisons and all three types (against llama.cpp's batch, the
 * token-by-token path differed by 5.8e-5, 1.5e-5 of the largest logit, in F32: the products summed in another order
 * one column at a time). Smallest router margin 0.034.
 */
class JambaParityTest {
    private static final int THREADS = 2;
    private static final int PROMPT = 40;
    private static final Map<String, String> TABLE = new TreeMap<>();

    static ModelSpec tinyJamba() {
        return Transformer.causalDecoder("tiny-jamba").vocabSize(TinyModels.VOCAB).dModel(64).layers(4)
                .contextLength(64).positional(Positional.none()).norm(Norm.rms(1e-6), NormPlacement.PRE)
                .ssm(Ssm.mamba(64).withDtBcNorm(true))
                .hybrid(HybridPattern.softmaxEvery(4).withOffset(2))
                .attention(Attention.grouped(4, 2))
                .ffn(Ffn.swiglu(128))
                .moe(Moe.of(4, 2, Ffn.swiglu(128)).withRouter(Router.softmax()).withSparseEvery(2, 1))
                .build();
    }

    @ParameterizedTest(name = "jamba with {0} matrices, whole prompt and token by token")
    @EnumSource(value = GgmlType.class, names = {"F32", "Q8_0", "Q4_0"})
    void jambaMatchesLlamaCpp(GgmlType type, @TempDir Path dir) {
        MambaParityTest.compare("jamba", tinyJamba(), type, dir, TABLE);
    }

    /** At least 1e-3 between the k-th and (k+1)-th router score of every token on every routing layer. */
    @Test
    void routersChooseWithAMargin() {
        ModelSpec spec = tinyJamba();
        int k = spec.moe().expertsPerToken();
        String[] nodes = IntStream.range(0, spec.layers()).filter(spec.moe()::sparse)
                .mapToObj(layer -> "ffn_moe_logits." + layer).toArray(String[]::new);
        assertEquals(2, nodes.length, "layers 1 and 3 route");
        double smallest = Double.MAX_VALUE;
        try (Model model = Model.random(spec, WeightInit.lecun(11), ModelOptions.cpu().withThreads(THREADS))) {
            Model.Inspection inspection = model.inspect(TinyModels.prompt(PROMPT), nodes);
            for (String node : nodes) {
                NodeValue scores = inspection.node(node); // [T, experts]
                int experts = (int) scores.shape()[1];
                for (int t = 0; t < scores.shape()[0]; t++) {
                    float[] row = Arrays.copyOfRange(scores.values(), t * experts, (t + 1) * experts);
                    Arrays.sort(row);
                    smallest = Math.min(smallest, row[experts - k] - row[experts - k - 1]);
                }
            }
        }
        TABLE.put("jamba   gap  ", String.format("smallest top-%d router margin %.3g", k, smallest));
        assertTrue(smallest >= 1e-3, "smallest margin between the k-th and (k+1)-th expert score: " + smallest);
    }

    @AfterAll
    static void printTable() {
        System.out.println("jamba: llmgraph vs llama.cpp (token by token: vs its token-by-token decode), " + PROMPT
                + "-token prompt, max abs error and error relative to max |logit|");
        System.out.println(String.format("%-13s  %-20s %-20s %-20s", "", "whole prompt", "token by token",
                "GGUF read back"));
        TABLE.forEach((key, row) -> System.out.println(key + "  " + row));
    }
}
