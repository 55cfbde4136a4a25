package dev.llmgraph.spec.plan;

import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.WeightLayout.Weight;
import dev.llmgraph.spec.WeightRole;

import java.util.ArrayList;
import java.util.List;

/** The weights of a projection and of a norm, with llama.cpp's names and shapes in ggml order. */
final class WeightShapes {
    private WeightShapes() {}

    /** {@code base.weight [in, out]} and, with {@code bias}, {@code base.bias [out]}. */
    static List<Weight> matrix(String base, long in, long out, boolean bias, WeightRole role, String component) {
        List<Weight> weights = new ArrayList<>();
        weights.add(new Weight(base + ".weight", new long[] {in, out}, role, component));
        if (bias) {
            weights.add(new Weight(base + ".bias", new long[] {out}, WeightRole.BIAS, component));
        }
        return weights;
    }

    /** The gain (and bias) of a norm over {@code width} values; none for a norm without weights. */
    static List<Weight> norm(String base, long width, Norm norm, String component) {
        return switch (norm) {
            case Norm.LayerNorm ln -> ln.bias()
                    ? List.of(new Weight(base + ".weight", new long[] {width}, WeightRole.NORM_GAIN, component),
                              new Weight(base + ".bias", new long[] {width}, WeightRole.NORM_BIAS, component))
                    : List.of(new Weight(base + ".weight", new long[] {width}, WeightRole.NORM_GAIN, component));
            case Norm.RmsNorm _ -> List.of(new Weight(base + ".weight", new long[] {width}, WeightRole.NORM_GAIN,
                    component));
            case Norm.SimpleRmsNorm _ -> List.of();
        };
    }
}
