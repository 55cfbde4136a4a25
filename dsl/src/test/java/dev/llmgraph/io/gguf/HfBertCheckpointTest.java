package dev.llmgraph.io.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.io.gguf.LlamaCppParityTest.Difference;
import dev.llmgraph.io.hf.HfConfig;
import dev.llmgraph.io.safetensors.SafetensorsException;
import dev.llmgraph.io.safetensors.SafetensorsExport;
import dev.llmgraph.io.safetensors.SafetensorsWeights;
import dev.llmgraph.model.Encoding;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Pooling;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BERT as a Hugging Face checkpoint (config.json + model.safetensors, model_type bert). A tiny random BERT shaped
 * as llama.cpp's bert ({@link BertParityTest#tinyBert}: 2 layers, dModel 64, 4 heads, tanh GELU, 2 token types) is
 * written both as HF files and as GGUF; the model read from the HF files and the model read from the GGUF encode a
 * 40-token, two-segment input to the same hidden states and CLS vector, within 1e-6 of the largest |value|
 * (measured: equal to the bit, since both hold the same F32 values and run the same kernels). The GGUF side is
 * refereed against llama.cpp itself in {@link BertParityTest}. Then the masked-LM head round trip (logits equal to
 * the bit), a checkpoint in the older layout HF still loads (no {@code bert.} prefix as BertModel saves, LayerNorm
 * {@code gamma}/{@code beta}, the decoder's bias, a pooler and an I64 position-id buffer that llmgraph ignores),
 * and a missing tensor in words.
 */
class HfBertCheckpointTest {
    private static final ModelOptions CPU = ModelOptions.cpu().withThreads(2);
    private static final int[] PROMPT = TinyModels.prompt(40);
    private static final int[] TYPES = new int[40];

    static {
        Arrays.fill(TYPES, 20, 40, 1);
    }

    @Test
    void hfFilesAndGgufGiveTheSameEmbeddings(@TempDir Path dir) {
        ModelSpec spec = BertParityTest.tinyBert(Pooling.cls());
        Path gguf = dir.resolve("tiny-bert.gguf");
        Path hf = dir.resolve("hf");
        Encoding original;
        try (Model model = Model.random(spec, WeightInit.lecun(11), CPU)) {
            GgufModels.write(model, gguf);
            List<Path> written = SafetensorsExport.write(model, hf);
            assertEquals(List.of("model.safetensors", "config.json"),
                    written.stream().map(p -> p.getFileName().toString()).toList());
            original = model.encode(PROMPT, TYPES);
        }
        assertEquals(spec, HfConfig.read(hf), "the spec read from config.json");
        try (SafetensorsWeights weights = SafetensorsWeights.open(hf)) {
            assertEquals(5 + 2 * 16, weights.tensorNames().size(),
                    "3 embedding tables and their LayerNorm, 16 per layer");
            assertTrue(weights.tensorNames().containsAll(List.of("bert.embeddings.word_embeddings.weight",
                    "bert.embeddings.token_type_embeddings.weight", "bert.embeddings.LayerNorm.bias",
                    "bert.encoder.layer.1.attention.self.query.weight",
                    "bert.encoder.layer.1.attention.output.LayerNorm.weight",
                    "bert.encoder.layer.1.intermediate.dense.weight", "bert.encoder.layer.1.output.LayerNorm.bias")),
                    weights.tensorNames().toString());
        }
        try (Model fromHf = SafetensorsWeights.loadModel(hf, CPU); Model fromGguf = GgufModels.load(gguf, CPU)) {
            Encoding a = fromHf.encode(PROMPT, TYPES);
            Encoding b = fromGguf.encode(PROMPT, TYPES);
            Difference hidden = Difference.of(a.hiddenStates(), b.hiddenStates());
            Difference pooled = Difference.of(a.pooled(), b.pooled());
            assertTrue(hidden.relative() <= 1e-6, "hidden states: " + hidden);
            assertTrue(pooled.relative() <= 1e-6, "CLS vector: " + pooled);
            assertArrayEquals(original.hiddenStates(), a.hiddenStates(), "the HF files hold the model's own weights");
        }
    }

    @Test
    void maskedLmHeadAndTheOlderLayoutReadBack(@TempDir Path dir) throws IOException {
        ModelSpec spec = BertParityTest.tinyBert(Pooling.cls()).withFfn(Ffn.mlp(128, Activation.GELU))
                .withMaskedLmHead(true);
        Path hf = dir.resolve("hf");
        float[] logits;
        try (Model model = Model.random(spec, WeightInit.lecun(12), CPU)) {
            SafetensorsExport.write(model, hf);
            logits = model.forward(PROMPT).toArray();
        }
        assertEquals(spec, HfConfig.read(hf));
        try (Model read = SafetensorsWeights.loadModel(hf, CPU)) {
            assertArrayEquals(logits, read.forward(PROMPT).toArray(), "masked-LM logits read back");
        }

        Path older = dir.resolve("older");
        Files.createDirectories(older);
        Files.copy(hf.resolve("config.json"), older.resolve("config.json"));
        rewrite(hf.resolve("model.safetensors"), older.resolve("model.safetensors"), name -> name
                .replaceFirst("^bert\\.", "")
                .replaceFirst("LayerNorm\\.weight$", "LayerNorm.gamma")
                .replaceFirst("LayerNorm\\.bias$", "LayerNorm.beta")
                .replace("cls.predictions.bias", "cls.predictions.decoder.bias"), List.of(
                new Extra("pooler.dense.weight", "F32", 64, 64), new Extra("pooler.dense.bias", "F32", 64),
                new Extra("embeddings.position_ids", "I64", 1, 64)));
        try (SafetensorsWeights weights = SafetensorsWeights.open(older)) {
            assertTrue(weights.tensorNames().containsAll(List.of("encoder.layer.0.attention.output.LayerNorm.gamma",
                    "pooler.dense.weight", "embeddings.position_ids")), weights.tensorNames().toString());
        }
        try (Model read = SafetensorsWeights.loadModel(older, CPU)) {
            assertArrayEquals(logits, read.forward(PROMPT).toArray(), "masked-LM logits from the older layout");
        }

        Path missing = dir.resolve("missing");
        Files.createDirectories(missing);
        Files.copy(hf.resolve("config.json"), missing.resolve("config.json"));
        rewrite(hf.resolve("model.safetensors"), missing.resolve("model.safetensors"),
                name -> name.replace("layer.1.attention.self.key", "layer.1.attention.self.k"), List.of());
        var e = assertThrows(SafetensorsException.class, () -> SafetensorsWeights.loadModel(missing, CPU));
        assertEquals(missing.resolve("model.safetensors") + ": tensor "
                + "'bert.encoder.layer.1.attention.self.key.weight': not found; llmgraph's blk.1.attn_k.weight comes "
                + "from it", e.getMessage());
    }

    /** A zero-filled tensor added to a checkpoint: BERT's pooler, or the position-id buffer older files carry. */
    private record Extra(String name, String dtype, long... shape) {
        long bytes() {
            return Arrays.stream(shape).reduce(dtype.equals("I64") ? 8 : 4, (a, b) -> a * b);
        }
    }

    /**
     * Copies a safetensors file with its tensors renamed by {@code rename} and, after its data, the zero-filled
     * tensors {@code extra}: the header is JSON behind its 8-byte length, the data offsets relative to the data,
     * so renaming moves no byte of data.
     */
    private static void rewrite(Path from, Path to, UnaryOperator<String> rename, List<Extra> extra)
            throws IOException {
        byte[] file = Files.readAllBytes(from);
        int headerLength = (int) ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = HfConfig.JSON.readTree(new String(file, 8, headerLength, StandardCharsets.UTF_8));
        ObjectNode out = HfConfig.JSON.createObjectNode();
        header.properties().forEach(e -> out.set(e.getKey().equals("__metadata__") ? e.getKey()
                : rename.apply(e.getKey()), e.getValue()));
        long dataEnd = file.length - 8L - headerLength;
        long end = dataEnd;
        for (Extra e : extra) {
            ObjectNode t = out.putObject(e.name());
            t.put("dtype", e.dtype());
            Arrays.stream(e.shape()).forEach(t.putArray("shape")::add);
            t.putArray("data_offsets").add(end).add(end + e.bytes());
            end += e.bytes();
        }
        byte[] json = HfConfig.JSON.writeValueAsBytes(out);
        ByteBuffer bytes = ByteBuffer.allocate((int) (8 + json.length + end)).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(json.length).put(json).put(file, 8 + headerLength, (int) dataEnd);
        Files.write(to, bytes.array());
    }
}
