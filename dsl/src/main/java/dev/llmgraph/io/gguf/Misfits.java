package dev.llmgraph.io.gguf;

import dev.llmgraph.io.family.FamilyFacts;
import dev.llmgraph.io.family.FamilyFacts.Bias;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.Mamba2;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.QkNorm;
import dev.llmgraph.spec.Router;
import dev.llmgraph.spec.Rwkv;
import dev.llmgraph.spec.Rwkv6;
import dev.llmgraph.spec.Ssm;

import java.util.ArrayList;
import java.util.List;

/**
 * The choices of a spec that one llama.cpp architecture's graph does not make, each as a phrase:
 * "{@code <the spec's choice>} with a {@code <arch>} architecture ({@code <what llama.cpp does>})". Each
 * family's facts ({@link dev.llmgraph.io.family.FamilyFacts}) become these checks in {@link FamilyMisfits}.
 */
final class Misfits {
    private final ModelSpec spec;
    private final String architecture;
    private final List<String> found = new ArrayList<>();
    private boolean latentChecked;
    private boolean stateSpaceChecked;
    private boolean rwkvChecked;
    private boolean encoderChecked;

    Misfits(ModelSpec spec, String architecture) {
        this.spec = spec;
        this.architecture = architecture;
    }

    List<String> list() {
        if (!latentChecked && spec.latentAttention()) {
            add("latent attention (MLA)", "has softmax attention over full keys; deepseek2 has MLA");
        }
        if (!encoderChecked && spec.encoder()) {
            add("an ENCODER", "is a decoder: causal attention and an output head");
        }
        if (!stateSpaceChecked && spec.ssm() != null) {
            found.clear(); // the other checks read attention and an FFN, which a state space model has not
            add("a selective state space (Mamba)", "attends with softmax attention; mamba has the state space");
        }
        if (!rwkvChecked && spec.rwkv() != null) {
            found.clear(); // the same: RWKV has neither attention nor a plain FFN
            add("RWKV time mixing", "attends with softmax attention; rwkv6 and rwkv7 have RWKV");
        }
        if (spec.linear() != null) {
            found.clear(); // no llama.cpp architecture has it, so every one's other checks are beside the point
            add("linear attention", "has no linear attention: llama.cpp has no linear-attention architecture, so "
                    + "no GGUF it reads can hold this model; keep it in llmgraph, or use softmax attention");
        }
        return List.copyOf(found);
    }

    /** Mamba (mamba): required, every block the mixer alone, expansion factor 2. */
    void mamba() {
        stateSpaceChecked = true;
        switch (spec.ssm()) {
            case null -> add("softmax attention and an FFN", "mixes positions with a selective state space (Mamba), "
                    + "no FFN");
            case Ssm m when m.innerDim() != 2 * spec.dModel() -> add("ssm.innerDim = " + m.innerDim(), "loads only "
                    + "an expansion factor of 2: innerDim = 2 x dModel = " + 2 * spec.dModel());
            case Ssm _ when spec.hybrid() != null -> add("a hybrid stack of Mamba and attention", "has Mamba on "
                    + "every layer and no FFN; jamba has the hybrid");
            case Ssm m when m.dtBcNorm() -> add("RMSNorm on dt, B and C", "has none; jamba has them with gains");
            case Ssm _ -> { }
            case Mamba2 _ -> add("Mamba-2", "has Mamba's decay per channel and state; mamba2 has Mamba-2");
        }
    }

    /** Jamba's hybrid (jamba): its own checks are {@code JambaKeys.misfits}. */
    void jamba() {
        stateSpaceChecked = true;
    }

    /** RWKV (rwkv6, rwkv7): required, of the version {@code version}, with RWKV's channel mixing. */
    void rwkv(Class<? extends Rwkv> version) {
        rwkvChecked = true;
        String wanted = version == Rwkv6.class ? "RWKV-6" : "RWKV-7";
        if (spec.rwkv() == null) {
            add(spec.ssm() != null ? "a selective state space" : "softmax attention and an FFN", "mixes positions "
                    + "with " + wanted + " time mixing and RWKV's channel mixing");
        } else if (!version.isInstance(spec.rwkv())) {
            add(spec.rwkv().version(), "has " + wanted + " time mixing");
        }
    }

    /** A separate output head (llama.cpp's rwkv6 and rwkv7 require output.weight). */
    void untiedOutput() {
        if (spec.tiedEmbeddings()) {
            add("tied embeddings", "loads a separate output head, output.weight");
        }
    }

    /** Mamba-2 (mamba2): required, every block the mixer alone. */
    void mamba2() {
        stateSpaceChecked = true;
        switch (spec.ssm()) {
            case null -> add("softmax attention and an FFN", "mixes positions with Mamba-2's state space, no FFN");
            case Ssm _ -> add("Mamba", "has one decay per head (Mamba-2); mamba has Mamba");
            case Mamba2 _ when spec.hybrid() != null -> add("a hybrid stack of Mamba-2 and attention", "has Mamba-2 "
                    + "on every layer and no FFN");
            case Mamba2 _ -> { }
        }
    }

    /** An encoder (bert): required; every token sees every token, and hidden states (pooled) come out, no logits. */
    void encoder() {
        encoderChecked = true;
        if (!spec.encoder()) {
            add("a " + spec.kind() + " with an output head", "encodes: every token sees every token, and its "
                    + "output is hidden states and their pooled vector, not logits");
        } else if (spec.maskedLmHead()) {
            add("a masked-LM head", "has none: its output is the hidden states and their pooled vector");
        }
    }

    /** Post-LN (BERT): a norm after each residual add, and none after the last block. */
    void postNormWithoutFinalNorm() {
        if (spec.placement() != NormPlacement.POST) {
            add(spec.placement() + " norm placement", "normalises after each residual add: POST");
        }
        if (spec.finalNorm()) {
            add("a final norm", "has none: the last block's output norm ends it");
        }
    }

    /** Latent attention (deepseek2): required, and the rest of the attention choices must be its own. */
    void latentAttention() {
        latentChecked = true;
        if (!spec.latentAttention()) {
            add(spec.attention().variant() + " softmax attention", "attends through a compressed latent (MLA)");
        }
    }

    /** Records a misfit: {@code choice} is the spec's side, {@code fact} llama.cpp's. */
    void add(String choice, String fact) {
        String article = "aeiou".indexOf(architecture.charAt(0)) >= 0 ? " with an " : " with a ";
        found.add(choice + article + architecture + " architecture (llama.cpp's " + architecture + " graph " + fact
                + ")");
    }

    void rmsNorm() {
        switch (spec.norm()) {
            case Norm.RmsNorm rms -> { }
            case Norm.LayerNorm ln -> add("LayerNorm", "uses RMSNorm");
            case Norm.SimpleRmsNorm simple -> add("SimpleRMSNorm", "uses RMSNorm with a weight");
        }
    }

    void layerNormWithBias() {
        switch (spec.norm()) {
            case Norm.LayerNorm ln when ln.bias() -> { }
            case Norm.LayerNorm ln -> add("LayerNorm without a bias", "uses LayerNorm with a bias");
            case Norm.RmsNorm rms -> add("RMSNorm", "uses LayerNorm with a bias");
            case Norm.SimpleRmsNorm simple -> add("SimpleRMSNorm", "uses LayerNorm with a bias");
        }
    }

    void placement(NormPlacement expected) {
        if (spec.placement() != expected) {
            add(spec.placement() + " norm placement", expected == NormPlacement.SANDWICH
                    ? "also normalises each sublayer's output: SANDWICH"
                    : "normalises before each sublayer: PRE");
        }
        if (!spec.finalNorm()) {
            add("no final norm", "normalises after the last block");
        }
    }

    void parallelBlock(boolean expected) {
        if (spec.parallelBlock() && !expected) {
            add("a parallel attention+FFN block", "runs attention, then the FFN");
        } else if (!spec.parallelBlock() && expected) {
            add("sequential attention and FFN", "runs them in parallel on one norm");
        }
    }

    /** The FFN: {@code activation}, gated or not, with biases as {@code bias} says. */
    void ffn(Activation activation, boolean gated, Bias bias) {
        Ffn f = spec.ffn();
        if (f.gated() != gated || f.activation() != activation) {
            add(ChoiceNames.describe(f.activation(), f.gated()), "uses " + ChoiceNames.describe(activation, gated));
        }
        bias(bias, f.bias(), "FFN");
    }

    /** A graph with a dense FFN in every layer. */
    void noExperts() {
        if (spec.sparse()) {
            add("a mixture of experts", "has a dense FFN in every layer");
        }
    }

    /**
     * A graph whose every layer routes as {@code router} says to gated experts of {@code activation}, with
     * sigmoid-gated shared experts when {@code shared}; with {@code sameWidthAsFfn} the graph sizes its experts
     * by feed_forward_length (llama), so the spec's dense FFN must be as wide.
     */
    void experts(Router router, boolean shared, Activation activation, boolean sameWidthAsFfn) {
        Moe m = spec.moe();
        if (m == null) {
            add("a dense FFN", "routes every layer to experts");
            return;
        }
        expertChoices(router, shared, activation, sameWidthAsFfn);
        if (m.denseLayers() > 0 || !m.routesEveryLayer()) {
            add(m.denseLayers() > 0 ? m.denseLayers() + " dense layers first" : "experts on " + m.sparseLayers(),
                    "routes every layer");
        }
    }

    /** The experts' kind, router, shared experts and width, on whichever layers route. */
    void expertChoices(Router router, boolean shared, Activation activation, boolean sameWidthAsFfn) {
        Moe m = spec.moe();
        if (!m.expert().gated() || m.expert().activation() != activation) {
            add("experts of " + ChoiceNames.describe(m.expert().activation(), m.expert().gated()), "uses "
                    + ChoiceNames.describe(activation, true) + " experts");
        }
        if (!m.router().equals(router)) {
            add("a router " + m.router(), "routes by " + router);
        }
        if (m.shared().present() != shared || m.shared().sigmoidGate() != shared) {
            add(m.shared().present() ? "shared experts " + m.shared() : "no shared experts",
                    shared ? "has sigmoid-gated shared experts" : "has no shared experts");
        }
        if (sameWidthAsFfn && m.expert().width() != spec.ffnDim()) {
            add("experts " + m.expert().width() + " wide beside an FFN " + spec.ffnDim() + " wide",
                    "sizes experts by feed_forward_length; leave .ffn(...) unset or give it the experts' width");
        }
    }

    void attentionBiases(Bias qkv, Bias out) {
        Attention a = spec.attention();
        bias(qkv, a.qkvBias(), "q, k and v projection");
        bias(out, a.outBias(), "attention output projection");
    }

    private void bias(Bias rule, boolean present, String what) {
        if (rule == Bias.REQUIRED && !present) {
            add("no " + what + " biases", "has them");
        } else if (rule == Bias.ABSENT && present) {
            add(what + " biases", "has none");
        }
    }

    /** heads x headDim = dModel: the graph's attn_output (and fused attn_qkv) is sized by dModel. */
    void squareAttention() {
        long width = (long) spec.heads() * spec.headDim();
        if (width != spec.dModel()) {
            add("heads x headDim = " + spec.heads() + " x " + spec.headDim() + " = " + width + " (not dModel = "
                    + spec.dModel() + ")", "sizes attention by dModel");
        }
    }

    /** The attention options no architecture here has (Gemma checks its own instead), its logits scaled. */
    void plainAttention() {
        plainAttention(false);
    }

    /** As {@link #plainAttention()}, with q scaled before q.k where the graph does that. */
    void plainAttention(boolean graphScalesQueries) {
        Attention a = spec.attention();
        if (a.window() != null) {
            add("a sliding window (" + a.window() + ")", "attends to every earlier position");
        }
        if (a.logitSoftcap() > 0) {
            add("attention logit soft-capping", "has none");
        }
        queryScaling(graphScalesQueries);
        if (a.softmaxScale() > 0 && (float) a.softmaxScale() != (float) (1 / Math.sqrt(spec.headDim()))) {
            add("attention scale " + a.softmaxScale(), "scales by 1/sqrt(headDim)");
        }
        plainOutput();
    }

    /** q scaled before q.k where the graph does that, the logits scaled where it does not. */
    void queryScaling(boolean graphScalesQueries) {
        boolean scaled = spec.attention().scaledQueries();
        if (graphScalesQueries && !scaled) {
            add("attention scaling its logits", "scales q before q.k; declare Attention.withScaledQueries(true)");
        } else if (!graphScalesQueries && scaled) {
            add("queries scaled before q.k", "scales the logits (soft-capped attention scales its queries by itself); "
                    + "leave withScaledQueries out");
        }
    }

    /** A bias on the logits as the graph has it: required, optional or absent. */
    void outputBias(Bias expected) {
        boolean has = spec.embeddings().outputBias();
        if (has && expected == Bias.ABSENT) {
            add("a bias on the output head", "has none");
        } else if (!has && expected == Bias.REQUIRED) {
            add("no bias on the output head", "adds output.bias to the logits");
        }
    }

    void plainOutput() {
        if (spec.finalLogitSoftcap() > 0) {
            add("final logit soft-capping", "has none");
        }
    }

    void noQkNorm() {
        qkNorm(QkNorm.NONE);
    }

    /** QK-norm as {@code expected} says: none, per head, or over the whole q and k projections. */
    void qkNorm(QkNorm expected) {
        QkNorm actual = spec.attention().qkNorm();
        if (actual != expected) {
            add(ChoiceNames.describe(actual),
                    expected == QkNorm.NONE ? "has none" : "has " + ChoiceNames.describe(expected));
        }
    }

    void embeddings(boolean layerNorm, boolean scaledBySqrtDModel) {
        if (spec.embeddings().layerNorm() != layerNorm) {
            add(layerNorm ? "no embedding LayerNorm" : "an embedding LayerNorm",
                    layerNorm ? "normalises the embeddings" : "has none");
        }
        double scale = spec.embeddings().scale();
        if (scaledBySqrtDModel && (float) scale != (float) Math.sqrt(spec.dModel())) {
            add("embedding scale " + scale, "scales embeddings by sqrt(dModel) = " + (float) Math.sqrt(spec.dModel()));
        } else if (!scaledBySqrtDModel && scale != 1.0) {
            add("embedding scale " + scale, "does not scale embeddings");
        }
    }

    void alwaysTied() {
        if (!spec.tiedEmbeddings()) {
            add("untied embeddings", "reuses the token embedding as the output head");
        }
    }
}
