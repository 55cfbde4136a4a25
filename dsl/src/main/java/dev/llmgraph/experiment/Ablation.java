package dev.llmgraph.experiment;

import dev.llmgraph.display.Progress;
import dev.llmgraph.ggml.ComputeInterruptedException;
import dev.llmgraph.model.Logits;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.ModelSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * An ablation in one call: from a base spec, every combination of the values of the axes varied, each
 * measured the same way, in one table.
 * <pre>{@code
 * Ablation.of(Presets.tinyLlama())
 *     .vary(Axis.placement(NormPlacement.PRE, NormPlacement.POST, NormPlacement.SANDWICH))
 *     .vary(Axis.positional(Positional.rope(10_000), Positional.alibi()))
 *     .measure(Measure.parameters(), Measure.kvCacheBytes(2048), Measure.decodeSpeed(32),
 *              Measure.logitDifference(1, 2, 3, 4))
 *     .run()          // a table: HTML in a notebook, text in JShell, .csv() for a file
 * }</pre>
 * A combination the spec refuses is a row with the spec's own message, not an exception that ends the
 * sweep. Measures that run a model use random weights drawn from each weight's name (LeCun's scheme, so
 * that every parameter matters), so two specs that share a weight share its values and the logit
 * difference shows what the change itself does. Interrupting the thread (the notebook's stop button)
 * stops between combinations and keeps the rows measured.
 */
public final class Ablation {
    private final ModelSpec base;
    private final List<Axis<?>> axes = new ArrayList<>();
    private final List<Measure> measures = new ArrayList<>();
    private ModelOptions options = ModelOptions.configured();
    private long seed = 1;
    private WeightInit weights;

    private Ablation(ModelSpec base) {
        this.base = base;
    }

    public static Ablation of(ModelSpec base) {
        if (base == null) {
            throw new IllegalArgumentException("an ablation needs a base spec, got null");
        }
        return new Ablation(base);
    }

    /** Adds a setting to vary; the table has a row for every combination of the axes' values. */
    public Ablation vary(Axis<?> axis) {
        if (axes.stream().anyMatch(a -> a.name().equals(axis.name()))) {
            throw new IllegalArgumentException("the axis '" + axis.name() + "' is already varied; give all its "
                    + "values in one Axis." + axis.name() + "(...)");
        }
        axes.add(axis);
        return this;
    }

    /** Adds columns. */
    public Ablation measure(Measure... more) {
        measures.addAll(List.of(more));
        return this;
    }

    /** Backend, threads and weight types of the models that running measures build (default: configured()). */
    public Ablation options(ModelOptions options) {
        this.options = options;
        return this;
    }

    /** The seed of the random weights. */
    public Ablation seed(long seed) {
        this.seed = seed;
        return this;
    }

    /**
     * The random weights of the models that running measures build, e.g. {@code WeightInit.gpt2(7)}
     * (default: {@code WeightInit.lecun(seed)}, each weight drawn from its name).
     */
    public Ablation weights(WeightInit init) {
        if (init == null) {
            throw new IllegalArgumentException("weights(null): give a WeightInit, e.g. WeightInit.gpt2(1)");
        }
        this.weights = init;
        return this;
    }

    private WeightInit init() {
        return weights != null ? weights : WeightInit.lecun(seed);
    }

    /** Measures every combination; see the class comment for what a refused combination and a stop do. */
    public AblationTable run() {
        if (measures.isEmpty()) {
            throw new IllegalArgumentException("nothing to measure; add columns with measure(Measure.parameters(), ...)");
        }
        int cells = 1;
        for (Axis<?> a : axes) {
            cells = Math.multiplyExact(cells, a.values().size());
        }
        boolean runs = measures.stream().anyMatch(Measure::runs);
        AblationTable table = new AblationTable(base.name(), axes.stream().map(Axis::name).toList(),
                measures.stream().map(Measure::name).toList(), cells);
        Logits baseLogits = baseLogits();
        try (Progress progress = runs && cells > 1 ? Progress.start("ablation of " + base.name(), cells, "specs")
                : null) {
            for (int cell = 0; cell < cells; cell++) {
                if (Thread.currentThread().isInterrupted()) {
                    break;
                }
                try {
                    table.add(measure(cell, baseLogits));
                } catch (ComputeInterruptedException e) {
                    break;
                }
                if (progress != null) {
                    progress.step();
                }
            }
        }
        return table;
    }

    private AblationTable.Row measure(int cell, Logits baseLogits) {
        int[] index = new int[axes.size()];
        List<String> labels = new ArrayList<>();
        for (int a = axes.size() - 1, rest = cell; a >= 0; a--) { // the last axis varies fastest
            index[a] = rest % axes.get(a).values().size();
            rest /= axes.get(a).values().size();
            labels.addFirst(axes.get(a).label(index[a]));
        }
        ModelSpec spec = base;
        String problem = null;
        try {
            for (int a = 0; a < axes.size(); a++) {
                spec = axes.get(a).applyTo(spec, index[a]);
            }
        } catch (IllegalArgumentException e) {
            problem = e.getMessage();
        }
        if (problem != null) {
            return new AblationTable.Row(labels, List.of(), problem);
        }
        List<Object> values = new ArrayList<>();
        boolean runs = measures.stream().anyMatch(Measure::runs);
        try (Model model = runs ? Model.random(spec, init(), options) : null) {
            // training changes the weights: every other measure of the row first, then the training ones
            Object[] row = new Object[measures.size()];
            for (boolean training : new boolean[] {false, true}) {
                for (int m = 0; m < row.length; m++) {
                    if (measures.get(m) instanceof Measure.TrainedLoss == training) {
                        row[m] = measures.get(m).value(spec, model, baseLogits);
                    }
                }
            }
            values.addAll(java.util.Arrays.asList(row));
        } catch (ComputeInterruptedException e) {
            throw e;
        } catch (RuntimeException e) {
            return new AblationTable.Row(labels, List.of(), e.getMessage());
        }
        return new AblationTable.Row(labels, values, null);
    }

    /** The base spec's logits over the logit-difference prompt, when that measure is asked for. */
    private Logits baseLogits() {
        for (Measure m : measures) {
            if (m instanceof Measure.LogitDifference(int[] prompt)) {
                try (Model model = Model.random(base, init(), options)) {
                    return model.forward(prompt);
                }
            }
        }
        return null;
    }
}
