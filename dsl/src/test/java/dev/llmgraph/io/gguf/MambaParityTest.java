package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.llama.LlamaReference;
import dev.llmgraph.io.gguf.LlamaCppParityTest.Difference;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.Mamba2;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Ssm;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mamba against llama.cpp's {@code mamba} graph on a tiny random-weight model (2 layers, dModel 64, innerDim 128,
 * stateDim 16, convWidth 4, dtRank 4), and Mamba-2 against its {@code mamba2} graph ({@link #tinyMamba2()}), written
 * as GGUF by llmgraph: llmgraph computes the 40-token prompt in one batch, one token at a time (its recurrent state
 * carried from step to step), and from the file read back; llama.cpp computes it in one batch, and one token at a
 * time for the token-by-token comparison ({@link LlamaReference.Settings#tokenByToken()}). Errors are relative to
 * llama.cpp's largest |logit|.
 *
 * <p>The weights are initialised as Mamba initialises them ({@code WeightInit}: A = -(1..16), D = 1, the step-size
 * bias the inverse softplus of a log-uniform dt), so that the recurrence neither explodes nor vanishes; the test
 * asserts that llama.cpp's logits spread over a range well above rounding and below overflow, and that the first
 * token still moves the last logits (the state carries it), or agreement would prove little.
 *
 * <p>Tolerances: F32 1e-4, the same kernels on the same values (measured: 0 in all three comparisons; against
 * llama.cpp's batch, the token-by-token path differed by 2.5e-7 for mamba and 3.4e-7 for mamba2, the products
 * accumulating in another order one column at a time). Q8_0 and Q4_0 1e-3: both sides read the same quantized bytes
 * and quantize activations to Q8 the same way; only a value on a rounding boundary can move by one Q8 step
 * (measured: 0 in all three comparisons).
 */
class MambaParityTest {
    private static final int THREADS = 2;
    private static final int PROMPT = 40;
    private static final Map<String, String> TABLE = new TreeMap<>();

    static ModelSpec tinyMamba() {
        return Transformer.causalDecoder("tiny-mamba").vocabSize(TinyModels.VOCAB).dModel(64).layers(2)
                .contextLength(64).positional(Positional.none()).norm(Norm.rms(1e-5), NormPlacement.PRE)
                .ssm(Ssm.mamba(64)).build();
    }

    /** Mamba-2: innerDim 128 in 8 heads of 16, 2 groups, stateDim 16, convWidth 4. */
    static ModelSpec tinyMamba2() {
        return Transformer.causalDecoder("tiny-mamba2").vocabSize(TinyModels.VOCAB).dModel(64).layers(2)
                .contextLength(64).positional(Positional.none()).norm(Norm.rms(1e-5), NormPlacement.PRE)
                .ssm(Mamba2.of(64).withStateDim(16).withHeads(8, 2)).build();
    }

    @ParameterizedTest(name = "mamba with {0} matrices, whole prompt and token by token")
    @EnumSource(value = GgmlType.class, names = {"F32", "Q8_0", "Q4_0"})
    void mambaMatchesLlamaCpp(GgmlType type, @TempDir Path dir) {
        compare("mamba", tinyMamba(), type, dir, TABLE);
    }

    @ParameterizedTest(name = "mamba2 with {0} matrices, whole prompt and token by token")
    @EnumSource(value = GgmlType.class, names = {"F32", "Q8_0", "Q4_0"})
    void mamba2MatchesLlamaCpp(GgmlType type, @TempDir Path dir) {
        compare("mamba2", tinyMamba2(), type, dir, TABLE);
    }

    /**
     * llmgraph's logits for a tiny random {@code spec} (whole prompt, token by token, and read back from the GGUF
     * it writes) against llama.cpp's on that file (its batch; token by token against its token-by-token decode),
     * within 1e-4 of the largest logit (1e-3 quantized); the row goes into {@code table}. Shared by the recurrent
     * architectures' parity tests (Mamba, RWKV, Jamba).
     */
    static void compare(String architecture, ModelSpec spec, GgmlType type, Path dir, Map<String, String> table) {
        assertEquals(architecture, GgufReport.of(spec).architecture().orElseThrow());
        int[] prompt = TinyModels.prompt(PROMPT);
        Path file = dir.resolve(spec.name() + "-" + type + ".gguf");
        // an F16 KV cache, llama.cpp's default, for the stacks that have attention layers (Jamba's)
        // plain products on both sides: the shim loads llama.cpp without repacking
        ModelOptions options = ModelOptions.cpu().withThreads(THREADS).withMatrixType(type)
                .withCacheType(GgmlType.F16).withRepackMapped(false);
        float[] whole, byToken, readBack, reference, decoded, otherFirst;
        try (Model model = Model.random(spec, WeightInit.lecun(11), options)) {
            GgufModels.write(model, file);
            whole = model.forward(prompt).toArray();
            byToken = DecodingParityTest.oneByOne(model, prompt);
        }
        try (Model model = GgufModels.load(file, options)) {
            assertEquals(spec, model.spec(), "the spec read back");
            readBack = model.forward(prompt).toArray();
        }
        int[] changed = prompt.clone();
        changed[0] = (prompt[0] + 1) % TinyModels.VOCAB;
        LlamaReference.Settings settings = LlamaReference.Settings.defaults().withContextLength(spec.contextLength())
                .withThreads(THREADS);
        try (LlamaReference llama = LlamaReference.open(file, settings)) {
            reference = LlamaCppParityTest.flatten(llama.logits(prompt));
            otherFirst = LlamaCppParityTest.flatten(llama.logits(changed));
        }
        try (LlamaReference llama = LlamaReference.open(file, settings.tokenByToken())) {
            decoded = LlamaCppParityTest.flatten(llama.logits(prompt));
        }
        assertNotDegenerate(reference, spec.vocabSize(), otherFirst);
        Difference forward = Difference.of(whole, reference);
        Difference steps = Difference.of(byToken, decoded);
        Difference reverse = Difference.of(readBack, reference);
        table.put(String.format("%-7s %-5s", architecture, type), forward + "  " + steps + "  " + reverse);
        double tolerance = type == GgmlType.F32 ? 1e-4 : 1e-3;
        assertTrue(forward.relative() <= tolerance, "whole prompt: " + forward);
        assertTrue(steps.relative() <= tolerance, "token by token: " + steps);
        assertTrue(reverse.relative() <= tolerance, "read back from the GGUF: " + reverse);
    }

    /**
     * Every position's logits spread by more than 0.5 and less than 1000 (neither vanished nor exploded), and the
     * last position's move by more than 1e-3 of their scale when only the first token changes (the recurrent
     * state carries 39 tokens back; the convolution alone reaches 3).
     */
    static void assertNotDegenerate(float[] logits, int vocab, float[] otherFirst) {
        double scale = 0;
        for (int t = 0; t < logits.length / vocab; t++) {
            double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
            for (int v = 0; v < vocab; v++) {
                float value = logits[t * vocab + v];
                assertTrue(Float.isFinite(value), "finite logits");
                min = Math.min(min, value);
                max = Math.max(max, value);
                scale = Math.max(scale, Math.abs(value));
            }
            assertTrue(max - min > 0.5 && max - min < 1e3, "logits of position " + t + " spread by " + (max - min));
        }
        double moved = 0;
        for (int v = logits.length - vocab; v < logits.length; v++) {
            moved = Math.max(moved, Math.abs(logits[v] - otherFirst[v]));
        }
        assertTrue(moved > 1e-3 * scale, "the first token moved the last logits by only " + moved);
    }

    @AfterAll
    static void printTable() {
        System.out.println("mamba, mamba2: llmgraph vs llama.cpp (token by token: vs its token-by-token decode), "
                + PROMPT + "-token prompt, error relative to max |logit|");
        System.out.println(String.format("%-13s  %-20s %-20s %-20s", "", "whole prompt", "token by token",
                "GGUF read back"));
        TABLE.forEach((key, row) -> System.out.println(key + "  " + row));
    }
}
