package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.gguf.GgufException;
import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.gguf.GgufTensorInfo;
import dev.llmgraph.ggml.gguf.GgufValue;
import dev.llmgraph.ggml.gguf.GgufValueType;
import dev.llmgraph.ggml.gguf.GgufWriter;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.model.Model;
import dev.llmgraph.spec.ExpertGroups;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Files llmgraph cannot read as a model give a {@link GgufException} naming the file, the key or tensor, and
 * the problem; the messages are asserted word for word. Each file is a valid export of a tiny model with one
 * thing changed.
 */
class GgufReadErrorsTest {
    @TempDir
    static Path dir;
    static Path llama;
    static Path gpt2;
    static Path mixtral;
    static Path deepseek2;
    static Path olmoe;
    static Path mamba;

    @BeforeAll
    static void writeValidFiles() {
        llama = export("llama");
        gpt2 = export("gpt2");
        mixtral = export("llama, 4 experts top-2");
        deepseek2 = export("deepseek2, q low-rank, YaRN");
        olmoe = export("olmoe");
        mamba = dir.resolve("tiny-mamba.gguf");
        try (Model model = Model.random(MambaParityTest.tinyMamba(), WeightInit.lecun(1),
                ModelOptions.cpu().withThreads(2))) {
            GgufModels.write(model, mamba);
        }
    }

    private static Path export(String label) {
        Path file = dir.resolve(TinyModels.fileName(label) + ".gguf");
        try (Model model = Model.random(TinyModels.all().get(label), WeightInit.lecun(1),
                ModelOptions.cpu().withThreads(2))) {
            GgufModels.write(model, file);
        }
        return file;
    }

    /** A copy of {@code source} as {@code name} beside it, its metadata and tensors changed by {@code change}. */
    static Path variant(Path source, String name, Consumer<Map<String, GgufValue>> keys,
                        Consumer<GgufWriter> tensors, String... dropTensors) {
        Path file = source.resolveSibling(name + ".gguf");
        try (GgufFile original = GgufFile.open(source)) {
            Map<String, GgufValue> metadata = new LinkedHashMap<>(original.metadata());
            keys.accept(metadata);
            GgufWriter out = new GgufWriter().putAll(metadata);
            for (GgufTensorInfo info : original.tensors()) {
                if (!java.util.List.of(dropTensors).contains(info.name())) {
                    out.copyTensor(original, info.name());
                }
            }
            tensors.accept(out);
            out.write(file);
        }
        return file;
    }

    static String readError(Path file) {
        return assertThrows(GgufException.class, () -> GgufModels.spec(file)).getMessage();
    }

    @Test
    void olmoeWithFewerKeyHeadsIsRefused() {
        Path file = variant(olmoe, "olmoe-gqa", keys -> keys.put("olmoe.attention.head_count_kv", GgufValue.uint32(2)),
                w -> { });
        assertEquals(file + ": its keys describe a model that llama.cpp's olmoe graph does not compute: GQA (2 K/V "
                + "heads for 4 query heads) with an olmoe architecture (llama.cpp's olmoe graph normalises keys with a "
                + "dModel-wide attn_k_norm, so keys have as many heads as queries)", readError(file));
    }

    @Test
    void deepSeekYarnWithoutItsMscaleIsRefused() {
        Path file = variant(deepseek2, "deepseek2-no-mscale",
                keys -> keys.remove("deepseek2.rope.scaling.yarn_log_multiplier"), w -> { });
        assertEquals(file + ": key 'deepseek2.rope.scaling.yarn_log_multiplier' is missing or 0 with YaRN scaling; "
                + "llmgraph's latent attention needs DeepSeek's mscale there (0.1 x mscale_all_dim)", readError(file));
    }

    @Test
    void aLatentWiderThanTheTokenIsRefusedInTheSpecsWords() {
        Path file = variant(deepseek2, "deepseek2-wide-latent",
                keys -> keys.put("deepseek2.attention.kv_lora_rank", GgufValue.uint32(128)), w -> { });
        String message = readError(file);
        org.junit.jupiter.api.Assertions.assertTrue(message.contains("latentAttention.kvRank = 128: must be at most "
                + "dModel = 64: the latent compresses each token's keys and values, so it is narrower than the token"),
                message);
    }

    @Test
    void aMissingRequiredKeyIsNamed() {
        Path file = variant(llama, "no-width", keys -> keys.remove("llama.embedding_length"), w -> { });
        assertEquals(file + ": key 'llama.embedding_length' is missing; llama.cpp needs it to build a llama model",
                readError(file));
    }

    @Test
    void aKeyOfTheWrongTypeIsNamed() {
        Path file = variant(llama, "width-as-text", keys -> keys.put("llama.block_count", GgufValue.string("2")),
                w -> { });
        assertEquals(file + ": key 'llama.block_count' is str \"2\", not an integer", readError(file));
    }

    @Test
    void aTensorOfTheWrongShapeIsNamedWithTheShapeTheKeysCallFor() {
        Path file = variant(llama, "narrow-k", keys -> { },
                w -> w.addTensor("blk.0.attn_k.weight", new float[64 * 16], 64, 16), "blk.0.attn_k.weight");
        assertEquals(file + ": tensor 'blk.0.attn_k.weight' has shape [64, 16] (ggml order) but the llama model its "
                + "keys describe (dModel 64, 4 heads and 2 K/V heads of 16, FFN 96, vocabulary 300) needs [64, 32]",
                readError(file));
    }

    @Test
    void aFusedTensorOfTheWrongShapeIsNamed() {
        Path file = variant(gpt2, "short-qkv", keys -> { },
                w -> w.addTensor("blk.1.attn_qkv.weight", new float[64 * 160], 64, 160), "blk.1.attn_qkv.weight");
        assertEquals(file + ": tensor 'blk.1.attn_qkv.weight' has shape [64, 160] (ggml order) but the gpt2 model its "
                + "keys describe (dModel 64, 4 heads and 4 K/V heads of 16, FFN 128, vocabulary 300) needs [64, 192]",
                readError(file));
    }

    @Test
    void aMissingTensorIsNamed() {
        Path file = variant(llama, "no-up", keys -> { }, w -> { }, "blk.1.ffn_up.weight");
        assertEquals(file + ": tensor 'blk.1.ffn_up.weight' is missing; the llama model its keys describe needs it",
                readError(file));
    }

    @Test
    void aTensorWithoutAPlaceIsNamed() {
        Path file = variant(llama, "extra", keys -> { },
                w -> w.addTensor("blk.0.attn_norm_2.weight", new float[64], 64));
        assertEquals(file + ": tensor 'blk.0.attn_norm_2.weight' has no place in the llama model its keys describe "
                + "(llama.cpp refuses such a file too: it counts the tensors it loads)", readError(file));
    }

    @Test
    void anUnknownArchitectureIsNamed() {
        Path file = variant(llama, "unknown", keys -> keys.put("general.architecture", GgufValue.string("llama9")),
                w -> { });
        assertEquals(file + ": architecture 'llama9' is not one llmgraph reads; it reads llama, qwen2, qwen3, "
                + "qwen2moe, olmoe, qwen3moe, deepseek2, gemma2, gemma3, chatglm, phi2, phi3, gpt2, bloom, falcon, "
                + "mamba, mamba2, jamba, rwkv6, rwkv7, bert and nomic-bert",
                readError(file));
    }

    @Test
    void aT5FileNamesItsOwnReader() {
        Path file = variant(llama, "t5", keys -> keys.put("general.architecture", GgufValue.string("t5")),
                w -> { });
        assertEquals(file + ": architecture 't5' is an encoder-decoder (two stacks, not one ModelSpec): read it with "
                + "EncoderDecoderGguf.load(path, options)", readError(file));
    }

    @Test
    void aMambaFileWithoutAnSsmTensorIsNamed() {
        Path file = variant(mamba, "mamba-no-a", keys -> { }, w -> { }, "blk.1.ssm_a");
        assertEquals(file + ": tensor 'blk.1.ssm_a' is missing; the mamba model its keys describe needs it",
                readError(file));
    }

    @Test
    void aMambaStateSizeTheTensorsDoNotHaveIsNamed() {
        Path file = variant(mamba, "mamba-state-8", keys -> keys.put("mamba.ssm.state_size", GgufValue.uint32(8)),
                w -> { });
        assertEquals(file + ": tensor 'blk.0.ssm_x.weight' has shape [128, 36] (ggml order) but the mamba model its "
                + "keys describe (dModel 64, Mamba of innerDim 128, stateDim 8, convWidth 4, dtRank 4, vocabulary 300) "
                + "needs [128, 20]", readError(file));
    }

    @Test
    void aMambaConvolutionOfWidthZeroIsRefusedInTheSpecsWords() {
        Path file = variant(mamba, "mamba-conv-0", keys -> keys.put("mamba.ssm.conv_kernel", GgufValue.uint32(0)),
                w -> { });
        assertEquals(file + ": its keys describe a model llmgraph cannot build: spec 'tiny-mamba' has 1 problem:\n"
                + "  - ssm.convWidth = 0: must be at least 2: the causal convolution reads the token and the "
                + "convWidth - 1 before it, which the recurrent state carries; Mamba uses 4", readError(file));
    }

    @Test
    void aMamba2WithoutItsGroupCountIsNamed() {
        Path source = dir.resolve("tiny-mamba2.gguf");
        try (Model model = Model.random(MambaParityTest.tinyMamba2(), WeightInit.lecun(1),
                ModelOptions.cpu().withThreads(2))) {
            GgufModels.write(model, source);
        }
        Path file = variant(source, "mamba2-no-groups", keys -> keys.remove("mamba2.ssm.group_count"), w -> { });
        assertEquals(file + ": key 'mamba2.ssm.group_count' is missing; llama.cpp needs it to build a mamba2 model",
                readError(file));
        Path threeHeads = variant(source, "mamba2-3-heads",
                keys -> keys.put("mamba2.ssm.time_step_rank", GgufValue.uint32(3)), w -> { });
        assertEquals(threeHeads + ": its keys describe a model llmgraph cannot build: spec 'tiny-mamba2' has 2 "
                + "problems:\n"
                + "  - mamba2.heads = 3: must divide innerDim = 128: every head is innerDim / heads channels wide; "
                + "Mamba-2 uses heads of 64\n"
                + "  - mamba2.groups = 2: must divide heads = 3: each group of heads shares one B and one C; use 1 "
                + "group", readError(threeHeads));
    }

    @Test
    void aMambaWithoutItsStateSizeKeyIsNamed() {
        Path file = variant(mamba, "mamba-no-state", keys -> keys.remove("mamba.ssm.state_size"), w -> { });
        assertEquals(file + ": key 'mamba.ssm.state_size' is missing; llama.cpp needs it to build a mamba model",
                readError(file));
    }

    @Test
    void expertsWithoutAnExpertsPerTokenCountAreRefused() {
        Path file = variant(llama, "moe", keys -> keys.put("llama.expert_count", GgufValue.uint32(8)), w -> { });
        assertEquals(file + ": key 'llama.expert_used_count' is missing; llama.cpp needs it to build a llama model",
                readError(file));
    }

    @Test
    void expertGroupsAreReadAsLlamaCppRanksThem() {
        Path file = variant(deepseek2, "deepseek2-groups", keys -> {
            keys.put("deepseek2.expert_group_count", GgufValue.uint32(4));
            keys.put("deepseek2.expert_group_used_count", GgufValue.uint32(2));
        }, w -> { });
        assertEquals(ExpertGroups.of(4, 2), GgufModels.spec(file).moe().router().groups());
    }

    @Test
    void expertGroupsThatDoNotDivideTheExpertsAreRefusedInTheSpecsWords() {
        Path file = variant(deepseek2, "deepseek2-groups-of-3", keys -> {
            keys.put("deepseek2.expert_group_count", GgufValue.uint32(3));
            keys.put("deepseek2.expert_group_used_count", GgufValue.uint32(2));
        }, w -> { });
        assertEquals(file + ": its keys describe a model llmgraph cannot build: spec 'tiny-deepseek2' has 1 problem:\n"
                + "  - moe.router.groups.count = 3: must divide experts = 8: the experts are split into equal groups; "
                + "DeepSeek-V2 splits 160 experts into 8 groups of 20", readError(file));
    }

    @Test
    void moreExpertsPerTokenThanExpertsAreRefusedInTheSpecsWords() {
        Path file = variant(mixtral, "top-5-of-4", keys -> keys.put("llama.expert_used_count", GgufValue.uint32(5)),
                w -> { });
        assertEquals(file + ": its keys describe a model llmgraph cannot build: spec 'tiny-mixtral' has 1 problem:\n"
                + "  - moe.expertsPerToken = 5: must be at most experts = 4: a token cannot go to more experts than "
                + "there are; Mixtral routes each token to 2 of 8", readError(file));
    }

    @Test
    void anExpertStackOfTheWrongShapeIsNamed() {
        Path file = variant(mixtral, "three-experts", keys -> { },
                w -> w.addTensor("blk.1.ffn_up_exps.weight", new float[64 * 64 * 3], 64, 64, 3),
                "blk.1.ffn_up_exps.weight");
        assertEquals(file + ": tensor 'blk.1.ffn_up_exps.weight' has shape [64, 64, 3] (ggml order) but the llama "
                + "model its keys describe (dModel 64, 4 heads and 2 K/V heads of 16, FFN 64, 4 experts of 64, "
                + "vocabulary 300) needs [64, 64, 4]", readError(file));
    }

    @Test
    void expertsInAnArchitectureWithoutThemAreNamed() {
        Path file = variant(gpt2, "gpt2-moe", keys -> keys.put("gpt2.expert_count", GgufValue.uint32(8)), w -> { });
        assertEquals(file + ": key 'gpt2.expert_count' = 8: a mixture of experts, which llmgraph reads in llama, "
                + "qwen2moe, olmoe, qwen3moe, deepseek2 and jamba files, not in gpt2 ones", readError(file));
    }

    @Test
    void aMissingArchitectureKeyIsNamed() {
        Path file = variant(llama, "anonymous", keys -> keys.remove("general.architecture"), w -> { });
        assertEquals(file + ": key 'general.architecture' is missing; a GGUF model file names its architecture there",
                readError(file));
    }

    @Test
    void headCountsThatDifferBetweenLayersAreRefused() {
        Path file = variant(llama, "per-layer-heads",
                keys -> keys.put("llama.attention.head_count", GgufValue.integers(GgufValueType.UINT32, 4, 8)),
                w -> { });
        assertEquals(file + ": key 'llama.attention.head_count' differs between layers ([4, 8]); llmgraph gives every "
                + "layer the same value", readError(file));
    }

    @Test
    void biasesOnSomeOfQKAndVAreRefused() {
        Path file = variant(llama, "q-bias", keys -> { },
                w -> w.addTensor("blk.0.attn_q.bias", new float[64], 64));
        assertEquals(file + ": of the tensors blk.0.attn_q.bias, blk.0.attn_k.bias, blk.0.attn_v.bias only some are "
                + "present; llmgraph gives these projections biases all together or not at all", readError(file));
    }

    @Test
    void ropeDivisorsThatAreNotLlama3sRampAreRefused() {
        Path zeros = variant(llama, "rope-factors", keys -> { },
                w -> w.addTensor("rope_freqs.weight", new float[8], 8));
        assertEquals(zeros + ": tensor 'rope_freqs.weight' divides pair 0's frequency by 0.0, where Llama 3's scaling "
                + "(Llama 3 x1.0 from 8192) divides it by 1.0; llmgraph computes RoPE's divisors from Llama 3's "
                + "parameters and has no setting for other ones", readError(zeros));
        Path rising = variant(llama, "rope-factors-rising", keys -> { },
                w -> w.addTensor("rope_freqs.weight", new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 8));
        assertEquals(rising + ": tensor 'rope_freqs.weight' holds per-pair RoPE divisors [1.0, 2.0, 3.0, 4.0, 5.0, "
                + "6.0, 7.0, 8.0] that no Llama 3 scaling gives (they must run from 1 up to the factor, blending in "
                + "between); llmgraph computes RoPE's divisors from Llama 3's parameters and has no setting for other "
                + "ones", readError(rising));
        Path shortTable = variant(llama, "rope-factors-short", keys -> { },
                w -> w.addTensor("rope_freqs.weight", new float[] {1, 1, 2, 2}, 4));
        assertEquals(shortTable + ": tensor 'rope_freqs.weight' holds 4 values; RoPE over 16 dimensions divides 8 "
                + "frequencies, one per pair", readError(shortTable));
        Path olmoeDivisors = variant(olmoe, "olmoe-rope-factors", keys -> { },
                w -> w.addTensor("rope_freqs.weight", new float[] {1, 1, 1, 1, 8, 8, 8, 8}, 8));
        assertEquals(olmoeDivisors + ": tensor 'rope_freqs.weight' holds Llama 3's per-pair RoPE divisors, which "
                + "llama.cpp's olmoe graph does not read; llama.cpp and llmgraph read them in llama files",
                readError(olmoeDivisors));
    }

    @Test
    void keysThatDescribeAnInvalidSpecSayWhy() {
        Path file = variant(llama, "bad-kv-heads", keys -> keys.put("llama.attention.head_count_kv",
                GgufValue.uint32(3)), w -> { });
        assertEquals(file + ": its keys describe a model llmgraph cannot build: spec 'tiny-llama' has 1 problem:\n"
                + "  - attention.kvHeads = 3: must divide heads = 4: each K/V head serves the same number of query "
                + "heads; use one of [1, 2, 4]", readError(file));
    }

    @Test
    void keysOutsideWhatLlamaCppsGraphComputesAreRefused() {
        Path file = variant(llama, "half-rope", keys -> keys.put("llama.rope.dimension_count", GgufValue.uint32(8)),
                w -> { });
        assertEquals(file + ": its keys describe a model that llama.cpp's llama graph does not compute: RoPE on 8 of "
                + "16 head dimensions with a llama architecture (llama.cpp's llama graph rotates whole heads)",
                readError(file));
    }

    @Test
    void integerTensorsCannotBeWeights() {
        try (Backend cpu = Backend.cpu(1); Context ctx = Context.create(1)) {
            Tensor ids = ctx.newTensor("ids", GgmlType.I32, 64);
            ctx.allocate(cpu);
            ids.setInts(new int[64]);
            Path file = variant(llama, "integer-norm", keys -> { }, w -> w.addTensor("blk.0.attn_norm.weight", ids),
                    "blk.0.attn_norm.weight");
            assertEquals(file + ": tensor 'blk.0.attn_norm.weight' is i32; weights are floats or a quantized type",
                    readError(file));
        }
    }

    @Test
    void loadingGivesTheSameErrorsAsReadingTheSpec() {
        Path file = variant(llama, "no-up-load", keys -> { }, w -> { }, "blk.1.ffn_up.weight");
        assertEquals(readError(file), assertThrows(GgufException.class, () -> GgufModels.load(file)).getMessage());
    }
}
