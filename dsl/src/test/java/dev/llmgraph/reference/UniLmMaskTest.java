package dev.llmgraph.reference;

import dev.llmgraph.model.Encoding;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.AttentionMask;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Pooling;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * UniLM's three masks on one tiny BERT ({@link ReferenceEncoderTest#tinyBert}, with its masked-LM head): the same
 * weights encoded by ggml under {@link AttentionMask#bidirectional()}, {@link AttentionMask#leftToRight()} and
 * {@link AttentionMask#sequenceToSequence(int)} against {@link ReferenceForward#encode(int[], int[],
 * ReferenceAttention.KeyMask)}, whose masks are written here from UniLM's definitions (not from
 * {@link AttentionMask#visible}): hidden states, mean-pooled vector and masked-LM logits within
 * {@link Tolerances#FLOAT32} (measured: at most 9.3e-7 of the reference's scale under each mask). Then the properties that make each mask what it is, on ggml's output alone: left to
 * right, a position does not move when a later token changes (bit for bit: a hidden key's softmax weight is exactly
 * 0) and does move when an earlier one changes; sequence to sequence, the source does not move when the target
 * changes and the target moves when the source changes; bidirectional is the plain {@code encode}.
 */
class UniLmMaskTest {
    static final int[] TOKENS = ReferenceEncoderTest.TOKENS;
    static final int[] TYPES = ReferenceEncoderTest.TYPES;
    static final int SOURCE = 5;

    static ModelSpec unilm() {
        return ReferenceEncoderTest.tinyBert(Pooling.mean()).withMaskedLmHead(true);
    }

    /** The three masks from the paper's words: q sees k. */
    static ReferenceAttention.KeyMask paperMask(String name) {
        return switch (name) {
            case "bidirectional" -> (q, k) -> true;
            case "left-to-right" -> (q, k) -> k <= q;
            // a source token sees the source; a target token sees the source and the target up to itself
            default -> (q, k) -> q < SOURCE ? k < SOURCE : k < SOURCE || k <= q;
        };
    }

    static AttentionMask mask(String name) {
        return switch (name) {
            case "bidirectional" -> AttentionMask.bidirectional();
            case "left-to-right" -> AttentionMask.leftToRight();
            default -> AttentionMask.sequenceToSequence(SOURCE);
        };
    }

    @ParameterizedTest(name = "tiny UniLM (2 layers, dModel 32), {0} mask: hidden, pooled and masked-LM logits match")
    @ValueSource(strings = {"bidirectional", "left-to-right", "sequence-to-sequence (source 5)"})
    void eachMaskMatchesTheReference(String name) {
        try (Model model = Model.random(unilm(), WeightInit.lecun(7), ReferenceForwardTest.CPU)) {
            Encoding actual = model.encode(TOKENS, TYPES, mask(name));
            ReferenceForward.Encoded expected = ReferenceForward.of(model).encode(TOKENS, TYPES, paperMask(name));
            assertEquals(name + " mask", actual.mask() + " mask");
            double hidden = Tolerances.relativeError(actual.hiddenStates(), flatten(expected.hidden()));
            double pooled = Tolerances.relativeError(actual.pooled(), expected.pooled());
            double logits = Tolerances.relativeError(actual.logits(), expected.logits());
            assertTrue(hidden <= Tolerances.FLOAT32, "hidden states differ by " + hidden);
            assertTrue(pooled <= Tolerances.FLOAT32, "pooled vectors differ by " + pooled);
            assertTrue(logits <= Tolerances.FLOAT32, "masked-LM logits differ by " + logits);
            assertArrayEquals(model.encode(TOKENS, mask(name)).logits().toArray(),
                    model.forward(TOKENS, mask(name)).toArray(), "forward is encode's logits");
        }
    }

    /** The three masks give three different encodings of the same weights: the reference agreeing is not vacuous. */
    @Test
    void theMasksDiffer() {
        try (Model model = Model.random(unilm(), WeightInit.lecun(7), ReferenceForwardTest.CPU)) {
            float[] bidirectional = model.encode(TOKENS, AttentionMask.bidirectional()).hidden(0);
            float[] leftToRight = model.encode(TOKENS, AttentionMask.leftToRight()).hidden(0);
            float[] seq2seq = model.encode(TOKENS, AttentionMask.sequenceToSequence(SOURCE)).hidden(0);
            assertTrue(maxDifference(bidirectional, leftToRight) > 1e-3, "position 0 sees 8 tokens, then 1");
            assertTrue(maxDifference(bidirectional, seq2seq) > 1e-3,
                    "position 0 sees 8 tokens, then the 5 of the source");
        }
    }

    @Test
    void bidirectionalIsThePlainEncode() {
        try (Model model = Model.random(unilm(), WeightInit.lecun(7), ReferenceForwardTest.CPU)) {
            Encoding plain = model.encode(TOKENS, TYPES);
            Encoding chosen = model.encode(TOKENS, TYPES, AttentionMask.bidirectional());
            assertArrayEquals(plain.hiddenStates(), chosen.hiddenStates());
            assertArrayEquals(plain.pooled(), chosen.pooled());
            assertArrayEquals(plain.logits().toArray(), chosen.logits().toArray());
            assertEquals("bidirectional", plain.mask().toString());
        }
    }

    @Test
    void leftToRightPositionsReadOnlyTheTokensBeforeThem() {
        try (Model model = Model.random(unilm(), WeightInit.lecun(7), ReferenceForwardTest.CPU)) {
            AttentionMask mask = AttentionMask.leftToRight();
            Encoding base = model.encode(TOKENS, mask);
            for (int changed = 1; changed < TOKENS.length; changed++) {
                Encoding other = model.encode(with(TOKENS, changed), mask);
                for (int t = 0; t < changed; t++) {
                    assertArrayEquals(base.hidden(t), other.hidden(t), "position " + t + " after token " + changed
                            + " changed");
                    assertArrayEquals(base.logits().row(t), other.logits().row(t));
                }
                for (int t = changed; t < TOKENS.length; t++) {
                    assertTrue(maxDifference(base.hidden(t), other.hidden(t)) > 1e-3, "position " + t + " reads token "
                            + changed);
                }
            }
        }
    }

    @Test
    void sequenceToSequenceSourceIgnoresTheTargetWhichReadsTheSource() {
        try (Model model = Model.random(unilm(), WeightInit.lecun(7), ReferenceForwardTest.CPU)) {
            AttentionMask mask = AttentionMask.sequenceToSequence(SOURCE);
            Encoding base = model.encode(TOKENS, TYPES, mask);
            for (int changed = SOURCE; changed < TOKENS.length; changed++) { // a target token
                Encoding other = model.encode(with(TOKENS, changed), TYPES, mask);
                for (int t = 0; t < SOURCE; t++) {
                    assertArrayEquals(base.hidden(t), other.hidden(t), "source position " + t + " after target token "
                            + changed + " changed");
                }
                for (int t = SOURCE; t < TOKENS.length; t++) {
                    boolean reads = t >= changed;
                    assertEquals(reads, maxDifference(base.hidden(t), other.hidden(t)) > 1e-3, "target position " + t
                            + (reads ? " reads" : " does not read") + " target token " + changed);
                }
            }
            Encoding sourceChanged = model.encode(with(TOKENS, SOURCE - 1), TYPES, mask);
            for (int t = 0; t < TOKENS.length; t++) {
                assertTrue(maxDifference(base.hidden(t), sourceChanged.hidden(t)) > 1e-3, "position " + t
                        + " reads the last source token");
            }
        }
    }

    @Test
    void theMaskAsAMatrix() {
        assertEquals("""
                xxx..
                xxx..
                xxx..
                xxxx.
                xxxxx
                """, draw(AttentionMask.sequenceToSequence(3).matrix(5)));
        assertEquals("""
                x..
                xx.
                xxx
                """, draw(AttentionMask.leftToRight().matrix(3)));
        assertEquals("xx\nxx\n", draw(AttentionMask.bidirectional().matrix(2)));
        assertEquals("x.\nxx\n", draw(AttentionMask.sequenceToSequence(1).matrix(2)), "a source of 1 is left to right");
        assertFalse(AttentionMask.sequenceToSequence(2).visible(0, 2));
    }

    @Test
    void badMasksAreRefusedInWords() {
        assertEquals("sourceLength = 0: a sequence-to-sequence mask needs a source of at least 1 token (with no "
                + "source every token is target, which is AttentionMask.leftToRight())",
                assertThrows(IllegalArgumentException.class, () -> AttentionMask.sequenceToSequence(0)).getMessage());
        assertEquals("sequenceToSequence(9): the source (the first 9 tokens) is longer than the 8 tokens given; the "
                + "target is the tokens after the source, so sourceLength must be between 1 and 8",
                assertThrows(IllegalArgumentException.class, () -> AttentionMask.sequenceToSequence(9).matrix(8))
                        .getMessage());
        try (Model model = Model.random(unilm(), WeightInit.lecun(7), ReferenceForwardTest.CPU)) {
            assertEquals("sequenceToSequence(9): the source (the first 9 tokens) is longer than the 8 tokens given; "
                    + "the target is the tokens after the source, so sourceLength must be between 1 and 8",
                    assertThrows(IllegalArgumentException.class, () -> model.encode(TOKENS,
                            AttentionMask.sequenceToSequence(9))).getMessage());
            assertEquals("encode: mask is null; pass AttentionMask.bidirectional(), AttentionMask.leftToRight() or "
                    + "AttentionMask.sequenceToSequence(sourceLength)", assertThrows(IllegalArgumentException.class,
                    () -> model.encode(TOKENS, (AttentionMask) null)).getMessage());
        }
        try (Model decoder = Model.random(ArchitectureAxes.spec(new int[ArchitectureAxes.sizes().length]), 1)) {
            String name = decoder.spec().name();
            assertEquals("forward: a mask chosen per call runs an ENCODER's weights bidirectionally, left to right or "
                    + "sequence to sequence (UniLM); " + name + " is a CAUSAL_DECODER, whose mask is fixed by its kind "
                    + "(CAUSAL); use model.forward(tokens)", assertThrows(UnsupportedOperationException.class,
                    () -> decoder.forward(new int[] {1, 2}, AttentionMask.leftToRight())).getMessage());
            assertEquals("encode: a mask chosen per call runs an ENCODER's weights bidirectionally, left to right or "
                    + "sequence to sequence (UniLM); " + name + " is a CAUSAL_DECODER, whose mask is fixed by its kind "
                    + "(CAUSAL); use model.forward(tokens)", assertThrows(UnsupportedOperationException.class,
                    () -> decoder.encode(new int[] {1, 2}, AttentionMask.bidirectional())).getMessage());
        }
    }

    private static int[] with(int[] tokens, int index) {
        int[] out = tokens.clone();
        out[index] = (tokens[index] + 29) % 64;
        return out;
    }

    private static String draw(boolean[][] m) {
        StringBuilder sb = new StringBuilder();
        for (boolean[] row : m) {
            for (boolean v : row) {
                sb.append(v ? 'x' : '.');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static double maxDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static double[] flatten(double[][] x) {
        return Arrays.stream(x).flatMapToDouble(Arrays::stream).toArray();
    }
}
