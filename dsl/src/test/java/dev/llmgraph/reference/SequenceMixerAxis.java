package dev.llmgraph.reference;

import dev.llmgraph.spec.FeatureMap;
import dev.llmgraph.spec.HybridPattern;
import dev.llmgraph.spec.LinearAttention;
import dev.llmgraph.spec.LinearDecay;
import dev.llmgraph.spec.Mamba2;
import dev.llmgraph.spec.Rwkv6;
import dev.llmgraph.spec.Rwkv7;
import dev.llmgraph.spec.Ssm;

import java.util.List;

import static dev.llmgraph.reference.ArchitectureAxes.choice;

/**
 * The sequence-mixer axis of the sample: softmax attention, Mamba, Mamba-2, RWKV-6, RWKV-7, linear attention with
 * each kind of decay (none, RetNet's and TransNormerLLM's fixed schedules, GLA's gates), a hybrid of linear and
 * softmax attention, and a Jamba-style hybrid of Mamba and attention with experts on every other layer.
 *
 * <p>The rules say which values of the other axes each mixer cannot meet, and why. Softmax attention meets every
 * value, so every pair of two other axes stays coverable. The recurrent mixers keep the other axes wherever the spec
 * takes them: norm type, embeddings and output head everywhere; block shapes with linear attention; the FFN (and
 * experts) beside linear attention and in both hybrids; attention's variants and options in both hybrids.
 */
final class SequenceMixerAxis {
    private SequenceMixerAxis() {}

    /** RWKV's WKV kernels and ggml's gated_linear_attn run heads of 64 (or 128), so those mixers widen the draft. */
    static final int HEAD_OF_64 = 64;

    private static final AxisRule NO_POSITIONS = AxisRule.only("pos", "NoPE", "a recurrence (convolution and scan, "
            + "token shift, decaying state) takes order from reading the tokens one after another, so it adds no "
            + "positions: the spec refuses learned, sinusoidal, RoPE, ALiBi and T5 positions beside it, hybrid stacks "
            + "included");
    private static final AxisRule LEFT_TO_RIGHT = AxisRule.only("family", "causal", "a recurrence reads tokens "
            + "strictly left to right, so a prefix decoder's bidirectional prefix has no meaning: refused");
    private static final AxisRule PRE_BLOCKS = AxisRule.only("block", "PRE", "Mamba's, RWKV's and Jamba's blocks are "
            + "x + Mixer(Norm(x)) (then x + FFN(Norm(x))): post-norm, sandwich, DeepNorm and parallel blocks are "
            + "refused");
    private static final AxisRule NO_ATTENTION = AxisRule.drops("the mixer replaces softmax attention on every "
            + "layer, so the attention settings are dropped", "attn", "extra", "flash");
    private static final AxisRule NO_FFN = AxisRule.drops("a Mamba block is its mixer alone and an RWKV block brings "
            + "its own channel mixing: a dense FFN is dropped, experts are refused", "ffn");

    static final ArchitectureAxes.Axis AXIS = new ArchitectureAxes.Axis("mixer", List.of(
            choice("softmax", d -> { }),
            choice("Mamba", d -> d.ssm = Ssm.mamba(32),
                    NO_POSITIONS, LEFT_TO_RIGHT, PRE_BLOCKS, NO_ATTENTION, NO_FFN),
            choice("Mamba-2-4heads-2groups", d -> d.ssm = Mamba2.of(32).withStateDim(16).withHeads(4, 2),
                    NO_POSITIONS, LEFT_TO_RIGHT, PRE_BLOCKS, NO_ATTENTION, NO_FFN),
            choice("RWKV-6", d -> {
                d.dModel = HEAD_OF_64;
                d.rwkv = new Rwkv6(HEAD_OF_64, 96, 8, 16);
            }, NO_POSITIONS, LEFT_TO_RIGHT, PRE_BLOCKS, NO_ATTENTION, NO_FFN),
            choice("RWKV-7", d -> {
                d.dModel = HEAD_OF_64;
                d.rwkv = new Rwkv7(HEAD_OF_64, 96, 8, 5, 8, 16);
            }, NO_POSITIONS, LEFT_TO_RIGHT, PRE_BLOCKS, NO_ATTENTION, NO_FFN),
            choice("linear-elu1-no-decay", d -> linear(d, LinearAttention.of(1)
                    .withFeatureMap(FeatureMap.ELU_PLUS_ONE)), NO_POSITIONS, LEFT_TO_RIGHT, NO_ATTENTION),
            choice("linear-RetNet-decay", d -> linear(d, LinearAttention.retNet(1)),
                    NO_POSITIONS, LEFT_TO_RIGHT, NO_ATTENTION),
            choice("linear-TransNormer-decay", d -> linear(d, LinearAttention.transNormer(1)),
                    NO_POSITIONS, LEFT_TO_RIGHT, NO_ATTENTION),
            choice("linear-GLA-gates", d -> linear(d, LinearAttention.of(1).withDecay(LinearDecay.gated(8, 16))
                    .withOutputGate(true)), NO_POSITIONS, LEFT_TO_RIGHT, NO_ATTENTION),
            // two GLA layers per softmax layer, softmax in the middle: L A L
            choice("hybrid-GLA-softmax-every3", d -> {
                linear(d, LinearAttention.gla(1).withDecay(LinearDecay.gated(8, 16)));
                d.layers = 3;
                d.hybrid = HybridPattern.softmaxEvery(3).withOffset(1);
            }, NO_POSITIONS, LEFT_TO_RIGHT),
            // Jamba's pattern at 4 layers: M M A M, experts (when the ffn axis has them) on layers 1 and 3
            choice("Jamba-attention-every4-experts-every2", d -> {
                d.ssm = Ssm.mamba(32).withDtBcNorm(true);
                d.layers = 4;
                d.hybrid = HybridPattern.softmaxEvery(4).withOffset(2);
                d.expertsEveryOtherLayer = true;
            }, NO_POSITIONS, LEFT_TO_RIGHT, PRE_BLOCKS)));

    private static void linear(ArchitectureAxes.Draft d, LinearAttention mixer) {
        d.dModel = HEAD_OF_64;
        d.linear = mixer;
    }
}
