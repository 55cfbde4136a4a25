package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.gguf.GgufValue;
import dev.llmgraph.ggml.gguf.GgufWriter;
import dev.llmgraph.io.family.ModelFamily;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.RopeScaling;
import dev.llmgraph.spec.SlidingWindow;

import java.util.Arrays;

/**
 * What llama.cpp's {@code gemma2} and {@code gemma3} graphs ({@code src/models/gemma2.cpp}, {@code gemma3.cpp})
 * compute beyond their family facts.
 * <pre>
 *                      gemma2                                   gemma3
 *  q scaled by         1/sqrt(headDim); the 46-layer 27B:       1/sqrt(headDim); the 62-layer 27B:
 *                      1/sqrt(dModel / heads)                   1/sqrt(dModel / heads)
 *  sliding windows     always: attention.sliding_window         only where attention.sliding_window is given
 *                      (default 4096)
 *  global layers       one every attention.sliding_window_pattern (default 2 / 6): llmgraph's
 *                      {@link SlidingWindow#globalEvery()} exactly; or one flag per layer
 *  sliding layers'     rope.freq_base_swa (default rope.freq_base), rope.freq_base_swa (default 10 000), unscaled:
 *  RoPE                scaled as the global layers              {@link Positional.Rope#slidingTheta()}
 *  soft-caps           attn_logit_softcapping (default 50) and  none on attention; final_logit_softcapping where
 *                      final_logit_softcapping (default 30)     given; q scaled before q.k nevertheless
 *                                                               ({@link Attention#scaledQueries()})
 *  output head         the token embedding                      output.weight, or the token embedding
 * </pre>
 * The gemma2 graph always has windows and soft-caps: a spec without a window is written with a window as long as its
 * context, which masks nothing.
 */
final class GemmaKeys {
    private static final String WINDOW = "attention.sliding_window";
    private static final String PATTERN = "attention.sliding_window_pattern";
    private static final String SLIDING_BASE = "rope.freq_base_swa";
    private static final String ATTENTION_CAP = "attn_logit_softcapping";
    private static final String FINAL_CAP = "final_logit_softcapping";

    private GemmaKeys() {
    }

    /** The 27B models (gemma2: 46 layers, gemma3: 62) scale q by 1/sqrt(dModel / heads), the others 1/sqrt(headDim). */
    private static double queryScale(ModelFamily family, int layers, int dModel, int heads, int headDim) {
        int bigLayers = family == ModelFamily.GEMMA2 ? 46 : 62;
        return 1.0 / Math.sqrt(layers == bigLayers ? dModel / heads : headDim);
    }

    /** In place of the plain attention checks: the query scale, the soft-cap and the sliding layers' RoPE. */
    static void attentionMisfits(ModelFamily family, ModelSpec spec, Misfits m) {
        Attention a = spec.attention();
        double expected = queryScale(family, spec.layers(), spec.dModel(), spec.heads(), spec.headDim());
        if ((float) a.scale(spec.dModel()) != (float) expected) {
            m.add("attention scale " + a.scale(spec.dModel()), "scales q by " + (float) expected);
        }
        if (family == ModelFamily.GEMMA2 && a.logitSoftcap() == 0) {
            m.add("no attention logit soft-capping", "always soft-caps them");
        } else if (family == ModelFamily.GEMMA3 && a.logitSoftcap() > 0) {
            m.add("attention logit soft-capping", "has none");
        }
        m.queryScaling(family.facts().scaledQueries());
        Positional.Rope rope = spec.rope();
        if (rope == null || a.window() == null) {
            return;
        }
        if (family == ModelFamily.GEMMA2 && rope.slidingTheta() != 0 && !rope.scaling().equals(RopeScaling.none())) {
            m.add("sliding layers rotating unscaled with base " + rope.slidingTheta(), "scales every layer's RoPE as "
                    + rope.scaling() + ", sliding layers included");
        } else if (family == ModelFamily.GEMMA3 && rope.scalesSlidingLayers()) {
            m.add("sliding layers scaled as the global ones (" + rope.scaling() + ")", "rotates sliding layers "
                    + "unscaled, with their own base; declare it with Positional.Rope.withSlidingTheta");
        }
    }

    static void write(ModelFamily family, ModelSpec spec, GgufWriter out) {
        String a = family.llamaCpp() + ".";
        SlidingWindow window = spec.attention().window();
        Positional.Rope rope = (Positional.Rope) spec.positional();
        if (family == ModelFamily.GEMMA2) {
            out.putUint32(a + WINDOW, window == null ? spec.contextLength() : window.size());
            out.putUint32(a + PATTERN, window == null ? 2 : window.globalEvery());
            out.putFloat32(a + ATTENTION_CAP, (float) spec.attention().logitSoftcap());
            out.putFloat32(a + FINAL_CAP, (float) spec.finalLogitSoftcap());
        } else {
            if (window != null) {
                out.putUint32(a + WINDOW, window.size());
                out.putUint32(a + PATTERN, window.globalEvery());
            }
            if (spec.finalLogitSoftcap() > 0) {
                out.putFloat32(a + FINAL_CAP, (float) spec.finalLogitSoftcap());
            }
        }
        if (window != null) {
            out.putFloat32(a + SLIDING_BASE, (float) rope.onSlidingLayers().theta());
        }
    }

    static ModelSpec read(ModelFamily family, ModelFile f) {
        boolean gemma2 = family == ModelFamily.GEMMA2;
        if (gemma2 && !f.tied()) {
            throw f.keys.problem("tensor 'output.weight' is a separate output head, but llama.cpp's gemma2 always "
                    + "reuses the token embedding");
        }
        Attention attention = f.attention().withQkNorm(family.facts().qkNorm())
                .withScaledQueries(family.facts().scaledQueries());
        Positional.Rope rope = f.rope(RopePairing.HALVES, false);
        boolean windowed = gemma2 || f.keys.intOr(WINDOW, 0) > 0;
        if (windowed) {
            attention = attention.withSlidingWindow(new SlidingWindow(f.keys.intOr(WINDOW, 4096),
                    globalEvery(f, gemma2 ? 2 : 6)));
            rope = slidingRope(family, f, rope);
        }
        if (gemma2) {
            attention = attention.withLogitSoftcap(f.keys.floatOr(ATTENTION_CAP, 50));
        }
        double scale = queryScale(family, f.layers, f.dModel, f.heads, f.headDim);
        if ((float) scale != (float) (1 / Math.sqrt(f.headDim))) {
            attention = attention.withSoftmaxScale(scale);
        }
        return f.builder()
                .attention(attention)
                .positional(rope)
                .norm(Norm.rms(f.rmsNormEps()), NormPlacement.SANDWICH)
                .ffn(Ffn.geglu(f.ffnLength))
                .embeddings(Embeddings.untied().withTied(f.tied()).withScale(Math.sqrt(f.dModel)))
                .finalLogitSoftcap(f.keys.floatOr(FINAL_CAP, gemma2 ? 30 : 0))
                .build();
    }

    /**
     * The RoPE of the sliding layers: gemma3's own base (default 10 000), unscaled; gemma2's base (default the global
     * one) with the global scaling, which llmgraph expresses only when there is none.
     */
    private static Positional.Rope slidingRope(ModelFamily family, ModelFile f, Positional.Rope rope) {
        if (family == ModelFamily.GEMMA3) {
            return rope.withSlidingTheta(f.keys.floatOr(SLIDING_BASE, 10_000));
        }
        double base = f.keys.floatOr(SLIDING_BASE, rope.theta());
        if (base == rope.theta()) {
            return rope;
        }
        if (!rope.scaling().equals(RopeScaling.none())) {
            throw f.keys.problem("key '" + f.keys.key(SLIDING_BASE) + "' = " + base + " gives sliding layers their own "
                    + "RoPE base, which llama.cpp's gemma2 scales as the global layers (" + rope.scaling() + "); "
                    + "llmgraph's sliding layers with their own base rotate unscaled");
        }
        return rope.withSlidingTheta(base);
    }

    /**
     * The pattern: a number n (layer i slides unless i % n == n - 1; 0 = every layer slides), or one flag per
     * layer (bools, or integers as llama.cpp's own model saver writes them), which must follow such an n.
     */
    private static int globalEvery(ModelFile f, int absent) {
        String key = f.keys.key(PATTERN);
        boolean[] slides;
        switch (f.file.has(key) ? f.file.get(key) : null) {
            case null -> {
                return absent;
            }
            case GgufValue.BoolArray flags -> slides = flags.values();
            case GgufValue.IntegerArray flags -> {
                slides = new boolean[flags.values().length];
                for (int i = 0; i < slides.length; i++) {
                    slides[i] = flags.values()[i] != 0;
                }
            }
            default -> {
                return f.file.getInt(key);
            }
        }
        for (int n = 0; n <= slides.length; n++) {
            SlidingWindow probe = new SlidingWindow(1, n);
            boolean matches = true;
            for (int layer = 0; layer < Math.min(slides.length, f.layers); layer++) {
                matches &= probe.slides(layer) == slides[layer];
            }
            if (matches) {
                return n;
            }
        }
        throw f.keys.problem("key '" + key + "' marks sliding layers " + Arrays.toString(slides)
                + ", not a repeating pattern of one global layer every n; llmgraph cannot express that yet");
    }
}
