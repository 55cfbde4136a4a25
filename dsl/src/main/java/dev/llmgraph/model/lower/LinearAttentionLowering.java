package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.LinearAttentionOps;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.ggml.TrainingOps;
import dev.llmgraph.spec.FeatureMap;
import dev.llmgraph.spec.LinearAttention;
import dev.llmgraph.spec.LinearDecay;

/**
 * Linear attention with a decay ({@link LinearAttention}) over a batch of T tokens of one sequence, with ggml's
 * {@code gated_linear_attn}, reading and writing the layer's state in {@link RecurrentState}.
 *
 * <p>Dimension legend (ggml order): d dModel, S headDim, H heads (d = S H), R the decay gate's rank, T new tokens.
 * <pre>
 *  q, k        phi(W_q x), phi(W_k x) [S, H, T]     phi = x, or elu(x) + 1
 *  v           W_v x [S, H, T]
 *  g           [S, H, T]: 1 (no decay); the schedule's rate of each head, a graph input (fixed decay);
 *              exp(log-sigmoid(W_gk2 W_gk1 x + b) / tau) (gated)
 *  gated_linear_attn(k, v, q, g, state [S S H, 1], 1 / sqrt(S)) = y [d, T] | new state [S S H]
 *  y           SRMSNorm(y) over d (if outputNorm), times SiLU(W_u x) (if outputGate)
 *  out         W_o y
 * </pre>
 */
final class LinearAttentionLowering {
    private final GraphBuilder g;
    private final Context ctx;
    private final LinearAttentionOps ops;
    private final TrainingOps elementwise;
    private final RecurrentState state;

    LinearAttentionLowering(GraphBuilder g, RecurrentState state) {
        this.g = g;
        this.ctx = g.ctx;
        this.ops = LinearAttentionOps.of(g.ctx);
        this.elementwise = TrainingOps.of(g.ctx);
        this.state = state;
    }

    /** Layer {@code layer}'s linear attention over the normalised input {@code x} [d, T]; returns [d, T]. */
    Tensor lower(int layer, LinearAttention m, Tensor x) {
        String b = "blk." + layer + ".";
        String n = "." + layer;
        long d = x.ne(0), tokens = x.ne(1), s = m.headDim((int) d), h = m.heads();
        Tensor q = g.name(features(m.featureMap(), g.linear(x, b + "attn_q")), "Qcur" + n);   // [d, T]
        Tensor k = g.name(features(m.featureMap(), g.linear(x, b + "attn_k")), "Kcur" + n);
        Tensor v = g.name(g.linear(x, b + "attn_v"), "Vcur" + n);
        Tensor decay = decay(layer, m, x, b);                                                   // [S, H, T]
        if (m.decay().decays()) {
            g.name(decay, "linear_decay" + n);
        }
        Tensor all = ops.gatedLinearAttention(ctx.reshape(k, s, h, tokens), ctx.reshape(v, s, h, tokens),
                ctx.reshape(q, s, h, tokens), decay, state.linear(layer), (float) (1 / Math.sqrt(s)));
        Tensor y = g.name(readOut(layer, all, d, tokens), "linear_attn" + n);                  // [d, T]
        if (m.outputNorm()) {
            y = ctx.rmsNorm(ctx.cont(y), (float) LinearAttention.OUTPUT_NORM_EPS);
        }
        if (m.outputGate()) {
            y = ctx.mul(y, ctx.silu(g.linear(x, b + "attn_gate")));
        }
        if (m.outputNorm() || m.outputGate()) {
            g.name(y, "linear_gated" + n);
        }
        return g.name(g.linear(y, b + "attn_output"), "attn_out" + n);
    }

    private Tensor features(FeatureMap map, Tensor x) {
        return switch (map) {
            case IDENTITY -> x;
            case ELU_PLUS_ONE -> elementwise.scaleBias(ops.elu(x), 1f, 1f);
            case SILU -> ctx.silu(x);
        };
    }

    /** The decay of every key channel of every token, [S, H, T]. */
    private Tensor decay(int layer, LinearAttention m, Tensor x, String b) {
        long d = x.ne(0), tokens = x.ne(1), s = m.headDim((int) d), h = m.heads();
        return switch (m.decay()) {
            case LinearDecay.None _ -> {
                float[] ones = new float[(int) h];
                java.util.Arrays.fill(ones, 1f);
                yield g.inputs.linearDecay(layer, ones, s);
            }
            case LinearDecay.Fixed f -> {
                float[] rates = new float[(int) h];
                for (int head = 0; head < h; head++) {
                    rates[head] = (float) f.schedule().decay(head, (int) h, layer, g.spec.layers());
                }
                yield g.inputs.linearDecay(layer, rates, s);
            }
            case LinearDecay.Gated gated -> {
                Tensor z = ctx.mulMat(g.matrix(b + "attn_gk2.weight"),
                        ctx.mulMat(g.matrix(b + "attn_gk1.weight"), x));                   // [d, T]
                z = ctx.add(z, g.weights.get(b + "attn_gk2.bias"));
                // log sigmoid(z) = -softplus(-z); divided by the temperature, then exp: sigmoid(z)^(1/tau)
                Tensor logGate = elementwise.softplus(ctx.scale(z, -1f));
                Tensor gate = elementwise.exp(ctx.scale(logGate, (float) (-1 / gated.temperature())));
                yield ctx.reshape(gate, s, h, tokens);
            }
        };
    }

    /** y [d, T] from the op's result; its final state is copied back to the layer's state. */
    private Tensor readOut(int layer, Tensor all, long d, long tokens) {
        Tensor layerState = state.linear(layer);
        Tensor newState = ctx.view(all, new long[] {layerState.elementCount()}, new long[] {}, d * tokens * 4);
        g.graph.expand(ctx.cpy(newState, layerState));
        return ctx.view(all, new long[] {d, tokens}, new long[] {d * 4}, 0);
    }
}
