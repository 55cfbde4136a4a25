package dev.llmgraph.io.gguf;

import dev.llmgraph.io.family.FamilyFacts;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.RopeScaling;

/**
 * The positional part of {@link Misfits}: a spec's positions against those a family's graph has (RoPE with its
 * pairing, share of each head, scaling and sliding-layer base; learned positions; ALiBi with its maximum bias).
 */
final class PositionMisfits {
    private final ModelSpec spec;
    private final Misfits misfits;

    private PositionMisfits(ModelSpec spec, Misfits misfits) {
        this.spec = spec;
        this.misfits = misfits;
    }

    /** Adds to {@code misfits} what in {@code spec}'s positions a graph with {@code positions} does not do. */
    static void check(ModelSpec spec, FamilyFacts.Positions positions, Misfits misfits) {
        PositionMisfits m = new PositionMisfits(spec, misfits);
        switch (positions) {
            case FamilyFacts.Positions.Rope rope -> m.rope(rope);
            case FamilyFacts.Positions.Learned _ -> m.learnedPositions();
            case FamilyFacts.Positions.Alibi alibi -> m.alibi(alibi.maxBias());
            case FamilyFacts.Positions.FromRecurrence _ -> { }
        }
    }

    /**
     * RoPE as the family's graph has it: with its pairing; over whole heads when it says so (the graph asserts it);
     * Llama 3's scaling only where the graph reads frequency divisors, LongRoPE only where it reads LongRoPE's two
     * sets; a base of the sliding layers' own only where the graph has one.
     */
    private void rope(FamilyFacts.Positions.Rope facts) {
        RopePairing pairing = facts.pairing();
        String pairs = pairing == RopePairing.ADJACENT ? "adjacent pairs" : "halves (NeoX)";
        switch (spec.positional()) {
            case Positional.Rope rope -> {
                ropeSettings(rope, pairing, pairs, facts);
                if (rope.slidingTheta() != 0 && !facts.slidingBase()) {
                    misfits.add("RoPE base " + rope.slidingTheta() + " on the sliding layers",
                            "rotates every layer with one base");
                }
            }
            case Positional.None _, Positional.Learned _, Positional.Sinusoidal _, Positional.Alibi _,
                 Positional.T5Bias _ -> misfits.add(ChoiceNames.describe(spec.positional()), "uses RoPE on " + pairs);
        }
    }

    private void ropeSettings(Positional.Rope rope, RopePairing pairing, String pairs,
                              FamilyFacts.Positions.Rope facts) {
        if (rope.pairing() != pairing) {
            misfits.add("RoPE on " + (rope.pairing() == RopePairing.ADJACENT ? "adjacent pairs" : "halves (NeoX)"),
                    "rotates " + pairs);
        }
        int rotated = rope.rotatedDims(spec.ropeHeadDim());
        if (facts.wholeHeads() && rotated != spec.ropeHeadDim()) {
            misfits.add("RoPE on " + rotated + " of " + spec.ropeHeadDim() + " head dimensions", "rotates whole heads");
        }
        switch (rope.scaling()) {
            case RopeScaling.Yarn yarn when yarn.betaFast() != 32 || yarn.betaSlow() != 1 ->
                    misfits.add("YaRN with betaFast " + yarn.betaFast() + " and betaSlow " + yarn.betaSlow(),
                            "uses YaRN's betaFast 32 and betaSlow 1");
            case RopeScaling.Llama3 llama3 when !facts.frequencyDivisors() -> misfits.add("RoPE with " + llama3
                    + " scaling", "reads no per-frequency RoPE divisors (rope_freqs); llama.cpp's llama family does");
            case RopeScaling.LongRope longRope when !facts.longRopeFactors() -> misfits.add("RoPE with " + longRope
                    + " scaling", "reads no LongRoPE factors (rope_factors_short and rope_factors_long); llama.cpp's "
                    + "llama and phi3 families do");
            case RopeScaling.Yarn _, RopeScaling.None _, RopeScaling.Linear _, RopeScaling.NtkAware _,
                 RopeScaling.Llama3 _, RopeScaling.LongRope _ -> { }
        }
    }

    private void learnedPositions() {
        if (!spec.positional().equals(Positional.learned())) {
            misfits.add(ChoiceNames.describe(spec.positional()), "adds learned absolute positions");
        }
    }

    private void alibi(double maxBias) {
        switch (spec.positional()) {
            case Positional.Alibi alibi when alibi.maxBias() != maxBias ->
                    misfits.add("ALiBi with max bias " + alibi.maxBias(), "uses max bias " + maxBias);
            case Positional.Alibi _ -> { }
            case Positional.None _, Positional.Learned _, Positional.Sinusoidal _, Positional.Rope _,
                 Positional.T5Bias _ -> misfits.add(ChoiceNames.describe(spec.positional()), "uses ALiBi");
        }
    }
}
