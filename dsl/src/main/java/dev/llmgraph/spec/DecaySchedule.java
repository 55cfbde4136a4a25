package dev.llmgraph.spec;

import java.util.List;

/**
 * A fixed forgetting rate for each head of a linear attention, known before any token: the state of head h in layer
 * l is multiplied by {@code decay(h, heads, l, layers)} in (0, 1] at every token, so a token n steps back weighs
 * decay^n. Heads with a rate near 1 remember long, heads with a small one look only nearby.
 * <pre>
 *  RetNet         gamma_h = 1 - 2^(-5 - h)                              (Sun et al. 2023; same in every layer)
 *  TransNormer    lambda_{h,l} = exp(-2^(-8 (h + 1) / heads) (1 - l / (layers - 1) + 1e-5))
 *                 ALiBi's slopes, weaker in deeper layers (Qin et al. 2023, TransNormerLLM; the last layer keeps
 *                 nearly everything)
 *  PerHead        the listed rates, head by head, in every layer
 * </pre>
 */
public sealed interface DecaySchedule {
    /** The rate of head {@code head} of {@code heads} in layer {@code layer} of {@code layers}. */
    double decay(int head, int heads, int layer, int layers);

    static DecaySchedule retNet() {
        return new RetNet();
    }

    static DecaySchedule transNormer() {
        return new TransNormer();
    }

    /** Rates head by head, each in (0, 1] (checked when the spec is built). */
    static DecaySchedule perHead(double... rates) {
        return new PerHead(java.util.Arrays.stream(rates).boxed().toList());
    }

    record RetNet() implements DecaySchedule {
        @Override
        public double decay(int head, int heads, int layer, int layers) {
            return 1 - Math.pow(2, -5 - head);
        }

        @Override
        public String toString() {
            return "RetNet(1 - 2^(-5-h))";
        }
    }

    record TransNormer() implements DecaySchedule {
        @Override
        public double decay(int head, int heads, int layer, int layers) {
            double slope = Math.pow(2, -8.0 * (head + 1) / heads);
            double depth = layers > 1 ? 1 - (double) layer / (layers - 1) + 1e-5 : 1;
            return Math.exp(-slope * depth);
        }

        @Override
        public String toString() {
            return "TransNormer(exp(-2^(-8(h+1)/H) (1 - l/(L-1) + 1e-5)))";
        }
    }

    record PerHead(List<Double> rates) implements DecaySchedule {
        public PerHead {
            rates = List.copyOf(rates);
        }

        @Override
        public double decay(int head, int heads, int layer, int layers) {
            return rates.get(head);
        }

        @Override
        public String toString() {
            return "PerHead" + rates;
        }
    }
}
