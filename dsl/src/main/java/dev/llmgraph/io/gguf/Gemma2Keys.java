package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.gguf.GgufValue;
import dev.llmgraph.ggml.gguf.GgufWriter;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Embeddings;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.SlidingWindow;

/**
 * What llama.cpp's {@code gemma2} ({@code src/models/gemma2.cpp}) computes beyond its family facts: q scaled by
 * 1/sqrt(headDim) (1/sqrt(dModel / heads) for the 46-layer 27B), attention logits soft-capped
 * ({@code attn_logit_softcapping}, default 50), output logits soft-capped ({@code final_logit_softcapping},
 * default 30), sliding-window layers ({@code attention.sliding_window}, default 4096) alternating with global ones by
 * {@code attention.sliding_window_pattern} (default 2: every second layer is global), which is llmgraph's
 * {@link SlidingWindow#globalEvery()} exactly. The graph always has windows and soft-caps: a spec without a window
 * is written with a window as long as its context, which masks nothing.
 */
final class Gemma2Keys {
    private static final String NAME = "gemma2";
    private static final String WINDOW = "attention.sliding_window";
    private static final String PATTERN = "attention.sliding_window_pattern";
    private static final String ATTENTION_CAP = "attn_logit_softcapping";
    private static final String FINAL_CAP = "final_logit_softcapping";

    private Gemma2Keys() {
    }

    /** The 27B model (46 layers) scales q by 1/sqrt(dModel / heads), the others by 1/sqrt(headDim). */
    private static double queryScale(int layers, int dModel, int heads, int headDim) {
        return 1.0 / Math.sqrt(layers == 46 ? dModel / heads : headDim);
    }

    /** In place of the plain attention checks: the query scale and the attention soft-cap. */
    static void attentionMisfits(ModelSpec spec, Misfits m) {
        Attention a = spec.attention();
        double expected = queryScale(spec.layers(), spec.dModel(), spec.heads(), spec.headDim());
        if ((float) a.scale(spec.dModel()) != (float) expected) {
            m.add("attention scale " + a.scale(spec.dModel()), "scales q by " + (float) expected);
        }
        if (a.logitSoftcap() == 0) {
            m.add("no attention logit soft-capping", "always soft-caps them");
        }
    }

    static void write(ModelSpec spec, GgufWriter out) {
        SlidingWindow window = spec.attention().window();
        out.putUint32(NAME + "." + WINDOW, window == null ? spec.contextLength() : window.size());
        out.putUint32(NAME + "." + PATTERN, window == null ? 2 : window.globalEvery());
        out.putFloat32(NAME + "." + ATTENTION_CAP, (float) spec.attention().logitSoftcap());
        out.putFloat32(NAME + "." + FINAL_CAP, (float) spec.finalLogitSoftcap());
    }

    static ModelSpec read(ModelFile f) {
        if (!f.tied()) {
            throw f.keys.problem("tensor 'output.weight' is a separate output head, but llama.cpp's gemma2 always "
                    + "reuses the token embedding");
        }
        if (f.keys.has("rope.freq_base_swa")
                && f.keys.floatOr("rope.freq_base_swa", 0) != f.keys.floatOr("rope.freq_base", 10_000)) {
            throw f.keys.problem("key '" + f.keys.key("rope.freq_base_swa") + "' gives sliding layers their own RoPE "
                    + "base, which llmgraph cannot express yet");
        }
        SlidingWindow window = new SlidingWindow(f.keys.intOr(WINDOW, 4096), globalEvery(f));
        Attention attention = f.attention().withSlidingWindow(window)
                .withLogitSoftcap(f.keys.floatOr(ATTENTION_CAP, 50));
        double scale = queryScale(f.layers, f.dModel, f.heads, f.headDim);
        if ((float) scale != (float) (1 / Math.sqrt(f.headDim))) {
            attention = attention.withSoftmaxScale(scale);
        }
        return f.builder()
                .attention(attention)
                .positional(f.rope(RopePairing.HALVES, false))
                .norm(Norm.rms(f.rmsNormEps()), NormPlacement.SANDWICH)
                .ffn(Ffn.geglu(f.ffnLength))
                .embeddings(Embeddings.tiedWeights().withScale(Math.sqrt(f.dModel)))
                .finalLogitSoftcap(f.keys.floatOr(FINAL_CAP, 30))
                .build();
    }

    /**
     * The pattern: a number n (layer i slides unless i % n == n - 1; 0 = every layer slides), or one flag per
     * layer (bools, or integers as llama.cpp's own model saver writes them), which must follow such an n.
     */
    private static int globalEvery(ModelFile f) {
        String key = f.keys.key(PATTERN);
        boolean[] slides;
        switch (f.file.has(key) ? f.file.get(key) : null) {
            case null -> {
                return 2;
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
        throw f.keys.problem("key '" + key + "' marks sliding layers " + java.util.Arrays.toString(slides)
                + ", not a repeating pattern of one global layer every n; llmgraph cannot express that yet");
    }
}
