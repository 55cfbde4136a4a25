package dev.llmgraph.model.lower;

import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.LatentAttention;
import dev.llmgraph.spec.LinearAttention;
import dev.llmgraph.spec.Rwkv;
import dev.llmgraph.spec.RwkvChannelMix;
import dev.llmgraph.spec.StateSpace;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.plan.Block;
import dev.llmgraph.spec.plan.Step;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What of a spec a training graph cannot lower, in words, before any native call. Everything else is
 * trainable: LayerNorm, GELU (tanh), GEGLU/ReGLU, soft-capping and ALiBi are rebuilt from ops that have a
 * gradient ({@link Differentiable}, {@link TrainableAttention}); flash attention trains as the same attention
 * unfused.
 */
public final class TrainingSupport {
    static final String ERF_GELU = "training: ggml has no gradient for the exact (erf) GELU, Activation.GELU, "
            + "and no erf op to build one from; use Activation.GELU_TANH, the tanh approximation GPT-2 was trained "
            + "with";
    static final String EXPERTS = "training: ggml has no gradient for the expert-routing ops of a mixture of "
            + "experts (mul_mat_id, argsort); train a dense FFN, or keep MoE models to inference";

    static final String LATENT = "training: latent attention (MLA) is lowered only in its cached, absorbed "
            + "inference form, which joins the latent and the RoPE key with concat, an op ggml has no gradient for; "
            + "train softmax attention (Attention.multiHead, grouped, multiQuery), or keep MLA models to inference";

    static final String SSM = "training: ggml has no gradient for the state space ops Mamba is lowered with "
            + "(ssm_conv, ssm_scan); keep Mamba models to inference, or train softmax attention";

    static final String RWKV = "training: ggml has no gradient for the WKV recurrences RWKV is lowered with "
            + "(rwkv_wkv6, rwkv_wkv7); keep RWKV models to inference, or train softmax attention";

    static final String ENCODER = "training: an encoder learns by predicting masked tokens, an objective (masking, "
            + "a loss at the masked positions only) the training graph does not build yet; train a CAUSAL_DECODER or "
            + "PREFIX_DECODER, or keep encoders to inference";

    static final String LINEAR_ATTENTION = "training: ggml has no gradient for gated_linear_attn, the recurrence "
            + "linear attention is lowered with; keep linear-attention models to inference, or train softmax attention";

    private TrainingSupport() {}

    /** Every reason {@code spec} cannot be trained; empty when it can. */
    public static List<String> problems(ModelSpec spec) {
        Set<String> problems = new LinkedHashSet<>();
        List<Step> steps = new ArrayList<>(spec.plan().input());
        for (Block block : spec.plan().blocks()) {
            steps.addAll(block.steps());
        }
        steps.addAll(spec.plan().output());
        steps.forEach(step -> collect(step, problems));
        return List.copyOf(problems);
    }

    /** Throws, naming every problem, unless {@code spec} can be trained. */
    public static void require(ModelSpec spec) {
        List<String> problems = problems(spec);
        if (!problems.isEmpty()) {
            throw new UnsupportedOperationException(spec.name() + " cannot be trained: " + String.join("; ", problems));
        }
    }

    private static void collect(Step step, Set<String> problems) {
        switch (step) {
            case Step.Channel channel -> {
                switch (channel.mixer()) {
                    case Ffn f -> {
                        if (f.activation() == Activation.GELU) {
                            problems.add(ERF_GELU);
                        }
                    }
                    case Moe _ -> problems.add(EXPERTS);
                    case RwkvChannelMix _ -> problems.add(RWKV);
                }
            }
            case Step.Residual residual -> residual.branches().forEach(b -> b.forEach(s -> collect(s, problems)));
            case Step.Parallel parallel -> parallel.branches().forEach(b -> b.forEach(s -> collect(s, problems)));
            case Step.Mix mix -> {
                switch (mix.mixer()) {
                    case Attention _ -> { }
                    case LatentAttention _ -> problems.add(LATENT);
                    case StateSpace _ -> problems.add(SSM);
                    case Rwkv _ -> problems.add(RWKV);
                    case LinearAttention _ -> problems.add(LINEAR_ATTENTION);
                }
            }
            case Step.Pool _, Step.MaskedLm _ -> problems.add(ENCODER);
            case Step.Embed _, Step.Normalize _, Step.Head _ -> { }
        }
    }
}
