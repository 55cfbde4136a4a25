package dev.llmgraph.spec;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** RoPE frequencies after scaling, against the formulas of the papers written out here. */
class RopeScaledFrequencyTest {
    private static final int HEAD_DIM = 128;
    private static final Positional.Rope PLAIN = Positional.rope(10_000);

    private static double plain(int pair) {
        return Math.pow(10_000, -2.0 * pair / HEAD_DIM);
    }

    @Test
    void plainRopeUsesThetaToTheMinusTwoIOverD() {
        for (int i : new int[] {0, 1, 17, 63}) {
            assertEquals(plain(i), PLAIN.scaledFrequency(i, HEAD_DIM), 1e-15 + 1e-12 * plain(i), "pair " + i);
        }
    }

    @Test
    void positionInterpolationDividesEveryFrequencyByTheFactor() {
        Positional.Rope linear = PLAIN.withScaling(RopeScaling.linear(4));
        for (int i : new int[] {0, 20, 63}) {
            assertEquals(plain(i) / 4, linear.scaledFrequency(i, HEAD_DIM), 1e-12 * plain(i), "pair " + i);
        }
    }

    @Test
    void ntkAwareKeepsTheFastestPairAndSlowsTheSlowestByTheFactor() {
        Positional.Rope ntk = PLAIN.withScaling(RopeScaling.ntkAware(4));
        assertEquals(1.0, ntk.scaledFrequency(0, HEAD_DIM), 1e-15, "pair 0 turns one radian per position");
        // base theta * s^(d/(d-2)) makes the last pair (i = d/2 - 1) exactly s times slower
        assertEquals(plain(63) / 4, ntk.scaledFrequency(63, HEAD_DIM), 1e-9 * plain(63));
    }

    @Test
    void yarnKeepsHighFrequenciesInterpolatesLowOnesAndBlendsBetween() {
        Positional.Rope yarn = PLAIN.withScaling(RopeScaling.yarn(4, 4096));
        // pair 0 turns 4096 / 2pi = 652 times over the trained context (> betaFast 32): unchanged
        assertEquals(plain(0), yarn.scaledFrequency(0, HEAD_DIM), 1e-15);
        // pair 63 turns 4096 / (2pi / plain(63)) = 0.075 times (< betaSlow 1): interpolated like PI
        assertEquals(plain(63) / 4, yarn.scaledFrequency(63, HEAD_DIM), 1e-12 * plain(63));
        // a pair that turns between 1 and 32 times lies strictly between the two
        int middle = 35;
        double turns = 4096 * plain(middle) / (2 * Math.PI);
        assertTrue(turns > 1 && turns < 32, "pair 35 turns " + turns + " times");
        double f = yarn.scaledFrequency(middle, HEAD_DIM);
        assertTrue(f < plain(middle) && f > plain(middle) / 4, "pair 35: " + f);
    }
}
