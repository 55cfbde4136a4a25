package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.gguf.GgufException;
import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.io.family.FamilyFacts;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.ExpertGroups;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelBuilder;
import dev.llmgraph.spec.Moe;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopePairing;
import dev.llmgraph.spec.RopeScaling;
import dev.llmgraph.spec.Router;
import dev.llmgraph.spec.SharedExperts;
import dev.llmgraph.spec.Transformer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A GGUF file read as a model of one llama.cpp architecture: the hyperparameters every architecture shares
 * (read as {@code llama_model_base::load_hparams} in {@code src/llama-model.cpp} reads them, with the same
 * defaults), and questions about its tensors that decide the optional parts of a spec (biases, a separate
 * output head). What is particular to a family is read by {@link FamilyReading}.
 */
final class ModelFile {
    final GgufFile file;
    final GgufKeys keys;
    final String name;
    final int vocabSize;
    final int dModel;
    final int layers;
    final int contextLength;
    final int heads;
    final int kvHeads;
    final int headDim;
    final int ffnLength;
    /** Routed experts per layer; 0 for a dense model. */
    final int expertCount;

    /**
     * A file of the family with {@code facts}: an encoder's file says {@code <arch>.attention.causal = false}; in a
     * hybrid's (jamba) {@code head_count_kv} array a 0 marks a layer without attention, so K/V heads are the
     * attention layers' (the family's keys read which layers those are).
     */
    ModelFile(GgufFile file, String architecture, FamilyFacts facts) {
        boolean bidirectional = facts.encoder();
        this.file = file;
        this.keys = new GgufKeys(file, architecture);
        String stem = file.path().getFileName().toString().replaceFirst("\\.gguf$", "");
        this.name = file.has("general.name") ? file.getString("general.name") : stem;
        this.contextLength = keys.requireInt("context_length");
        this.dModel = keys.requireInt("embedding_length");
        this.layers = keys.requireInt("block_count");
        this.ffnLength = keys.requireInt("feed_forward_length");
        this.heads = keys.requireInt("attention.head_count");
        this.kvHeads = facts.mixer() == FamilyFacts.Mixer.MAMBA_ATTENTION_HYBRID ? heads
                : keys.intOr("attention.head_count_kv", heads);
        int defaultHead = heads > 0 ? dModel / heads : 0;
        this.headDim = keys.intOr("attention.key_length", defaultHead);
        int valueDim = keys.intOr("attention.value_length", defaultHead);
        // MLA files (deepseek2) give the cached row as key_length and the latent as value_length.
        if (valueDim != headDim && !keys.has("attention.key_length_mla")) {
            throw keys.problem("keys '" + keys.key("attention.key_length") + "' = " + headDim + " and '"
                    + keys.key("attention.value_length") + "' = " + valueDim + " differ; llmgraph's heads have one "
                    + "size for keys and values");
        }
        // llama.cpp treats one expert as none (llama_model_base::load_hparams).
        int experts = keys.intOr("expert_count", 0);
        this.expertCount = experts > 1 ? experts : 0;
        if (!bidirectional && !keys.boolOr("attention.causal", true)) {
            throw keys.problem("key '" + keys.key("attention.causal") + "' is false: bidirectional attention, which "
                    + "llmgraph's decoders do not have");
        }
        this.vocabSize = vocabSize();
    }

    /**
     * The vocabulary: llama.cpp sizes it by the token list; a file without one (llmgraph reads weights without
     * a tokenizer) gives it by {@code <arch>.vocab_size} or by the token embedding's rows.
     */
    private int vocabSize() {
        if (file.has("tokenizer.ggml.tokens")) {
            return file.getStringArray("tokenizer.ggml.tokens").size();
        }
        if (keys.has("vocab_size")) {
            return keys.requireInt("vocab_size");
        }
        if (!file.hasTensor("token_embd.weight")) {
            throw keys.problem("tensor 'token_embd.weight' is missing; every " + keys.architecture + " model needs it");
        }
        return Math.toIntExact(file.tensor("token_embd.weight").ne()[1]);
    }

    /** A causal decoder builder with the shared sizes set. */
    ModelBuilder builder() {
        return Transformer.causalDecoder(name).vocabSize(vocabSize).dModel(dModel).layers(layers)
                .contextLength(contextLength);
    }

    /** Heads, K/V heads and head size; biases as the layer-0 tensors show. */
    Attention attention() {
        Attention a = Attention.grouped(heads, kvHeads).withBias(qkvBias(), hasTensor("blk.0.attn_output.bias"));
        return heads > 0 && headDim == dModel / heads && dModel % heads == 0 ? a : a.withHeadDim(headDim);
    }

    double layerNormEps() {
        return keys.requireFloat("attention.layer_norm_epsilon");
    }

    double rmsNormEps() {
        return keys.requireFloat("attention.layer_norm_rms_epsilon");
    }

    /** RoPE as llama.cpp reads it: base, rotated dimensions and the trained scaling. */
    Positional.Rope rope(RopePairing pairing) {
        return rope(pairing, headDim, false);
    }

    /**
     * As {@link #rope(RopePairing)}; with {@code frequencyDivisors} (llama.cpp's llama graph) Llama 3's scaling is
     * read from the tensor rope_freqs, which any other graph refuses.
     */
    Positional.Rope rope(RopePairing pairing, boolean frequencyDivisors) {
        return rope(pairing, frequencyDivisors, false);
    }

    /**
     * As {@link #rope(RopePairing, boolean)}; with {@code longRopeFactors} (llama.cpp's llama and phi3 graphs)
     * LongRoPE is read from the tensors rope_factors_short and rope_factors_long ({@link LongRopeFile}), which any
     * other graph refuses.
     */
    Positional.Rope rope(RopePairing pairing, boolean frequencyDivisors, boolean longRopeFactors) {
        boolean longRope = LongRopeFile.present(file);
        if (longRope && !longRopeFactors) {
            throw keys.problem("tensors '" + LongRopeFile.SHORT + "' and '" + LongRopeFile.LONG + "' hold LongRoPE's "
                    + "per-pair RoPE factors, which llama.cpp's " + keys.architecture + " graph does not read; "
                    + "llama.cpp and llmgraph read them in llama and phi3 files");
        }
        if (longRope && frequencyDivisors && !keys.stringOr("rope.scaling.type", "").equals(LongRopeFile.TYPE)) {
            // llama.cpp's llama graph loads rope_freqs, or under this type the two sets instead (models/llama.cpp)
            throw keys.problem("tensors '" + LongRopeFile.SHORT + "' and '" + LongRopeFile.LONG + "' hold LongRoPE's "
                    + "per-pair RoPE factors, which llama.cpp's " + keys.architecture + " graph loads only where key '"
                    + keys.key("rope.scaling.type") + "' is '" + LongRopeFile.TYPE + "'; add that key");
        }
        Positional.Rope rope = rope(pairing, headDim, false, longRope);
        if (!frequencyDivisors && hasTensor(Llama3RopeFile.TENSOR)) {
            throw keys.problem("tensor '" + Llama3RopeFile.TENSOR + "' holds Llama 3's per-pair RoPE divisors, "
                    + "which llama.cpp's " + keys.architecture + " graph does not read; llama.cpp and llmgraph "
                    + "read them in llama files");
        }
        RopeScaling.Llama3 llama3 = frequencyDivisors
                ? Llama3RopeFile.read(file, keys, rope.rotatedDims(headDim), rope.theta()) : null;
        if (llama3 != null && longRope) {
            throw keys.problem("the file scales RoPE twice: the tensor '" + Llama3RopeFile.TENSOR + "' (Llama 3's "
                    + "divisors) and the tensors '" + LongRopeFile.SHORT + "' and '" + LongRopeFile.LONG + "' "
                    + "(LongRoPE's); llama.cpp uses the first and passes over the others, llmgraph has one scaling");
        }
        RopeScaling fromTensors = llama3 != null ? llama3
                : longRope ? LongRopeFile.read(file, keys, rope.rotatedDims(headDim), contextLength) : null;
        if (fromTensors == null) {
            return rope;
        }
        if (!rope.scaling().equals(RopeScaling.none())) {
            String tensors = llama3 != null ? "the tensor '" + Llama3RopeFile.TENSOR + "' (Llama 3's divisors)"
                    : "the tensors '" + LongRopeFile.SHORT + "' and '" + LongRopeFile.LONG + "' (LongRoPE's factors)";
            throw keys.problem("the file scales RoPE twice: key '" + keys.key("rope.scaling.type") + "' ("
                    + rope.scaling() + ") and " + tensors + "; llama.cpp would apply both, llmgraph has one scaling");
        }
        return rope.withScaling(fromTensors);
    }

    /**
     * RoPE over heads of {@code headSize} (MLA: its RoPE dimensions); with {@code yarnLogMultiplier} the key
     * {@code rope.scaling.yarn_log_multiplier} is read by the caller (DeepSeek's mscale) rather than refused.
     */
    Positional.Rope rope(RopePairing pairing, int headSize, boolean yarnLogMultiplier) {
        return rope(pairing, headSize, yarnLogMultiplier, false);
    }

    /**
     * As above; with {@code longRope} (the file holds LongRoPE's factors) the keys {@code rope.scaling.type}
     * "longrope" and {@code rope.scaling.attn_factor} are read by the caller ({@link LongRopeFile}).
     */
    private Positional.Rope rope(RopePairing pairing, int headSize, boolean yarnLogMultiplier, boolean longRope) {
        double theta = keys.floatOr("rope.freq_base", 10_000);
        int rotated = keys.intOr("rope.dimension_count", headSize);
        if (rotated < 2 || rotated > headSize || rotated % 2 != 0) {
            throw keys.problem("key '" + keys.key("rope.dimension_count") + "' = " + rotated + ": RoPE rotates an even "
                    + "number of dimensions, at most the head size " + headSize);
        }
        double factor = keys.has("rope.scaling.factor") ? keys.floatOr("rope.scaling.factor", 0)
                : keys.floatOr("rope.scale_linear", 0);
        String type = keys.stringOr("rope.scaling.type", "linear");
        RopeScaling scaling = switch (type) {
            case "none" -> RopeScaling.none();
            case "linear" -> factor == 0 || factor == 1 ? RopeScaling.none() : RopeScaling.linear(factor);
            case "yarn" -> RopeScaling.yarn(factor, keys.intOr("rope.scaling.original_context_length", contextLength));
            case LongRopeFile.TYPE -> {
                if (!longRope) {
                    throw keys.problem("key '" + keys.key("rope.scaling.type") + "' is '" + type + "', but the file "
                            + "has neither '" + LongRopeFile.SHORT + "' nor '" + LongRopeFile.LONG + "'; LongRoPE "
                            + "divides each pair's frequency by one of these sets");
                }
                yield RopeScaling.none(); // the factors are the caller's
            }
            default -> throw keys.problem("key '" + keys.key("rope.scaling.type") + "' is '" + type + "'; llmgraph "
                    + "reads RoPE scaling none, linear, yarn and longrope");
        };
        // Settings llmgraph's RoPE scaling does not have, refused unless at their neutral value.
        Map<String, Double> neutral = new LinkedHashMap<>();
        if (!longRope) {
            neutral.put(LongRopeFile.ATTENTION_FACTOR, 1.0);
        }
        if (!yarnLogMultiplier) {
            neutral.put("rope.scaling.yarn_log_multiplier", 0.0);
        }
        neutral.forEach((suffix, value) -> {
            if (keys.floatOr(suffix, value) != value) {
                throw keys.problem("key '" + keys.key(suffix) + "' = " + keys.floatOr(suffix, value)
                        + ": llmgraph's RoPE scaling has no such setting");
            }
        });
        return new Positional.Rope(theta, fraction(rotated, headSize), pairing, scaling);
    }

    /** The fraction whose {@code rotatedDims(headSize)} is exactly {@code rotated} (no rounding down by one). */
    private static double fraction(int rotated, int headSize) {
        double fraction = (double) rotated / headSize;
        Positional.Rope probe = new Positional.Rope(1, fraction, RopePairing.ADJACENT, RopeScaling.none());
        while (probe.rotatedDims(headSize) < rotated) {
            fraction = Math.nextUp(fraction);
            probe = probe.withFraction(fraction);
        }
        return fraction;
    }

    /**
     * The routed experts a file of a mixture-of-experts architecture describes: {@code expertCount} experts of
     * {@code expert}, {@code <arch>.expert_used_count} per token (required, as llama.cpp requires it), routed by
     * {@code router}, limited to the best {@code expert_group_used_count} of {@code expert_group_count} groups when
     * the file groups its experts. Made with the record's constructor, so that bad counts (k above the experts) come back from
     * {@code build()} as the spec's own words.
     */
    Moe experts(Ffn expert, Router router, SharedExperts shared) {
        if (expertCount == 0) {
            throw keys.problem("key '" + keys.key("expert_count") + "' is missing or below 2; llama.cpp needs the "
                    + "experts counted to build a " + keys.architecture + " model with experts");
        }
        // llama.cpp keeps, per token, the expert_group_used_count groups whose two best experts score highest (for
        // every architecture: build_moe_ffn reads the keys whatever the file), then the top k inside them.
        int groups = keys.intOr("expert_group_count", 0);
        if (groups > 1) {
            router = router.withGroups(new ExpertGroups(groups, keys.intOr("expert_group_used_count", 0),
                    ExpertGroups.Ranking.TWO_BEST_EXPERTS));
        }
        return new Moe(expertCount, keys.requireInt("expert_used_count"), expert, shared, router, 0);
    }

    boolean hasTensor(String name) {
        return file.hasTensor(name);
    }

    /** The output head reuses the token embedding when the file has no {@code output.weight}. */
    boolean tied() {
        return !hasTensor("output.weight");
    }

    /** Whether layer 0 has q, k and v biases (fused or separate); all three or none. */
    boolean qkvBias() {
        if (hasTensor("blk.0.attn_qkv.weight")) {
            return hasTensor("blk.0.attn_qkv.bias");
        }
        return allOrNone("blk.0.attn_q.bias", "blk.0.attn_k.bias", "blk.0.attn_v.bias");
    }

    /** Whether layer 0's FFN projections have biases; all of them or none. */
    boolean ffnBias(boolean gated) {
        return gated ? allOrNone("blk.0.ffn_gate.bias", "blk.0.ffn_up.bias", "blk.0.ffn_down.bias")
                : allOrNone("blk.0.ffn_up.bias", "blk.0.ffn_down.bias");
    }

    private boolean allOrNone(String... names) {
        int present = 0;
        for (String n : names) {
            present += hasTensor(n) ? 1 : 0;
        }
        if (present != 0 && present != names.length) {
            throw keys.problem("of the tensors " + String.join(", ", names) + " only some are present; llmgraph gives "
                    + "these projections biases all together or not at all");
        }
        return present == names.length;
    }

    /** Refuses a tensor whose feature llmgraph lacks, naming the feature. */
    void refuseTensor(String tensor, String feature) {
        if (hasTensor(tensor)) {
            throw unsupported(tensor, feature);
        }
    }

    GgufException unsupported(String tensor, String feature) {
        return keys.problem("tensor '" + tensor + "' is " + feature + ", which llmgraph cannot express yet");
    }
}
