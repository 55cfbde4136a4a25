package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.gguf.GgufWriter;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.lower.Positions;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopeScaling;

import java.util.Arrays;
import java.util.Optional;

/**
 * Llama 3's RoPE scaling in a GGUF file. llama.cpp's converter writes it as the tensor {@code rope_freqs} [dims / 2],
 * the number each pair's frequency is divided by, and no key. llmgraph writes that tensor too, plus its parameters
 * as keys of its own ({@code llmgraph.rope.llama3.*}, which llama.cpp passes over), so that its own files read back
 * as the very spec. A file without those keys (llama.cpp's) gets its parameters fitted to the tensor: the divisors
 * depend on the ramp's wavelengths only as fractions of the trained context, so that context is taken as the
 * converter's default, 8192, or {@code rope.scaling.original_context_length} where the file has it.
 */
final class Llama3RopeFile {
    static final String TENSOR = Positions.ROPE_FREQUENCY_DIVISORS;
    private static final String KEYS = "llmgraph.rope.llama3.";
    /** How far a stored divisor may be from the one the parameters give: f32 rounding of the converter's torch. */
    private static final double TOLERANCE = 1e-5;

    private Llama3RopeFile() {}

    /** {@code spec}'s Llama 3 scaling, or empty where it has another or no RoPE. */
    static Optional<RopeScaling.Llama3> of(ModelSpec spec) {
        return switch (spec.positional()) {
            case Positional.Rope rope -> switch (rope.scaling()) {
                case RopeScaling.Llama3 llama3 -> Optional.of(llama3);
                case RopeScaling.None _, RopeScaling.Linear _, RopeScaling.NtkAware _, RopeScaling.Yarn _,
                     RopeScaling.LongRope _ -> Optional.empty();
            };
            case Positional.None _, Positional.Learned _, Positional.Sinusoidal _, Positional.Alibi _,
                 Positional.T5Bias _ -> Optional.empty();
        };
    }

    /**
     * {@code model}'s Llama 3 scaling, if it has one: the divisors as the tensor llama.cpp's converter writes (the
     * model's own table, so that llama.cpp divides by the very floats llmgraph does), the parameters as keys.
     */
    static void write(Model model, GgufWriter out) {
        of(model.spec()).ifPresent(llama3 -> {
            float[] divisors = model.weight(TENSOR);
            out.addTensor(TENSOR, divisors, divisors.length);
            writeKeys(llama3, out);
        });
    }

    private static void writeKeys(RopeScaling.Llama3 llama3, GgufWriter out) {
        out.putFloat64(KEYS + "factor", llama3.factor());
        out.putFloat64(KEYS + "low_freq_factor", llama3.lowFreqFactor());
        out.putFloat64(KEYS + "high_freq_factor", llama3.highFreqFactor());
        out.putUint32(KEYS + "original_context_length", llama3.trainedContext());
    }

    /**
     * The scaling of a file with {@code rope_freqs} over {@code dims} rotated dimensions of base {@code theta}, or
     * null when it has none; refused in words where the tensor is not Llama 3's ramp.
     */
    static RopeScaling.Llama3 read(GgufFile file, GgufKeys keys, int dims, double theta) {
        if (!file.hasTensor(TENSOR)) {
            return null;
        }
        float[] stored = file.floats(TENSOR);
        if (stored.length != dims / 2) {
            throw keys.problem("tensor '" + TENSOR + "' holds " + stored.length + " values; RoPE over " + dims
                    + " dimensions divides " + dims / 2 + " frequencies, one per pair");
        }
        RopeScaling.Llama3 llama3 = file.has(KEYS + "factor")
                ? new RopeScaling.Llama3(file.getDouble(KEYS + "factor"), file.getDouble(KEYS + "low_freq_factor"),
                        file.getDouble(KEYS + "high_freq_factor"), file.getInt(KEYS + "original_context_length"))
                : fit(stored, dims, theta, keys.intOr("rope.scaling.original_context_length", 8192));
        if (llama3 == null) {
            throw keys.problem("tensor '" + TENSOR + "' holds per-pair RoPE divisors " + Arrays.toString(stored)
                    + " that no Llama 3 scaling gives (they must run from 1 up to the factor, blending in between); "
                    + "llmgraph computes RoPE's divisors from Llama 3's parameters and has no setting for other ones");
        }
        int wrong = firstMismatch(llama3, stored, dims, theta);
        if (wrong >= 0) {
            throw keys.problem("tensor '" + TENSOR + "' divides pair " + wrong + "'s frequency by " + stored[wrong]
                    + ", where Llama 3's scaling (" + llama3 + ") divides it by "
                    + (float) llama3.frequencyDivisor(wrong, dims, theta) + "; llmgraph computes RoPE's divisors from "
                    + "Llama 3's parameters and has no setting for other ones");
        }
        return llama3;
    }

    /** The first pair whose stored divisor the parameters do not give, or -1. */
    private static int firstMismatch(RopeScaling.Llama3 llama3, float[] stored, int dims, double theta) {
        for (int i = 0; i < stored.length; i++) {
            double expected = llama3.frequencyDivisor(i, dims, theta);
            if (!(Math.abs(expected - stored[i]) <= TOLERANCE * Math.max(1, expected))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Llama 3's parameters from its divisors: the factor is the largest; a blended pair's share of its own frequency,
     * smooth = (1 / d - 1 / s) / (1 - 1 / s), is linear in its frequency f, smooth = trained f / (2 pi (high - low))
     * - low / (high - low), so two blended pairs give low and high. With fewer, Llama 3.1's published ramp (1, 4)
     * is tried. Null when the blend does not fall with the frequency, as Llama 3's does.
     */
    private static RopeScaling.Llama3 fit(float[] stored, int dims, double theta, int trained) {
        double factor = 1;
        for (float d : stored) {
            factor = Math.max(factor, d);
        }
        int a = -1, b = -1; // the first and the last blended pair
        for (int i = 0; i < stored.length; i++) {
            if (stored[i] > 1 + TOLERANCE && stored[i] < factor * (1 - TOLERANCE)) {
                a = a < 0 ? i : a;
                b = i;
            }
        }
        factor = tidy(factor);
        if (a == b) { // fewer than two blended pairs
            return RopeScaling.llama3(factor, trained);
        }
        double sa = smooth(stored[a], factor), sb = smooth(stored[b], factor);
        double fa = Math.pow(theta, -2.0 * a / dims), fb = Math.pow(theta, -2.0 * b / dims);
        double slope = (sb - sa) / (fb - fa);
        double width = trained / (2 * Math.PI * slope); // high - low
        double low = (slope * fa - sa) * width;
        if (!(slope > 0 && low > 0)) {
            return null;
        }
        return new RopeScaling.Llama3(factor, tidy(low), tidy(low + width), trained);
    }

    private static double smooth(double divisor, double factor) {
        return (1 / divisor - 1 / factor) / (1 - 1 / factor);
    }

    /** {@code x} to three decimals when that is within f32 rounding of it (1, not 0.99999994). */
    private static double tidy(double x) {
        double rounded = Math.round(x * 1000) / 1000.0;
        return Math.abs(rounded - x) <= 1e-4 * Math.max(1, Math.abs(x)) ? rounded : x;
    }
}
