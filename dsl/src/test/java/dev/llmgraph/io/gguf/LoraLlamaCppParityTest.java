package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.gguf.GgufException;
import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.llama.LlamaReference;
import dev.llmgraph.model.LoraAdapter;
import dev.llmgraph.model.LoraConfig;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.train.TokenDataset;
import dev.llmgraph.train.Trainer;
import dev.llmgraph.train.TrainingConfig;
import dev.llmgraph.train.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.llmgraph.io.gguf.LlamaCppParityTest.Difference;
import static dev.llmgraph.io.gguf.LlamaCppParityTest.flatten;
import static dev.llmgraph.io.gguf.LlamaCppParityTest.overWholeContext;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * llama.cpp referees LoRA: the tiny LLaMA of {@link TinyModels} (F32, written as GGUF) with an adapter on every
 * projection, trained a few steps by llmgraph so that B is not zero, saved in llama.cpp's adapter GGUF. llama.cpp
 * loads the base file and applies the adapter ({@code llama_adapter_lora_init}, {@code llama_set_adapters_lora});
 * its logits over a 40-token prompt must equal llmgraph's adapted logits within the f32 parity tolerance of
 * {@link LlamaCppParityTest} (1e-4 of the largest |logit|): llama.cpp's {@code build_lora_mm} is the same ops in
 * the same order as {@code GraphBuilder.linear}, so only rounding can differ.
 */
class LoraLlamaCppParityTest {
    private static final int THREADS = 2;
    private static final double F32_TOLERANCE = 1e-4;
    private static final ModelOptions OPTIONS = ModelOptions.cpu().withThreads(THREADS).withMatrixType(GgmlType.F32)
            .withCacheType(GgmlType.F16);

    /** The base model, with an adapter on every projection trained 5 steps. */
    private static LoraAdapter trainedAdapter(Model model) {
        LoraAdapter adapter = LoraAdapter.create(model, LoraConfig.allLinear(4, 8).withSeed(3));
        model.attach(adapter);
        int[] ids = new int[2000];
        for (int i = 1; i < ids.length; i++) {
            ids[i] = (ids[i - 1] + 1 + (i / 50) % 3) % TinyModels.VOCAB;
        }
        TrainingConfig config = TrainingConfig.defaults().withBatch(2, 16).withSteps(5).withSchedule(1e-2, 1e-3, 1);
        try (Trainer trainer = Trainer.of(model, config, LoraAdapter::isAdapterTensor)) {
            trainer.train(TokenDataset.of(ids), null, TrainingListener.SILENT);
        }
        return adapter;
    }

    @Test
    void llamaCppAppliesTheSavedAdapterAsLlmgraphDoes(@TempDir Path dir) {
        ModelSpec spec = TinyModels.all().get("llama");
        int[] prompt = TinyModels.prompt(40);
        Path base = dir.resolve("tiny-llama.gguf"), adapterFile = dir.resolve("tiny-llama-lora.gguf");
        float[] adapted, plain, readBack;
        try (Model model = Model.random(spec, WeightInit.lecun(11), OPTIONS);
             LoraAdapter adapter = trainedAdapter(model)) {
            float[] b = adapter.b("blk.0.attn_q.weight").toFloats();
            boolean trained = false;
            for (float v : b) {
                trained |= v != 0;
            }
            assertTrue(trained, "B was trained away from zero");
            GgufModels.write(model, base);
            GgufAdapters.write(adapter, adapterFile);
            adapted = overWholeContext(model, prompt);
            model.detach();
            plain = overWholeContext(model, prompt);
        }
        try (GgufFile file = GgufFile.open(adapterFile)) {
            assertEquals("adapter", file.getString("general.type"));
            assertEquals("lora", file.getString("adapter.type"));
            assertEquals("llama", file.getString("general.architecture"));
            assertEquals(8f, file.getFloat("adapter.lora.alpha"));
            assertArrayEquals(new long[] {64, 4}, file.tensor("blk.0.attn_q.weight.lora_a").shape());
            assertArrayEquals(new long[] {4, 96}, file.tensor("blk.1.ffn_up.weight.lora_b").shape());
            assertEquals(2 * 2 * 7, file.tensors().size());
        }
        try (Model model = GgufModels.load(base, OPTIONS);
             LoraAdapter loaded = GgufAdapters.load(adapterFile, model)) {
            model.attach(loaded);
            readBack = overWholeContext(model, prompt);
        }
        float[] reference, referencePlain;
        LlamaReference.Settings settings = LlamaReference.Settings.defaults().withContextLength(spec.contextLength())
                .withThreads(THREADS);
        try (LlamaReference llama = LlamaReference.open(base, settings)) {
            referencePlain = flatten(llama.logits(prompt));
            llama.applyLora(adapterFile, 1f);
            reference = flatten(llama.logits(prompt));
        }
        Difference forward = Difference.of(adapted, reference);
        Difference reverse = Difference.of(readBack, reference);
        Difference adapterEffect = Difference.of(referencePlain, reference);
        System.out.println("LoRA parity (max abs, relative to max |logit|): llmgraph adapted vs llama.cpp + adapter "
                + forward + "; adapter read back " + reverse + "; the adapter's own effect " + adapterEffect);
        assertTrue(forward.relative() <= F32_TOLERANCE, "llmgraph's adapted model vs llama.cpp: " + forward);
        assertTrue(reverse.relative() <= F32_TOLERANCE, "the adapter read back from its file: " + reverse);
        assertTrue(Difference.of(plain, referencePlain).relative() <= F32_TOLERANCE, "the base models agree");
        assertTrue(adapterEffect.relative() > 100 * F32_TOLERANCE, "the adapter changes the logits far beyond the "
                + "tolerance, so the comparison can fail: " + adapterEffect);
    }

    /**
     * Merged against adapted in llmgraph with an f32 KV cache: W x + s B (A x) and (W + s B A) x differ by f32
     * rounding only (an f16 cache would round a few keys to the neighbouring f16 value and hide that). Then the
     * merged file, an ordinary GGUF, in llama.cpp against llmgraph on the same file, both with llama.cpp's f16 cache.
     */
    @Test
    void aMergedModelExportsAsAnOrdinaryGgufThatLlamaCppRuns(@TempDir Path dir) {
        ModelSpec spec = TinyModels.all().get("llama");
        int[] prompt = TinyModels.prompt(40);
        Path merged = dir.resolve("tiny-llama-merged.gguf");
        float[] adapted, afterMerge, mergedFile;
        try (Model model = Model.random(spec, WeightInit.lecun(12), OPTIONS.withCacheType(GgmlType.F32));
             LoraAdapter adapter = trainedAdapter(model)) {
            adapted = overWholeContext(model, prompt);
            adapter.mergeInto(model);
            afterMerge = overWholeContext(model, prompt);
            GgufModels.write(model, merged);
        }
        try (Model model = GgufModels.load(merged, OPTIONS)) {
            assertTrue(model.adapter().isEmpty());
            mergedFile = overWholeContext(model, prompt);
        }
        float[] reference;
        try (LlamaReference llama = LlamaReference.open(merged, LlamaReference.Settings.defaults()
                .withContextLength(spec.contextLength()).withThreads(THREADS))) {
            reference = flatten(llama.logits(prompt));
        }
        Difference mergedVsAdapted = Difference.of(afterMerge, adapted);
        Difference llamaCpp = Difference.of(mergedFile, reference);
        System.out.println("LoRA merge: merged vs adapted (f32 cache) " + mergedVsAdapted + "; the merged file in "
                + "llmgraph vs llama.cpp " + llamaCpp);
        // rounding of the merged sums (measured 2.6e-7 relative), far below what the adapter changes (1.7e-1)
        assertTrue(mergedVsAdapted.relative() <= 1e-5, "merged model vs adapted model: " + mergedVsAdapted);
        assertTrue(llamaCpp.relative() <= F32_TOLERANCE, "llama.cpp on the merged file: " + llamaCpp);
    }

    @Test
    void anAdapterForAnotherModelOrAsAModelIsRefusedInWords(@TempDir Path dir) {
        ModelSpec spec = TinyModels.all().get("llama");
        Path adapterFile = dir.resolve("wide-lora.gguf");
        try (Model wide = Model.random(spec.withDModel(128), WeightInit.lecun(1), OPTIONS);
             LoraAdapter adapter = LoraAdapter.create(wide, LoraConfig.of(4, 8, "attn_q"))) {
            GgufAdapters.write(adapter, adapterFile);
        }
        try (Model model = Model.random(spec, WeightInit.lecun(1), OPTIONS)) {
            var e = assertThrows(GgufException.class, () -> GgufAdapters.load(adapterFile, model));
            assertEquals(adapterFile + ": blk.0.attn_q.weight.lora_a is [128, 4] and .lora_b [4, 128], but "
                    + "blk.0.attn_q.weight of tiny-llama is [64, 64] (ggml order; A is [in, rank], B is [rank, out]): "
                    + "this adapter was made for another model", e.getMessage());
            Path base = dir.resolve("tiny-llama.gguf");
            GgufModels.write(model, base);
            var notAnAdapter = assertThrows(GgufException.class, () -> GgufAdapters.load(base, model));
            assertEquals(base + ": general.type is missing and should be 'adapter': a LoRA adapter file says "
                    + "general.type = \"adapter\"", notAnAdapter.getMessage());
            var notAModel = assertThrows(GgufException.class, () -> GgufModels.load(adapterFile));
            assertEquals(adapterFile + ": is a LoRA adapter (general.type = \"adapter\"), not a model; load its base "
                    + "model, then the adapter onto it with GgufAdapters.load(path, model)", notAModel.getMessage());
        }
    }
}
