package dev.llmgraph.spec;

/**
 * Multi-head latent attention (MLA, DeepSeek-V2): keys and values of all heads are rebuilt from one small latent
 * per token, so the KV cache holds that latent and one RoPE key shared by all heads, not a key and a value per
 * head.
 * <pre>
 *  x [dModel] --W_DKV--> c_KV [kvRank]            the latent (RMS-normalised): cached
 *             --W_KR---> k_R  [ropeHeadDim]       the decoupled RoPE key, shared by every head: cached
 *             --W_Q (or W_DQ, norm, W_UQ)--> per head  q_C [nopeHeadDim] | q_R [ropeHeadDim] (rotated)
 *  per head h: k_h = W_UK,h c_KV | k_R       v_h = W_UV,h c_KV
 *  logit(t, s) = (q_C,h . W_UK,h c_KV(s) + q_R,h . k_R(s)) * scale
 *              = ((W_UK,h^T q_C,h) . c_KV(s)  +  q_R,h . k_R(s)) * scale     <- "absorbed": W_UK moves to the query
 *
 *  KV cache per token and layer:  MHA 2 n_h d_h    GQA 2 n_g d_h    MQA 2 d_h    MLA d_c + d_h^R
 *                                 (DeepSeek-V2: 512 + 64 = 576 values against 2 x 128 x 192 = 49 152 for MHA)
 * </pre>
 * With the absorbed form, attention is multi-query attention over rows of {@code kvRank + ropeHeadDim} values,
 * then each head's weighted latent is decompressed by its W_UV: llama.cpp's {@code deepseek2} graph, with the
 * matrices it calls {@code wk_b} and {@code wv_b}. The latent's and the query latent's norms are RMSNorms.
 *
 * <p>Positions enter only through the RoPE halves (the spec's {@link Positional#rope} rotates all
 * {@code ropeHeadDim} of them). With YaRN scaling by s, DeepSeek leaves the rotated dimensions at their
 * magnitude and scales every logit by {@code (0.1 mscale ln s + 1)^2} instead ({@code mscale_all_dim}: 0.707 for
 * DeepSeek-V2, 1 here by default).
 *
 * @param heads        query heads n_h
 * @param queryRank    the rank of the query's low-rank projection d_c' (DeepSeek-V2: 1536); 0 projects queries
 *                     directly (DeepSeek-V2-Lite)
 * @param kvRank       the latent's size d_c ({@code kv_lora_rank}, 512)
 * @param ropeHeadDim  the decoupled RoPE dimensions per head d_h^R ({@code qk_rope_head_dim}, 64)
 * @param nopeHeadDim  the query/key dimensions per head without positions ({@code qk_nope_head_dim}, 128)
 * @param valueHeadDim the value dimensions per head ({@code v_head_dim}, 128)
 * @param yarnMscale   DeepSeek's {@code mscale_all_dim}: the logit scale under YaRN is (0.1 mscale ln s + 1)^2
 * @param flash        compute attention with ggml's fused flash-attention kernel
 */
public record LatentAttention(int heads, int queryRank, int kvRank, int ropeHeadDim, int nopeHeadDim,
                              int valueHeadDim, double yarnMscale, boolean flash) implements SequenceMixer {

    /**
     * {@code heads} heads over a latent of {@code kvRank}, queries projected directly, DeepSeek-V2's head sizes
     * (no-RoPE 128, RoPE 64, value 128). Refuses counts below 1 at once; whether kvRank fits dModel is build()'s.
     */
    public static LatentAttention of(int heads, int kvRank) {
        FieldRules.refuse(FieldRules.count("latentAttention.heads", heads));
        FieldRules.refuse(FieldRules.count("latentAttention.kvRank", kvRank));
        return new LatentAttention(heads, 0, kvRank, 64, 128, 128, 1.0, false);
    }

    /**
     * Head sizes: {@code nope} query/key dimensions without positions, {@code rope} rotated ones (even: RoPE turns
     * pairs), {@code value} value dimensions. Refuses a size below 1 or an odd {@code rope} at once.
     */
    public LatentAttention withHeadDims(int nope, int rope, int value) {
        FieldRules.refuse(FieldRules.count("latentAttention.nopeHeadDim", nope));
        FieldRules.refuse(FieldRules.count("latentAttention.ropeHeadDim", rope));
        FieldRules.refuse(FieldRules.count("latentAttention.valueHeadDim", value));
        FieldRules.refuse(LatentRules.evenRope(rope));
        return new LatentAttention(heads, queryRank, kvRank, rope, nope, value, yarnMscale, flash);
    }

    /** Queries through a low-rank bottleneck of {@code rank} (DeepSeek-V2: 1536); 0 projects them directly. */
    public LatentAttention withQueryRank(int rank) {
        if (rank < 0) {
            throw new IllegalArgumentException(new SpecProblem("latentAttention.queryRank", rank,
                    "must be 0 (no low-rank query) or positive", "DeepSeek-V2 uses 1536, V2-Lite 0").toString());
        }
        return new LatentAttention(heads, rank, kvRank, ropeHeadDim, nopeHeadDim, valueHeadDim, yarnMscale, flash);
    }

    /** DeepSeek's {@code mscale_all_dim}; refuses a value that is not a positive finite number. */
    public LatentAttention withYarnMscale(double mscale) {
        FieldRules.refuse(FieldRules.positive("latentAttention.yarnMscale", mscale,
                "DeepSeek-V2 uses 0.707; 1 is YaRN's own 0.1 ln s + 1"));
        return new LatentAttention(heads, queryRank, kvRank, ropeHeadDim, nopeHeadDim, valueHeadDim, mscale, flash);
    }

    public LatentAttention withFlash(boolean flash) {
        return new LatentAttention(heads, queryRank, kvRank, ropeHeadDim, nopeHeadDim, valueHeadDim, yarnMscale,
                flash);
    }

    /** The query/key head size of the decompressed heads, no-RoPE plus RoPE dimensions (DeepSeek-V2: 192). */
    public int queryKeyHeadDim() {
        return nopeHeadDim + ropeHeadDim;
    }

    /** One cached row per token and layer: the latent and the shared RoPE key, d_c + d_h^R values. */
    public int cacheRow() {
        return kvRank + ropeHeadDim;
    }

    /** The multi-head attention MLA decompresses to: what the spec's {@code attention()} reports. */
    public Attention asMultiHead() {
        return Attention.multiHead(heads).withHeadDim(queryKeyHeadDim());
    }

    /**
     * The logit scale under {@code positional}: 1 / sqrt(queryKeyHeadDim), times DeepSeek's
     * (0.1 mscale ln s + 1)^2 under YaRN RoPE by a factor s > 1.
     */
    public double scale(Positional positional) {
        double base = 1.0 / Math.sqrt(queryKeyHeadDim());
        double yarnFactor = switch (positional) {
            case Positional.Rope rope -> switch (rope.scaling()) {
                case RopeScaling.Yarn yarn -> yarn.factor();
                case RopeScaling.None _, RopeScaling.Linear _, RopeScaling.NtkAware _, RopeScaling.Llama3 _,
                     RopeScaling.LongRope _ -> 0;
            };
            case Positional.None _, Positional.Learned _, Positional.Sinusoidal _, Positional.Alibi _,
                 Positional.T5Bias _ -> 0;
        };
        if (yarnFactor > 1) {
            double m = 0.1 * yarnMscale * Math.log(yarnFactor) + 1.0;
            return base * m * m;
        }
        return base;
    }

    /** Weights of one MLA block: query path, the latent and RoPE-key projection, its norm, W_UK, W_UV, output. */
    public long parameters(int dModel) {
        long h = heads, qk = queryKeyHeadDim();
        long query = queryRank == 0 ? dModel * h * qk : (long) dModel * queryRank + queryRank + queryRank * h * qk;
        long latent = (long) dModel * cacheRow() + kvRank;
        long up = h * nopeHeadDim * kvRank + h * kvRank * valueHeadDim;
        long out = h * valueHeadDim * dModel;
        return query + latent + up + out;
    }

    @Override
    public String toString() {
        return "MLA(heads=" + heads + ", kvRank=" + kvRank + (queryRank > 0 ? ", queryRank=" + queryRank : "")
                + ", head dims nope " + nopeHeadDim + " + rope " + ropeHeadDim + ", value " + valueHeadDim
                + (yarnMscale != 1.0 ? ", YaRN mscale " + yarnMscale : "") + (flash ? ", flash" : "") + ")";
    }
}
