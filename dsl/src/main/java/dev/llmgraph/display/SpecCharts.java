package dev.llmgraph.display;

import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Charts computed from specs with their own accounting and positional functions:
 * <pre>{@code
 * SpecCharts.parameters(Presets.llama2_7b(), Presets.llama3_8b())     // parameters by component
 * SpecCharts.kvCacheByKvHeads(Presets.llama2_7b())                     // KV cache for every kvHeads that divides heads
 * SpecCharts.ropeWavelengths(128, 4096, rope, rope.withScaling(RopeScaling.linear(4)), ...)
 * SpecCharts.alibiSlopes(Positional.alibi(), 16)
 * }</pre>
 */
public final class SpecCharts {
    private SpecCharts() {}

    /** Parameters per component (accounting names), one bar series per spec. */
    public static Figure parameters(ModelSpec... specs) {
        Set<String> components = new LinkedHashSet<>();
        for (ModelSpec s : specs) {
            components.addAll(s.accounting().parameters().components().keySet());
        }
        BarChart chart = Charts.bar("parameters by component").categories(new ArrayList<>(components))
                .yLabel("parameters");
        for (ModelSpec s : specs) {
            chart.series(s.name(), components.stream().mapToLong(c -> s.accounting().parameters().of(c)).toArray());
        }
        return chart.render();
    }

    /**
     * KV-cache MiB at the spec's context length for every kvHeads that divides heads, from MHA down to MQA:
     * the memory GQA and MQA save, computed by {@code kvCacheBytes} of the varied spec.
     */
    public static Figure kvCacheByKvHeads(ModelSpec spec) {
        List<String> labels = new ArrayList<>();
        List<Double> mib = new ArrayList<>();
        for (int kv = spec.heads(); kv >= 1; kv--) {
            if (spec.heads() % kv != 0) {
                continue;
            }
            ModelSpec varied = spec.withAttention(spec.attention().withHeads(spec.heads(), kv));
            labels.add(kv + " (" + varied.attention().variant() + ")");
            mib.add(varied.accounting().kvCacheBytes(spec.contextLength(), SpecFacts.CACHE_TYPE) / (double) (1 << 20));
        }
        return Charts.bar("KV cache (F16) of " + spec.name() + " at " + spec.contextLength() + " tokens")
                .categories(labels).series("MiB", mib.stream().mapToDouble(Double::doubleValue).toArray())
                .xLabel("kvHeads").yLabel("MiB").render();
    }

    /**
     * Wavelength (positions per full turn, 2 pi / frequency) of every RoPE pair, one line per variant, on a
     * log scale, with the trained context as a flat line: pairs above it never complete a turn in training,
     * which is what position interpolation, NTK-aware scaling and YaRN treat differently.
     */
    public static Figure ropeWavelengths(int headDim, int trainedContext, Positional.Rope... ropes) {
        if (ropes.length == 0) {
            throw new IllegalArgumentException("give at least one RoPE variant to plot");
        }
        int pairs = ropes[0].rotatedDims(headDim) / 2;
        double[] x = new double[pairs];
        for (int i = 0; i < pairs; i++) {
            x[i] = i;
        }
        LineChart chart = Charts.line("RoPE wavelength per dimension pair (headDim " + headDim + ")")
                .xLabel("dimension pair").yLabel("positions per turn").logY().x(x).lines();
        for (Positional.Rope rope : ropes) {
            double[] wavelength = new double[pairs];
            for (int i = 0; i < pairs; i++) {
                wavelength[i] = 2 * Math.PI / rope.scaledFrequency(i, headDim);
            }
            chart.series(rope.scaling() + ", θ " + Format.decimal(rope.effectiveTheta(headDim)), wavelength);
        }
        double[] trained = new double[pairs];
        java.util.Arrays.fill(trained, trainedContext);
        return chart.series("trained context " + trainedContext, trained).render();
    }

    /** ALiBi's slope per head, by {@link Positional.Alibi#slope}. */
    public static Figure alibiSlopes(Positional.Alibi alibi, int heads) {
        List<String> labels = new ArrayList<>();
        double[] slopes = new double[heads];
        for (int h = 0; h < heads; h++) {
            labels.add(Integer.toString(h));
            slopes[h] = alibi.slope(h, heads);
        }
        return Charts.bar("ALiBi slopes m_h for " + heads + " heads").categories(labels).series("slope", slopes)
                .xLabel("head").yLabel("slope").logY().render();
    }
}
