package dev.llmgraph.experiment;

import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;

import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;

/**
 * One setting an {@link Ablation} varies: its name, the values to try (typed spec values, not strings) and
 * how a value is applied to a spec (through the spec's own {@code with...} methods, so that a combination
 * the spec does not allow is refused with the spec's own words).
 *
 * @param <T> the setting's type
 */
public record Axis<T>(String name, List<T> values, BiFunction<ModelSpec, T, ModelSpec> apply) {
    public Axis {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("the axis '" + name + "' has no values; give at least one");
        }
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) == null) {
                throw new IllegalArgumentException("value " + i + " of the axis '" + name + "' is null; give the "
                        + "settings to try, e.g. Axis.layers(2, 4, 8)");
            }
            if (values.indexOf(values.get(i)) < i) {
                throw new IllegalArgumentException("the axis '" + name + "' holds " + values.get(i) + " twice; each "
                        + "value is one row of the table, so give it once");
            }
        }
        values = List.copyOf(values);
    }

    /** {@code spec} with value {@code i} of this axis. */
    ModelSpec applyTo(ModelSpec spec, int i) {
        return apply.apply(spec, values.get(i));
    }

    /** How value {@code i} is written in a table. */
    String label(int i) {
        return String.valueOf(values.get(i));
    }

    @SafeVarargs
    private static <T> Axis<T> of(String name, BiFunction<ModelSpec, T, ModelSpec> apply, T... values) {
        return new Axis<>(name, Arrays.asList(values), apply);
    }

    public static Axis<NormPlacement> placement(NormPlacement... values) {
        return of("placement", ModelSpec::withPlacement, values);
    }

    public static Axis<Positional> positional(Positional... values) {
        return of("positional", ModelSpec::withPositional, values);
    }

    public static Axis<Attention> attention(Attention... values) {
        return of("attention", ModelSpec::withAttention, values);
    }

    public static Axis<Ffn> ffn(Ffn... values) {
        return of("ffn", ModelSpec::withFfn, values);
    }

    public static Axis<Norm> norm(Norm... values) {
        return of("norm", ModelSpec::withNorm, values);
    }

    public static Axis<Integer> layers(Integer... values) {
        return of("layers", ModelSpec::withLayers, values);
    }

    public static Axis<Integer> dModel(Integer... values) {
        return of("dModel", ModelSpec::withDModel, values);
    }

    public static Axis<Boolean> parallelBlock(Boolean... values) {
        return of("parallel block", ModelSpec::withParallelBlock, values);
    }

    public static Axis<Boolean> tiedEmbeddings(Boolean... values) {
        return of("tied embeddings", ModelSpec::withTiedEmbeddings, values);
    }
}
