package dev.llmgraph.model;

import dev.llmgraph.spec.WeightLayout;

import java.util.SplittableRandom;

/**
 * Initial values of RWKV's time-mixing parameters, chosen so that the WKV recurrence neither explodes nor vanishes
 * on a random-weight model (otherwise a parity test compares noise or zeros):
 * <ul>
 *   <li>decay base (RWKV-6 {@code time_mix_decay}, RWKV-7 {@code time_mix_w0}): -6 + 5 (c / (d - 1)) along the
 *       channels c of each row, RWKV's own schedule from slow to fast forgetting. RWKV-6's decay exp(-exp(-6 .. -1))
 *       lies in (0.69, 0.998); RWKV-7's exp(-e^-1/2 sigmoid(-6 .. -1)) in (0.85, 0.998): the state keeps tens to
 *       hundreds of tokens and is never amplified;</li>
 *   <li>token-shift lerps uniform in [0, 1] (each channel takes a share of the previous token, as RWKV's
 *       1 - (c / d)^ratio does);</li>
 *   <li>LoRA factors N(0, (0.5 / sqrt(fan_in))^2): the data-dependent parts move each decay and lerp by a few tenths, enough
 *       that a wrong wiring shows and too little to push a decay out of (0, 1);</li>
 *   <li>the other vectors (RWKV-6's bonus u, RWKV-7's a0, v0, k_k, k_a, r_k) N(0.5, 0.25^2): positive and moderate
 *       (k_k near 0 would make L2Norm(k k_k) ill-defined, a large bonus would drown the state).</li>
 * </ul>
 */
final class RwkvInit {
    private RwkvInit() {}

    static void fill(float[] out, SplittableRandom random, WeightLayout.Weight weight) {
        long row = weight.ne()[0];
        switch (weight.role()) {
            case DECAY_BASE -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) (-6 + 5.0 * (i % row) / Math.max(1, row - 1));
                }
            }
            case TOKEN_SHIFT_MIX -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) random.nextDouble();
                }
            }
            case LOW_RANK -> gaussian(out, random, 0, 0.5 / Math.sqrt(row));
            case RECURRENCE_VECTOR -> gaussian(out, random, 0.5, 0.25);
            case TOKEN_EMBEDDING, POSITION_EMBEDDING, TOKEN_TYPE_EMBEDDING, RELATIVE_POSITION_BIAS, NORM_GAIN, NORM_BIAS,
                 BIAS, ROUTER, PROJECTION, BRANCH_PROJECTION, BRANCH_OUTPUT, CONVOLUTION, STATE_DECAY, STATE_SKIP,
                 STEP_BIAS -> throw new IllegalArgumentException(weight.name() + " (" + weight.role()
                    + ") is not one of RWKV's own weights; WeightInit fills it");
        }
    }

    private static void gaussian(float[] out, SplittableRandom random, double mean, double std) {
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (mean + std * random.nextGaussian());
        }
    }
}
