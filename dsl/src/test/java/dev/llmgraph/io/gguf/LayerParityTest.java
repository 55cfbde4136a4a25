package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.llama.LlamaException;
import dev.llmgraph.ggml.internal.NativeLibraries;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.parity.LayerParity;
import dev.llmgraph.parity.NodeDifference;
import dev.llmgraph.parity.ParityReport;
import dev.llmgraph.spec.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Layer-by-layer parity ({@link LayerParity}) on every architecture of {@link LlamaCppParityTest}: the tiny
 * random models written as GGUF (F32 weights), run by llama.cpp with its evaluation callback and by llmgraph with
 * its named nodes, over 40 tokens. Tolerance {@link LayerParity#DEFAULT_TOLERANCE} (1e-3 of each node's largest
 * |value|; its Javadoc says why: softmax rows of different lengths, GELU's F16 table; measured at most 5.0e-4).
 */
class LayerParityTest {
    private static final int THREADS = 2;
    private static final int[] PROMPT = TinyModels.prompt(40);

    static Stream<String> labels() {
        return TinyModels.all().keySet().stream();
    }

    private static ModelOptions options() {
        return ModelOptions.cpu().withThreads(THREADS).withMatrixType(GgmlType.F32).withCacheType(GgmlType.F16);
    }

    private static Path write(String label, Path dir) {
        Path file = dir.resolve(TinyModels.fileName(label) + ".gguf");
        try (Model model = Model.random(TinyModels.all().get(label), WeightInit.lecun(11), options())) {
            GgufModels.write(model, file);
        }
        return file;
    }

    @ParameterizedTest(name = "{0}: every matched node agrees within 1e-3")
    @MethodSource("labels")
    void everyMatchedNodeAgrees(String label, @TempDir Path dir) {
        ParityReport report = LayerParity.compare(write(label, dir), PROMPT, LayerParity.DEFAULT_TOLERANCE, THREADS);
        System.out.println("=== " + label + "\n" + report);
        assertTrue(report.agrees(), report.verdict());
        ModelSpec spec = TinyModels.all().get(label);
        int layers = spec.layers();
        // llama.cpp's Mixtral graph names its channel output ffn_moe_out; with experts, the router is compared too.
        // The first routing layer (DeepSeek keeps layer 0 dense).
        String r = "-" + (spec.sparse() ? spec.moe().denseLayers() : 0);
        List<String> channel = !spec.sparse() ? List.of("ffn_out-0") : spec.moe().shared().present()
                ? List.of("ffn_moe_logits" + r, "ffn_moe_probs" + r, "ffn_moe_down" + r, "ffn_moe_out" + r,
                        "ffn_out" + r)
                : List.of("ffn_moe_logits" + r, "ffn_moe_probs" + r, "ffn_moe_down" + r, "ffn_moe_out" + r);
        List<String> expected = new java.util.ArrayList<>(List.of("attn_norm-0", "Qcur-0", "Kcur-0", "Vcur-0", "kq-0",
                "kq_soft_max-0", "kqv_out-0", "l_out-" + (layers - 1), "result_norm", "result_output"));
        expected.addAll(channel);
        if (TinyModels.architecture(label).equals("phi3")) { // its graph names q Qcur only after scaling it
            expected.remove("Qcur-0");
            assertTrue(report.toString().contains("Qcur-0 (llama.cpp's phi3 graph names q so after scaling it by "
                    + "1/sqrt(headDim); llmgraph's q is before)"), report.toString());
        }
        for (String node : expected) {
            assertTrue(report.nodes().stream().anyMatch(n -> n.llamaCppName().equals(node)), node + " is matched");
        }
    }

    @Test
    void aPerturbedWeightIsFoundAtTheNodeThatUsesIt(@TempDir Path dir) {
        ModelSpec spec = TinyModels.all().get("llama");
        Path file = dir.resolve("llama.gguf");
        try (Model model = Model.random(spec, WeightInit.lecun(11), options())) {
            GgufModels.write(model, file);
            // llmgraph's copy of blk.1.ffn_down gets one row (output channel 5 of layer 1's FFN) scaled by 1.5
            String weight = "blk.1.ffn_down.weight";
            float[] values = model.weight(weight);
            int row = spec.ffn().width();
            for (int i = 5 * row; i < 6 * row; i++) {
                values[i] *= 1.5f;
            }
            model.weightTensor(weight).setFloats(values);
            ParityReport report = LayerParity.compare(model, file, PROMPT, LayerParity.DEFAULT_TOLERANCE);
            NodeDifference first = report.firstExceeding().orElseThrow();
            assertEquals("ffn_out-1", first.llamaCppName());
            assertEquals("ffn_out.1", first.llmgraphName());
            assertTrue(report.node("ffn_swiglu-1").relative() < 1e-5,
                    "the node before it agrees");
        }
    }

    @Test
    void namesWithoutCounterpartAreReportedAsUnmatched(@TempDir Path dir) {
        ParityReport report = LayerParity.compare(write("llama", dir), PROMPT, LayerParity.DEFAULT_TOLERANCE, THREADS);
        assertEquals(List.of("norm-0", "kqv-0", "norm-1", "kqv-1", "norm"), report.unmatchedLlamaCpp());
        assertEquals(List.of("embd"), report.unmatchedLlmgraph());

        ParityReport chatglm = LayerParity.compare(write("chatglm", dir), PROMPT, LayerParity.DEFAULT_TOLERANCE,
                THREADS);
        assertTrue(chatglm.unmatchedLlamaCpp().contains("ffn_up-0 (sizes differ: llama.cpp [192, 40], llmgraph "
                + "ffn_up.0 [96, 40], ggml order)"), chatglm.unmatchedLlamaCpp().toString());

        ParityReport biased = LayerParity.compare(write("llama, biases, YaRN", dir), PROMPT,
                LayerParity.DEFAULT_TOLERANCE, THREADS);
        assertTrue(biased.unmatchedLlamaCpp().contains("ffn_up-1 (a step before ffn_up_b-1, which is compared with "
                + "ffn_up.1)"), biased.unmatchedLlamaCpp().toString());
    }

    @Test
    void aFileLlamaCppCannotLoadIsRefusedInItsWords() throws IOException {
        Path source = Path.of(Files.readString(NativeLibraries.directory().getParent().resolve("source-dir")).trim());
        Path vocabulary = source.resolve("models/ggml-vocab-llama-spm.gguf");
        String message = assertThrows(LlamaException.class,
                () -> LayerParity.compare(vocabulary, new int[] {1, 2}, 1e-3, THREADS)).getMessage();
        assertEquals("llama.cpp could not load " + vocabulary + ": llama_model_load: error loading model: "
                + "check_tensor_dims: tensor 'token_embd.weight' not found", message);
    }

    @Test
    void aToleranceMustBePositive(@TempDir Path dir) {
        Path file = write("llama", dir);
        String message = assertThrows(IllegalArgumentException.class,
                () -> LayerParity.compare(file, PROMPT, 0, THREADS)).getMessage();
        assertEquals("tolerance = 0.0 must be above 0 (LayerParity.DEFAULT_TOLERANCE, 1e-3, suits F32 weights)", message);
    }
}
