package dev.llmgraph.io.family;

import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.QkNorm;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.Router;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one model family's graph is, as facts rather than code: llama.cpp's name for it, the Hugging Face
 * {@code model_type}s written as it, and the choices its graph makes (norm, placement, positions, biases, FFN,
 * experts) and the tensor names it stores. GGUF writing and reading ({@code io.gguf}) and HF config.json
 * ({@code io.hf}) both read these facts; what a family computes beyond them (Gemma 2's query scale, DeepSeek's
 * latent attention keys) is the one switch case over {@link ModelFamily} that the compiler points at.
 *
 * @param llamaCpp       the value of {@code general.architecture}, llama.cpp's {@code src/models/<name>.cpp}
 * @param hfModelTypes   the HF {@code model_type}s whose configs are written as this family (none: no HF mapping)
 * @param mixer          what mixes positions in every block
 * @param embeddings     what happens to the token embeddings before the first block
 * @param norm           the block norms' kind
 * @param placement      where the block norms sit
 * @param parallelBlock  whether attention and the FFN read one norm side by side ({@code x + attn(n) + ffn(n)})
 * @param positions      how positions enter
 * @param qkNorm         normalisation of q and k before attention
 * @param squareAttention whether attention is sized by dModel (heads x headDim = dModel)
 * @param softCapped     whether attention and output logits are always soft-capped (Gemma 2)
 * @param scaledQueries  whether the graph multiplies q by the scale before q.k ({@code Attention.scaledQueries}:
 *                       Gemma 3, Phi-3) rather than the logits after it
 * @param qkvBias        biases on the q, k and v projections
 * @param outBias        a bias on the attention output projection
 * @param ffn            the dense FFN; null when blocks have none (state space models)
 * @param experts        how the family routes to experts
 * @param outputHead     whether the output head may, must or must not be the token embedding
 * @param outputBias     a bias on the logits (output.bias: Phi-2 has one)
 * @param tensors        how q, k, v and gate, up are stored, tensors spelled or repeated otherwise than
 *                       llmgraph's weights, and tensors that name a feature llmgraph lacks
 * @param encoder        whether the graph encodes (bidirectional attention, hidden states and a pooled vector out,
 *                       post-LN without a final norm; the file says {@code <arch>.attention.causal = false})
 */
public record FamilyFacts(String llamaCpp, List<String> hfModelTypes, Mixer mixer, Embeddings embeddings,
                          NormKind norm, NormPlacement placement, boolean parallelBlock, Positions positions,
                          QkNorm qkNorm, boolean squareAttention, boolean softCapped, boolean scaledQueries,
                          Bias qkvBias, Bias outBias,
                          FfnFacts ffn, Experts experts, OutputHead outputHead, Bias outputBias, Tensors tensors,
                          boolean encoder) {

    public FamilyFacts {
        hfModelTypes = List.copyOf(hfModelTypes);
    }

    /** Whether a bias must be there, may be there, or cannot be. */
    public enum Bias { REQUIRED, OPTIONAL, ABSENT }

    /** The sequence mixer of every block. */
    public enum Mixer {
        /** Softmax attention over full keys and values. */
        SOFTMAX,
        /** Multi-head latent attention (DeepSeek-V2's MLA) in its absorbed form. */
        LATENT,
        /** Mamba's selective state space, no FFN. */
        MAMBA,
        /** Mamba-2's state space (one decay per head), no FFN. */
        MAMBA2,
        /** RWKV-6 (Finch) time mixing, with RWKV's channel mixing in place of the FFN. */
        RWKV6,
        /** RWKV-7 (Goose) time mixing, with RWKV's channel mixing in place of the FFN. */
        RWKV7,
        /**
         * Jamba's hybrid stack: Mamba (with RMSNorms on dt, B and C) on the layers whose {@code head_count_kv} is 0,
         * softmax attention without positions on the others, and an FFN or experts after every mixer.
         */
        MAMBA_ATTENTION_HYBRID
    }

    /** The embeddings as the first block reads them. */
    public enum Embeddings {
        PLAIN,
        /** A LayerNorm right after the lookup ({@code token_embd_norm}, BLOOM). */
        LAYER_NORMED,
        /** Multiplied by sqrt(dModel) (Gemma). */
        SCALED_BY_SQRT_DMODEL
    }

    public enum NormKind {
        RMS,
        LAYER_WITH_BIAS
    }

    /** Whether the output head is the token embedding. */
    public enum OutputHead {
        /** A file without {@code output.weight} reuses the token embedding. */
        EITHER,
        /** The graph always reuses the token embedding. */
        ALWAYS_TIED,
        /** The graph loads its own {@code output.weight}. */
        NEVER_TIED
    }

    /** How positions enter the blocks. */
    public sealed interface Positions {
        /**
         * RoPE on {@code pairing}; over whole heads when {@code wholeHeads} (the graph asserts it); with
         * {@code frequencyDivisors} the loader reads the tensor rope_freqs (Llama 3's scaling) and the graph divides
         * each pair's frequency by it; with {@code longRopeFactors} it reads LongRoPE's rope_factors_short and
         * rope_factors_long and divides by one of them, as its context is within the trained one or beyond it (a graph
         * with both, llama.cpp's llama, reads the two sets only where rope.scaling.type is "longrope"); with
         * {@code slidingBase} the sliding-window layers rotate with a base of their own (rope.freq_base_swa).
         */
        record Rope(RopePairing pairing, boolean wholeHeads, boolean frequencyDivisors, boolean longRopeFactors,
                    boolean slidingBase)
                implements Positions {}

        /** Learned absolute positions added to the token embeddings. */
        record Learned() implements Positions {}

        /** ALiBi with a fixed maximum bias (the loader's, not a key). */
        record Alibi(double maxBias) implements Positions {}

        /** No positions: the recurrence orders tokens (state space models). */
        record FromRecurrence() implements Positions {}
    }

    /** The dense FFN: {@code activation}, gated or not, biases as {@code bias} says. */
    public record FfnFacts(Activation activation, boolean gated, Bias bias) {}

    /**
     * Experts: none; optional (llama: with {@code expert_count} every layer routes); in every layer; or the
     * family's own rules (DeepSeek). Routed by {@code router}, to gated experts of the FFN's activation, with
     * sigmoid-gated shared experts when {@code sigmoidSharedExperts}; with {@code sameWidthAsFfn} the graph sizes
     * experts by feed_forward_length, so the spec's dense FFN must be as wide.
     */
    public record Experts(Presence presence, Router router, boolean sigmoidSharedExperts, boolean sameWidthAsFfn) {
        public enum Presence { NONE, OPTIONAL, EVERY_LAYER, OWN_RULES }

        public static Experts none() {
            return new Experts(Presence.NONE, null, false, false);
        }
    }

    /**
     * Stored tensor names: q, k and v as separate tensors, as one {@code attn_qkv}, or written fused and read in
     * either form; gate and up as one {@code ffn_up} (gate rows first); {@code renamed}: names (the part between
     * the block number and {@code .weight}) the files spell otherwise, llmgraph's name to the file's (BERT's
     * post-norms); {@code copies}: file tensors that repeat one of the weights, the file's name to the weight's
     * (written as copies, expected when read, never read into the model: rwkv7's unused layer-0 value-residual
     * tensors); and tensors refused because they name a feature llmgraph lacks, each with that feature in words.
     */
    public record Tensors(QkvTensors qkv, boolean gateUpFused, Map<String, String> renamed,
                          Map<String, String> copies, List<RefusedTensor> refused) {
        public Tensors {
            renamed = Collections.unmodifiableMap(new LinkedHashMap<>(renamed));
            copies = Collections.unmodifiableMap(new LinkedHashMap<>(copies));
            refused = List.copyOf(refused);
        }
    }

    public enum QkvTensors { SEPARATE, FUSED, FUSED_OR_SEPARATE }

    /** A tensor whose presence means {@code feature}, which llmgraph cannot express yet. */
    public record RefusedTensor(String tensor, String feature) {}

    /** RoPE's pairing, or null when positions are not RoPE. */
    public RopePairing ropePairing() {
        return switch (positions) {
            case Positions.Rope rope -> rope.pairing();
            case Positions.Learned _, Positions.Alibi _, Positions.FromRecurrence _ -> null;
        };
    }

    /**
     * Facts for {@code llamaCpp} that start as a pre-RMSNorm decoder with RoPE on adjacent pairs over whole heads,
     * attention sized by dModel, optional q, k and v biases, SwiGLU without biases and no experts; each setter
     * states one difference.
     */
    static Builder decoder(String llamaCpp) {
        return new Builder(llamaCpp);
    }

    /** Names each fact once; the defaults are those of {@link #decoder}. */
    static final class Builder {
        private final String llamaCpp;
        private List<String> hf = List.of();
        private Mixer mixer = Mixer.SOFTMAX;
        private Embeddings embeddings = Embeddings.PLAIN;
        private NormKind norm = NormKind.RMS;
        private NormPlacement placement = NormPlacement.PRE;
        private boolean parallel;
        private Positions positions = new Positions.Rope(RopePairing.ADJACENT, true, false, false, false);
        private QkNorm qkNorm = QkNorm.NONE;
        private boolean square = true;
        private boolean softCapped;
        private boolean scaledQueries;
        private Bias qkvBias = Bias.OPTIONAL;
        private Bias outBias = Bias.ABSENT;
        private FfnFacts ffn = new FfnFacts(Activation.SILU, true, Bias.ABSENT);
        private Experts experts = Experts.none();
        private OutputHead outputHead = OutputHead.EITHER;
        private Bias outputBias = Bias.ABSENT;
        private QkvTensors qkv = QkvTensors.SEPARATE;
        private boolean gateUpFused;
        private final Map<String, String> renamed = new LinkedHashMap<>();
        private final Map<String, String> copies = new LinkedHashMap<>();
        private final List<RefusedTensor> refused = new ArrayList<>();
        private boolean encoder;

        private Builder(String llamaCpp) {
            this.llamaCpp = llamaCpp;
        }

        Builder hf(String... modelTypes) {
            hf = List.of(modelTypes);
            return this;
        }

        Builder mixer(Mixer value) {
            mixer = value;
            return this;
        }

        Builder embeddings(Embeddings value) {
            embeddings = value;
            return this;
        }

        Builder layerNormWithBias() {
            norm = NormKind.LAYER_WITH_BIAS;
            return this;
        }

        Builder placement(NormPlacement value) {
            placement = value;
            return this;
        }

        Builder parallelBlock() {
            parallel = true;
            return this;
        }

        Builder positions(Positions value) {
            positions = value;
            return this;
        }

        Builder rope(RopePairing pairing, boolean wholeHeads) {
            return positions(new Positions.Rope(pairing, wholeHeads, false, false, false));
        }

        /** RoPE on {@code pairing}, the sliding-window layers with a base of their own (Gemma 2 and 3). */
        Builder ropeWithSlidingBase(RopePairing pairing, boolean wholeHeads) {
            return positions(new Positions.Rope(pairing, wholeHeads, false, false, true));
        }

        /**
         * The default RoPE (adjacent pairs, whole heads), with per-pair frequency divisors read: Llama 3's and
         * LongRoPE's.
         */
        Builder ropeWithFrequencyDivisors() {
            return positions(new Positions.Rope(RopePairing.ADJACENT, true, true, true, false));
        }

        /** RoPE on {@code pairing}, with LongRoPE's two sets of per-pair divisors read (Phi-3). */
        Builder ropeWithLongRopeFactors(RopePairing pairing, boolean wholeHeads) {
            return positions(new Positions.Rope(pairing, wholeHeads, false, true, false));
        }

        Builder qkNorm(QkNorm value) {
            qkNorm = value;
            return this;
        }

        /** Attention of any width (attn_output [heads x headDim, dModel]). */
        Builder anyAttentionWidth() {
            square = false;
            return this;
        }

        Builder softCapped() {
            softCapped = true;
            return this;
        }

        /** q multiplied by the scale before q.k, the logits left unscaled. */
        Builder scaledQueries() {
            scaledQueries = true;
            return this;
        }

        Builder attentionBiases(Bias qkv, Bias out) {
            qkvBias = qkv;
            outBias = out;
            return this;
        }

        Builder ffn(Activation activation, boolean gated, Bias bias) {
            ffn = new FfnFacts(activation, gated, bias);
            return this;
        }

        Builder noFfn() {
            ffn = null;
            return this;
        }

        Builder experts(Experts value) {
            experts = value;
            return this;
        }

        Builder outputHead(OutputHead value) {
            outputHead = value;
            return this;
        }

        Builder outputBias(Bias value) {
            outputBias = value;
            return this;
        }

        Builder qkv(QkvTensors value) {
            qkv = value;
            return this;
        }

        Builder gateUpFused() {
            gateUpFused = true;
            return this;
        }

        /** The file spells llmgraph's {@code weight} name (between block number and .weight) as {@code stored}. */
        Builder rename(String weight, String stored) {
            renamed.put(weight, stored);
            return this;
        }

        /** The file holds {@code stored}, a copy of llmgraph's weight {@code weight}, which the graph never uses. */
        Builder copy(String stored, String weight) {
            copies.put(stored, weight);
            return this;
        }

        /** An encoder: bidirectional, post-LN without a final norm, hidden states and a pooled vector out. */
        Builder encoder() {
            encoder = true;
            placement = NormPlacement.POST;
            return this;
        }

        Builder refuse(String tensor, String feature) {
            refused.add(new RefusedTensor(tensor, feature));
            return this;
        }

        FamilyFacts build() {
            return new FamilyFacts(llamaCpp, hf, mixer, embeddings, norm, placement, parallel, positions, qkNorm,
                    square, softCapped, scaledQueries, qkvBias, outBias, ffn, experts, outputHead,
                    outputBias, new Tensors(qkv, gateUpFused, renamed, copies, refused), encoder);
        }
    }
}
