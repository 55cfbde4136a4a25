package dev.llmgraph.spec;

import dev.llmgraph.spec.plan.Plan;

import java.util.Objects;
import java.util.Set;

/**
 * A complete, validated architecture: every choice the LLM literature argues about, as a value. Make one
 * with {@link Transformer}; change one axis with the {@code with...} methods, which validate again.
 * Accounting (parameters, FLOPs, KV-cache bytes, memory, the shape trace) is in {@link Accounting} and
 * needs no weights.
 *
 * @param name              a label
 * @param kind              the decoder family
 * @param vocabSize         tokens in the vocabulary
 * @param dModel            width of the residual stream
 * @param layers            Transformer blocks
 * @param contextLength     the longest sequence the model is built for (positions, KV cache)
 * @param attention         heads, K/V heads, biases, windows, softcapping, flash attention
 * @param positional        how positions enter
 * @param norm              the normalisation
 * @param placement         where the norms sit
 * @param finalNorm         a norm after the last block (before the output head)
 * @param ffn               the feed-forward network (of every layer, or of the dense layers when {@code moe} is set)
 * @param moe               the mixture of experts of the sparse layers, or null for a dense model
 * @param latent            multi-head latent attention (MLA) on every layer instead of softmax attention, or null;
 *                          with it, {@code attention} is the multi-head attention MLA decompresses to
 * @param ssm               a selective state space (Mamba, Mamba-2) as every layer's only mixer, or null; such a
 *                          spec has no attention and no FFN (both null)
 * @param rwkv              RWKV-6 or RWKV-7 time mixing with RWKV's channel mixing on every layer, or null; such a
 *                          spec has no attention and no FFN (both null)
 * @param linear            linear attention with a decay ({@link LinearAttention}) on every layer instead of softmax
 *                          attention, with the spec's FFN, or null; such a spec has no attention (null)
 * @param hybrid            which layers use {@code attention} instead of {@code linear} or {@code ssm} (a hybrid
 *                          stack; with {@code ssm}, Jamba's, every layer also has the FFN or experts), or null
 * @param parallelBlock     attention and FFN read the same input and their outputs are summed
 *                          (GPT-J, Falcon): {@code x = x + Attn(N(x)) + FFN(N(x))}
 * @param embeddings        tying, scaling and the embedding LayerNorm
 * @param finalLogitSoftcap {@code c * tanh(logits / c)} on the output logits (Gemma 2: 30); 0 = off
 * @param pooling           how an encoder makes one vector of its hidden states ({@link Pooling#none()} for decoders,
 *                          which have an output head instead)
 * @param maskedLmHead      an encoder predicts (masked) tokens with BERT's head: dense + exact GELU + norm, then the
 *                          token embedding (tied) and a bias per token
 * @param defaulted         the settings the builder filled in with its LLaMA-style defaults because they were
 *                          never set ({@code positional}, {@code norm}, {@code placement}); how the spec was
 *                          written, not what it is, so {@link #equals} leaves it out
 */
public record ModelSpec(String name, ArchitectureKind kind, int vocabSize, int dModel, int layers, int contextLength,
                        Attention attention, Positional positional, Norm norm, NormPlacement placement,
                        boolean finalNorm, Ffn ffn, Moe moe, LatentAttention latent, StateSpace ssm, Rwkv rwkv,
                        LinearAttention linear, HybridPattern hybrid,
                        boolean parallelBlock, Embeddings embeddings,
                        double finalLogitSoftcap, Pooling pooling, boolean maskedLmHead,
                        Set<String> defaulted) {

    public ModelSpec {
        defaulted = defaulted == null ? Set.of() : Set.copyOf(defaulted);
    }

    /** A builder holding this spec's values, to change several at once. */
    public ModelBuilder toBuilder() {
        return new ModelBuilder(this);
    }

    /** Attention heads (0 for a state space model, which has none). */
    public int heads() {
        return attention == null ? 0 : attention.heads();
    }

    public int kvHeads() {
        return attention == null ? 0 : attention.kvHeads();
    }

    public int headDim() {
        return attention == null ? 0 : attention.headDim(dModel);
    }

    /** The spec's RoPE, or null where positions enter another way. */
    public Positional.Rope rope() {
        return switch (positional) {
            case Positional.Rope rope -> rope;
            case Positional.None _, Positional.Learned _, Positional.Sinusoidal _, Positional.Alibi _,
                 Positional.T5Bias _ -> null;
        };
    }

    /**
     * The head size RoPE works on, which its {@code fraction} is a share of: {@link #headDim()}, or with latent
     * attention the decoupled RoPE dimensions ({@link LatentAttention#ropeHeadDim()}).
     */
    public int ropeHeadDim() {
        return switch (layer(0).mixer()) {
            case Attention _ -> headDim();
            case LatentAttention l -> l.ropeHeadDim();
            case StateSpace _, Rwkv _, LinearAttention _ -> 0;
        };
    }

    /** The FFN's width: the dense FFN's, RWKV's channel mixing's, or 0 (Mamba has none). */
    public int ffnDim() {
        return ffn != null ? ffn.width() : rwkv != null ? rwkv.ffnDim() : 0;
    }

    /** Whether the output head reuses the token embedding. */
    public boolean tiedEmbeddings() {
        return embeddings.tied();
    }

    /** The base attention mask of this family (layers with a sliding window narrow it). */
    public MaskKind mask() {
        return kind.mask();
    }

    /** The mask layer {@code layer} uses. */
    public MaskKind mask(int layer) {
        return attention != null && attention.slides(layer) ? MaskKind.SLIDING : kind.mask();
    }

    /**
     * Rows a session's KV cache keeps for each layer whose attention slides, when the session holds
     * {@code positions} positions and feeds at most {@code batch} tokens at a time: a ring of the window and one
     * batch ({@link SlidingWindow#cacheRows}), as llama.cpp keeps for Gemma 2 and Gemma 3. It is
     * {@code positions} (every position kept) where a row must stay its position: in a prefix decoder (whose prefix
     * comes in one batch of any length), with T5's bias (whose buckets are computed from row indices), and for
     * latent attention and layers without a window.
     */
    public int slidingCacheRows(int positions, int batch) {
        boolean ring = kind == ArchitectureKind.CAUSAL_DECODER && attention != null && attention.window() != null
                && latent == null && !bucketsFromRows(positional);
        return ring ? attention.window().cacheRows(positions, batch) : positions;
    }

    /** Whether the scheme computes from cache row indices (T5's buckets), so that each row must be its position. */
    private static boolean bucketsFromRows(Positional positional) {
        return switch (positional) {
            case Positional.T5Bias _ -> true;
            case Positional.None _, Positional.Learned _, Positional.Sinusoidal _, Positional.Rope _,
                 Positional.Alibi _ -> false;
        };
    }

    /**
     * What layer {@code layer} is made of: its sequence mixer, mask and channel mixer. Every layer has the
     * spec's attention (or its latent attention), the sliding-window pattern decides the mask, and the mixture of
     * experts (where there is one) replaces the FFN on the layers it makes sparse. A state space model's layers are
     * its {@link Ssm} alone, with no channel mixer (null). With linear attention every layer has it, except, in a
     * hybrid stack, the layers the {@link HybridPattern} gives the softmax {@code attention}; a hybrid stack of Mamba
     * and attention (Jamba) has the FFN or the experts beside every layer's mixer.
     */
    public LayerChoice layer(int layer) {
        if (ssm != null && hybrid == null) {
            return new LayerChoice(layer, ssm, kind.mask(), null);
        }
        if (rwkv != null) {
            return new LayerChoice(layer, rwkv, kind.mask(), rwkv.channelMix());
        }
        if (linear != null || ssm != null) {
            ChannelMixer channel = moe != null && moe.sparse(layer) ? moe : ffn;
            SequenceMixer recurrentMixer = linear != null ? linear : ssm;
            return hybrid != null && hybrid.softmax(layer) ? new LayerChoice(layer, attention, mask(layer), channel)
                    : new LayerChoice(layer, recurrentMixer, kind.mask(), channel);
        }
        ChannelMixer channel = moe != null && moe.sparse(layer) ? moe : ffn;
        SequenceMixer mixer = latent != null ? latent : attention;
        return new LayerChoice(layer, mixer, latent != null ? kind.mask() : mask(layer), channel);
    }

    /** Whether layers attend through a compressed latent (MLA) instead of softmax attention over full keys. */
    public boolean latentAttention() {
        return latent != null;
    }

    /**
     * Whether layers mix positions with a recurrent state (Mamba, RWKV, linear attention) instead of attention and a
     * KV cache.
     */
    public boolean recurrent() {
        return ssm != null || rwkv != null || linear != null;
    }

    /** Whether this is an encoder: hidden states and a pooled embedding out, no output head. */
    public boolean encoder() {
        return kind == ArchitectureKind.ENCODER;
    }

    /** Whether some layer routes tokens to experts. */
    public boolean sparse() {
        return moe != null;
    }

    /** The spec as data: every layer's steps, with their node names, weights and shapes. */
    public Plan plan() {
        return Plan.of(this);
    }

    /** Parameters, FLOPs, KV cache, memory and the shape trace. */
    public Accounting accounting() {
        return new Accounting(this);
    }

    /** Total learned parameters. */
    public long parameterCount() {
        return accounting().parameters().total();
    }

    public ModelSpec withName(String name) {
        return toBuilder().name(name).build();
    }

    public ModelSpec withVocabSize(int vocabSize) {
        return toBuilder().vocabSize(vocabSize).build();
    }

    public ModelSpec withDModel(int dModel) {
        return toBuilder().dModel(dModel).build();
    }

    public ModelSpec withLayers(int layers) {
        return toBuilder().layers(layers).build();
    }

    public ModelSpec withContextLength(int contextLength) {
        return toBuilder().contextLength(contextLength).build();
    }

    public ModelSpec withAttention(Attention attention) {
        return toBuilder().attention(attention).build();
    }

    public ModelSpec withPositional(Positional positional) {
        return toBuilder().positional(positional).build();
    }

    public ModelSpec withNorm(Norm norm) {
        return toBuilder().norm(norm).build();
    }

    public ModelSpec withNorm(Norm norm, NormPlacement placement) {
        return toBuilder().norm(norm, placement).build();
    }

    public ModelSpec withPlacement(NormPlacement placement) {
        return toBuilder().placement(placement).build();
    }

    public ModelSpec withFinalNorm(boolean finalNorm) {
        return toBuilder().finalNorm(finalNorm).build();
    }

    public ModelSpec withFfn(Ffn ffn) {
        return toBuilder().ffn(ffn).build();
    }

    /** This spec with a mixture of experts (null: dense again). */
    public ModelSpec withMoe(Moe moe) {
        return toBuilder().moe(moe).build();
    }

    /** This spec with multi-head latent attention (null: softmax attention again, as {@code attention()} says). */
    public ModelSpec withLatentAttention(LatentAttention latent) {
        return toBuilder().latentAttention(latent).build();
    }

    /** This spec as a state space model (null: attention and an FFN again, which must then be set). */
    public ModelSpec withSsm(StateSpace ssm) {
        return toBuilder().ssm(ssm).build();
    }

    /** This spec with RWKV time and channel mixing (null: attention and an FFN again, which must then be set). */
    public ModelSpec withRwkv(Rwkv rwkv) {
        return toBuilder().rwkv(rwkv).build();
    }

    /** This spec with linear attention on every layer (null: softmax attention again, which must then be set). */
    public ModelSpec withLinearAttention(LinearAttention linear) {
        return toBuilder().linearAttention(linear).build();
    }

    /** This spec as a hybrid stack of its linear and softmax attention (null: linear attention on every layer). */
    public ModelSpec withHybrid(HybridPattern hybrid) {
        return toBuilder().hybrid(hybrid).build();
    }

    public ModelSpec withParallelBlock(boolean parallelBlock) {
        return toBuilder().parallelBlock(parallelBlock).build();
    }

    public ModelSpec withEmbeddings(Embeddings embeddings) {
        return toBuilder().embeddings(embeddings).build();
    }

    public ModelSpec withTiedEmbeddings(boolean tied) {
        return toBuilder().tiedEmbeddings(tied).build();
    }

    public ModelSpec withFinalLogitSoftcap(double cap) {
        return toBuilder().finalLogitSoftcap(cap).build();
    }

    /** This encoder with (or without) BERT's masked-LM head. */
    public ModelSpec withMaskedLmHead(boolean maskedLmHead) {
        return toBuilder().maskedLmHead(maskedLmHead).build();
    }

    public ModelSpec withPooling(Pooling pooling) {
        return toBuilder().pooling(pooling).build();
    }

    public ModelSpec withKind(ArchitectureKind kind) {
        return toBuilder().kind(kind).build();
    }

    /** One line per choice, in the paper's vocabulary. */
    public String describe() {
        return name + ": " + kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                + "\n  vocabSize " + vocabSize + ", dModel " + dModel + ", layers " + layers + ", contextLength "
                + contextLength
                + (ssm != null || linear != null ? "\n  mixer       " + (ssm != null ? ssm : linear)
                + (hybrid == null ? "" : "\n  hybrid      " + hybrid + "\n  attention   " + attention)
                : rwkv != null ? "\n  mixer       " + rwkv
                : "\n  attention   " + (latent != null ? latent : attention))
                + "\n  positional  " + positional
                + "\n  norm        " + norm + ", " + placement + (finalNorm ? ", final norm" : ", no final norm")
                + (ssm != null && hybrid == null ? "\n  ffn         none (Mamba blocks are the mixer alone)"
                : rwkv != null ? "\n  ffn         " + rwkv.channelMix() : "\n  ffn         " + ffn)
                + (parallelBlock ? ", parallel with attention" : "")
                + (moe != null ? "\n  experts     " + moe : "")
                + (kind == ArchitectureKind.ENCODER ? "\n  embeddings  " + (embeddings.tokenTypes() > 0
                        ? embeddings.tokenTypes() + " token types" : "no token types") + ", " + pooling
                        + (maskedLmHead ? ", masked-LM head" : "")
                        : "\n  embeddings  " + (embeddings.tied() ? "tied" : "untied"))
                + (embeddings.scale() != 1.0 ? ", scaled by " + embeddings.scale() : "")
                + (embeddings.layerNorm() ? ", LayerNorm after lookup" : "")
                + (finalLogitSoftcap > 0 ? "\n  final logit softcap " + finalLogitSoftcap : "");
    }

    @Override
    public String toString() {
        return describe();
    }

    /** Equal architectures are equal however they were written: {@link #defaulted} is left out. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ModelSpec m && Objects.equals(name, m.name) && kind == m.kind && vocabSize == m.vocabSize
                && dModel == m.dModel && layers == m.layers && contextLength == m.contextLength
                && Objects.equals(attention, m.attention) && Objects.equals(positional, m.positional)
                && Objects.equals(norm, m.norm) && placement == m.placement && finalNorm == m.finalNorm
                && Objects.equals(ffn, m.ffn) && Objects.equals(moe, m.moe)
                && Objects.equals(latent, m.latent) && Objects.equals(ssm, m.ssm) && Objects.equals(rwkv, m.rwkv)
                && Objects.equals(linear, m.linear) && Objects.equals(hybrid, m.hybrid)
                && parallelBlock == m.parallelBlock
                && Objects.equals(embeddings, m.embeddings)
                && Double.compare(finalLogitSoftcap, m.finalLogitSoftcap) == 0
                && Objects.equals(pooling, m.pooling) && maskedLmHead == m.maskedLmHead;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, kind, vocabSize, dModel, layers, contextLength, attention, positional, norm,
                placement, finalNorm, ffn, moe, latent, ssm, rwkv, linear, hybrid, parallelBlock, embeddings,
                finalLogitSoftcap, pooling, maskedLmHead);
    }
}
