package dev.llmgraph.spec.plan;

import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.LatentAttention;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Mamba2;
import dev.llmgraph.spec.Rwkv;
import dev.llmgraph.spec.Rwkv6;
import dev.llmgraph.spec.Rwkv7;
import dev.llmgraph.spec.RwkvChannelMix;
import dev.llmgraph.spec.Ssm;
import dev.llmgraph.spec.StateSpace;
import dev.llmgraph.spec.WeightLayout.Weight;
import dev.llmgraph.spec.WeightRole;

import java.util.List;

/**
 * What a step costs per token: forward FLOPs, the activations it holds and the cache it keeps. One {@code switch} per question over
 * the step kinds, and over the mixers inside them, so a new kind states its costs here or does not compile.
 */
public final class StepCosts {
    private StepCosts() {}

    /**
     * Forward FLOPs of {@code step} for one token that sees {@code context} earlier positions: 2 per
     * multiply-add of every weight matrix the token passes through, plus what a sequence mixer spends per
     * visible position. Lookups, norms, activations and softmax are left out (they are O(d), not O(d^2)).
     */
    public static long flopsPerToken(Step step, int context) {
        return switch (step) {
            case Step.Embed _, Step.Normalize _ -> 0;
            case Step.Mix mix -> 2 * matrixElements(mix.weights()) + mixing(mix, context);
            case Step.Channel channel -> switch (channel.mixer()) {
                case Ffn _ -> 2 * matrixElements(channel.weights());
                // The router, the shared experts and k of the stacked experts: what one token multiplies.
                case Moe m -> 2 * activeElements(m, channel.weights());
                case RwkvChannelMix _ -> 2 * matrixElements(channel.weights());
            };
            case Step.Residual residual -> branches(residual.branches(), context);
            case Step.Parallel parallel -> branches(parallel.branches(), context);
            case Step.Head head -> 2L * head.dModel() * head.vocabSize();
            case Step.Pool _ -> 0;
            case Step.MaskedLm mlm -> 2L * mlm.dModel() * mlm.dModel() + 2L * mlm.dModel() * mlm.vocabSize();
        };
    }

    /**
     * The F32 values a step holds per token at its widest, for a peak-memory estimate: attention's q, k and
     * v plus its logits and weights over {@code context} keys; an FFN's hidden (and gate) rows. Norms,
     * embeddings and heads hold the residual stream or the logits, which the estimate counts once.
     */
    public static long activationsPerToken(Step step, int context) {
        return switch (step) {
            case Step.Embed _, Step.Normalize _, Step.Head _, Step.Pool _, Step.MaskedLm _ -> 0;
            case Step.Mix mix -> switch (mix.mixer()) {
                case Attention a -> (a.heads() + 2L * a.kvHeads()) * a.headDim(mix.dModel())
                        + 2L * a.heads() * context;
                // queries, the latent row, the absorbed queries, logits and weights, the weighted latents
                case LatentAttention l -> (long) l.heads() * (l.queryKeyHeadDim() + 2L * l.cacheRow())
                        + l.cacheRow() + 2L * l.heads() * context;
                // u | z, the convolved stream, dt | B | C, dt, y (the scan's states stay in the state buffer)
                case Ssm m -> 5L * m.innerDim() + m.dtRank() + 2L * m.stateDim();
                // z | xBC | dt, the convolved xBC, y
                case Mamba2 m -> 2L * m.innerDim() + 2L * m.convChannels() + m.heads() + m.innerDim();
                // the shift difference, the lerp LoRA's hidden, five lerped inputs, r k v g, the decay, y
                case Rwkv6 m -> 13L * mix.dModel() + 5L * m.mixRank();
                // six lerped inputs, r w k v a g, kk, y and the bonus term
                case Rwkv7 m -> 15L * mix.dModel() + m.decayRank() + m.iclrRank() + m.valueRank() + m.gateRank();
            };
            case Step.Channel channel -> switch (channel.mixer()) {
                case Ffn f -> 2L * f.width();
                case Moe m -> m.experts() + m.expertsPerToken() * (3L * m.expert().width() + m.expertsPerToken()
                        + 1L) + 2L * m.shared().totalWidth();
                case RwkvChannelMix m -> 2L * m.width();
            };
            case Step.Residual residual -> branchActivations(residual.branches(), context);
            case Step.Parallel parallel -> branchActivations(parallel.branches(), context);
        };
    }

    /**
     * Values the mixer caches per token for each of its cached tensors (K and V for attention: kvHeads x
     * headDim each; MLA: the latent and the shared RoPE key, kvRank + ropeHeadDim, in one row).
     */
    public static long cacheRowElements(Step.Mix mix) {
        return switch (mix.mixer()) {
            case Attention a -> (long) a.kvHeads() * a.headDim(mix.dModel());
            case LatentAttention l -> l.cacheRow();
            case StateSpace _, Rwkv _ -> 0;
        };
    }

    /**
     * Values the mixer keeps per sequence whatever the context length: a state space model's convolution and scan
     * state ({@link StateSpace#stateElements()}); RWKV's two token shifts and WKV state ({@link Rwkv#stateElements});
     * 0 for attention, whose memory is its KV cache.
     */
    public static long recurrentStateElements(Step.Mix mix) {
        return switch (mix.mixer()) {
            case Attention _, LatentAttention _ -> 0;
            case StateSpace m -> m.stateElements();
            case Rwkv m -> m.stateElements(mix.dModel());
        };
    }

    /** Cached tensors per layer of the mixer (attention: K and V; MLA: one row, its latent serving as values). */
    public static int cachedTensors(Step.Mix mix) {
        return switch (mix.mixer()) {
            case Attention _ -> 2;
            case LatentAttention _ -> 1;
            case StateSpace _, Rwkv _ -> 0;
        };
    }

    /** Attention: {@code 2 x 2 x heads x headDim} per visible key for q k^T and the weighted values. */
    private static long mixing(Step.Mix mix, int context) {
        return switch (mix.mixer()) {
            case Attention a -> {
                long hd = a.headDim(mix.dModel());
                long keys = a.slides(mix.layer()) ? Math.min(context, a.window().size()) : context;
                yield 2L * 2L * a.heads() * hd * keys;
            }
            // Absorbed: q.k over kvRank + ropeHeadDim per head, weights x latents over kvRank, per visible key.
            case LatentAttention l -> 2L * l.heads() * (l.cacheRow() + (long) l.kvRank()) * context;
            // The convolution and the scan (update and read-out of every state value), whatever the context.
            case StateSpace m -> 2L * m.convWidth() * m.convChannels() + 6L * m.stateDim() * m.innerDim();
            // The small LoRAs (F32, not counted as matrices) and the WKV update and read-out of every state value.
            case Rwkv6 m -> 2 * lowRankElements(mix.weights()) + 6L * m.headSize() * mix.dModel();
            case Rwkv7 m -> 2 * lowRankElements(mix.weights()) + 8L * m.headSize() * mix.dModel();
        };
    }

    private static long branchActivations(List<List<Step>> branches, int context) {
        long values = 0;
        for (List<Step> branch : branches) {
            for (Step step : branch) {
                values += activationsPerToken(step, context);
            }
        }
        return values;
    }

    private static long branches(List<List<Step>> branches, int context) {
        long flops = 0;
        for (List<Step> branch : branches) {
            for (Step step : branch) {
                flops += flopsPerToken(step, context);
            }
        }
        return flops;
    }

    /**
     * Parameters of a mixture-of-experts step that one token uses: every weight, except that of each stack of
     * experts (a 3-d weight, {@code [in, out, experts]}) only the k chosen experts count.
     */
    public static long activeElements(Moe moe, List<Weight> weights) {
        long active = 0;
        for (Weight w : weights) {
            active += w.ne().length == 3 ? w.elements() / moe.experts() * moe.expertsPerToken() : w.elements();
        }
        return active;
    }

    private static long lowRankElements(List<Weight> weights) {
        return weights.stream().filter(w -> w.role() == WeightRole.LOW_RANK).mapToLong(Weight::elements).sum();
    }

    private static long matrixElements(List<Weight> weights) {
        return weights.stream().filter(Weight::matrix).mapToLong(Weight::elements).sum();
    }
}
