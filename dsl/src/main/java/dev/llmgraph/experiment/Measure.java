package dev.llmgraph.experiment;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.model.Logits;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.Session;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.train.TokenDataset;
import dev.llmgraph.train.Trainer;
import dev.llmgraph.train.TrainingConfig;
import dev.llmgraph.train.TrainingListener;
import dev.llmgraph.train.TrainingRun;

import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What an {@link Ablation} reports for each spec. Counting measures read the spec's accounting; running
 * measures build the model with random weights (each weight drawn from its name, so specs that share a
 * weight share its values) and time or compare it.
 */
public sealed interface Measure {
    /** The column header. */
    String name();

    /** Whether this measure needs the model built and run. */
    default boolean runs() {
        return false;
    }

    /** Learned parameters. */
    record Parameters() implements Measure {
        public String name() {
            return "parameters";
        }
    }

    /** Forward FLOPs per token at a context length. */
    record FlopsPerToken(int context) implements Measure {
        public String name() {
            return "FLOPs/token @" + context;
        }
    }

    /** Bytes of an F16 KV cache holding {@code context} tokens. */
    record KvCacheBytes(int context) implements Measure {
        public String name() {
            return "KV bytes @" + context;
        }
    }

    /** Prompt tokens per second over a prompt of {@code tokens}, measured. */
    record PrefillSpeed(int tokens) implements Measure {
        public String name() {
            return "prefill tok/s (" + tokens + ")";
        }

        public boolean runs() {
            return true;
        }
    }

    /** Decoded tokens per second over {@code tokens} steps after a short prompt, measured. */
    record DecodeSpeed(int tokens) implements Measure {
        public String name() {
            return "decode tok/s (" + tokens + ")";
        }

        public boolean runs() {
            return true;
        }
    }

    /**
     * The largest absolute difference between this spec's logits and the base spec's over a fixed prompt
     * (0 for the base; specs with another vocabulary cannot be compared and say so).
     */
    record LogitDifference(int[] prompt) implements Measure {
        public String name() {
            return "max |logit - base|";
        }

        public boolean runs() {
            return true;
        }
    }

    /**
     * The held-out loss after training the model for {@code config.steps()} steps on {@code data} (random
     * batches, AdamW, as {@link Trainer} does), or the last training loss when {@code heldOut} is null. It changes
     * the model's weights, so an ablation takes it after every other measure of the row.
     */
    record TrainedLoss(TokenDataset data, TokenDataset heldOut, TrainingConfig config) implements Measure {
        public String name() {
            return (heldOut == null ? "training loss" : "held-out loss") + " after " + config.steps() + " steps";
        }

        public boolean runs() {
            return true;
        }
    }

    /**
     * A measure written by the user: {@code compute} gets the spec and, when {@code runs}, the model built
     * with the ablation's random weights (null otherwise).
     */
    record Custom(String name, boolean runs, BiFunction<ModelSpec, Model, Object> compute) implements Measure {}

    static Measure parameters() {
        return new Parameters();
    }

    static Measure flopsPerToken(int context) {
        return new FlopsPerToken(atLeast("flopsPerToken", "context", context, 0));
    }

    static Measure kvCacheBytes(int context) {
        return new KvCacheBytes(atLeast("kvCacheBytes", "context", context, 0));
    }

    static Measure prefillSpeed(int tokens) {
        return new PrefillSpeed(atLeast("prefillSpeed", "tokens", tokens, 1));
    }

    static Measure decodeSpeed(int tokens) {
        return new DecodeSpeed(atLeast("decodeSpeed", "tokens", tokens, 1));
    }

    static Measure logitDifference(int... prompt) {
        if (prompt == null || prompt.length == 0) {
            throw new IllegalArgumentException("logitDifference needs the prompt's token ids, e.g. "
                    + "Measure.logitDifference(1, 2, 3, 4)");
        }
        return new LogitDifference(prompt.clone());
    }

    /** {@code value}, or an exception naming the measure and the argument when it is below {@code minimum}. */
    private static int atLeast(String measure, String argument, int value, int minimum) {
        if (value < minimum) {
            throw new IllegalArgumentException(measure + ": " + argument + " = " + value + " must be at least "
                    + minimum);
        }
        return value;
    }

    /** Trains each model for {@code config.steps()} steps; see {@link TrainedLoss}. */
    static Measure trainedLoss(TokenDataset data, TokenDataset heldOut, TrainingConfig config) {
        if (data == null || config == null) {
            throw new IllegalArgumentException("trainedLoss needs the training data and a TrainingConfig, got " + data
                    + " and " + config);
        }
        return new TrainedLoss(data, heldOut, config);
    }

    /** A column computed from the spec alone, e.g. {@code counted("heads", ModelSpec::heads)}. */
    static Measure counted(String name, Function<ModelSpec, ?> count) {
        return new Custom(name, false, (spec, model) -> count.apply(spec));
    }

    /** A column computed by running the model, e.g. the size of a node: {@code measured("rms", m -> ...)}. */
    static Measure measured(String name, Function<Model, ?> run) {
        return new Custom(name, true, (spec, model) -> run.apply(model));
    }

    /** The measure for {@code spec}; {@code model} is built when {@link #runs()}, {@code base} is the base's logits. */
    default Object value(ModelSpec spec, Model model, Logits base) {
        return switch (this) {
            case Parameters p -> spec.parameterCount();
            case FlopsPerToken f -> spec.accounting().flopsPerToken(f.context());
            case KvCacheBytes k -> spec.accounting().kvCacheBytes(k.context(), GgmlType.F16);
            case PrefillSpeed p -> {
                requireContext(spec, "prefillSpeed(" + p.tokens() + ") feeds a prompt of " + p.tokens() + " tokens",
                        p.tokens());
                int[] prompt = tokens(spec, p.tokens());
                try (Session s = model.session(p.tokens())) {
                    s.feed(prompt); // warm-up: graph built, code compiled
                    s.reset();
                    long t0 = System.nanoTime();
                    s.feed(prompt);
                    yield p.tokens() / ((System.nanoTime() - t0) / 1e9);
                }
            }
            case DecodeSpeed d -> {
                int[] prompt = tokens(spec, 4), steps = tokens(spec, d.tokens());
                int positions = prompt.length + steps.length;
                requireContext(spec, "decodeSpeed(" + d.tokens() + ") decodes " + d.tokens() + " tokens after a "
                        + prompt.length + "-token prompt, " + positions + " positions", positions);
                try (Session s = model.session(positions)) {
                    decode(s, prompt, steps); // warm-up: graph built, code compiled
                    s.reset();
                    yield d.tokens() / (decode(s, prompt, steps) / 1e9);
                }
            }
            case LogitDifference l -> base == null || base.vocab() != spec.vocabSize() ? "n/a (other vocabulary)"
                    : model.forward(l.prompt()).maxAbsDifference(base);
            case TrainedLoss t -> {
                try (Trainer trainer = Trainer.of(model, t.config())) {
                    TrainingRun run = trainer.train(t.data(), t.heldOut(), TrainingListener.SILENT);
                    yield t.heldOut() == null ? run.finalLoss() : run.evaluations().getLast().loss();
                }
            }
            case Custom c -> c.compute().apply(spec, model);
        };
    }

    /** Refuses, in words, a timing that needs more positions than {@code spec}'s context holds. */
    private static void requireContext(ModelSpec spec, String timing, int positions) {
        if (positions > spec.contextLength()) {
            throw new IllegalArgumentException(timing + ", more than " + spec.name() + "'s context length of "
                    + spec.contextLength() + "; time fewer tokens or raise contextLength");
        }
    }

    /** Feeds {@code prompt}, then {@code steps} one at a time; returns the nanoseconds of the steps. */
    private static long decode(Session s, int[] prompt, int[] steps) {
        s.feed(prompt);
        long t0 = System.nanoTime();
        for (int token : steps) {
            s.feed(token); // the ids fed do not change the work done
        }
        return System.nanoTime() - t0;
    }

    /** {@code n} token ids that every vocabulary has: 1, 2, 3, ... wrapping at the vocabulary's size. */
    private static int[] tokens(ModelSpec spec, int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 1 + i % (spec.vocabSize() - 1);
        }
        return ids;
    }
}
