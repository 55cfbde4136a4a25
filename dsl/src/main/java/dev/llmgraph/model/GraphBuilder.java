package dev.llmgraph.model;

import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.Glu;
import dev.llmgraph.ggml.Graph;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;

import java.util.HashMap;
import java.util.Map;

/**
 * Emits the ggml ops of one forward pass of a spec over a batch of tokens: embeddings, the blocks with
 * their norms in the spec's placement, attention ({@link AttentionBuilder}), FFN, and the output head.
 *
 * <p>Dimension legend (ggml order, ne[0] first):
 * <pre>
 *  d   dModel            T   tokens in this batch        V  vocabSize
 *  hd  headDim           K   keys visible (cached + T)   f  ffn width
 *  x   [d, T]            residual stream
 * </pre>
 * Every node the shape trace lists is named here (see {@code ShapeTrace}); a name can map to the same
 * tensor as another (e.g. {@code embd} is {@code tok_embd} when nothing is added).
 */
final class GraphBuilder {
    final ModelSpec spec;
    final Context ctx;
    final Graph graph;
    final Weights weights;
    final Shape shape;
    final Map<String, Tensor> named = new HashMap<>();
    /** Where positions enter: the embeddings, q and k, or the attention logits. */
    final Positions positions;

    /**
     * The shape of a graph, which is all that decides its ops: a graph is reused for every batch of the
     * same shape, with new inputs.
     *
     * @param tokens    new tokens T
     * @param keys      cache rows attention reads (K, padded past the tokens seen; the mask hides the padding)
     * @param allLogits logits for every new token, or only the last
     */
    record Shape(int tokens, int keys, boolean allLogits) {}

    /** The inputs the caller fills after allocation. */
    final Inputs inputs;

    GraphBuilder(ModelSpec spec, Weights weights, KvCache cache, Context ctx, Graph graph, Shape shape) {
        this.spec = spec;
        this.ctx = ctx;
        this.graph = graph;
        this.weights = weights;
        this.shape = shape;
        this.positions = Positions.of(spec);
        this.inputs = new Inputs(spec, positions, ctx, shape, cache);
    }

    /** Builds the whole pass; returns the logits [V, T] (or [V, 1] for the last token only). */
    Tensor build(KvCache cache) {
        Tensor x = embeddings();
        AttentionBuilder attention = new AttentionBuilder(this, cache);
        for (int layer = 0; layer < spec.layers(); layer++) {
            x = block(layer, x, attention);
        }
        if (spec.finalNorm()) {
            x = name(norm(x, "output_norm"), "out_norm");
        }
        Tensor head = spec.tiedEmbeddings() ? weights.get("token_embd.weight") : weights.get("output.weight");
        Tensor logits = ctx.mulMat(head, x);
        if (spec.finalLogitSoftcap() > 0) {
            logits = softcap(logits, spec.finalLogitSoftcap());
        }
        return name(logits, "logits").markOutput();
    }

    private Tensor embeddings() {
        Tensor x = name(ctx.getRows(weights.get("token_embd.weight"), inputs.tokens), "tok_embd");
        // The scale applies to the token embeddings only, before positions are added (Vaswani et al. 3.4).
        if (spec.embeddings().scale() != 1.0) {
            x = ctx.scale(x, (float) spec.embeddings().scale());
        }
        x = positions.embed(this, x);
        if (spec.embeddings().layerNorm()) {
            x = name(norm(x, "token_embd_norm"), "embd_norm");
        }
        return name(x, "embd");
    }

    private Tensor block(int layer, Tensor x, AttentionBuilder attention) {
        String b = "blk." + layer + ".";
        String i = "." + layer;
        NormPlacement placement = spec.placement();
        float alpha = (float) placement.residualAlpha(spec.layers());
        if (spec.parallelBlock()) {
            if (placement == NormPlacement.PRE) {
                Tensor h = name(norm(x, b + "attn_norm"), "attn_norm" + i);
                Tensor a = outputs(layer, attention.attend(layer, h));
                Tensor sum = ctx.add(a, ffn(layer, outputs(layer, h)));
                return name(ctx.add(outputs(layer, x), sum), "l_out" + i);
            }
            Tensor a = outputs(layer, attention.attend(layer, x));
            x = outputs(layer, x);
            Tensor sum = ctx.add(ctx.add(x, a), ffn(layer, x));
            name(sum, "ffn_res" + i);
            return name(name(norm(sum, b + "attn_norm"), "attn_norm" + i), "l_out" + i);
        }
        return switch (placement) {
            case PRE, SANDWICH -> {
                Tensor h = name(norm(x, b + "attn_norm"), "attn_norm" + i);
                Tensor a = attention.attend(layer, h);
                if (placement == NormPlacement.SANDWICH) {
                    a = name(norm(a, b + "attn_post_norm"), "attn_post_norm" + i);
                }
                Tensor mid = name(ctx.add(outputs(layer, x), outputs(layer, a)), "attn_res" + i);
                Tensor h2 = name(norm(mid, b + "ffn_norm"), "ffn_norm" + i);
                Tensor f = ffn(layer, h2);
                if (placement == NormPlacement.SANDWICH) {
                    f = name(norm(f, b + "ffn_post_norm"), "ffn_post_norm" + i);
                }
                yield name(ctx.add(mid, f), "l_out" + i);
            }
            case POST, DEEPNORM -> {
                // x = N(alpha * x + F(x)), alpha = 1 for POST
                Tensor a = outputs(layer, attention.attend(layer, x));
                Tensor mid = name(ctx.add(residual(outputs(layer, x), alpha), a), "attn_res" + i);
                mid = name(norm(mid, b + "attn_norm"), "attn_norm" + i);
                Tensor f = ffn(layer, mid);
                Tensor out = name(ctx.add(residual(mid, alpha), f), "ffn_res" + i);
                yield name(name(norm(out, b + "ffn_norm"), "ffn_norm" + i), "l_out" + i);
            }
        };
    }

    /**
     * In the last block, when only the last token's logits are wanted, everything after attention needs
     * only the last token: its column of {@code t} [d, T]. (The attention itself still reads every token's
     * keys and values.) llama.cpp trims the same way; for a 512-token prompt it skips the last block's FFN
     * for 511 tokens.
     */
    private Tensor outputs(int layer, Tensor t) {
        if (layer < spec.layers() - 1 || shape.allLogits() || shape.tokens() == 1) {
            return t;
        }
        return ctx.view(t, new long[] {t.ne(0), 1}, new long[] {t.nb(1)}, (shape.tokens() - 1) * t.nb(1));
    }

    private Tensor residual(Tensor x, float alpha) {
        return alpha == 1f ? x : ctx.scale(x, alpha);
    }

    private Tensor ffn(int layer, Tensor x) {
        String b = "blk." + layer + ".";
        String i = "." + layer;
        Ffn f = spec.ffn();
        Tensor up = name(linear(x, b + "ffn_up"), "ffn_up" + i);
        Tensor hidden;
        if (f.gated()) {
            Tensor gate = name(linear(x, b + "ffn_gate"), "ffn_gate" + i);
            hidden = switch (f.activation()) {
                case SILU -> ctx.glu(Glu.SWIGLU, gate, up);
                case GELU_TANH -> ctx.glu(Glu.GEGLU, gate, up);
                case GELU -> ctx.glu(Glu.GEGLU_ERF, gate, up);
                case RELU -> ctx.glu(Glu.REGLU, gate, up);
                case IDENTITY -> ctx.mul(gate, up);
            };
        } else {
            hidden = activate(up, f.activation());
        }
        name(hidden, "ffn_act" + i);
        return name(linear(hidden, b + "ffn_down"), "ffn_out" + i);
    }

    private Tensor activate(Tensor x, Activation activation) {
        return switch (activation) {
            case RELU -> ctx.relu(x);
            case GELU -> ctx.geluErf(x);
            case GELU_TANH -> ctx.gelu(x);
            case SILU -> ctx.silu(x);
            case IDENTITY -> x;
        };
    }

    // ---- shared pieces ---------------------------------------------------------------------------------

    /** W x (+ b) for the weight {@code base}.weight [in, out] and optional {@code base}.bias [out]. */
    Tensor linear(Tensor x, String base) {
        Tensor y = ctx.mulMat(weights.get(base + ".weight"), x);
        Tensor bias = weights.find(base + ".bias");
        return bias == null ? y : ctx.add(y, bias);
    }

    /** The spec's norm over ne[0] with the weight and bias named {@code base} (where the norm has them). */
    Tensor norm(Tensor x, String base) {
        return normWith(spec.norm(), x, base);
    }

    Tensor normWith(Norm norm, Tensor x, String base) {
        Tensor y = switch (norm) {
            case Norm.LayerNorm ln -> ctx.norm(x, (float) ln.eps());
            case Norm.RmsNorm rms -> ctx.rmsNorm(x, (float) rms.eps());
            case Norm.SimpleRmsNorm simple -> ctx.rmsNorm(x, (float) simple.eps());
        };
        Tensor weight = weights.find(base + ".weight");
        if (weight != null) {
            y = ctx.mul(y, weight);
        }
        Tensor bias = weights.find(base + ".bias");
        return bias == null ? y : ctx.add(y, bias);
    }

    /** c * tanh(x / c). */
    Tensor softcap(Tensor x, double cap) {
        return ctx.scale(ctx.tanh(ctx.scale(x, (float) (1.0 / cap))), (float) cap);
    }

    /** Names a node (for inspection and the shape trace); a tensor can carry several names. */
    Tensor name(Tensor t, String name) {
        t.name(name);
        named.put(name, t);
        return t;
    }
}
