package dev.llmgraph.spec;

/**
 * Linear attention with a decay (Katharopoulos et al. 2020; RetNet; TransNormerLLM; gated linear attention): softmax
 * is dropped, so attention to the past folds into one headDim x headDim state per head, updated once per token. Per
 * head, with q, k, v the token's projections of headDim values:
 * <pre>
 *  q, k = phi(W_q x), phi(W_k x)          the feature map ({@link FeatureMap})
 *  S_t  = diag(g_t) S_{t-1} + k_t v_t^T   g_t the decay ({@link LinearDecay}): 1, a fixed rate, or a learned gate
 *  o_t  = headDim^-1/2 q_t^T S_t          the read-out: causal attention with weights q_t . k_s times the decay
 *                                         between s and t, without a softmax or its normaliser
 *  y    = SRMSNorm(o)                     if outputNorm: the RMS norm without a gain, over the whole width, which
 *                                         stands in for the missing softmax normaliser (TransNormerLLM)
 *  y    = y * SiLU(W_u x)                 if outputGate: an element-wise gate from the block's input
 *  out  = W_o y
 * </pre>
 * A session keeps {@link #stateElements} values per layer whatever the context length, not a KV cache.
 *
 * @param heads       heads; each is dModel / heads wide (64 or 128: ggml's gated_linear_attn on CUDA has kernels for
 *                    those only)
 * @param featureMap  phi, applied to queries and keys
 * @param decay       how the state forgets
 * @param outputGate  multiply by SiLU(W_u x) before the output projection (TransNormerLLM, GLA)
 * @param outputNorm  SRMSNorm the read-out (TransNormerLLM; eps 1e-5)
 * @param lrpe        TransNormerLLM's linearised relative positional encoding on queries and keys; always refused
 *                    (see {@link LinearAttentionRules}), here so that a spec that asks for it hears why not
 */
public record LinearAttention(int heads, FeatureMap featureMap, LinearDecay decay, boolean outputGate,
                              boolean outputNorm, boolean lrpe) implements SequenceMixer {

    /** The eps of the SRMSNorm on the read-out. */
    public static final double OUTPUT_NORM_EPS = 1e-5;

    /** Plain linear attention: {@code heads} heads, identity map, no decay, no gate, no output norm. */
    public static LinearAttention of(int heads) {
        FieldRules.refuse(FieldRules.count("linear.heads", heads));
        return new LinearAttention(heads, FeatureMap.IDENTITY, LinearDecay.none(), false, false, false);
    }

    /**
     * TransNormerLLM's: SiLU on queries and keys, its per-layer decay schedule, SRMSNorm and an output gate (here
     * SiLU(W_u x); TransNormerLLM's code multiplies by W_u x itself, which this record cannot state).
     */
    public static LinearAttention transNormer(int heads) {
        return of(heads).withFeatureMap(FeatureMap.SILU).withDecay(LinearDecay.fixed(DecaySchedule.transNormer()))
                .withOutputGate(true).withOutputNorm(true);
    }

    /** RetNet's retention, without its xPos rotation: gamma_h = 1 - 2^(-5-h), the output gate and the norm. */
    public static LinearAttention retNet(int heads) {
        return of(heads).withDecay(LinearDecay.fixed(DecaySchedule.retNet())).withOutputGate(true)
                .withOutputNorm(true);
    }

    /** Gated linear attention: GLA's gates (rank 16, temperature 16), the output gate and the norm. */
    public static LinearAttention gla(int heads) {
        return of(heads).withDecay(LinearDecay.gated(16, 16)).withOutputGate(true).withOutputNorm(true);
    }

    /** Channels per head. */
    public int headDim(int dModel) {
        return dModel / heads;
    }

    /** One layer's state of one sequence: a headDim x headDim matrix per head. */
    public long stateElements(int dModel) {
        return (long) heads * headDim(dModel) * headDim(dModel);
    }

    /** Weights of one layer's mixer: q, k, v, output (dModel x dModel each), the output gate, the decay gate. */
    public long parameters(int dModel) {
        long d = dModel;
        long gate = outputGate ? d * d : 0;
        long rank = decay.gateRank();
        long decayGate = rank > 0 ? 2L * d * rank + d : 0;
        return 4 * d * d + gate + decayGate;
    }

    public LinearAttention withHeads(int heads) {
        FieldRules.refuse(FieldRules.count("linear.heads", heads));
        return new LinearAttention(heads, featureMap, decay, outputGate, outputNorm, lrpe);
    }

    public LinearAttention withFeatureMap(FeatureMap featureMap) {
        return new LinearAttention(heads, featureMap, decay, outputGate, outputNorm, lrpe);
    }

    public LinearAttention withDecay(LinearDecay decay) {
        return new LinearAttention(heads, featureMap, decay, outputGate, outputNorm, lrpe);
    }

    public LinearAttention withOutputGate(boolean outputGate) {
        return new LinearAttention(heads, featureMap, decay, outputGate, outputNorm, lrpe);
    }

    public LinearAttention withOutputNorm(boolean outputNorm) {
        return new LinearAttention(heads, featureMap, decay, outputGate, outputNorm, lrpe);
    }

    public LinearAttention withLrpe(boolean lrpe) {
        return new LinearAttention(heads, featureMap, decay, outputGate, outputNorm, lrpe);
    }

    @Override
    public String toString() {
        return "LinearAttention(heads=" + heads + ", phi=" + featureMap.formula() + ", " + decay
                + (outputGate ? ", SiLU output gate" : "") + (outputNorm ? ", SRMSNorm" : "")
                + (lrpe ? ", LRPE" : "") + ")";
    }
}
