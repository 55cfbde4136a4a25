package dev.llmgraph.spec;

/**
 * What a learned tensor does in the model, set where the block plan ({@code spec.plan}) lists it.
 * Initialisation, storage and placement choose by role, never by reading the tensor's name.
 */
public enum WeightRole {
    /** The token embedding table {@code [dModel, vocabSize]}; rows are looked up per token (and it is the output
     *  head when embeddings are tied). */
    TOKEN_EMBEDDING(true),
    /** A learned absolute position table {@code [dModel, contextLength]} added to the token embeddings. */
    POSITION_EMBEDDING(false),
    /** An encoder's learned row per token type (segment) {@code [dModel, tokenTypes]}, added to the token embeddings. */
    TOKEN_TYPE_EMBEDDING(false),
    /** T5's learned bias per head and bucket of relative distance {@code [heads, buckets]}. */
    RELATIVE_POSITION_BIAS(false),
    /** The gain of a norm (including QK-norm). */
    NORM_GAIN(false),
    /** The bias of a LayerNorm. */
    NORM_BIAS(false),
    /** The bias of a projection. */
    BIAS(false),
    /**
     * A mixture of experts' router {@code [dModel, experts]}, or the vector of Qwen-MoE's shared-expert gate
     * {@code [dModel]}: few values that decide which experts run, kept in F32 (llama.cpp's quantizer leaves
     * {@code ffn_gate_inp} unquantized too, since a rounded score can flip a choice).
     */
    ROUTER(false),
    /** A projection DeepNet leaves alone: queries, keys, and the output head. */
    PROJECTION(true),
    /** A projection on a branch's value path, which DeepNet's beta scales: values, FFN gate and up. */
    BRANCH_PROJECTION(true),
    /**
     * A projection that writes a branch into the residual stream (attention output, FFN down): GPT-2 shrinks
     * it by sqrt(2 x layers), DeepNet's beta scales it.
     */
    BRANCH_OUTPUT(true),
    /**
     * A state space model's depthwise causal convolution kernel {@code [convWidth, innerDim]}: ggml's
     * {@code ssm_conv} reads it as F32 (llama.cpp's quantizer leaves {@code ssm_conv1d} alone too).
     */
    CONVOLUTION(false),
    /**
     * A state space model's decay rates A {@code [stateDim, innerDim]}, stored as A = -exp(A_log) < 0 as llama.cpp
     * stores {@code ssm_a}; the scan reads them as F32.
     */
    STATE_DECAY(false),
    /** A state space model's skip D {@code [innerDim]}: how much of each channel's input passes straight to y. */
    STATE_SKIP(false),
    /** The bias of a state space model's step size, before the softplus: it sets the initial time scale. */
    STEP_BIAS(false),
    /**
     * RWKV's token-shift lerp coefficients mu {@code [dModel]} (fused: {@code [dModel, 1, 1, 5 or 6]}): how much of
     * the previous token each channel takes, x + mu (x_prev - x); between 0 and 1 at initialisation.
     */
    TOKEN_SHIFT_MIX(false),
    /**
     * A factor of one of RWKV's small data-dependent LoRAs (token-shift lerps, decay, in-context learning rate, value
     * residual, gate): kept in F32, as llama.cpp's quantizer leaves {@code time_mix_w1}, {@code _w2} and the
     * others alone.
     */
    LOW_RANK(false),
    /**
     * RWKV's per-channel decay base {@code [dModel]} (RWKV-6 {@code time_mix_decay}, RWKV-7 {@code time_mix_w0}):
     * the log-log of the forgetting rate before the data-dependent part, spread from slow to fast across channels.
     */
    DECAY_BASE(false),
    /**
     * Another per-channel vector of RWKV's time mixing: RWKV-6's bonus u ({@code time_mix_first}), RWKV-7's biases
     * a0, v0 and its key scales k_k, k_a, r_k.
     */
    RECURRENCE_VECTOR(false);

    private final boolean matrix;

    WeightRole(boolean matrix) {
        this.matrix = matrix;
    }

    /**
     * A 2-d weight a token is multiplied by (may be quantized); false for norms, biases and small tables, which
     * stay F32.
     */
    public boolean matrix() {
        return matrix;
    }
}
