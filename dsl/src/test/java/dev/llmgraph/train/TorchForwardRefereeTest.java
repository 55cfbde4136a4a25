package dev.llmgraph.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmgraph.io.safetensors.SafetensorsExport;
import dev.llmgraph.model.Logits;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopePairing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PyTorch model of {@code bench/torch/train_reference.py} is the same model as llmgraph's: a tiny
 * LLaMA-shaped spec with random F32 weights is exported as an HF checkpoint, the script runs it with
 * {@code --forward-only}, and its logits must equal {@code model.forward} within {@link #TOLERANCE} of
 * their scale. This is what makes the training referee's loss curves comparable: both sides start from
 * the same function. Skipped, with the reason, where {@code /usr/bin/python3} has no torch.
 */
class TorchForwardRefereeTest {
    /**
     * max |llmgraph - torch| / rms(torch). Both compute in float32 in different orders (ggml's blocked
     * matrix kernels, torch's BLAS), which over two blocks of width 32 gives about 1e-6; a wrong RoPE pairing,
     * GQA grouping or eps gives 1e-2 and more.
     */
    static final double TOLERANCE = 1e-4;
    static final int CONTEXT = 16;

    @TempDir
    Path dir;

    /** vocab 64, dModel 32, 2 layers, 4 heads of 8, FFN 64, context 32. */
    private static ModelSpec tinyLlama3() {
        return Presets.tiny(Presets.llama3_8b()).toBuilder().name("referee-llama")
                .vocabSize(64).contextLength(32).ffn(Ffn.swiglu(64)).build();
    }

    static Stream<Arguments> models() {
        ModelSpec gqa = tinyLlama3();
        ModelSpec tiedWithBiases = gqa.toBuilder().name("referee-llama-tied")
                .attention(Attention.multiHead(4).withHeadDim(8).withBias(true))
                .positional(Positional.rope(10_000).withPairing(RopePairing.HALVES))
                .norm(Norm.rms(1e-6), NormPlacement.PRE)
                .ffn(Ffn.swiglu(64).withBias(true))
                .tiedEmbeddings(true).build();
        return Stream.of(
                Arguments.of("GQA 4/2, theta 5e5, untied, adjacent RoPE pairs (q/k rows permuted on export)", gqa),
                Arguments.of("MHA 4/4, theta 1e4, tied, RoPE halves, attention and FFN biases", tiedWithBiases));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void torchLogitsEqualLlmgraphs(String label, ModelSpec spec) {
        TorchPython python = TorchPython.find();
        python.assumeAvailable();
        int[] ids = new SplittableRandom(label.hashCode()).ints(CONTEXT + 1, 0, spec.vocabSize()).toArray();
        Path model = dir.resolve("model");
        try (Model original = Model.random(spec, WeightInit.lecun(17), ModelOptions.cpu().withThreads(1))) {
            SafetensorsExport.write(original, model);
            Logits expected = original.forward(Arrays.copyOf(ids, CONTEXT));
            JsonNode out = python.runReference(dir, List.of("--model", model.toString(),
                    "--batches", TorchPython.writeBatches(dir.resolve("batch.bin"), ids).toString(),
                    "--steps", "1", "--batch", "1", "--context", String.valueOf(CONTEXT),
                    "--threads", "1", "--forward-only"), 300);
            JsonNode logits = out.get("logits");
            assertEquals(CONTEXT, logits.size(), "rows of torch logits");
            double max = 0, squares = 0;
            for (int t = 0; t < CONTEXT; t++) {
                assertEquals(spec.vocabSize(), logits.get(t).size(), "torch logits of position " + t);
                for (int v = 0; v < spec.vocabSize(); v++) {
                    double reference = logits.get(t).get(v).asDouble();
                    max = Math.max(max, Math.abs(expected.get(t, v) - reference));
                    squares += reference * reference;
                }
            }
            double error = max / Math.sqrt(squares / (CONTEXT * spec.vocabSize()));
            assertTrue(error <= TOLERANCE, "llmgraph's logits differ from torch " + out.get("torch").asText()
                    + " by " + error + " of their scale, more than " + TOLERANCE);
        }
    }

    @Test
    void aPythonWithoutTorch_isReportedWithTheFix() {
        TorchPython missing = TorchPython.probe(Path.of("/nonexistent/python3"));
        assertFalse(missing.available());
        assertEquals("PyTorch referee skipped: there is no executable /nonexistent/python3. It needs "
                + "/nonexistent/python3 with torch: install it with `apt-get install python3-torch` (it brings numpy), "
                + "or point -Dllmgraph.torch.python=PATH at a Python 3 that imports torch and numpy.",
                missing.missing());
    }
}
