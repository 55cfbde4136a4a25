package dev.llmgraph.model;

import dev.llmgraph.model.lower.KvCache;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Pooling;

import java.util.List;

/**
 * What an encoder makes of a token sequence: the hidden state of every token (row-major [tokens x dModel]) and,
 * unless the spec pools with {@link Pooling#none()}, the one vector its pooling makes of them [dModel]. All tokens
 * go through the model in one batch, each seeing every other (a bidirectional mask).
 */
public final class Encoding {
    private final float[] hidden;
    private final float[] pooled;
    private final Logits logits;
    private final int tokens;
    private final int dModel;
    private final ModelSpec spec;

    private Encoding(ModelSpec spec, float[] hidden, float[] pooled, Logits logits, int tokens) {
        this.spec = spec;
        this.logits = logits;
        this.hidden = hidden;
        this.pooled = pooled;
        this.tokens = tokens;
        this.dModel = spec.dModel();
    }

    /** Runs {@code model} (an encoder) over {@code tokens} of token types {@code types} (null: all type 0). */
    static Encoding of(Model model, int[] tokens, int[] types) {
        ModelSpec spec = model.spec();
        if (!spec.encoder()) {
            throw new UnsupportedOperationException("encode: " + spec.name() + " is a " + spec.kind() + ", which "
                    + "predicts tokens (forward, generate) and has no encoder output; build an encoder with "
                    + "Transformer.encoder(...)");
        }
        model.checkTokens(tokens, "input");
        checkTypes(spec, tokens, types);
        boolean pools = spec.pooling().pools();
        try (KvCache cache = model.newCache(tokens.length)) {
            var result = StepGraph.once(model, cache, tokens, types, 0, 0, true,
                    pools ? List.of("hidden", "pooled") : List.of("hidden"));
            float[] hidden = result.nodes().get("hidden").values();
            return new Encoding(spec, hidden, pools ? result.nodes().get("pooled").values() : null,
                    spec.maskedLmHead() ? result.logits() : null, tokens.length);
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

    /** How the pooled vector was made. */
    public Pooling pooling() {
        return spec.pooling();
    }
}
