package dev.llmgraph.model.lower;

import dev.llmgraph.model.WeightInit;
import dev.llmgraph.model.Session;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.Logits;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Ssm;
import dev.llmgraph.spec.Transformer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A state space model (Mamba) keeps a fixed-size recurrent state per layer instead of a KV cache: its bytes are the
 * accounting's, whatever the session's capacity, and equal what ggml allocated; decoding token by token, or in
 * chunks, gives the logits of the whole prompt in one batch, and a restarted session forgets its state.
 */
class RecurrentStateTest {
    static final ModelOptions CPU = ModelOptions.cpu().withThreads(1);
    /**
     * Same weights and ops, only the batch split differs: matrix products accumulate in another order (the scan
     * itself runs token by token either way); seen below 1e-6.
     */
    static final double SPLIT_TOLERANCE = 2e-5;
    static final int[] TOKENS = {3, 17, 42, 8, 8, 61, 5, 29, 40, 11, 2, 63};

    static ModelSpec mamba(int dModel, int stateDim, int convWidth) {
        return Transformer.causalDecoder("tiny-mamba").vocabSize(64).dModel(dModel).layers(2).contextLength(4096)
                .positional(Positional.none()).norm(Norm.rms(1e-5))
                .ssm(Ssm.mamba(dModel).withStateDim(stateDim).withConvWidth(convWidth)).build();
    }

    @Test
    void stateBytesEqualTheAccountingAndDoNotGrowWithTheContext() {
        for (int[] dims : new int[][] {{32, 16, 4}, {48, 8, 3}}) {
            ModelSpec s = mamba(dims[0], dims[1], dims[2]);
            long innerDim = 2L * dims[0];
            long formula = 4L * s.layers() * ((dims[2] - 1) * innerDim + dims[1] * innerDim);
            assertEquals(formula, s.accounting().recurrentStateBytes(), "accounting");
            assertEquals(0, s.accounting().kvCacheBytesPerToken(dev.llmgraph.storage.StorageType.F16), "no KV rows");
            try (Model model = Model.random(s, WeightInit.lecun(1), CPU)) {
                for (int capacity : new int[] {16, 4096}) {
                    try (Session session = model.session(capacity)) {
                        assertEquals(formula, session.stateBytes(), "state, capacity " + capacity);
                        assertEquals(formula, session.cacheBytes(), "all of the session's memory");
                    }
                }
            }
        }
    }

    @Test
    void tokenByTokenAndChunkedDecodingGiveTheWholePromptsLogits() {
        ModelSpec s = mamba(32, 16, 4);
        try (Model model = Model.random(s, WeightInit.lecun(3), CPU);
             Model chunked = Model.random(s, WeightInit.lecun(3), CPU.withBatchSize(5))) {
            assertPiecesGiveTheWholePrompt(model, chunked, "after reset the state starts from zero");
        }
    }

    @Test
    void mamba2KeepsItsStateOfHeadsAndDecodesTokenByTokenAsAWhole() {
        ModelSpec s = Transformer.causalDecoder("tiny-mamba2").vocabSize(64).dModel(32).layers(2).contextLength(4096)
                .positional(Positional.none()).norm(Norm.rms(1e-5))
                .ssm(dev.llmgraph.spec.Mamba2.of(32).withStateDim(8).withHeads(4, 2)).build();
        // conv over x | B | C: 3 x (64 + 2 x 2 x 8) values; the scan: 8 states per channel of 64
        long formula = 4L * s.layers() * (3 * (64 + 2 * 2 * 8) + 8 * 64);
        assertEquals(formula, s.accounting().recurrentStateBytes());
        try (Model model = Model.random(s, WeightInit.lecun(3), CPU);
             Model chunked = Model.random(s, WeightInit.lecun(3), CPU.withBatchSize(5));
             Session session = model.session(4096)) {
            assertEquals(formula, session.stateBytes());
            Logits whole = model.forward(TOKENS);
            assertNotDegenerate(whole);
            for (int t = 0; t < TOKENS.length; t++) {
                assertClose(whole.row(t), session.feed(TOKENS[t]), "token " + t + " alone");
            }
            Logits inChunks = chunked.forward(TOKENS);
            for (int t = 0; t < TOKENS.length; t++) {
                assertClose(whole.row(t), inChunks.row(t), "token " + t + " in chunks of 5");
            }
        }
    }

    @Test
    void theStateCarriesEarlierTokens() {
        // The last token's logits depend on the first one only through the recurrent state (and the convolution,
        // which reaches 3 tokens back): with 12 tokens, a changed first token changes the last logits.
        ModelSpec s = mamba(32, 16, 4);
        try (Model model = Model.random(s, WeightInit.lecun(3), CPU)) {
            int[] other = TOKENS.clone();
            other[0] = 50;
            float[] a = model.forward(TOKENS).row(TOKENS.length - 1);
            float[] b = model.forward(other).row(TOKENS.length - 1);
            double diff = 0;
            for (int i = 0; i < a.length; i++) {
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
            }
            assertTrue(diff > 1e-3, "the first token must reach the last through the state, moved by " + diff);
        }
    }

    /**
     * {@code model}'s logits over {@link #TOKENS} come out the same token by token (and again after a reset, where
     * {@code afterReset} says what starts from zero), from {@code chunked} (the same weights, batches of 5) and as a
     * prompt of 7 then 5 more, within {@link #SPLIT_TOLERANCE}.
     */
    static void assertPiecesGiveTheWholePrompt(Model model, Model chunked, String afterReset) {
        Logits whole = model.forward(TOKENS);
        assertNotDegenerate(whole);
        try (Session session = model.session(64)) {
            for (int t = 0; t < TOKENS.length; t++) {
                assertClose(whole.row(t), session.feed(TOKENS[t]), "token " + t + " alone");
            }
            session.reset();
            assertClose(whole.row(0), session.feed(TOKENS[0]), afterReset);
        }
        Logits inChunks = chunked.forward(TOKENS);
        for (int t = 0; t < TOKENS.length; t++) {
            assertClose(whole.row(t), inChunks.row(t), "token " + t + " in chunks of 5");
        }
        try (Session session = model.session(64)) {
            session.feed(java.util.Arrays.copyOfRange(TOKENS, 0, 7));
            assertClose(whole.row(TOKENS.length - 1), session.feed(java.util.Arrays.copyOfRange(TOKENS, 7,
                    TOKENS.length)), "a prompt of 7, then 5 more");
        }
    }

    static void assertNotDegenerate(Logits logits) {
        for (int t = 0; t < logits.tokens(); t++) {
            float[] row = logits.row(t);
            double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
            for (float v : row) {
                assertTrue(Float.isFinite(v), "finite logits");
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertTrue(max - min > 0.5 && max - min < 1e3, "logits of token " + t + " spread by " + (max - min));
        }
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        double scale = 0, diff = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(diff <= SPLIT_TOLERANCE * Math.max(1, scale), what + ": max difference " + diff + " at scale "
                + scale);
    }
}
