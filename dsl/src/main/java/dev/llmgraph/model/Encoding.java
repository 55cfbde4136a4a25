package dev.llmgraph.model;

import dev.llmgraph.model.lower.KvCache;
import dev.llmgraph.spec.ArchitectureKind;
import dev.llmgraph.spec.AttentionMask;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Pooling;

import java.util.List;

/**
 * What an encoder makes of a token sequence: the hidden state of every token (row-major [tokens x dModel]) and,
 * unless the spec pools with {@link Pooling#none()}, the one vector its pooling makes of them [dModel]. All tokens
 * go through the model in one batch, each seeing every other (a bidirectional mask), or as the call's
 * {@link AttentionMask} says (UniLM: the same weights left to right, or sequence to sequence).
 */
public final class Encoding {
    private final float[] hidden;
    private final float[] pooled;
    private final Logits logits;
    private final int tokens;
    private final int dModel;
    private final ModelSpec spec;
    private final AttentionMask mask;

    private Encoding(ModelSpec spec, AttentionMask mask, float[] hidden, float[] pooled, Logits logits, int tokens) {
        this.spec = spec;
        this.mask = mask;
        this.logits = logits;
        this.hidden = hidden;
        this.pooled = pooled;
        this.tokens = tokens;
        this.dModel = spec.dModel();
    }

    /** Runs {@code model} (an encoder) over {@code tokens} of token types {@code types} (null: all type 0). */
    static Encoding of(Model model, int[] tokens, int[] types) {
        return of(model, tokens, types, null);
    }

    /**
     * As {@link #of(Model, int[], int[])}, every token attending as {@code mask} says (null: bidirectional, the
     * encoder's own mask).
     */
    static Encoding of(Model model, int[] tokens, int[] types, AttentionMask mask) {
        ModelSpec spec = model.spec();
        if (!spec.encoder()) {
            throw new UnsupportedOperationException("encode: " + spec.name() + " is a " + spec.kind() + ", which "
                    + "predicts tokens (forward, generate) and has no encoder output; build an encoder with "
                    + "Transformer.encoder(...)");
        }
        model.checkTokens(tokens, "input");
        checkTypes(spec, tokens, types);
        if (mask != null) {
            mask.checkFits(tokens.length);
        }
        boolean pools = spec.pooling().pools();
        List<String> read = pools ? List.of("hidden", "pooled") : List.of("hidden");
        try (KvCache cache = model.newCache(tokens.length)) {
            var result = mask == null ? StepGraph.once(model, cache, tokens, types, 0, 0, true, read)
                    : StepGraph.once(model, cache, tokens, types, mask, read);
            float[] hidden = result.nodes().get("hidden").values();
            return new Encoding(spec, mask == null ? AttentionMask.bidirectional() : mask, hidden,
                    pools ? result.nodes().get("pooled").values() : null, spec.maskedLmHead() ? result.logits() : null,
                    tokens.length);
        }
    }

    /**
     * Refuses a null mask, and a mask chosen per call for a model that is not an encoder: a decoder's mask is part
     * of what it is (causal, or a prefix decoder's prefix), and its KV cache relies on it.
     */
    static void checkMask(ModelSpec spec, String call, AttentionMask mask) {
        if (mask == null) {
            throw new IllegalArgumentException(call + ": mask is null; pass AttentionMask.bidirectional(), "
                    + "AttentionMask.leftToRight() or AttentionMask.sequenceToSequence(sourceLength)");
        }
        if (!spec.encoder()) {
            throw new UnsupportedOperationException(call + ": a mask chosen per call runs an ENCODER's weights "
                    + "bidirectionally, left to right or sequence to sequence (UniLM); " + spec.name() + " is a "
                    + spec.kind() + ", whose mask is fixed by its kind (" + spec.kind().mask() + ")"
                    + (spec.kind() == ArchitectureKind.PREFIX_DECODER
                    ? "; use model.forward(tokens, prefixLength) for its bidirectional prefix"
                    : "; use model.forward(tokens)"));
        }
    }

    /** One type per token, each below the spec's count of token types (type 0 alone without a table). */
    static void checkTypes(ModelSpec spec, int[] tokens, int[] types) {
        if (types == null) {
            return;
        }
        if (types.length != tokens.length) {
            throw new IllegalArgumentException("tokenTypes has " + types.length + " entries for " + tokens.length
                    + " tokens; give one token type per token");
        }
        int count = spec.embeddings().tokenTypes();
        for (int i = 0; i < types.length; i++) {
            if (types[i] < 0 || types[i] >= Math.max(1, count)) {
                throw new IllegalArgumentException("token type " + types[i] + " at index " + i + " is out of range: "
                        + (count == 0 ? spec.name() + " has no token types (every token is type 0)"
                        : spec.name() + " has " + count + " token types (ids 0 to " + (count - 1) + ")"));
            }
        }
    }

    /** Refuses to decode from an encoder: every token sees the whole sequence, so there is no next token. */
    static void refuseDecoding(ModelSpec spec) {
        if (spec.encoder()) {
            throw new UnsupportedOperationException(spec.name() + " is an ENCODER: every token sees the whole "
                    + "sequence, so there is no next token to decode or generate; use model.encode(tokens) for its "
                    + "hidden states and " + spec.pooling() + (spec.maskedLmHead() ? ", model.forward(tokens) for its "
                    + "masked-LM logits" : ""));
        }
    }

    public int tokens() {
        return tokens;
    }

    public int dModel() {
        return dModel;
    }

    /** The hidden state of token {@code t} [dModel] (a copy). */
    public float[] hidden(int t) {
        if (t < 0 || t >= tokens) {
            throw new IndexOutOfBoundsException("token " + t + " of " + tokens);
        }
        float[] out = new float[dModel];
        System.arraycopy(hidden, t * dModel, out, 0, dModel);
        return out;
    }

    /** Every token's hidden state, row-major [tokens x dModel] (a copy). */
    public float[] hiddenStates() {
        return hidden.clone();
    }

    /** The pooled vector [dModel] (a copy). */
    public float[] pooled() {
        if (pooled == null) {
            throw new IllegalStateException(spec.name() + " does not pool (Pooling.none()); read hidden(t), or build "
                    + "it with .pooling(Pooling.cls()) or .pooling(Pooling.mean())");
        }
        return pooled.clone();
    }

    /**
     * The masked-LM head's logits, one row of vocabSize per token: at a masked position, the scores of the token
     * that belongs there.
     */
    public Logits logits() {
        if (logits == null) {
            throw new UnsupportedOperationException(spec.name() + " is an ENCODER without a masked-LM head: it "
                    + "predicts no tokens; use model.encode(tokens) for its hidden states and " + spec.pooling()
                    + ", or build it with .maskedLmHead(true)");
        }
        return logits;
    }

    /** The mask the tokens attended with: {@link AttentionMask#bidirectional()} unless the call chose another. */
    public AttentionMask mask() {
        return mask;
    }

    /** How the pooled vector was made. */
    public Pooling pooling() {
        return spec.pooling();
    }
}
