package dev.llmgraph.experiment;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.Session;
import dev.llmgraph.spec.ModelSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * How the cost of decoding one token grows with the context already read: the time of a decode step and the
 * memory the model keeps for its past, measured at several context lengths in one session. Softmax attention
 * reads every cached key and value at each step (time and memory grow with the context); a recurrent mixer
 * (Mamba) reads a state of fixed size (both stay flat).
 * <pre>{@code
 * try (var model = Model.random(spec, WeightInit.lecun(1), ModelOptions.cpu().withCacheType(GgmlType.F16))) {
 *     var points = DecodeScaling.measure(model, new int[] {128, 512, 2048}, 16);
 * }
 * }</pre>
 * The session is filled with random tokens up to each context in turn (a prefill in batches), then
 * {@code steps} single tokens are decoded and timed; the median step is reported, which a busy machine
 * disturbs less than the mean. Each decoded token stays in the cache, so the contexts must be at least
 * {@code steps + 1} apart.
 */
public final class DecodeScaling {
    /**
     * @param context     tokens in the cache (or read into the state) before the timed steps
     * @param msPerToken  the median time of one decode step, milliseconds
     * @param memoryBytes what the model keeps for the past at this context: the K and V of {@code context} tokens
     *                    in the session's cache type, plus the recurrent state of the layers that have one
     */
    public record Point(int context, double msPerToken, long memoryBytes) {}

    private DecodeScaling() {}

    /** Measures {@code model} at each of {@code contexts} (increasing, within the model's context length). */
    public static List<Point> measure(Model model, int[] contexts, int steps) {
        ModelSpec spec = model.spec();
        check(spec, contexts, steps);
        GgmlType cacheType = model.options().cacheType();
        Random random = new Random(1);
        List<Point> points = new ArrayList<>();
        try (Session session = model.session(contexts[contexts.length - 1] + steps)) {
            session.feed(random.ints(8, 0, spec.vocabSize()).toArray()); // warm-up: graphs built, code compiled
            session.feed(random.nextInt(spec.vocabSize()));
            for (int context : contexts) {
                int missing = context - session.position();
                if (missing > 0) {
                    session.feed(random.ints(missing, 0, spec.vocabSize()).toArray());
                }
                long[] nanos = new long[steps];
                for (int s = 0; s < steps; s++) {
                    if (Thread.currentThread().isInterrupted()) {
                        return points;
                    }
                    long t0 = System.nanoTime();
                    session.feed(random.nextInt(spec.vocabSize()));
                    nanos[s] = System.nanoTime() - t0;
                }
                Arrays.sort(nanos);
                long memory = spec.accounting().kvCacheBytes(context, cacheType)
                        + spec.accounting().recurrentStateBytes();
                points.add(new Point(context, nanos[steps / 2] / 1e6, memory));
            }
        }
        return points;
    }

    private static void check(ModelSpec spec, int[] contexts, int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps = " + steps + ": time at least one decode step per context");
        }
        if (contexts.length == 0) {
            throw new IllegalArgumentException("no contexts given; e.g. new int[] {128, 512, 2048}");
        }
        if (contexts[0] < 9) {
            throw new IllegalArgumentException("context " + contexts[0] + " is below the 9 tokens of the warm-up");
        }
        for (int i = 1; i < contexts.length; i++) {
            if (contexts[i] < contexts[i - 1] + steps) {
                throw new IllegalArgumentException("contexts " + contexts[i - 1] + " and " + contexts[i] + " are closer "
                        + "than the " + steps + " decoded steps, which stay in the cache; give increasing contexts at "
                        + "least steps apart");
            }
        }
        int last = contexts[contexts.length - 1] + steps;
        if (last > spec.contextLength()) {
            throw new IllegalArgumentException("the last context " + contexts[contexts.length - 1] + " plus " + steps
                    + " steps needs " + last + " positions, more than " + spec.name() + "'s context length of "
                    + spec.contextLength() + "; raise it with spec.toBuilder().contextLength(" + last + ")");
        }
    }
}
