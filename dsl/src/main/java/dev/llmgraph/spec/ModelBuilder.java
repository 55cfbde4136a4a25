package dev.llmgraph.spec;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects the choices of a {@link ModelSpec}. A setter refuses its own bad argument at once (a count below 1,
 * a negative cap), quoting it; {@link #build()} checks the rules that involve several fields (and any field
 * left unset) and reports every problem at once. Defaults follow LLaMA: RoPE with theta 10 000, RMSNorm
 * (eps 1e-5) before each sublayer and after the last block, untied embeddings; the spec remembers which of
 * positional, norm and placement were left at them ({@link ModelSpec#defaulted()}), and its summary says so.
 * vocabSize, dModel, layers, contextLength, attention and ffn have no default.
 */
public final class ModelBuilder {
    private String name;
    private ArchitectureKind kind;
    private int vocabSize;
    private int dModel;
    private int layers;
    private int contextLength;
    private Attention attention;
    private Positional positional = Positional.rope(10_000);
    private Norm norm = Norm.rms(1e-5);
    private NormPlacement placement = NormPlacement.PRE;
    private boolean finalNorm = true;
    private Ffn ffn;
    private Moe moe;
    private LatentAttention latent;
    private StateSpace ssm;
    private Rwkv rwkv;
    private LinearAttention linear;
    private HybridPattern hybrid;
    private boolean parallelBlock;
    private Embeddings embeddings = Embeddings.untied();
    private double finalLogitSoftcap;
    private Pooling pooling = Pooling.none();
    private boolean maskedLmHead;
    /** The defaults still in place, by setting name: a setter removes its own. */
    private final Set<String> defaulted = new LinkedHashSet<>(List.of("positional", "norm", "placement"));

    ModelBuilder(String name, ArchitectureKind kind) {
        this.name = name;
        this.kind = kind;
    }

    ModelBuilder(ModelSpec s) {
        this.name = s.name();
        this.kind = s.kind();
        this.vocabSize = s.vocabSize();
        this.dModel = s.dModel();
        this.layers = s.layers();
        this.contextLength = s.contextLength();
        this.attention = s.attention();
        this.positional = s.positional();
        this.norm = s.norm();
        this.placement = s.placement();
        this.finalNorm = s.finalNorm();
        this.ffn = s.ffn();
        this.moe = s.moe();
        this.latent = s.latent();
        this.ssm = s.ssm();
        this.rwkv = s.rwkv();
        this.linear = s.linear();
        this.hybrid = s.hybrid();
        this.parallelBlock = s.parallelBlock();
        this.embeddings = s.embeddings();
        this.finalLogitSoftcap = s.finalLogitSoftcap();
        this.pooling = s.pooling();
        this.maskedLmHead = s.maskedLmHead();
        this.defaulted.retainAll(s.defaulted());
    }

    public ModelBuilder name(String name) {
        this.name = name;
        return this;
    }

    public ModelBuilder kind(ArchitectureKind kind) {
        this.kind = kind;
        return this;
    }

    /** Refuses a value below 1 at once. */
    public ModelBuilder vocabSize(int vocabSize) {
        FieldRules.refuse(FieldRules.count("vocabSize", vocabSize));
        this.vocabSize = vocabSize;
        return this;
    }

    /** Refuses a value below 1 at once. */
    public ModelBuilder dModel(int dModel) {
        FieldRules.refuse(FieldRules.count("dModel", dModel));
        this.dModel = dModel;
        return this;
    }

    /** Refuses a value below 1 or above 10,000 at once. */
    public ModelBuilder layers(int layers) {
        FieldRules.refuse(FieldRules.layers(layers));
        this.layers = layers;
        return this;
    }

    /** Refuses a value below 1 at once. */
    public ModelBuilder contextLength(int contextLength) {
        FieldRules.refuse(FieldRules.count("contextLength", contextLength));
        this.contextLength = contextLength;
        return this;
    }

    public ModelBuilder attention(Attention attention) {
        this.attention = attention;
        return this;
    }

    public ModelBuilder positional(Positional positional) {
        this.positional = positional;
        defaulted.remove("positional");
        return this;
    }

    public ModelBuilder norm(Norm norm) {
        this.norm = norm;
        defaulted.remove("norm");
        return this;
    }

    public ModelBuilder norm(Norm norm, NormPlacement placement) {
        return norm(norm).placement(placement);
    }

    public ModelBuilder placement(NormPlacement placement) {
        this.placement = placement;
        defaulted.remove("placement");
        return this;
    }

    public ModelBuilder finalNorm(boolean finalNorm) {
        this.finalNorm = finalNorm;
        return this;
    }

    public ModelBuilder ffn(Ffn ffn) {
        this.ffn = ffn;
        return this;
    }

    /**
     * Routes tokens to experts on every layer (or on all but {@link Moe#denseLayers()} leading ones). Without
     * a dense {@link #ffn}, the spec's ffn is the experts' kind and width, as llama.cpp's files state it.
     */
    public ModelBuilder moe(Moe moe) {
        this.moe = moe;
        return this;
    }

    /**
     * Multi-head latent attention (DeepSeek-V2) on every layer; null returns to softmax attention. The spec's
     * {@code attention()} becomes the multi-head attention it decompresses to ({@link LatentAttention#asMultiHead}).
     */
    public ModelBuilder latentAttention(LatentAttention latent) {
        this.latent = latent;
        return this;
    }

    /**
     * A selective state space (Mamba: {@link Ssm}, Mamba-2: {@link Mamba2}) as every layer's only mixer: blocks
     * become {@code x + Mamba(Norm(x))}, with no attention and no FFN (those settings are dropped); null returns to
     * attention and an FFN.
     */
    public ModelBuilder ssm(StateSpace ssm) {
        this.ssm = ssm;
        return this;
    }

    /**
     * RWKV-6 ({@link Rwkv6}) or RWKV-7 ({@link Rwkv7}) time mixing as every layer's sequence mixer, with RWKV's
     * channel mixing as its FFN: attention and the FFN settings are dropped; null returns to attention and an FFN.
     */
    public ModelBuilder rwkv(Rwkv rwkv) {
        this.rwkv = rwkv;
        return this;
    }

    /**
     * Linear attention with a decay ({@link LinearAttention}) as every layer's sequence mixer, beside the spec's FFN:
     * the attention setting is dropped; null returns to softmax attention.
     */
    public ModelBuilder linearAttention(LinearAttention linear) {
        this.linear = linear;
        return this;
    }

    /**
     * A hybrid stack: the layers {@code hybrid} picks use the softmax {@code attention}, the others the linear
     * attention or the state space (Jamba), both of which must be set; with a state space every layer keeps the
     * {@code ffn} (or {@code moe}'s experts where it routes). Null returns to the recurrent mixer on every layer.
     */
    public ModelBuilder hybrid(HybridPattern hybrid) {
        this.hybrid = hybrid;
        return this;
    }

    public ModelBuilder parallelBlock(boolean parallelBlock) {
        this.parallelBlock = parallelBlock;
        return this;
    }

    public ModelBuilder embeddings(Embeddings embeddings) {
        this.embeddings = embeddings;
        return this;
    }

    public ModelBuilder tiedEmbeddings(boolean tied) {
        this.embeddings = embeddings.withTied(tied);
        return this;
    }

    /** Refuses a negative or NaN cap at once. */
    public ModelBuilder finalLogitSoftcap(double cap) {
        FieldRules.refuse(FieldRules.softcap("finalLogitSoftcap", cap, SpecValidator.FINAL_SOFTCAP_HINT));
        this.finalLogitSoftcap = cap;
        return this;
    }

    /** How an encoder pools its hidden states into one vector (CLS, mean, last); decoders keep {@link Pooling#none()}. */
    public ModelBuilder pooling(Pooling pooling) {
        this.pooling = pooling;
        return this;
    }

    /**
     * BERT's masked-LM head on an encoder: each hidden state through a dense layer, exact GELU and a norm, then the
     * token embedding (tied) and a bias per token give logits over the vocabulary (model.forward, Encoding.logits).
     */
    public ModelBuilder maskedLmHead(boolean maskedLmHead) {
        this.maskedLmHead = maskedLmHead;
        return this;
    }

    /** A learned row per token type (segment) added to the embeddings: BERT has 2. */
    public ModelBuilder tokenTypes(int tokenTypes) {
        this.embeddings = embeddings.withTokenTypes(tokenTypes);
        return this;
    }

    /** The spec, or an {@link InvalidSpecException} listing every problem. */
    public ModelSpec build() {
        // Mamba alone and RWKV are whole blocks; a hybrid stack keeps attention and the FFN beside Mamba (Jamba).
        boolean mixerOnly = ssm != null && hybrid == null || rwkv != null;
        Ffn dense = mixerOnly ? null : ffn == null && moe != null ? moe.expert() : ffn;
        Attention heads = mixerOnly || linear != null && hybrid == null ? null
                : latent != null && latent.heads() >= 1 && latent.queryKeyHeadDim() >= 1 ? latent.asMultiHead()
                : attention;
        ModelSpec spec = new ModelSpec(name, kind, vocabSize, dModel, layers, contextLength, heads, positional,
                norm, placement, finalNorm, dense, moe, latent, ssm, rwkv, linear, hybrid, parallelBlock, embeddings,
                finalLogitSoftcap, pooling, maskedLmHead, defaulted);
        var problems = SpecValidator.check(spec);
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(name == null ? "(unnamed)" : name, problems);
        }
        FieldRules.size(spec.plan().weights()).ifPresent(p -> {
            throw new InvalidSpecException(name == null ? "(unnamed)" : name, java.util.List.of(p));
        });
        return spec;
    }
}
