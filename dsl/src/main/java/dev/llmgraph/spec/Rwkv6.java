package dev.llmgraph.spec;

/**
 * RWKV-6 "Finch" time mixing (Peng et al. 2024, "Eagle and Finch"), as llama.cpp's {@code rwkv6} computes it.
 * <pre>
 *  sx = x_prev - x                                        token shift
 *  m_* = mu_* + W2_* tanh(W1 (x + mu_x sx))               data-dependent lerps for w, k, v, r, g (LoRA of mixRank)
 *  x_* = x + m_* sx
 *  r, k, v = W_r x_r, W_k x_k, W_v x_v                     [headSize, heads]
 *  g = SiLU(W_g x_g)
 *  w = exp(-exp(d + D2 tanh(D1 x_w)))                      per-channel decay in (0, 1), a LoRA of decayRank
 *  per head:  y = r (diag(u) k^T v + S);   S <- diag(w) S + k^T v        ggml's rwkv_wkv6, u the bonus "first"
 *  out = W_o (GroupNorm_heads(y) * g)
 * </pre>
 *
 * @param headSize  channels per head (64)
 * @param ffnDim    the channel mixing's width (3.5 x dModel in Finch)
 * @param mixRank   the rank of the token-shift LoRA, time_mix_extra_dim (32; 64 from dModel 4096)
 * @param decayRank the rank of the decay LoRA, time_decay_extra_dim (64; 128 from dModel 4096)
 */
public record Rwkv6(int headSize, int ffnDim, int mixRank, int decayRank) implements Rwkv {

    /** Finch's sizes for a model of width {@code dModel}: heads of 64, ffn 3.5 dModel, LoRA ranks 32 and 64. */
    public static Rwkv6 finch(int dModel) {
        FieldRules.refuse(FieldRules.count("dModel", dModel));
        boolean wide = dModel >= 4096;
        return new Rwkv6(64, dModel * 7 / 2 / 32 * 32, wide ? 64 : 32, wide ? 128 : 64);
    }

    /** Refuses a size below 1 at once (that it divides dModel is build()'s rule). */
    public Rwkv6 withHeadSize(int headSize) {
        FieldRules.refuse(FieldRules.count("rwkv.headSize", headSize));
        return new Rwkv6(headSize, ffnDim, mixRank, decayRank);
    }

    /** Refuses a width below 1 at once. */
    public Rwkv6 withFfnDim(int ffnDim) {
        FieldRules.refuse(FieldRules.count("rwkv.ffnDim", ffnDim));
        return new Rwkv6(headSize, ffnDim, mixRank, decayRank);
    }

    /** Refuses ranks below 1 at once. */
    public Rwkv6 withRanks(int mixRank, int decayRank) {
        FieldRules.refuse(FieldRules.count("rwkv.mixRank", mixRank));
        FieldRules.refuse(FieldRules.count("rwkv.decayRank", decayRank));
        return new Rwkv6(headSize, ffnDim, mixRank, decayRank);
    }

    @Override
    public RwkvChannelMix channelMix() {
        return new RwkvChannelMix(ffnDim, true);
    }

    /** lerp_x and the 5 fused lerps, the lerp LoRA, first, decay and its LoRA, r k v g and output, the group norm. */
    @Override
    public long parameters(int dModel) {
        long d = dModel;
        return 6 * d + 5L * d * mixRank * 2 + d + d + 2L * d * decayRank + 5 * d * d + 2 * d;
    }

    @Override
    public String toString() {
        return "RWKV-6(headSize=" + headSize + ", ffnDim=" + ffnDim + ", mixRank=" + mixRank + ", decayRank="
                + decayRank + ")";
    }
}
