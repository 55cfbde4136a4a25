package dev.llmgraph.spec;

/**
 * How a linear attention forgets: the diagonal g_t in S_t = diag(g_t) S_{t-1} + k_t v_t^T.
 * <pre>
 *  None    g_t = 1                                     plain linear attention: the state only accumulates
 *  Fixed   g_t = decay(head, layer), a constant        RetNet, TransNormerLLM ({@link DecaySchedule})
 *  Gated   g_t = sigmoid(W2 W1 x_t + b)^(1/tau)        gated linear attention (Yang et al. 2023, GLA): a low-rank
 *                                                      projection of the token, through a log-sigmoid divided by
 *                                                      the temperature tau, then exp; one gate per key channel
 * </pre>
 */
public sealed interface LinearDecay {
    /** Whether the state fades: every choice but {@link None}, whose gate is all ones. */
    default boolean decays() {
        return switch (this) {
            case None _ -> false;
            case Fixed _, Gated _ -> true;
        };
    }

    /** The rank of the projection that computes the gates from the input; 0 where they do not depend on it. */
    default int gateRank() {
        return switch (this) {
            case None _, Fixed _ -> 0;
            case Gated g -> g.rank();
        };
    }

    static LinearDecay none() {
        return new None();
    }

    static LinearDecay fixed(DecaySchedule schedule) {
        return new Fixed(schedule);
    }

    /**
     * GLA's gates: a projection of rank {@code rank} (GLA: 16) and temperature {@code temperature} (GLA: 16); refuses
     * a rank below 1 at once (the temperature is build()'s rule).
     */
    static LinearDecay gated(int rank, double temperature) {
        FieldRules.refuse(FieldRules.count("linear.decay.rank", rank));
        return new Gated(rank, temperature);
    }

    record None() implements LinearDecay {
        @Override
        public String toString() {
            return "no decay";
        }
    }

    record Fixed(DecaySchedule schedule) implements LinearDecay {
        @Override
        public String toString() {
            return "fixed decay " + schedule;
        }
    }

    record Gated(int rank, double temperature) implements LinearDecay {
        @Override
        public String toString() {
            return "gated(rank=" + rank + ", temperature=" + temperature + ")";
        }
    }
}
