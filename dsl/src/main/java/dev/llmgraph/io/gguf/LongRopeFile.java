package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.gguf.GgufValue;
import dev.llmgraph.ggml.gguf.GgufWriter;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopeScaling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * LongRoPE in a GGUF file, as llama.cpp's converter writes Phi-3's: the two sets of per-pair divisors as the F32
 * tensors {@code rope_factors_short} and {@code rope_factors_long} [dims / 2], the trained context as
 * {@code rope.scaling.original_context_length} and the multiplier of cos and sin as {@code rope.scaling.attn_factor};
 * {@code rope.scaling.type} "longrope", without which llama.cpp's llama graph loads no factors (its phi3 graph loads
 * them either way). llama.cpp picks the long set where its context (rounded up to a multiple of 256) exceeds the
 * trained one.
 *
 * <p>llmgraph also writes the spec's values in double precision as keys of its own ({@code llmgraph.rope.longrope.*},
 * which llama.cpp passes over), so that its own files read back as the very spec. They are used only where they round
 * to what the tensors and llama.cpp's key hold; otherwise the file's F32 values are the model, as llama.cpp reads it.
 */
final class LongRopeFile {
    static final String SHORT = "rope_factors_short.weight";
    static final String LONG = "rope_factors_long.weight";
    private static final String ORIGINAL_CONTEXT = "rope.scaling.original_context_length";
    static final String ATTENTION_FACTOR = "rope.scaling.attn_factor";
    /** The value of {@code rope.scaling.type}. */
    static final String TYPE = "longrope";
    private static final String EXACT = "llmgraph.rope.longrope.";

    private LongRopeFile() {}

    /** {@code spec}'s LongRoPE, or null where it has another scaling or no RoPE. */
    static RopeScaling.LongRope of(ModelSpec spec) {
        Positional.Rope rope = spec.rope();
        return rope == null ? null : switch (rope.scaling()) {
            case RopeScaling.LongRope longRope -> longRope;
            case RopeScaling.None _, RopeScaling.Linear _, RopeScaling.NtkAware _, RopeScaling.Yarn _,
                 RopeScaling.Llama3 _ -> null;
        };
    }

    /** Whether the file holds either set of factors. */
    static boolean present(GgufFile file) {
        return file.hasTensor(SHORT) || file.hasTensor(LONG);
    }

    /** The keys and the two tensors of {@code spec}'s LongRoPE, if it has one; {@code a} is the architecture prefix. */
    static void write(ModelSpec spec, String a, GgufWriter out) {
        RopeScaling.LongRope longRope = of(spec);
        if (longRope == null) {
            return;
        }
        out.putString(a + "rope.scaling.type", TYPE);
        out.putUint32(a + ORIGINAL_CONTEXT, longRope.trainedContext());
        out.putFloat32(a + ATTENTION_FACTOR, (float) longRope.attentionFactor());
        out.addTensor(SHORT, longRope.shortDivisors(), longRope.shortFactors().size());
        out.addTensor(LONG, longRope.longDivisors(), longRope.longFactors().size());
        out.put(EXACT + "short_factors", GgufValue.float64s(doubles(longRope.shortFactors())));
        out.put(EXACT + "long_factors", GgufValue.float64s(doubles(longRope.longFactors())));
        out.putFloat64(EXACT + "attention_factor", longRope.attentionFactor());
    }

    /**
     * The LongRoPE of a file whose RoPE rotates {@code dims} dimensions per head; refused in words where one set is
     * missing or holds the wrong number of values. The trained context defaults to the file's, the factor to 1.
     */
    static RopeScaling.LongRope read(GgufFile file, GgufKeys keys, int dims, int contextLength) {
        List<Double> shortFactors = exactly(file, EXACT + "short_factors", factors(file, keys, SHORT, LONG, dims));
        List<Double> longFactors = exactly(file, EXACT + "long_factors", factors(file, keys, LONG, SHORT, dims));
        double attention = keys.floatOr(ATTENTION_FACTOR, 1.0);
        if (file.has(EXACT + "attention_factor")
                && (float) file.getDouble(EXACT + "attention_factor") == (float) attention) {
            attention = file.getDouble(EXACT + "attention_factor");
        }
        return new RopeScaling.LongRope(shortFactors, longFactors, keys.intOr(ORIGINAL_CONTEXT, contextLength),
                attention);
    }

    /** llmgraph's double-precision copy {@code key} where it rounds to {@code stored} value for value, else stored. */
    private static List<Double> exactly(GgufFile file, String key, List<Double> stored) {
        if (!file.has(key)) {
            return stored;
        }
        double[] exact = file.getDoubleArray(key);
        if (exact.length != stored.size()) {
            return stored;
        }
        for (int i = 0; i < exact.length; i++) {
            if ((float) exact[i] != stored.get(i).floatValue()) {
                return stored;
            }
        }
        return doubles(exact);
    }

    private static List<Double> factors(GgufFile file, GgufKeys keys, String name, String other, int dims) {
        if (!file.hasTensor(name)) {
            throw keys.problem("tensor '" + other + "' holds one of LongRoPE's two sets of per-pair factors, but '"
                    + name + "' is missing; llama.cpp picks one set or the other by the context length, so a file "
                    + "needs both");
        }
        float[] stored = file.floats(name);
        if (stored.length != dims / 2) {
            throw keys.problem("tensor '" + name + "' holds " + stored.length + " values; RoPE over " + dims
                    + " dimensions divides " + dims / 2 + " frequencies, one per pair");
        }
        List<Double> factors = new ArrayList<>(stored.length);
        for (float f : stored) {
            factors.add((double) f);
        }
        return factors;
    }

    private static double[] doubles(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static List<Double> doubles(double[] values) {
        return Arrays.stream(values).boxed().toList();
    }
}
