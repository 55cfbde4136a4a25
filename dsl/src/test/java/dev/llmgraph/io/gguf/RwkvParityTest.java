package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Rwkv6;
import dev.llmgraph.spec.Rwkv7;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * RWKV-6 against llama.cpp's {@code rwkv6} graph and RWKV-7 against its {@code rwkv7} graph, on tiny random-weight
 * models (2 layers, dModel 128 in 2 heads of 64 (ggml's WKV kernels take heads of 64 or 128), channel mixing 448 and
 * 512 wide, LoRA ranks 32) written as GGUF by llmgraph:
 * llmgraph computes the 40-token prompt in one batch, one token at a time (its token shifts and WKV states carried
 * from step to step), and from the file read back; llama.cpp computes it in one batch, and one token at a time for
 * the token-by-token comparison. Errors are relative to llama.cpp's largest |logit|.
 *
 * <p>The weights are initialised so that the recurrences neither explode nor vanish ({@code RwkvInit}: the decay
 * base spread from e^-6 to e^-1 across channels, so every decay factor lies in about (0.69, 0.998), lerps in [0, 1],
 * small LoRAs); the test asserts that llama.cpp's logits spread over a range well above rounding and below overflow,
 * and that the first token still moves the last logits (the WKV state carries it 39 tokens on; the token shift
 * alone reaches one).
 *
 * <p>Tolerances as for Mamba: F32 1e-4 (the same kernels on the same values; token by token the matrix products
 * run over one column instead of 40, which may sum in another order), Q8_0 and Q4_0 1e-3 (both sides read the same
 * quantized bytes and quantize activations to Q8 the same way). Measured: 0 in all three comparisons and all three
 * types (against llama.cpp's batch, the token-by-token path differed by 2.9e-7 (rwkv6) and 3.8e-7 (rwkv7) in F32,
 * 0 in Q8_0 and Q4_0). (With heads
 * of 16, before the head size was limited to ggml's 64 or 128, Q4_0 token by token showed isolated two-token blips
 * of 5e-3 that vanished on the next token, which points to a value on a Q8 rounding boundary rather than to the
 * recurrence; not seen at heads of 64.)
 */
class RwkvParityTest {
    private static final int THREADS = 2;
    private static final int PROMPT = 40;
    private static final Map<String, String> TABLE = new TreeMap<>();

    /** RWKV-6: heads of 64, channel mixing 3.5 x 128 = 448, both LoRA ranks 32. */
    static ModelSpec tinyRwkv6() {
        return Transformer.causalDecoder("tiny-rwkv6").vocabSize(TinyModels.VOCAB).dModel(128).layers(2)
                .contextLength(64).positional(Positional.none()).norm(Norm.layer(1e-5), NormPlacement.PRE)
                .embeddings(Embeddings.untied().withLayerNorm(true))
                .rwkv(new Rwkv6(64, 448, 32, 32)).build();
    }

    /** RWKV-7: heads of 64, channel mixing 4 x 128 = 512, LoRA ranks 32 (decay, a, value residual, gate). */
    static ModelSpec tinyRwkv7() {
        return Transformer.causalDecoder("tiny-rwkv7").vocabSize(TinyModels.VOCAB).dModel(128).layers(2)
                .contextLength(64).positional(Positional.none()).norm(Norm.layer(1e-5), NormPlacement.PRE)
                .embeddings(Embeddings.untied().withLayerNorm(true))
                .rwkv(new Rwkv7(64, 512, 32, 32, 32, 32)).build();
    }

    @ParameterizedTest(name = "rwkv6 with {0} matrices, whole prompt and token by token")
    @EnumSource(value = GgmlType.class, names = {"F32", "Q8_0", "Q4_0"})
    void rwkv6MatchesLlamaCpp(GgmlType type, @TempDir Path dir) {
        MambaParityTest.compare("rwkv6", tinyRwkv6(), type, dir, TABLE);
    }

    @ParameterizedTest(name = "rwkv7 with {0} matrices, whole prompt and token by token")
    @EnumSource(value = GgmlType.class, names = {"F32", "Q8_0", "Q4_0"})
    void rwkv7MatchesLlamaCpp(GgmlType type, @TempDir Path dir) {
        MambaParityTest.compare("rwkv7", tinyRwkv7(), type, dir, TABLE);
    }

    @AfterAll
    static void printTable() {
        System.out.println("rwkv6, rwkv7: llmgraph vs llama.cpp (token by token: vs its token-by-token decode), "
                + PROMPT + "-token prompt, error relative to max |logit|");
        System.out.println(String.format("%-12s  %-20s %-20s %-20s", "", "whole prompt", "token by token",
                "GGUF read back"));
        TABLE.forEach((key, row) -> System.out.println(key + "  " + row));
    }
}
