package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.RwkvOps;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.spec.Rwkv;
import dev.llmgraph.spec.Rwkv6;
import dev.llmgraph.spec.Rwkv7;
import dev.llmgraph.spec.RwkvChannelMix;

/**
 * RWKV's time mixing (RWKV-6, RWKV-7) and channel mixing over a batch of T tokens of one sequence, as llama.cpp's
 * {@code rwkv6} and {@code rwkv7} graphs compute them, reading and writing the layer's {@link RecurrentState}.
 *
 * <p>Dimension legend (ggml order): d dModel, S headSize, H heads (d = S H), R a LoRA's rank, T new tokens.
 * <pre>
 *  token shift   x_prev [d, T] = [shift column | x[:, 0 .. T-2]];  x[:, T-1] becomes the shift column
 *  RWKV-6        sx = x_prev - x;  m [d, 1, T, 5] = mu_fused + W2 tanh(W1 (x + mu_x sx))  (w, k, v, r, g)
 *                x_* = x + m_* sx;  r k v [S, H, T];  w = exp(-exp(decay + D2 tanh(D1 x_w)))
 *                rwkv_wkv6(k, v, r, u, w, state [S S H, 1]) = y [d x T] | new state [S S H]
 *                out = W_o (GroupNorm_H(y) * SiLU(W_g x_g))
 *  RWKV-7        x_* = x + mu_* sx for r w k v a g;  w = exp(-0.606531 sigmoid(w0 + W2 tanh(W1 x_w)))
 *                v += (v_first - v) sigmoid(v0 + V2 V1 x_v) after layer 0;  a = sigmoid(a0 + A2 A1 x_a)
 *                kk = L2Norm_S(k k_k);  k = k + a k k_a - k k_a
 *                rwkv_wkv7(r, w, k, v, -kk, kk a, state) = y | new state
 *                out = W_o ((GroupNorm_H(y) + v sum_S(k r r_k)) * G2 sigmoid(G1 x_g))
 *  channel mix   x_k = x + mu_k sx;  out = W_v ReLU(W_k x_k)^2  (RWKV-6: times sigmoid(W_r (x + mu_r sx)))
 * </pre>
 * The group norm is a LayerNorm over each head's S values with llama.cpp's eps 64e-5, then one gain and bias [d].
 */
final class RwkvLowering {
    /** llama.cpp's eps of the per-head group norm (RWKV's ln_x). */
    private static final float GROUP_NORM_EPS = 64e-5f;
    /** RWKV-7's decay scale e^-1/2: w = exp(-e^-1/2 sigmoid(.)) lies in (0.545, 1). */
    private static final float GOOSE_DECAY = -0.606531f;

    private final GraphBuilder g;
    private final Context ctx;
    private final RwkvOps ops;
    private final RecurrentState state;
    /** RWKV-7: layer 0's values, which every later layer mixes back in; null before layer 0 is lowered. */
    private Tensor firstValues;

    RwkvLowering(GraphBuilder g, RecurrentState state) {
        this.g = g;
        this.ctx = g.ctx;
        this.ops = RwkvOps.of(g.ctx);
        this.state = state;
    }

    /** Layer {@code layer}'s time mixing over the normalised input {@code x} [d, T]; returns [d, T]. */
    Tensor timeMix(int layer, Rwkv m, Tensor x) {
        return switch (m) {
            case Rwkv6 six -> rwkv6(layer, six, x);
            case Rwkv7 seven -> rwkv7(layer, seven, x);
        };
    }

    /** Layer {@code layer}'s channel mixing over the normalised input {@code x} [d, T]; returns [d, T]. */
    Tensor channelMix(int layer, RwkvChannelMix m, Tensor x) {
        String b = "blk." + layer + ".";
        String i = "." + layer;
        Tensor sx = ctx.sub(shifted(layer, 1, x), x);
        Tensor xk = ctx.add(ctx.mul(sx, w(b + "channel_mix_lerp_k")), x);
        Tensor k = g.name(ctx.sqr(ctx.relu(g.linear(xk, b + "channel_mix_key"))), "channel_mix_key" + i);
        Tensor out = g.linear(k, b + "channel_mix_value");
        if (m.receptance()) {
            Tensor xr = ctx.add(ctx.mul(sx, w(b + "channel_mix_lerp_r")), x);
            out = ctx.mul(ctx.sigmoid(g.linear(xr, b + "channel_mix_receptance")), out);
        }
        return g.name(out, "channel_mix_out" + i);
    }

    /**
     * The previous token's input for every token of {@code x} [d, T]: column {@code column} of the layer's shift
     * state, then x's first T - 1 columns. The last column of x is then written to the state, after the read.
     */
    private Tensor shifted(int layer, int column, Tensor x) {
        long d = x.ne(0), tokens = x.ne(1);
        Tensor shift = state.shift(layer);                                                   // [d, 2, 1]
        Tensor previous = ctx.view(shift, new long[] {d, 1}, new long[] {shift.nb(1)}, column * shift.nb(1));
        Tensor xPrev = tokens == 1 ? ctx.cont(previous)
                : ctx.concat(previous, ctx.view(x, new long[] {d, tokens - 1}, new long[] {x.nb(1)}, 0), 1);
        g.graph.expand(xPrev); // read before the write below
        Tensor last = ctx.view(x, new long[] {d, 1}, new long[] {x.nb(1)}, (tokens - 1) * x.nb(1));
        g.graph.expand(ctx.cpy(last, previous));
        return xPrev;                                                                        // [d, T]
    }

    private Tensor rwkv6(int layer, Rwkv6 m, Tensor x) {
        String b = "blk." + layer + ".";
        String i = "." + layer;
        long d = x.ne(0), tokens = x.ne(1), s = m.headSize(), h = m.heads((int) d), rank = m.mixRank();
        Tensor sx = ctx.sub(shifted(layer, 0, x), x);                                       // [d, T]
        Tensor lora = ctx.add(ctx.mul(sx, w(b + "time_mix_lerp_x")), x);
        lora = ctx.reshape(ctx.tanh(ctx.mulMat(w(b + "time_mix_w1"), lora)), rank, 1, 5, tokens);
        lora = ctx.cont(ctx.permute(lora, 0, 1, 3, 2));                                      // [R, 1, T, 5]
        lora = ctx.mulMat(ctx.reshape(w(b + "time_mix_w2"), rank, d, 1, 5), lora);           // [d, 1, T, 5]
        Tensor mixed = ctx.add(ctx.mul(ctx.add(lora, w(b + "time_mix_lerp_fused")), ctx.reshape(sx, d, 1, tokens)),
                ctx.reshape(x, d, 1, tokens));                                               // x_w..x_g [d, 1, T, 5]
        Tensor xw = part(mixed, 0), xk = part(mixed, 1), xv = part(mixed, 2), xr = part(mixed, 3),
                xg = part(mixed, 4);
        Tensor r = ctx.reshape(g.linear(xr, b + "time_mix_receptance"), s, h, tokens);
        Tensor k = ctx.reshape(g.linear(xk, b + "time_mix_key"), s, h, tokens);
        Tensor v = ctx.reshape(g.linear(xv, b + "time_mix_value"), s, h, tokens);
        Tensor gate = ctx.silu(g.linear(xg, b + "time_mix_gate"));
        Tensor decay = ctx.mulMat(w(b + "time_mix_decay_w2"), ctx.tanh(ctx.mulMat(w(b + "time_mix_decay_w1"), xw)));
        decay = ctx.add(decay, w(b + "time_mix_decay"));
        decay = g.name(ops.exp(ctx.scale(ops.exp(decay), -1f)), "time_mix_decay" + i);    // exp(-exp(.))
        Tensor wkv = ops.wkv6(k, v, r, w(b + "time_mix_first"), ctx.reshape(decay, s, h, tokens), state.wkv(layer));
        Tensor y = g.name(readOut(layer, wkv, d, tokens), "wkv" + i);
        Tensor gated = g.name(ctx.mul(groupNorm(b, y, s, h), gate), "time_mix_gated" + i);
        return g.name(g.linear(gated, b + "time_mix_output"), "time_mix_out" + i);
    }

    private Tensor rwkv7(int layer, Rwkv7 m, Tensor x) {
        String b = "blk." + layer + ".";
        String i = "." + layer;
        long d = x.ne(0), tokens = x.ne(1), s = m.headSize(), h = m.heads((int) d);
        Tensor sx = ctx.sub(shifted(layer, 0, x), x);                                       // [d, T]
        Tensor fused = w(b + "time_mix_lerp_fused");                                         // [d, 1, 1, 6]
        Tensor xr = lerp(sx, x, fused, 0), xw = lerp(sx, x, fused, 1), xk = lerp(sx, x, fused, 2),
                xv = lerp(sx, x, fused, 3), xa = lerp(sx, x, fused, 4), xg = lerp(sx, x, fused, 5);
        Tensor r = g.linear(xr, b + "time_mix_receptance");
        Tensor decay = ctx.add(ctx.mulMat(w(b + "time_mix_w2"), ctx.tanh(ctx.mulMat(w(b + "time_mix_w1"), xw))),
                w(b + "time_mix_w0"));
        decay = g.name(ops.exp(ctx.scale(ctx.sigmoid(decay), GOOSE_DECAY)), "time_mix_decay" + i);
        Tensor k = g.linear(xk, b + "time_mix_key");
        Tensor v = g.linear(xv, b + "time_mix_value");
        if (firstValues == null) {
            firstValues = v;
        } else {
            Tensor mix = ctx.sigmoid(ctx.add(ctx.mulMat(w(b + "time_mix_v2"), ctx.mulMat(w(b + "time_mix_v1"), xv)),
                    w(b + "time_mix_v0")));
            v = ctx.add(v, ctx.mul(ctx.sub(firstValues, v), mix));
        }
        g.name(v, "time_mix_v" + i);
        Tensor gate = ctx.mulMat(w(b + "time_mix_g2"), ctx.sigmoid(ctx.mulMat(w(b + "time_mix_g1"), xg)));
        Tensor a = ctx.sigmoid(ctx.add(ctx.mulMat(w(b + "time_mix_a2"), ctx.mulMat(w(b + "time_mix_a1"), xa)),
                w(b + "time_mix_a0")));
        Tensor kk = ops.l2Norm(ctx.reshape(ctx.mul(k, w(b + "time_mix_k_k")), s, h, tokens), 1e-12f);
        Tensor ka = ctx.mul(k, w(b + "time_mix_k_a"));
        k = ctx.reshape(ctx.add(k, ctx.sub(ctx.mul(a, ka), ka)), s, h, tokens);
        r = ctx.reshape(r, s, h, tokens);
        v = ctx.reshape(v, s, h, tokens);
        a = ctx.reshape(a, s, h, tokens);
        Tensor wkv = ops.wkv7(r, ctx.reshape(decay, s, h, tokens), k, v, ctx.scale(kk, -1f), ctx.mul(kk, a),
                state.wkv(layer));
        Tensor y = g.name(readOut(layer, wkv, d, tokens), "wkv" + i);
        Tensor bonus = ctx.sumRows(ctx.mul(ctx.mul(k, r), ctx.reshape(w(b + "time_mix_r_k"), s, h))); // [1, H, T]
        Tensor out = ctx.add(groupNorm(b, y, s, h), ctx.reshape(ctx.mul(v, bonus), d, tokens));
        Tensor gated = g.name(ctx.mul(out, gate), "time_mix_gated" + i);
        return g.name(g.linear(gated, b + "time_mix_output"), "time_mix_out" + i);
    }

    /** The WKV output y [d, T] (the first d x T values), after its final state is copied back to the layer's. */
    private Tensor readOut(int layer, Tensor wkv, long d, long tokens) {
        Tensor wkvState = state.wkv(layer);
        Tensor newState = ctx.view(wkv, new long[] {wkvState.elementCount()}, new long[] {}, d * tokens * 4);
        g.graph.expand(ctx.cpy(newState, wkvState));
        return ctx.view(wkv, new long[] {d, tokens}, new long[] {d * 4}, 0);
    }

    /** LayerNorm over each head's S values of y [d, T], then the gain and bias time_mix_ln [d]. */
    private Tensor groupNorm(String b, Tensor y, long s, long h) {
        long d = y.ne(0), tokens = y.ne(1);
        Tensor normed = ctx.reshape(ctx.norm(ctx.reshape(ctx.cont(y), s, h, tokens), GROUP_NORM_EPS), d, tokens);
        return ctx.add(ctx.mul(normed, w(b + "time_mix_ln.weight")), w(b + "time_mix_ln.bias"));
    }

    /** Part {@code index} [d, T] of the five lerped inputs [d, 1, T, 5]. */
    private Tensor part(Tensor mixed, int index) {
        long d = mixed.ne(0), tokens = mixed.ne(2);
        return ctx.view(mixed, new long[] {d, tokens}, new long[] {mixed.nb(1)}, index * d * tokens * mixed.nb(0));
    }

    /** x + mu_index (x_prev - x), mu_index the {@code index}-th [d] of the fused lerps. */
    private Tensor lerp(Tensor sx, Tensor x, Tensor fused, int index) {
        long d = x.ne(0);
        Tensor mu = ctx.view(fused, new long[] {d}, new long[] {}, index * fused.nb(3));
        return ctx.add(ctx.mul(sx, mu), x);
    }

    /** The weight {@code name}, with ".weight" added when the name has no suffix. */
    private Tensor w(String name) {
        return g.weights.get(name.endsWith(".weight") || name.endsWith(".bias") ? name : name + ".weight");
    }
}
