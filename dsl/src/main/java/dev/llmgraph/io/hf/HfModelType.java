package dev.llmgraph.io.hf;

import dev.llmgraph.io.family.FamilyFacts;
import dev.llmgraph.io.family.ModelFamily;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The Hugging Face {@code model_type}s llmgraph reads and writes, with the class that loads each and the
 * prefix its causal-LM class (BERT: its masked-LM class) puts before the base model's tensor names.
 */
public enum HfModelType {
    LLAMA("llama", "LlamaForCausalLM", "model."),
    MISTRAL("mistral", "MistralForCausalLM", "model."),
    QWEN2("qwen2", "Qwen2ForCausalLM", "model."),
    QWEN3("qwen3", "Qwen3ForCausalLM", "model."),
    GEMMA2("gemma2", "Gemma2ForCausalLM", "model."),
    GEMMA3("gemma3_text", "Gemma3ForCausalLM", "model."),
    PHI("phi", "PhiForCausalLM", "model."),
    PHI3("phi3", "Phi3ForCausalLM", "model."),
    GPT2("gpt2", "GPT2LMHeadModel", "transformer."),
    BLOOM("bloom", "BloomForCausalLM", "transformer."),
    FALCON("falcon", "FalconForCausalLM", "transformer."),
    MIXTRAL("mixtral", "MixtralForCausalLM", "model."),
    QWEN2_MOE("qwen2_moe", "Qwen2MoeForCausalLM", "model."),
    QWEN3_MOE("qwen3_moe", "Qwen3MoeForCausalLM", "model."),
    OLMOE("olmoe", "OlmoeForCausalLM", "model."),
    DEEPSEEK_V2("deepseek_v2", "DeepseekV2ForCausalLM", "model."),
    /** An encoder: written as BertForMaskedLM with a masked-LM head, as BertModel without ({@link BertFamily}). */
    BERT("bert", "BertModel", "bert.");

    private final String id;
    private final String architecture;
    private final String basePrefix;

    HfModelType(String id, String architecture, String basePrefix) {
        this.id = id;
        this.architecture = architecture;
        this.basePrefix = basePrefix;
    }

    /** The {@code model_type} string of config.json. */
    public String id() {
        return id;
    }

    /** The class named in config.json's {@code architectures}. */
    public String architecture() {
        return architecture;
    }

    /**
     * The prefix of base-model tensors in a checkpoint saved from the causal-LM class ({@code model.} or
     * {@code transformer.}); checkpoints saved from the base class (GPT-2's and BLOOM's own) leave it out,
     * and readers accept both, as HF's loader does.
     */
    public String basePrefix() {
        return basePrefix;
    }

    /**
     * The family this type's checkpoints are written as for llama.cpp (mistral and mixtral as llama), whose facts
     * (RoPE pairing, norm kind) the config reader and writer share with GGUF.
     */
    public ModelFamily family() {
        return ModelFamily.ofHfModelType(id);
    }

    /** The family's facts; see {@link #family()}. */
    FamilyFacts facts() {
        return family().facts();
    }

    /**
     * Whether this type is one of the LLaMA-shaped ones (LLaMA's tensor names and config fields; qwen3 adds its q and k
     * norms).
     */
    public boolean llamaShaped() {
        return this == LLAMA || this == MISTRAL || this == QWEN2 || this == QWEN3;
    }

    /**
     * Whether the checkpoints store each RMSNorm gain as w where the model multiplies by 1 + w (Gemma's
     * {@code Gemma2RMSNorm}): llmgraph's gain (llama.cpp's, whose converter adds the 1) is the stored value plus one.
     */
    public boolean storesNormGainsMinusOne() {
        return this == GEMMA2 || this == GEMMA3;
    }

    /** Whether this type may route tokens to experts (DeepSeek-V2 does unless n_routed_experts is null). */
    public boolean mayRouteToExperts() {
        return routesToExperts() || this == DEEPSEEK_V2;
    }

    /** Whether this type routes tokens to experts (a mixture of experts in every sparse layer). */
    public boolean routesToExperts() {
        return this == MIXTRAL || this == QWEN2_MOE || this == QWEN3_MOE || this == OLMOE;
    }

    /** The type whose {@code model_type} is {@code id}, or null. */
    public static HfModelType byId(String id) {
        for (HfModelType t : values()) {
            if (t.id.equals(id)) {
                return t;
            }
        }
        return null;
    }

    /**
     * "llama, mistral, qwen2, qwen3, gemma2, gemma3_text, phi, phi3, gpt2, bloom, falcon, mixtral, qwen2_moe,
     * qwen3_moe, olmoe, deepseek_v2 and bert", for messages.
     */
    public static String known() {
        return joined(t -> true);
    }

    /** The ids of the types that {@code which} accepts, as "a, b and c", for messages. */
    static String joined(Predicate<HfModelType> which) {
        String all = Arrays.stream(values()).filter(which).map(HfModelType::id).collect(Collectors.joining(", "));
        int last = all.lastIndexOf(", ");
        return last < 0 ? all : all.substring(0, last) + " and " + all.substring(last + 2);
    }

    @Override
    public String toString() {
        return id.toLowerCase(Locale.ROOT);
    }
}
