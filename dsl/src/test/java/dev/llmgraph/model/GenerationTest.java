package dev.llmgraph.model;

import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.ArchitectureKind;
import dev.llmgraph.spec.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Generation with the KV cache against the definition: repeated full forward passes and their argmax. */
class GenerationTest {
    /** Tiny models: one thread, so that ggml's spinning workers do not fight over a shared machine's cores. */
    static final ModelOptions CPU = ModelOptions.cpu().withThreads(1);
    static final int[] PROMPT = {5, 17, 42, 99, 3};

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tiny-llama-2-7b", "tiny-gpt2-small", "tiny-falcon-7b", "tiny-mistral-7b", "tiny-chatglm-6b"})
    void greedyGenerationIsRepeatedArgmaxOfFullForwards(String preset) {
        ModelSpec spec = Presets.byName(preset);
        try (Model model = Model.random(spec, WeightInit.lecun(12), CPU)) {
            int[] generated = model.generate(PROMPT, GenerationConfig.greedy(8)).tokens();
            List<Integer> sequence = new ArrayList<>(Arrays.stream(PROMPT).boxed().toList());
            int[] expected = new int[8];
            for (int i = 0; i < expected.length; i++) {
                int[] tokens = sequence.stream().mapToInt(Integer::intValue).toArray();
                // a prefix decoder generates after a bidirectional prompt, the new tokens causally
                Logits logits = spec.kind() == ArchitectureKind.PREFIX_DECODER
                        ? model.forward(tokens, PROMPT.length) : model.forward(tokens);
                expected[i] = argmax(logits.last());
                sequence.add(expected[i]);
            }
            assertArrayEquals(expected, generated);
        }
    }

    @Test
    void generationStopsAfterAStopTokenAndReportsEachToken() {
        try (Model model = Model.random(Presets.byName("tiny-llama-2-7b"), WeightInit.lecun(12), CPU)) {
            int[] free = model.generate(PROMPT, GenerationConfig.greedy(8)).tokens();
            List<Integer> seen = new ArrayList<>();
            Generation stopped = model.generate(PROMPT, GenerationConfig.greedy(8).withStopTokens(free[3])
                    .withOnToken(seen::add));
            int firstStop = 0;
            while (free[firstStop] != free[3]) {
                firstStop++;
            }
            assertArrayEquals(Arrays.copyOf(free, firstStop + 1), stopped.tokens(), "up to and including the stop token");
            assertEquals(Arrays.stream(stopped.tokens()).boxed().toList(), seen);
            assertEquals(StopReason.STOP_TOKEN, stopped.stopReason());
            assertEquals("stop token (" + free[3] + ")", stopped.stopped());
        }
    }

    @Test
    void generationStopsWhenTheContextIsFull() {
        int context = 8;
        try (Model model = Model.random(Presets.byName("tiny-llama-2-7b"), WeightInit.lecun(12),
                CPU.withContextLength(context))) {
            Generation g = model.generate(PROMPT, GenerationConfig.greedy(20));
            // the last token is predicted from a full cache and never fed back
            assertEquals(context - PROMPT.length + 1, g.tokens().length);
            assertEquals(StopReason.CONTEXT_FULL, g.stopReason());
            assertEquals("context full (8 tokens, prompt included; maxNewTokens was not reached)", g.stopped());
            assertTrue(g.toString().contains("\n  stopped     context full (8 tokens, "), g.toString());
        }
    }

    @Test
    void generationSaysItReachedMaxTokens() {
        try (Model model = Model.random(Presets.byName("tiny-llama-2-7b"), WeightInit.lecun(12), CPU)) {
            Generation g = model.generate(PROMPT, GenerationConfig.greedy(3));
            assertEquals(3, g.tokens().length);
            assertEquals(StopReason.MAX_TOKENS, g.stopReason());
            assertEquals(String.format("""
                    generation of 3 tokens after a prompt of 5
                      tokens      %s
                      stopped     max tokens (3)
                      prompt      5 tokens in %.3f s, %.1f tok/s
                      generation  2 tokens in %.3f s, %.1f tok/s (the first came with the prompt)""",
                    Arrays.toString(g.tokens()), g.promptSeconds(), 5 / g.promptSeconds(), g.generateSeconds(),
                    2 / g.generateSeconds()), g.toString());
        }
    }

    @Test
    void anInterruptEndsGenerationWithTheTokensSoFarAndSaysSo() {
        try (Model model = Model.random(Presets.byName("tiny-llama-2-7b"), WeightInit.lecun(12), CPU)) {
            List<Integer> seen = new ArrayList<>();
            Generation g;
            try {
                g = model.generate(PROMPT, GenerationConfig.greedy(20).withOnToken(token -> {
                    seen.add(token);
                    if (seen.size() == 2) {
                        Thread.currentThread().interrupt();   // as the notebook's stop button does
                    }
                }));
            } finally {
                Thread.interrupted();
            }
            assertEquals(2, g.tokens().length);
            assertEquals(StopReason.INTERRUPTED, g.stopReason());
            assertEquals("interrupted (the tokens generated until then)", g.stopped());
        }
    }

    @Test
    void samplingIsReproducibleWithASeed() {
        try (Model model = Model.random(Presets.byName("tiny-gpt2-small"), WeightInit.lecun(12), CPU)) {
            var config = GenerationConfig.of(10, Sampler.temperature(1.2).withTopP(0.9).withSeed(3));
            assertArrayEquals(model.generate(PROMPT, config).tokens(), model.generate(PROMPT, config).tokens());
        }
    }

    @Test
    void speedsArePositive() {
        try (Model model = Model.random(Presets.byName("tiny-llama-2-7b"), WeightInit.lecun(12), CPU)) {
            Generation g = model.generate(PROMPT, GenerationConfig.greedy(4));
            assertArrayEquals(PROMPT, g.prompt());
            assertTrue(g.tokensPerSecond() > 0 && Double.isFinite(g.tokensPerSecond()), g.toString());
            assertTrue(g.promptTokensPerSecond() > 0, g.toString());
        }
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
