package dev.llmgraph.model;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.presets.Presets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Wrong calls fail in Java with a message that says what was wrong and what to do, word for word; nothing
 * reaches a native assert, so the JVM (and a learner's notebook) lives on and the model still works.
 */
class BadInputTest {
    /** Tiny models: one thread, so that ggml's spinning workers do not fight over a shared machine's cores. */
    static final ModelOptions CPU = ModelOptions.cpu().withThreads(1);
    static final int[] TOKENS = {1, 2, 3};

    static Model causal;
    static Model prefix;
    static float[] causalLogits;

    @BeforeAll
    static void open() {
        causal = Model.random(Presets.byName("tiny-llama-2-7b"), WeightInit.lecun(1), CPU);
        prefix = Model.random(Presets.byName("tiny-chatglm-6b"), WeightInit.lecun(1), CPU);
        causalLogits = causal.forward(TOKENS).toArray();
    }

    @AfterAll
    static void close() {
        causal.close();
        prefix.close();
    }

    @Test
    void tokenIdsOutsideTheVocabulary() {
        argument("token id 256 at index 1 of the input is outside the vocabulary of 256 tokens (ids 0 to 255)",
                () -> causal.forward(1, 256, 3));
        argument("token id -1 at index 0 of the input is outside the vocabulary of 256 tokens (ids 0 to 255)",
                () -> causal.forward(-1));
        argument("token id 1000 at index 2 of the prompt is outside the vocabulary of 256 tokens (ids 0 to 255)",
                () -> causal.generate(new int[] {0, 1, 1000}, GenerationConfig.greedy(2)));
        argument("stop token -1 is outside the vocabulary of 256 tokens (ids 0 to 255), so it could never stop the "
                + "generation; pass an id of this model's tokenizer, such as its end-of-sequence token",
                () -> causal.generate(TOKENS, GenerationConfig.greedy(2).withStopTokens(2, -1)));
        argument("stop token 256 is outside the vocabulary of 256 tokens (ids 0 to 255), so it could never stop the "
                + "generation; pass an id of this model's tokenizer, such as its end-of-sequence token",
                () -> causal.generate(TOKENS, GenerationConfig.greedy(2).withStopTokens(256)));
        try (Session session = causal.session()) {
            argument("token id 300 at index 0 of the input is outside the vocabulary of 256 tokens (ids 0 to 255)",
                    () -> session.feed(300));
        }
        stillWorks();
    }

    @Test
    void emptyInputs() {
        argument("the prompt is empty; pass at least one token id", () -> causal.generate(new int[0], GenerationConfig.greedy(2)));
        argument("the input is empty; pass at least one token id", () -> causal.forward());
        argument("the input is empty; pass at least one token id", () -> causal.inspect(new int[0], "logits"));
        stillWorks();
    }

    @Test
    void inputsLongerThanTheContext() {
        int[] long129 = new int[129];
        argument("the prompt has 129 tokens, more than the context length of 128; shorten it or raise contextLength",
                () -> causal.generate(long129, GenerationConfig.greedy(1)));
        argument("the input has 129 tokens, more than the context length of 128; shorten it or raise contextLength",
                () -> causal.forward(long129));
        argument("a session holds 1 to 128 tokens (the context length), not 129", () -> causal.session(129));
        argument("a session holds 1 to 128 tokens (the context length), not 0", () -> causal.session(0));
        stillWorks();
    }

    @Test
    void sessionOverflow() {
        try (Session session = causal.session(4)) {
            session.feed(1, 2, 3);
            argument("context overflow: this session holds 3 tokens and 2 more would exceed its capacity of 4; start a "
                    + "new session, or raise the context length (spec contextLength or ModelOptions.withContextLength)",
                    () -> session.feed(4, 5));
            assertEquals(3, session.position(), "a rejected feed leaves the session as it was");
            session.feed(4);
            assertEquals(4, session.position());
        }
        stillWorks();
    }

    @Test
    void prefixMisuse() {
        try (Session session = prefix.session()) {
            session.feed(1, 2);
            state("feedPrefix must come first: this session already holds 2 tokens; start a new session",
                    () -> session.feedPrefix(3, 4));
        }
        try (Session session = causal.session()) {
            state("feedPrefix: only a prefix decoder has a bidirectional prefix, and tiny-llama-2-7b is a CAUSAL_DECODER; "
                    + "use feed", () -> session.feedPrefix(1, 2));
        }
        argument("prefixLength = 2: only a prefix decoder has a bidirectional prefix, and tiny-llama-2-7b is a "
                + "CAUSAL_DECODER", () -> causal.forward(TOKENS, 2));
        argument("prefixLength = 4: must be between 0 and the 3 tokens", () -> prefix.forward(TOKENS, 4));
        argument("prefixLength = -1: must be between 0 and the 3 tokens", () -> prefix.forward(TOKENS, -1));
        stillWorks();
    }

    @Test
    void aRejectedPrefixLeavesNoTrace() {
        try (Session session = prefix.session(); Session fresh = prefix.session()) {
            assertThrows(IllegalArgumentException.class, () -> session.feedPrefix(1, 999));
            assertArrayEquals(fresh.feed(1, 2), session.feed(1, 2), "the next tokens are causal, as in a new session");
        }
    }

    @Test
    void unknownNames() {
        argument("this graph has no node named 'attn_nrom.0'; the names are those of the spec's shape trace, e.g. "
                + "[attn_heads.0, attn_heads.1, attn_norm.0, attn_norm.1, attn_out.0, attn_out.1]",
                () -> causal.inspect(TOKENS, "attn_nrom.0"));
        Model.Inspection inspected = causal.inspect(TOKENS, "attn_norm.0");
        argument("node 'attn_norm.1' was not inspected; this inspection holds [attn_norm.0]; name it in "
                + "model.inspect(tokens, \"attn_norm.1\", ...)", () -> inspected.node("attn_norm.1"));
        argument("node 'logits' was not inspected; this inspection holds no nodes; name it in "
                + "model.inspect(tokens, \"logits\", ...)", () -> causal.inspect(TOKENS).node("logits"));
        argument("this model has no weight named 'blk.9.attn_q.weight'; it has [token_embd.weight, blk.0.attn_norm.weight, "
                + "blk.0.attn_q.weight, blk.0.attn_k.weight, blk.0.attn_v.weight, blk.0.attn_output.weight, "
                + "blk.0.ffn_norm.weight, blk.0.ffn_gate.weight] and more", () -> causal.weight("blk.9.attn_q.weight"));
        stillWorks();
    }

    @Test
    void closedModelsAndSessions() {
        Model model = Model.random(Presets.byName("tiny-gpt2-small"), WeightInit.lecun(1), CPU);
        Session session = model.session();
        session.close();
        state("this session of model 'tiny-gpt2-small' was closed; open a new one with model.session()",
                () -> session.feed(1));
        session.close();
        Session open = model.session();
        model.close();
        state("model 'tiny-gpt2-small' was closed; create a new one", () -> model.forward(1));
        state("model 'tiny-gpt2-small' was closed; create a new one", () -> model.weight("token_embd.weight"));
        state("model 'tiny-gpt2-small' was closed; create a new one", () -> model.session());
        state("model 'tiny-gpt2-small' was closed; create a new one", () -> model.generate(TOKENS, GenerationConfig.greedy(1)));
        state("model 'tiny-gpt2-small' was closed; create a new one", () -> open.feed(1));
        model.close();
        stillWorks();
    }

    @Test
    void invalidModelOptions() {
        var spec = Presets.byName("tiny-llama-2-7b");
        argument("threads = 0: must be at least 1", () -> Model.random(spec, WeightInit.lecun(1), CPU.withThreads(0)));
        int cores = Runtime.getRuntime().availableProcessors();
        argument("threads = 100000: ggml runs at most 512 CPU threads; this machine has " + cores + " cores, and "
                + "threads beyond the cores only wait for each other, so choose at most " + Math.min(cores, 512),
                () -> Model.random(spec, WeightInit.lecun(1), CPU.withThreads(100_000)));
        argument("batchSize = 0: must be at least 1", () -> Model.random(spec, WeightInit.lecun(1), CPU.withBatchSize(0)));
        argument("contextLength = -1: must be 0 (the spec's) or positive",
                () -> Model.random(spec, WeightInit.lecun(1), CPU.withContextLength(-1)));
        argument("cacheType = q4_k: the KV cache can be f32, f16, bf16, q8_0 or q4_0",
                () -> Model.random(spec, WeightInit.lecun(1), CPU.withCacheType(GgmlType.Q4_K)));
        argument("matrixType = i32: weights must be a float or quantized type",
                () -> Model.random(spec, WeightInit.lecun(1), CPU.withMatrixType(GgmlType.I32)));
        try (Model quantizedCache = Model.random(spec, WeightInit.lecun(1), CPU.withCacheType(GgmlType.Q8_0))) {
            argument("a q8_0 KV cache needs flash attention, because without it the V cache is stored transposed, which "
                    + "a quantized type cannot be; turn on attention flash or use an f16 cache", () -> quantizedCache.forward(1));
        }
        var flash = spec.withAttention(spec.attention().withFlash(true));
        try (Model shortRows = Model.random(flash, WeightInit.lecun(1), CPU.withCacheType(GgmlType.Q8_0))) {
            argument("a q8_0 KV cache stores each head's headDim = 8 values in blocks of 32; use an f16 cache",
                    () -> shortRows.forward(1));
        }
        stillWorks();
    }

    /** After every rejected call the shared model computes what it computed before. */
    private static void stillWorks() {
        assertArrayEquals(causalLogits, causal.forward(TOKENS).toArray());
    }

    private static void argument(String message, Executable call) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    private static void state(String message, Executable call) {
        assertEquals(message, assertThrows(IllegalStateException.class, call).getMessage());
    }
}
