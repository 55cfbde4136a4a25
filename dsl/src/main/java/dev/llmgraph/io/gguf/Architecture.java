package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgufWriter;
import dev.llmgraph.spec.ModelSpec;

import java.util.List;
import java.util.Map;

/**
 * One of llama.cpp's model architectures (the value of {@code general.architecture}) as llmgraph maps it:
 * which specs its graph computes ({@link #misfits}), the keys particular to it, and the spec a file of it
 * describes. Each implementation states the facts of one {@code src/models/<arch>.cpp} of the pinned
 * llama.cpp, in the order that file builds its graph; the keys all architectures share are read by
 * {@link ModelFile} and written by {@link GgufExport}.
 */
sealed interface Architecture permits LlamaArchitecture, Gpt2Architecture, BloomArchitecture, FalconArchitecture,
        Qwen2Architecture, Qwen2MoeArchitecture, OlmoeArchitecture, DeepSeek2Architecture, ChatGlmArchitecture,
        Gemma2Architecture, MambaArchitecture, Mamba2Architecture, Rwkv6Architecture,
        Rwkv7Architecture, BertArchitecture, NomicBertArchitecture {

    /** Every architecture llmgraph maps, in the order a spec is tried against them. */
    static List<Architecture> all() {
        return List.of(new LlamaArchitecture(), new Qwen2Architecture(), new Qwen2MoeArchitecture(),
                new OlmoeArchitecture(),
                new DeepSeek2Architecture(), new Gemma2Architecture(),
                new ChatGlmArchitecture(), new Gpt2Architecture(), new BloomArchitecture(), new FalconArchitecture(),
                new MambaArchitecture(), new Mamba2Architecture(), new Rwkv6Architecture(),
                new Rwkv7Architecture(), new BertArchitecture(), new NomicBertArchitecture());
    }

    /** llama.cpp's name for it. */
    String name();

    /** The choices of {@code spec} that this architecture's graph does not make; empty when it computes spec. */
    List<String> misfits(ModelSpec spec);

    /** The spec a file of this architecture describes (its tensors are checked against it afterwards). */
    ModelSpec readSpec(ModelFile file);

    /** Writes the keys particular to this architecture, each named {@code <arch>.<suffix>}. */
    default void writeKeys(ModelSpec spec, GgufWriter out) {
    }

    /**
     * File tensors that repeat one of the spec's weights, by file name: the weight's name (llama.cpp's rwkv7 loads
     * value-residual tensors on layer 0, which has none, and its converter writes a0, a1, a2 there again). Written
     * as copies, expected when read, never read into the model.
     */
    default Map<String, String> copies(ModelSpec spec) {
        return Map.of();
    }

    /** Whether a file of this architecture may route to experts ({@code <arch>.expert_count}). */
    default boolean readsExperts() {
        return false;
    }

    /** Whether q, k and v are written as one {@code attn_qkv} tensor (as llama.cpp's converter writes them). */
    default boolean writesFusedQkv() {
        return false;
    }

    /** Whether llama.cpp also loads q, k and v as separate tensors ({@code create_tensor_qkv} takes both forms). */
    default boolean readsSeparateQkv() {
        return !writesFusedQkv();
    }

    /** Whether the architecture encodes: its files say {@code <arch>.attention.causal = false}. */
    default boolean encodes() {
        return false;
    }

    /** Tensor names (the part between the block number and {@code .weight}) that this architecture's files spell
     *  differently from llmgraph's weights, llmgraph's name to the file's. */
    default java.util.Map<String, String> renamedTensors() {
        return java.util.Map.of();
    }

    /** Whether ffn_gate and ffn_up are one {@code ffn_up} tensor, gate rows first (ChatGLM). */
    default boolean fusesGateAndUp() {
        return false;
    }

    /** The architecture named {@code name}, or null. */
    static Architecture named(String name) {
        return all().stream().filter(a -> a.name().equals(name)).findFirst().orElse(null);
    }
}
