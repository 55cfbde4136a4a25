package dev.llmgraph.model.lower;

import dev.llmgraph.model.Encoding;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.Glu;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.LatentAttention;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.LinearAttention;
import dev.llmgraph.spec.Pooling;
import dev.llmgraph.spec.Rwkv;
import dev.llmgraph.spec.RwkvChannelMix;
import dev.llmgraph.spec.StateSpace;
import dev.llmgraph.spec.plan.Node;
import dev.llmgraph.spec.plan.Step;

import java.util.List;

/**
 * One small lowering per kind of {@link Step}, chosen by one exhaustive {@code switch}; the mixers inside
 * a step are chosen the same way, so a new step, sequence mixer or channel mixer does not compile until it
 * has a lowering here. Shapes in ggml order: x [d, T] is the residual stream.
 */
final class StepLowering {
    private final GraphBuilder g;
    private final Context ctx;
    private final AttentionLowering attention;
    private final ExpertsLowering experts;
    /** The state space lowering, or null where there is no recurrent state (training). */
    private final SsmLowering ssm;
    /** The RWKV lowering, or null where there is no recurrent state (training). */
    private final RwkvLowering rwkv;
    /** The linear attention lowering, or null where there is no recurrent state (training). */
    private final LinearAttentionLowering linear;

    StepLowering(GraphBuilder g, AttentionLowering attention, SsmLowering ssm, RwkvLowering rwkv,
                 LinearAttentionLowering linear) {
        this.g = g;
        this.ctx = g.ctx;
        this.attention = attention;
        this.experts = new ExpertsLowering(g);
        this.ssm = ssm;
        this.rwkv = rwkv;
        this.linear = linear;
    }

    /** {@code steps} applied in order to {@code x}. */
    Tensor lower(List<Step> steps, Tensor x, LastTokenTrim trim) {
        for (Step step : steps) {
            x = lower(step, x, trim);
        }
        return x;
    }

    private Tensor lower(Step step, Tensor x, LastTokenTrim trim) {
        return switch (step) {
            case Step.Embed embed -> names(embed(embed), embed.outputs());
            case Step.Normalize norm -> names(g.normWith(norm.norm(), x, norm.base()), norm.outputs());
            case Step.Mix mix -> {
                Tensor out = mix(mix, x);
                trim.mixed();
                yield out;
            }
            case Step.Channel channel -> channel(channel, x);
            case Step.Residual residual -> names(residual(residual, x, trim), residual.outputs());
            case Step.Parallel parallel -> parallel(parallel, x, trim);
            case Step.Head head -> names(head(head, x), head.outputs());
            case Step.Pool pool -> pool(pool, x);
            case Step.MaskedLm mlm -> maskedLm(mlm, x);
        };
    }

    /** Token rows [d, T], scaled, with positions added where the scheme adds them here. */
    private Tensor embed(Step.Embed embed) {
        Tensor x = g.name(ctx.getRows(g.weights.get(embed.table()), g.inputs.tokens), "tok_embd");
        // The scale applies to the token embeddings only, before positions are added (Vaswani et al. 3.4).
        if (embed.scale() != 1.0) {
            x = ctx.scale(x, (float) embed.scale());
        }
        if (embed.typeTable() != null) {
            // Each token's segment row [d, T], added before the positions as llama.cpp's bert adds it.
            Tensor types = ctx.getRows(g.weights.get(embed.typeTable()), g.inputs.tokenTypes());
            x = g.name(ctx.add(x, types), "type_embd");
        }
        return g.positions.embed(g, x);
    }

    /**
     * An encoder's output: the hidden states x [d, T] named {@code hidden}, and their pooled vector [d] named
     * {@code pooled}: the first column (CLS), the last, or the mean of all (the columns summed, times 1/T).
     */
    private Tensor pool(Step.Pool pool, Tensor x) {
        g.name(x, pool.outputs().getFirst().name());
        long d = x.ne(0), tokens = x.ne(1);
        Tensor pooled = switch (pool.pooling()) {
            case Pooling.None _ -> x;
            case Pooling.Cls _ -> ctx.cont(ctx.view(x, new long[] {d}, new long[0], 0));
            case Pooling.Last _ -> ctx.cont(ctx.view(x, new long[] {d}, new long[0], (tokens - 1) * x.nb(1)));
            case Pooling.Mean _ -> ctx.scale(ctx.sumRows(ctx.cont(ctx.transpose(x))), (float) (1.0 / tokens));
        };
        g.name(pooled, pool.outputs().getLast().name()); // read back by name (Encoding), beside the output
        return x;
    }

    /** BERT's masked-LM head: t = N(gelu(W x + b)) [d, T], logits = E t + c [V, T] with the tied embedding E. */
    private Tensor maskedLm(Step.MaskedLm mlm, Tensor x) {
        Tensor dense = activate(g.linear(x, "mlm_dense"), Activation.GELU);
        Tensor transformed = g.name(g.normWith(mlm.norm(), dense, "mlm_norm"), mlm.outputs().getFirst().name());
        Tensor logits = ctx.add(ctx.mulMat(g.matrix(mlm.table()), transformed), g.weights.get("mlm_output.bias"));
        return names(logits, mlm.outputs().subList(1, mlm.outputs().size()));
    }

    private Tensor mix(Step.Mix mix, Tensor x) {
        return switch (mix.mixer()) {
            case Attention a -> attention.attend(mix.layer(), a, mix.mask(), x);
            case LatentAttention l -> attention.attendLatent(mix.layer(), l, mix.mask(), x);
            case StateSpace m -> {
                if (ssm == null) {
                    throw new UnsupportedOperationException(TrainingSupport.SSM);
                }
                yield ssm.lower(mix.layer(), m, x);
            }
            case Rwkv m -> rwkv(mix.layer()).timeMix(mix.layer(), m, x);
            case LinearAttention m -> {
                if (linear == null) {
                    throw new UnsupportedOperationException(TrainingSupport.LINEAR_ATTENTION);
                }
                yield linear.lower(mix.layer(), m, x);
            }
        };
    }

    private Tensor channel(Step.Channel channel, Tensor x) {
        return switch (channel.mixer()) {
            case Ffn f -> ffn(channel.layer(), f, x);
            case Moe m -> experts.lower(channel.layer(), m, x);
            case RwkvChannelMix m -> rwkv(channel.layer()).channelMix(channel.layer(), m, x);
        };
    }

    private RwkvLowering rwkv(int layer) {
        if (rwkv == null) {
            throw new UnsupportedOperationException(TrainingSupport.RWKV);
        }
        return rwkv;
    }

    /** alpha * x + each branch's output, added left to right. */
    private Tensor residual(Step.Residual residual, Tensor x, LastTokenTrim trim) {
        Tensor sum = null;
        for (List<Step> branch : residual.branches()) {
            Tensor out = trim.apply(lower(branch, trim.apply(x), trim));
            sum = sum == null ? ctx.add(scaled(trim.apply(x), (float) residual.alpha()), out) : ctx.add(sum, out);
        }
        return sum;
    }

    /** The branches' outputs summed, each branch reading x. */
    private Tensor parallel(Step.Parallel parallel, Tensor x, LastTokenTrim trim) {
        Tensor sum = null;
        for (List<Step> branch : parallel.branches()) {
            Tensor out = trim.apply(lower(branch, trim.apply(x), trim));
            sum = sum == null ? out : ctx.add(sum, out);
        }
        return sum;
    }

    private Tensor scaled(Tensor x, float alpha) {
        return alpha == 1f ? x : ctx.scale(x, alpha);
    }

    /** Logits [V, T] (soft-capped where the spec says so). */
    private Tensor head(Step.Head head, Tensor x) {
        Tensor table = g.shape.trainable() ? g.weights.get(head.table()) : g.weights.head(head.table());
        Tensor logits = ctx.mulMat(table, x);
        Tensor bias = g.weights.find(Step.Head.BIAS);
        logits = bias == null ? logits : ctx.add(logits, bias);
        return head.softcap() > 0 ? g.softcap(logits, head.softcap()) : logits;
    }

    /** A dense FFN: up (and gate) [f, T], the activation, down [d, T]. */
    private Tensor ffn(int layer, Ffn f, Tensor x) {
        String b = "blk." + layer + ".";
        String i = "." + layer;
        Tensor up = g.name(g.linear(x, b + "ffn_up"), "ffn_up" + i);
        Tensor hidden;
        if (f.gated() && g.shape.trainable()) {
            Tensor gate = g.name(g.linear(x, b + "ffn_gate"), "ffn_gate" + i);
            // Of ggml's GLU ops only the split SwiGLU has a gradient: the others are the activation times up.
            hidden = f.activation() == Activation.SILU ? ctx.glu(Glu.SWIGLU, gate, up) : ctx.mul(activate(gate, f.activation()), up);
        } else if (f.gated()) {
            Tensor gate = g.name(g.linear(x, b + "ffn_gate"), "ffn_gate" + i);
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
        g.name(hidden, "ffn_act" + i);
        return g.name(g.linear(hidden, b + "ffn_down"), "ffn_out" + i);
    }

    private Tensor activate(Tensor x, Activation activation) {
        boolean trainable = g.shape.trainable();
        if (trainable && activation == Activation.GELU) {
            throw new UnsupportedOperationException(TrainingSupport.ERF_GELU);
        }
        return switch (activation) {
            case RELU -> ctx.relu(x);
            case GELU -> ctx.geluErf(x);
            case GELU_TANH -> trainable ? Differentiable.geluTanh(ctx, x) : ctx.gelu(x);
            case SILU -> ctx.silu(x);
            case IDENTITY -> x;
        };
    }

    private Tensor names(Tensor t, List<Node> nodes) {
        for (Node node : nodes) {
            g.name(t, node.name());
        }
        return t;
    }
}
