package dev.llmgraph.model;

import dev.llmgraph.presets.Presets;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The documented behaviour at the numeric edges (see {@link Sampler}): a temperature near 0 is greedy, an
 * infinite one is refused; a tiny top-p keeps the best token only; logits holding NaN or +Infinity (from a
 * model with a NaN weight) are refused by name when drawing, -Infinity on some tokens is allowed; a prompt
 * that fills the context gives one token and stops. The other edges have their tests beside them: a negative
 * or NaN temperature and top-p 0 or above 1 in {@link SamplerTest}, a prompt longer than the context in
 * {@link BadInputTest}, a generation that reaches the context in {@link GenerationTest}.
 */
class NumericEdgesTest {
    private static float[] randomLogits(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] logits = new float[n];
        for (int i = 0; i < n; i++) {
            logits[i] = (float) r.nextGaussian() * 5;
        }
        return logits;
    }

    @Test
    void aTemperatureNearZeroDrawsTheArgmax() {
        for (long seed = 0; seed < 20; seed++) {
            float[] logits = randomLogits(seed, 100);
            int best = Sampler.argmax(logits);
            double[] p = Sampler.temperature(1e-300).probabilities(logits);
            assertEquals(1.0, p[best], "all the mass on the argmax");
            assertEquals(1.0, Arrays.stream(p).sum());
            assertEquals(best, Sampler.temperature(1e-300).withSeed(seed).start().next(logits));
        }
    }

    @Test
    void anInfiniteTemperatureIsRefused() {
        assertEquals("temperature = Infinity: must be finite; it would make every token equally likely, which a large "
                + "finite temperature (100) approaches",
                assertThrows(IllegalArgumentException.class, () -> Sampler.temperature(Double.POSITIVE_INFINITY))
                        .getMessage());
    }

    @Test
    void aTinyTopPKeepsTheBestTokenOnly() {
        float[] logits = randomLogits(3, 50);
        double[] p = Sampler.temperature(1).withTopP(1e-12).probabilities(logits);
        assertEquals(1.0, p[Sampler.argmax(logits)]);
        assertEquals(1, Arrays.stream(p).filter(x -> x > 0).count());
    }

    @Test
    void logitsHoldingNanOrInfinityAreRefusedByTokenId() {
        float[] nan = {1, 2, Float.NaN, 3};
        String expected = "the logits hold NaN at token id 2 (of 4): the model computed NaN, from NaN or infinite "
                + "weights or activations that overflowed; check the weights (model.weight(name)) or compute in F32";
        assertEquals(expected, assertThrows(IllegalArgumentException.class,
                () -> Sampler.greedy().start().next(nan)).getMessage());
        assertEquals(expected, assertThrows(IllegalArgumentException.class,
                () -> Sampler.temperature(0.7).start().next(nan)).getMessage());
        assertEquals("the logits hold Infinity at token id 0 (of 2): the model computed Infinity, from NaN or "
                + "infinite weights or activations that overflowed; check the weights (model.weight(name)) or compute "
                + "in F32", assertThrows(IllegalArgumentException.class,
                () -> Sampler.temperature(1).probabilities(new float[] {Float.POSITIVE_INFINITY, 0})).getMessage());
        float inf = Float.NEGATIVE_INFINITY;
        assertEquals("all 3 logits are -Infinity: no token can be drawn", assertThrows(IllegalArgumentException.class,
                () -> Sampler.temperature(1).start().next(new float[] {inf, inf, inf})).getMessage());
        for (int seed = 0; seed < 50; seed++) {
            assertEquals(1, Sampler.temperature(2).withSeed(seed).start().next(new float[] {inf, 0, inf}),
                    "a token at -Infinity is never drawn");
        }
    }

    @Test
    void aNanWeightMakesGenerationRefuseWithWordsAndForwardReturnNan() {
        try (Model model = Model.random(Presets.byName("tiny-llama-2-7b"), WeightInit.lecun(1),
                ModelOptions.cpu().withThreads(1))) {
            float[] norm = model.weight("output_norm.weight");
            norm[5] = Float.NaN;
            model.weightTensor("output_norm.weight").setFloats(norm);
            assertTrue(Float.isNaN(model.forward(1, 2, 3).last()[0]), "forward returns what ggml computed");
            assertEquals("the logits hold NaN at token id 0 (of 256): the model computed NaN, from NaN or infinite "
                    + "weights or activations that overflowed; check the weights (model.weight(name)) or compute in F32",
                    assertThrows(IllegalArgumentException.class,
                            () -> model.generate(new int[] {1, 2, 3}, GenerationConfig.greedy(4))).getMessage());
        }
    }

    @Test
    void aPromptThatFillsTheContextGivesOneTokenAndStops() {
        try (Model model = Model.random(Presets.byName("tiny-llama-2-7b"), WeightInit.lecun(1),
                ModelOptions.cpu().withThreads(1).withContextLength(8))) {
            Generation g = model.generate(new int[] {1, 2, 3, 4, 5, 6, 7, 8}, GenerationConfig.greedy(5));
            assertEquals(1, g.tokens().length);
            assertEquals(StopReason.CONTEXT_FULL, g.stopReason());
        }
    }
}
