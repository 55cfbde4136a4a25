package dev.llmgraph.io.hf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;

import java.util.List;

/** How the config.json of one HF config class maps to a spec and back. */
interface HfFamily {
    /** The spec the fields describe; throws {@link HfConfigException} for a field llmgraph cannot express. */
    ModelSpec read(ConfigFields fields);

    /** Every choice of {@code spec} this type cannot express, as "field = value: reason"; empty when it fits. */
    List<String> mismatches(ModelSpec spec);

    /**
     * {@link #mismatches} of {@code family}, except that a recurrent model (Mamba, RWKV) is refused in one line before
     * any family reads its attention and FFN, which it has not.
     */
    static List<String> mismatchesOf(HfFamily family, ModelSpec spec) {
        if (spec.rwkv() != null) {
            return List.of("rwkv = " + spec.rwkv() + ": the HF config classes llmgraph writes have attention and an "
                    + "FFN (llmgraph writes no HF RWKV config yet; an rwkv6 or rwkv7 GGUF holds the model)");
        }
        if (spec.linear() != null) {
            return List.of("linear = " + spec.linear() + ": the HF config classes llmgraph writes have softmax "
                    + "attention (transformers has no linear-attention model class llmgraph could write)");
        }
        if (spec.recurrent()) {
            return List.of("ssm = " + spec.ssm() + ": the HF config classes llmgraph writes have attention and an FFN "
                    + "(llmgraph writes no HF Mamba config yet; a mamba GGUF holds the model)");
        }
        return family.mismatches(spec);
    }

    /** Writes the architecture fields of a spec that fits (see {@link #mismatches}). */
    void write(ModelSpec spec, ObjectNode out);

    static HfFamily of(HfModelType type) {
        return switch (type) {
            case LLAMA, MISTRAL, QWEN2, QWEN3 -> new LlamaFamily(type);
            case GEMMA2, GEMMA3 -> new GemmaFamily(type);
            case PHI -> new PhiFamily();
            case PHI3 -> new Phi3Family();
            case GPT2 -> new Gpt2Family();
            case BLOOM -> new BloomFamily();
            case FALCON -> new FalconFamily();
            case MIXTRAL, QWEN2_MOE, QWEN3_MOE, OLMOE -> new MoeFamily(type);
            case BERT -> new BertFamily();
            case DEEPSEEK_V2 -> new DeepSeekV2Family();
        };
    }

    /**
     * The fields the RMSNorm and RoPE decoders' configs write alike: hidden_size, layers, heads and K/V heads, head_dim
     * (where the spec gives one, or always with {@code alwaysHeadDim}: a type whose default is not dModel / heads),
     * the context, the norm's eps, RoPE, tied embeddings and the vocabulary.
     */
    static void writeDecoderFields(ModelSpec spec, boolean alwaysHeadDim, ObjectNode out) {
        out.put("hidden_size", spec.dModel());
        out.put("num_hidden_layers", spec.layers());
        out.put("num_attention_heads", spec.attention().heads());
        out.put("num_key_value_heads", spec.attention().kvHeads());
        if (alwaysHeadDim || spec.attention().headDim() > 0) {
            out.put("head_dim", spec.headDim());
        }
        out.put("max_position_embeddings", spec.contextLength());
        out.put("rms_norm_eps", spec.norm().eps());
        HfRope.write((Positional.Rope) spec.positional(), spec.contextLength(), out);
        out.put("tie_word_embeddings", spec.tiedEmbeddings());
        out.put("vocab_size", spec.vocabSize());
    }

    /** The head size implied by hidden_size / num_attention_heads, which must divide evenly. */
    static void requireDivisible(ConfigFields f, int dModel, int heads, String dModelField, String headsField) {
        if (dModel % heads != 0) {
            throw f.error(headsField, "field '" + headsField + "' = " + heads + " does not divide '" + dModelField
                    + "' = " + dModel + ", and this config has no other way to give the head size");
        }
    }
}
