package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.gguf.GgufValue;
import dev.llmgraph.ggml.gguf.GgufWriter;
import dev.llmgraph.io.family.FamilyFacts.Bias;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.HybridPattern;
import dev.llmgraph.spec.Mamba2;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Router;
import dev.llmgraph.spec.SharedExperts;
import dev.llmgraph.spec.Ssm;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * llama.cpp's {@code jamba} ({@code src/models/jamba.cpp}): which layers attend and which route is not a key of its
 * own but shows per layer.
 * <ul>
 *   <li>{@code attention.head_count_kv} is an array with one entry per layer: 0 marks a Mamba layer (the loader sets
 *       {@code is_recr} there, so only those layers get a recurrent state and only the others a KV cache), the K/V
 *       head count an attention layer; {@code attention.head_count} is one number for all.</li>
 *   <li>{@code ssm.conv_kernel}, {@code ssm.inner_size}, {@code ssm.state_size}, {@code ssm.time_step_rank} as for
 *       mamba (expansion factor 2 only); Mamba layers also hold {@code ssm_dt_norm}, {@code ssm_b_norm} and
 *       {@code ssm_c_norm}, the gains of the RMSNorms on dt, B and C.</li>
 *   <li>a layer routes when it holds {@code ffn_gate_inp}: {@code expert_count} experts, {@code expert_used_count}
 *       per token, softmax then top-k, weights not renormalised (the graph reads {@code expert_weights_scale}
 *       without loading it, so there is no scale), experts as wide as {@code feed_forward_length}.</li>
 * </ul>
 * llmgraph writes the two patterns as a {@link HybridPattern} and a {@link Moe#sparseLayers()} period and reads
 * them back from the file when its layers repeat with one period.
 */
final class JambaKeys {
    private JambaKeys() {
    }

    static void write(ModelSpec spec, GgufWriter out) {
        String a = "jamba.";
        Ssm ssm = (Ssm) spec.ssm(); // the misfits admit only Mamba here
        out.putUint32(a + "ssm.conv_kernel", ssm.convWidth());
        out.putUint32(a + "ssm.inner_size", ssm.innerDim());
        out.putUint32(a + "ssm.state_size", ssm.stateDim());
        out.putUint32(a + "ssm.time_step_rank", ssm.dtRank());
        int[] kvHeads = new int[spec.layers()];
        for (int i = 0; i < kvHeads.length; i++) {
            kvHeads[i] = spec.hybrid().softmax(i) ? spec.kvHeads() : 0;
        }
        out.put(a + "attention.head_count_kv", GgufValue.int32s(kvHeads));
        if (spec.sparse()) {
            out.putUint32(a + "expert_count", spec.moe().experts());
            out.putUint32(a + "expert_used_count", spec.moe().expertsPerToken());
        }
    }

    /** In place of the family's facts about attention, Mamba and experts: what jamba.cpp builds. */
    static void misfits(ModelSpec spec, Misfits m) {
        switch (spec.ssm()) {
            case null -> m.add(spec.linear() != null ? "linear attention" : "softmax attention on every layer",
                    "interleaves Mamba with softmax attention");
            case Mamba2 _ -> m.add("Mamba-2", "has Mamba's decay per channel and state");
            case Ssm s -> {
                if (s.innerDim() != 2 * spec.dModel()) {
                    m.add("ssm.innerDim = " + s.innerDim(), "loads only an expansion factor of 2: innerDim = 2 x "
                            + "dModel = " + 2 * spec.dModel());
                }
                if (!s.dtBcNorm()) {
                    m.add("Mamba without norms on dt, B and C", "RMS-normalises them with learned gains "
                            + "(Ssm.withDtBcNorm(true))");
                }
            }
        }
        if (spec.hybrid() == null || spec.attention() == null) {
            m.add("Mamba on every layer", "puts softmax attention on some layers (a HybridPattern)");
            return;
        }
        m.noQkNorm();
        m.plainAttention();
        m.squareAttention();
        m.attentionBiases(Bias.ABSENT, Bias.ABSENT);
        m.ffn(Activation.SILU, true, Bias.ABSENT);
        if (spec.sparse()) { // on any layers: the graph routes where it finds a router
            m.expertChoices(Router.softmax(), false, Activation.SILU, true);
        }
    }

    static ModelSpec read(ModelFile f) {
        int[] kvHeads = perLayer(f, "attention.head_count_kv");
        int attending = 0;
        for (int v : kvHeads) {
            if (v != 0 && attending != 0 && v != attending) {
                throw f.keys.problem("key '" + f.keys.key("attention.head_count_kv") + "' gives the attention layers "
                        + "different K/V head counts (" + java.util.Arrays.toString(kvHeads) + "); llmgraph gives "
                        + "every attention layer the same");
            }
            attending = v != 0 ? v : attending;
        }
        HybridPattern hybrid = hybrid(f, kvHeads);
        Ssm ssm = new Ssm(f.keys.requireInt("ssm.inner_size"), f.keys.requireInt("ssm.state_size"),
                f.keys.requireInt("ssm.conv_kernel"), f.keys.requireInt("ssm.time_step_rank"), true);
        Ffn ffn = Ffn.swiglu(f.ffnLength);
        Moe moe = f.expertCount == 0 ? null : experts(f, f.experts(ffn, Router.softmax(), SharedExperts.none()));
        return f.builder()
                .ssm(ssm)
                .hybrid(hybrid)
                .attention(Attention.grouped(f.heads, attending))
                .positional(Positional.none())
                .norm(Norm.rms(f.rmsNormEps()), NormPlacement.PRE)
                .ffn(ffn)
                .moe(moe)
                .tiedEmbeddings(f.tied())
                .build();
    }

    /** One value per layer: the array, or one number repeated. */
    private static int[] perLayer(ModelFile f, String suffix) {
        String key = f.keys.key(suffix);
        if (!f.keys.has(suffix)) {
            throw f.keys.missing(key);
        }
        if (!(f.file.get(key) instanceof GgufValue.IntegerArray)) {
            int[] same = new int[f.layers];
            java.util.Arrays.fill(same, f.file.getInt(key));
            return same;
        }
        int[] values = f.file.getIntArray(key);
        if (values.length != f.layers) {
            throw f.keys.problem("key '" + key + "' has " + values.length + " entries for " + f.layers + " layers");
        }
        return values;
    }

    /** The attention layers (a non-zero head_count_kv) as a period: every n-th layer at one offset. */
    private static HybridPattern hybrid(ModelFile f, int[] kvHeads) {
        List<Integer> attention = layers(f.layers, i -> kvHeads[i] != 0);
        if (attention.isEmpty() || attention.size() == f.layers) {
            throw f.keys.problem("key '" + f.keys.key("attention.head_count_kv") + "' = "
                    + java.util.Arrays.toString(kvHeads) + " makes " + (attention.isEmpty() ? "no" : "every")
                    + " layer an attention layer; a jamba model interleaves Mamba (0) with attention");
        }
        int first = attention.getFirst();
        int every = attention.size() == 1 ? Math.max(2, f.layers) : attention.get(1) - first;
        if (first >= every || !layers(f.layers, i -> i % every == first).equals(attention)) {
            throw f.keys.problem("key '" + f.keys.key("attention.head_count_kv") + "' puts attention on layers "
                    + attention + ", which do not repeat with one period from the first period on; llmgraph's "
                    + "hybrid stacks put attention on every n-th layer at one offset");
        }
        return HybridPattern.softmaxEvery(every).withOffset(first);
    }

    /** The routing layers (those with ffn_gate_inp) as leading dense layers and a period. */
    private static Moe experts(ModelFile f, Moe moe) {
        List<Integer> routing = layers(f.layers, i -> f.hasTensor("blk." + i + ".ffn_gate_inp.weight"));
        if (routing.isEmpty()) {
            throw f.keys.problem("key '" + f.keys.key("expert_count") + "' = " + f.expertCount + " but no layer "
                    + "holds a router (blk.N.ffn_gate_inp.weight); drop the key for a dense model");
        }
        int first = routing.getFirst();
        int every = routing.size() == 1 ? f.layers : routing.get(1) - first;
        int offset = first % every;
        Moe read = moe.withSparseEvery(every, offset).withDenseLayers(first - offset);
        if (!layers(f.layers, read::sparse).equals(routing)) {
            throw f.keys.problem("layers " + routing + " hold routers (blk.N.ffn_gate_inp.weight), which do not "
                    + "repeat with one period; llmgraph routes every n-th layer at one offset");
        }
        return read;
    }

    private static List<Integer> layers(int count, IntPredicate picked) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (picked.test(i)) {
                out.add(i);
            }
        }
        return out;
    }
}
