package dev.llmgraph.ggml.llama;

import dev.llmgraph.ggml.gguf.GgufWriter;
import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.gguf.GgufException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * llama.cpp as the referee: a tiny random {@code llama} model written by {@link GgufWriter} is loaded by
 * llama.cpp, and its logits are compared with {@link JavaLlamaForward}, a double-precision Java forward pass
 * of the same weights. Tolerance: 0.02 absolute on logits of magnitude up to about 5, because llama.cpp keeps
 * K and V in an F16 cache (measured differences: 0.005 without, 0.007 with flash attention).
 */
class LlamaReferenceTest {
    private static final double TOLERANCE = 0.02;

    @TempDir
    Path dir;

    private static int[] tokens(int count, int vocabSize) {
        int[] tokens = new int[count];
        for (int i = 0; i < count; i++) {
            tokens[i] = (i * 37 + 5) % vocabSize;
        }
        return tokens;
    }

    @ParameterizedTest(name = "2 layers, width 32, GQA 4/2, {0} tokens, flash attention {1}, {2} vocabulary, "
            + "token by token {3}")
    @CsvSource({"1, false, NONE, false", "24, false, NONE, false", "24, true, NONE, false", "24, false, BYTES, false",
            "24, false, NONE, true"})
    void logitsOfATinyRandomLlamaMatchAJavaForwardPass(int count, boolean flashAttention,
                                                        TinyLlamaGguf.Vocabulary vocabulary, boolean tokenByToken) {
        TinyLlamaGguf spec = TinyLlamaGguf.small(vocabulary);
        Path file = spec.write(dir.resolve("tiny.gguf"), 7);
        int[] tokens = tokens(count, spec.vocabSize());
        double[][] expected = new JavaLlamaForward(file).logits(tokens);
        LlamaReference.Settings settings = LlamaReference.Settings.defaults().withContextLength(32).withThreads(2)
                .withFlashAttention(flashAttention);
        if (tokenByToken) {
            settings = settings.tokenByToken();
        }
        try (LlamaReference reference = LlamaReference.open(file, settings)) {
            assertEquals(spec.vocabSize(), reference.vocabSize());
            assertEquals(spec.dModel(), reference.embeddingLength());
            assertEquals(spec.layers(), reference.layers());
            float[][] logits = reference.logits(tokens);
            assertEquals(count, logits.length);
            for (int position = 0; position < count; position++) {
                assertEquals(spec.vocabSize(), logits[position].length);
                for (int token = 0; token < spec.vocabSize(); token++) {
                    assertTrue(Float.isFinite(logits[position][token]));
                    assertEquals(expected[position][token], logits[position][token], TOLERANCE,
                            "position " + position + ", token " + token);
                }
            }
            // a second call starts from an empty cache again
            assertArrayEquals(logits[0], reference.logits(tokens[0])[0], 1e-5f);
        }
    }

    @Test
    void aVocabularyOnlyFileIsNotAModel() {
        Path vocabulary = LlamaSource.directory().resolve("models/ggml-vocab-llama-spm.gguf");
        String message = assertThrows(LlamaException.class, () -> LlamaReference.open(vocabulary)).getMessage();
        assertEquals("llama.cpp could not load " + vocabulary + ": llama_model_load: error loading model: "
                + "check_tensor_dims: tensor 'token_embd.weight' not found", message);
    }

    @Test
    void tokensAreCheckedBeforeTheyReachLlamaCpp() {
        TinyLlamaGguf spec = TinyLlamaGguf.small(TinyLlamaGguf.Vocabulary.NONE);
        Path file = spec.write(dir.resolve("tiny.gguf"), 1).toAbsolutePath();
        LlamaReference.Settings settings = LlamaReference.Settings.defaults().withContextLength(8).withThreads(1);
        LlamaReference reference = LlamaReference.open(file, settings);
        try (reference) {
            assertEquals("token id 264 at position 1 is out of range: the vocabulary of " + file + " has 264 tokens "
                    + "(ids 0 to 263)", assertThrows(IllegalArgumentException.class,
                    () -> reference.logits(3, 264)).getMessage());
            assertEquals("token id -1 at position 0 is out of range: the vocabulary of " + file + " has 264 tokens "
                    + "(ids 0 to 263)", assertThrows(IllegalArgumentException.class,
                    () -> reference.logits(-1)).getMessage());
            assertEquals("logits of 9 tokens: the reference for " + file + " takes 1 to 8 tokens; open it with "
                    + "Settings.withContextLength(9) for longer sequences", assertThrows(IllegalArgumentException.class,
                    () -> reference.logits(tokens(9, 264))).getMessage());
            assertEquals("logits of 0 tokens: the reference for " + file + " takes 1 to 8 tokens; open it with "
                    + "Settings.withContextLength(1) for longer sequences", assertThrows(IllegalArgumentException.class,
                    reference::logits).getMessage());
        }
        assertEquals("LlamaReference for " + file + " already closed",
                assertThrows(IllegalStateException.class, () -> reference.logits(1)).getMessage());
        assertEquals("contextLength = 0 must be at least 1",
                assertThrows(IllegalArgumentException.class, () -> settings.withContextLength(0)).getMessage());
        assertEquals("stepTokens = -1 must be 0 (all tokens in one graph) or more (1: token by token)",
                assertThrows(IllegalArgumentException.class, () -> new LlamaReference.Settings(8, 1, false, 0, false,
                        -1)).getMessage());
    }

    /** Each key llama.cpp needs for a llama model, and what it says without it. */
    @ParameterizedTest(name = "without {0}")
    @CsvSource(delimiter = '|', value = {
        "llama.context_length | error loading model hyperparameters: key not found in model: llama.context_length",
        "llama.embedding_length | error loading model hyperparameters: key not found in model: llama.embedding_length",
        "llama.block_count | error loading model hyperparameters: key not found in model: llama.block_count",
        "llama.attention.layer_norm_rms_epsilon | error loading model hyperparameters: key not found in model: "
                + "llama.attention.layer_norm_rms_epsilon",
        "llama.feed_forward_length | check_tensor_dims: tensor 'blk.0.ffn_gate.weight' has wrong shape; expected     32,"
                + "      0, got     32,     64,      1,      1",
        "llama.attention.head_count | check_tensor_dims: tensor 'blk.0.attn_q.weight' has wrong shape; expected     32,"
                + "      0, got     32,     32,      1,      1",
        "tokenizer.ggml.model | error loading model vocabulary: key not found in model: tokenizer.ggml.model",
        "llama.vocab_size | check_tensor_dims: tensor 'token_embd.weight' has wrong shape; expected     32,      0, "
                + "got     32,    264,      1,      1",
    })
    void llamaCppNeedsThisKey(String key, String reason) {
        Path file = withoutKey(key);
        assertEquals("llama.cpp could not load " + file + ": llama_model_load: error loading model: " + reason,
                assertThrows(LlamaException.class, () -> LlamaReference.open(file)).getMessage());
    }

    /** Keys with defaults: rope theta 10000, kv heads = heads (this model's GQA then fails on shapes), a name. */
    @ParameterizedTest(name = "without {0}")
    @ValueSource(strings = {"llama.rope.freq_base", "general.name"})
    void llamaCppDoesNotNeedThisKey(String key) {
        try (LlamaReference reference = LlamaReference.open(withoutKey(key),
                LlamaReference.Settings.defaults().withContextLength(4).withThreads(1))) {
            assertEquals(264, reference.logits(1, 2)[1].length);
        }
    }

    @Test
    void withoutOutputWeightTheEmbeddingsAreTied() {
        Path full = TinyLlamaGguf.small(TinyLlamaGguf.Vocabulary.NONE).write(dir.resolve("full.gguf"), 5);
        Path tied = dir.resolve("tied.gguf");
        try (GgufFile gguf = GgufFile.open(full)) {
            GgufWriter writer = new GgufWriter().putAll(gguf.metadata());
            gguf.tensors().stream().filter(t -> !t.name().equals("output.weight"))
                    .forEach(t -> writer.copyTensor(gguf, t.name()));
            writer.write(tied);
        }
        int[] tokens = tokens(6, 264);
        double[][] expected = new JavaLlamaForward(tied).logits(tokens); // falls back to token_embd
        try (LlamaReference reference = LlamaReference.open(tied,
                LlamaReference.Settings.defaults().withContextLength(8).withThreads(1))) {
            float[][] logits = reference.logits(tokens);
            for (int position = 0; position < tokens.length; position++) {
                for (int token = 0; token < 264; token++) {
                    assertEquals(expected[position][token], logits[position][token], TOLERANCE);
                }
            }
        }
    }

    private Path withoutKey(String key) {
        Path full = TinyLlamaGguf.small(TinyLlamaGguf.Vocabulary.NONE).write(dir.resolve("full.gguf"), 3);
        Path file = dir.resolve("without-" + key + ".gguf").toAbsolutePath();
        try (GgufFile gguf = GgufFile.open(full)) {
            GgufWriter writer = new GgufWriter();
            gguf.metadata().forEach((k, v) -> {
                if (!k.equals(key)) {
                    writer.put(k, v);
                }
            });
            gguf.tensors().forEach(t -> writer.copyTensor(gguf, t.name()));
            writer.write(file);
        }
        return file;
    }

    @Test
    void hyperparametersLlamaCppWouldAbortOnAreRefusedFirst() {
        Path file = written(TinyLlamaGguf.small(TinyLlamaGguf.Vocabulary.NONE).metadata()
                .putUint32("llama.block_count", 0), "no-blocks.gguf");
        assertEquals(file.toAbsolutePath() + ": llama.block_count is 0; llama.cpp needs 1 to 512 blocks (llama.cpp "
                + "would abort the process, so llmgraph does not pass the file to it)",
                assertThrows(GgufException.class, () -> LlamaReference.open(file)).getMessage());
        Path experts = written(TinyLlamaGguf.small(TinyLlamaGguf.Vocabulary.NONE).metadata()
                .putUint32("llama.expert_count", 4), "experts.gguf");
        assertEquals(experts.toAbsolutePath() + ": llama.expert_used_count must be at least 1 when there are experts "
                + "(4) (llama.cpp would abort the process, so llmgraph does not pass the file to it)",
                assertThrows(GgufException.class, () -> LlamaReference.open(experts)).getMessage());
        Path scaling = written(TinyLlamaGguf.small(TinyLlamaGguf.Vocabulary.NONE).metadata()
                .putString("llama.rope.scaling.type", "ntk"), "scaling.gguf");
        assertEquals(scaling.toAbsolutePath() + ": llama.rope.scaling.type is 'ntk'; llama.cpp knows none, linear, yarn "
                + "and longrope (llama.cpp would abort the process, so llmgraph does not pass the file to it)",
                assertThrows(GgufException.class, () -> LlamaReference.open(scaling)).getMessage());
    }

    private Path written(GgufWriter writer, String name) {
        Path file = dir.resolve(name);
        writer.write(file);
        return file;
    }
}
