package dev.llmgraph.spec;

/**
 * Softmax self-attention (the {@link SequenceMixer} of every layer today) with {@code heads} query heads
 * sharing {@code kvHeads} key/value heads:
 * <pre>
 *  MHA  kvHeads == heads     every query head has its own K and V            (GPT-2, LLaMA-2-7B)
 *  GQA  1 &lt; kvHeads &lt; heads  each group of heads/kvHeads query heads shares  (LLaMA-3, Mistral)
 *  MQA  kvHeads == 1         all query heads share one K and V                (Falcon-7B, PaLM)
 *
 *  query heads   q0 q1 q2 q3 q4 q5 q6 q7
 *                 \ |  / |     \ |  / |
 *  K/V heads       k0    k1      k2    k3      (GQA, 8 query heads over 4 K/V heads)
 * </pre>
 * The KV cache holds 2 x kvHeads x headDim values per token and layer, so GQA and MQA shrink it by
 * heads / kvHeads.
 *
 * @param heads        query heads
 * @param kvHeads      key/value heads (divides heads)
 * @param headDim      dimensions per head; 0 means dModel / heads
 * @param qkvBias      biases on the q, k and v projections
 * @param outBias      a bias on the output projection
 * @param window       sliding-window attention, or null for full attention on every layer
 * @param softmaxScale the logit scale; 0 means 1 / sqrt(headDim)
 * @param logitSoftcap soft-capping of attention logits, {@code c * tanh(logit / c)} (Gemma 2: 50), applied to
 *                     the scaled logits before the mask and any ALiBi or T5 bias is added; 0 = off
 * @param flash        compute attention with ggml's fused flash-attention kernel
 * @param qkNorm       RMS-normalise q and k before RoPE: per head (OLMo 2, Qwen3, Gemma 3) or over the whole
 *                     projection (OLMoE), see {@link QkNorm}
 * @param scaledQueries multiply q by the scale before q.k rather than the logits after it, as Gemma's and Phi's
 *                     code does; the same product in exact arithmetic, rounded differently where q.k is computed in
 *                     F16 (an F16 K cache), and so part of matching llama.cpp's gemma3, phi2 and phi3 graphs bit for
 *                     bit. Soft-capped attention always scales its queries (the cap needs scaled logits)
 */
public record Attention(int heads, int kvHeads, int headDim, boolean qkvBias, boolean outBias, SlidingWindow window,
                        double softmaxScale, double logitSoftcap, boolean flash, QkNorm qkNorm, boolean scaledQueries)
        implements SequenceMixer {

    /** Attention that scales its logits (or, soft-capped, its queries), as every model before Gemma 3. */
    public Attention(int heads, int kvHeads, int headDim, boolean qkvBias, boolean outBias, SlidingWindow window,
                     double softmaxScale, double logitSoftcap, boolean flash, QkNorm qkNorm) {
        this(heads, kvHeads, headDim, qkvBias, outBias, window, softmaxScale, logitSoftcap, flash, qkNorm, false);
    }

    /** Multi-head attention: every head has its own K and V. */
    public static Attention multiHead(int heads) {
        return grouped(heads, heads);
    }

    /** Grouped-query attention. Refuses a head count below 1 at once; whether kvHeads divides heads is build()'s. */
    public static Attention grouped(int heads, int kvHeads) {
        refuseHeads(heads, kvHeads);
        return new Attention(heads, kvHeads, 0, false, false, null, 0, 0, false, QkNorm.NONE);
    }

    /** Multi-query attention: one K and V head for all query heads. */
    public static Attention multiQuery(int heads) {
        return grouped(heads, 1);
    }

    public Attention withHeadDim(int headDim) {
        return new Attention(heads, kvHeads, headDim, qkvBias, outBias, window, softmaxScale, logitSoftcap, flash,
                qkNorm, scaledQueries);
    }

    /** Biases on q, k, v and on the output projection. */
    public Attention withBias(boolean qkvBias, boolean outBias) {
        return new Attention(heads, kvHeads, headDim, qkvBias, outBias, window, softmaxScale, logitSoftcap, flash,
                qkNorm, scaledQueries);
    }

    /** All biases on or off. */
    public Attention withBias(boolean bias) {
        return withBias(bias, bias);
    }

    public Attention withSlidingWindow(SlidingWindow window) {
        return new Attention(heads, kvHeads, headDim, qkvBias, outBias, window, softmaxScale, logitSoftcap, flash,
                qkNorm, scaledQueries);
    }

    /** Every layer slides with window {@code size}. */
    public Attention withSlidingWindow(int size) {
        return withSlidingWindow(SlidingWindow.everyLayer(size));
    }

    public Attention withSoftmaxScale(double softmaxScale) {
        return new Attention(heads, kvHeads, headDim, qkvBias, outBias, window, softmaxScale, logitSoftcap, flash,
                qkNorm, scaledQueries);
    }

    public Attention withLogitSoftcap(double logitSoftcap) {
        return new Attention(heads, kvHeads, headDim, qkvBias, outBias, window, softmaxScale, logitSoftcap, flash,
                qkNorm, scaledQueries);
    }

    public Attention withFlash(boolean flash) {
        return new Attention(heads, kvHeads, headDim, qkvBias, outBias, window, softmaxScale, logitSoftcap, flash,
                qkNorm, scaledQueries);
    }

    /** Whether q is multiplied by the scale before q.k (see {@link #scaledQueries}), or the logits after it. */
    public Attention withScaledQueries(boolean scaledQueries) {
        return new Attention(heads, kvHeads, headDim, qkvBias, outBias, window, softmaxScale, logitSoftcap, flash,
                qkNorm, scaledQueries);
    }

    /** Whether the queries carry the scale: asked for, or implied by soft-capping. */
    public boolean scalesQueries() {
        return scaledQueries || logitSoftcap > 0;
    }

    /** QK-norm per head ({@link QkNorm#PER_HEAD}) or none. */
    public Attention withQkNorm(boolean qkNorm) {
        return withQkNorm(qkNorm ? QkNorm.PER_HEAD : QkNorm.NONE);
    }

    /** QK-norm per head, over the whole projection, or none; refuses null at once. */
    public Attention withQkNorm(QkNorm qkNorm) {
        if (qkNorm == null) {
            FieldRules.refuse(java.util.Optional.of(new SpecProblem("attention.qkNorm", null, "must be a QkNorm",
                    "use QkNorm.NONE, QkNorm.PER_HEAD or QkNorm.WHOLE_WIDTH")));
        }
        return new Attention(heads, kvHeads, headDim, qkvBias, outBias, window, softmaxScale, logitSoftcap, flash,
                qkNorm, scaledQueries);
    }

    /** The same attention with other head counts; refuses a count below 1 at once. */
    public Attention withHeads(int heads, int kvHeads) {
        refuseHeads(heads, kvHeads);
        return new Attention(heads, kvHeads, headDim, qkvBias, outBias, window, softmaxScale, logitSoftcap, flash,
                qkNorm, scaledQueries);
    }

    private static void refuseHeads(int heads, int kvHeads) {
        FieldRules.refuse(FieldRules.count("attention.heads", heads));
        FieldRules.refuse(FieldRules.count("attention.kvHeads", kvHeads));
    }

    /** The head size in a model of width {@code dModel}. */
    public int headDim(int dModel) {
        return headDim > 0 ? headDim : dModel / heads;
    }

    /** The logit scale in a model of width {@code dModel}. */
    public double scale(int dModel) {
        return softmaxScale > 0 ? softmaxScale : 1.0 / Math.sqrt(headDim(dModel));
    }

    /** MHA, GQA or MQA. */
    public String variant() {
        return kvHeads == heads ? "MHA" : kvHeads == 1 ? "MQA" : "GQA";
    }

    /** Whether layer {@code layer} uses a sliding window. */
    public boolean slides(int layer) {
        return window != null && window.slides(layer);
    }

    /** Weights and biases of one attention block (q, k, v, o projections and q/k norms). */
    public long parameters(int dModel) {
        int hd = headDim(dModel);
        long q = (long) dModel * heads * hd;
        long kv = 2L * dModel * kvHeads * hd;
        long o = (long) heads * hd * dModel;
        long biases = (qkvBias ? (long) (heads + 2 * kvHeads) * hd : 0) + (outBias ? dModel : 0);
        long norms = qkNorm.gainParameters(heads, kvHeads, hd);
        return q + kv + o + biases + norms;
    }

    @Override
    public String toString() {
        String s = variant() + "(heads=" + heads + (kvHeads != heads ? ", kvHeads=" + kvHeads : "")
                + (headDim > 0 ? ", headDim=" + headDim : "");
        if (qkvBias || outBias) {
            s += qkvBias && outBias ? ", bias" : qkvBias ? ", qkv bias" : ", output bias";
        }
        if (window != null) {
            s += ", " + window;
        }
        if (logitSoftcap > 0) {
            s += ", softcap " + logitSoftcap;
        } else if (scaledQueries) {
            s += ", scaled queries";
        }
        if (flash) {
            s += ", flash";
        }
        if (qkNorm == QkNorm.PER_HEAD) {
            s += ", QK-norm";
        } else if (qkNorm == QkNorm.WHOLE_WIDTH) {
            s += ", QK-norm over whole projections";
        }
        return s + ")";
    }
}
