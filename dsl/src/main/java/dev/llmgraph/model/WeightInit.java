package dev.llmgraph.model;

import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.WeightLayout;

import java.util.SplittableRandom;

/**
 * Random initialisation schemes. Every tensor draws from its own generator, seeded from the scheme's seed
 * and the tensor's name, so a weight's values do not depend on which other weights exist or on the order
 * they are made in.
 *
 * <ul>
 *   <li>{@link #gpt2(long)}: GPT-2's scheme. Matrices and embeddings N(0, 0.02); the projections that
 *       write into the residual stream (attn_output, ffn_down) N(0, 0.02 / sqrt(2 x layers)); norm
 *       weights 1, biases 0. With DEEPNORM, DeepNet's beta multiplies the v, output and FFN matrices.</li>
 *   <li>{@link #lecun(long)}: for tests and experiments on tiny models. Matrices N(0, 1 / fan_in) so that
 *       activations keep their scale, embeddings N(0, 1), biases N(0, 0.1), norm weights 1 + N(0, 0.1), T5
 *       buckets N(0, 0.5), routers N(0, 16 / fan_in): every parameter matters, so a wrong wiring shows in the logits.</li>
 * </ul>
 * A state space model's recurrence h <- exp(dt A) h + dt B u neither explodes nor vanishes only for A < 0 and a
 * moderate dt, so both schemes initialise it as Mamba does, never at random around 0: A = -(1, 2, .., stateDim) for
 * every channel (S4D-real, stored as llama.cpp stores A = -exp(A_log); Mamba-2: one A per head, uniform in -[1, 16]),
 * D = 1, the convolution N(0, 1 / convWidth),
 * and the step-size bias the inverse softplus of a dt drawn log-uniformly from [0.001, 0.1] (gpt2, Mamba's range)
 * or [0.01, 1] (lecun: larger steps, so that on a tiny model the state carries a visible share of the output).
 * Every decay factor exp(dt A) then lies in (0, 1), well away from both ends for the first states.
 *
 * <p>RWKV's recurrences are kept in range the same way, in both schemes ({@link RwkvInit}): the decay base spread
 * across channels from slow to fast forgetting as RWKV initialises it, the token-shift lerps in [0, 1], the LoRA
 * factors small, so that every decay factor lies in about (0.69, 0.998) (RWKV-6) or (0.85, 0.998) (RWKV-7) and the
 * state holds a few hundred tokens without growing past what the per-head group norm rescales.
 */
public record WeightInit(String scheme, long seed) {
    public static WeightInit gpt2(long seed) {
        return new WeightInit("gpt2", seed);
    }

    public static WeightInit lecun(long seed) {
        return new WeightInit("lecun", seed);
    }

    /** The values of {@code weight} for a model of {@code spec}. */
    float[] values(ModelSpec spec, WeightLayout.Weight weight) {
        long n = weight.elements();
        if (n > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(weight.name() + " has " + n + " elements, more than a Java array holds");
        }
        float[] out = new float[(int) n];
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + weight.name().hashCode());
        if (scheme.equals("lecun")) {
            switch (weight.role()) {
                case NORM_GAIN -> fill(out, random, 1.0, 0.1);
                case NORM_BIAS, BIAS -> fill(out, random, 0, 0.1);
                case RELATIVE_POSITION_BIAS -> fill(out, random, 0, 0.5);
                case TOKEN_EMBEDDING, POSITION_EMBEDDING, TOKEN_TYPE_EMBEDDING -> fill(out, random, 0, 1.0);
                case PROJECTION, BRANCH_PROJECTION, BRANCH_OUTPUT ->
                        fill(out, random, 0, 1.0 / Math.sqrt(weight.ne()[0])); // 1 / fan_in
                // Router scores spread by about 4 (x is normalised to length ~sqrt(dModel)): the gaps between ranked
                // experts are then far above rounding, so every engine picks the same experts.
                case ROUTER -> fill(out, random, 0, 4.0 / Math.sqrt(weight.ne()[0]));
                case CONVOLUTION, STATE_DECAY, STATE_SKIP -> stateSpace(out, random, weight);
                case STEP_BIAS -> stepBias(out, random, 0.01, 1.0);
                case TOKEN_SHIFT_MIX, LOW_RANK, DECAY_BASE, RECURRENCE_VECTOR -> RwkvInit.fill(out, random, weight);
            }
            return out;
        }
        switch (weight.role()) {
            case NORM_GAIN -> java.util.Arrays.fill(out, 1f);
            case NORM_BIAS, BIAS -> { } // zeros, drawing nothing
            case RELATIVE_POSITION_BIAS -> fill(out, random, 0, 0.5);
            case TOKEN_EMBEDDING, POSITION_EMBEDDING, PROJECTION, ROUTER -> fill(out, random, 0, 0.02);
            case BRANCH_PROJECTION -> fill(out, random, 0, 0.02 * spec.placement().initBeta(spec.layers()));
            case BRANCH_OUTPUT -> fill(out, random, 0,
                    0.02 / Math.sqrt(2.0 * spec.layers()) * spec.placement().initBeta(spec.layers()));
            case CONVOLUTION, STATE_DECAY, STATE_SKIP -> stateSpace(out, random, weight);
            case STEP_BIAS -> stepBias(out, random, 0.001, 0.1);
            case TOKEN_SHIFT_MIX, LOW_RANK, DECAY_BASE, RECURRENCE_VECTOR -> RwkvInit.fill(out, random, weight);
        }
        return out;
    }

    /** Mamba's convolution N(0, 1 / convWidth), A = -(n + 1) along each channel's states, D = 1. */
    private static void stateSpace(float[] out, SplittableRandom random, WeightLayout.Weight weight) {
        switch (weight.role()) {
            case CONVOLUTION -> fill(out, random, 0, 1.0 / Math.sqrt(weight.ne()[0]));
            case STATE_DECAY -> {
                int states = (int) weight.ne()[0];
                for (int i = 0; i < out.length; i++) {
                    // Mamba-2 (one decay per head, [1, heads]): A drawn uniformly from -[1, 16], as Mamba-2 does.
                    out[i] = states == 1 ? (float) -(1 + 15 * random.nextDouble()) : -(i % states + 1);
                }
            }
            case STATE_SKIP -> java.util.Arrays.fill(out, 1f);
            case TOKEN_EMBEDDING, POSITION_EMBEDDING, RELATIVE_POSITION_BIAS, NORM_GAIN, NORM_BIAS, BIAS, ROUTER,
                 PROJECTION, BRANCH_PROJECTION, BRANCH_OUTPUT, STEP_BIAS -> throw new IllegalArgumentException(
                    "weight " + weight.name() + " (" + weight.role() + ") is not a state space weight");
        }
    }

    /** The inverse softplus of dt drawn log-uniformly from [min, max]: softplus(bias) = dt at initialisation. */
    private static void stepBias(float[] out, SplittableRandom random, double min, double max) {
        for (int i = 0; i < out.length; i++) {
            double dt = Math.exp(Math.log(min) + random.nextDouble() * (Math.log(max) - Math.log(min)));
            out[i] = (float) (dt + Math.log(-Math.expm1(-dt)));
        }
    }

    private static void fill(float[] out, SplittableRandom random, double mean, double std) {
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (mean + std * random.nextGaussian());
        }
    }
}
