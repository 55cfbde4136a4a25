package dev.llmgraph.text;

import dev.llmgraph.ggml.llama.LlamaSource;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.io.hf.TokenizerJson;
import dev.llmgraph.io.safetensors.SafetensorsExport;
import dev.llmgraph.model.GenerationConfig;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.tokenize.BpeTokenizer;
import dev.llmgraph.tokenize.BpeVocabulary;
import dev.llmgraph.tokenize.GgufBpe;
import dev.llmgraph.tokenize.GgufSentencePiece;
import dev.llmgraph.tokenize.SentencePieceBpe;
import dev.llmgraph.tokenize.TokenKind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A Hugging Face checkpoint folder as a text model ({@link TextModel#load}): a tiny Qwen3 of GPT-2's vocabulary
 * (read from llama.cpp's ggml-vocab-gpt-2.gguf), its embedding 47 rows longer than the tokenizer as Hugging Face
 * pads them, written as config.json, model.safetensors, tokenizer.json and tokenizer_config.json. The same weights
 * and vocabulary written as a GGUF, loaded with libllama's tokenizer, are the reference: the prompt's ids and the
 * greedy continuation must be the same. The same for a Llama 2 shape of Llama 2's SentencePiece-style vocabulary.
 */
class CheckpointTextModelTest {
    static final String PROMPT = "The model reads text: 大语言模型, café, and 12345 tokens in a KV cache.";
    static final ModelOptions CPU = ModelOptions.cpu().withThreads(2);

    @TempDir
    static Path dir;
    static Path checkpoint;
    static Path gguf;
    static BpeTokenizer gpt2;

    @BeforeAll
    static void writeTheCheckpointAndTheGguf() throws Exception {
        gpt2 = GgufBpe.read(LlamaSource.directory().resolve("models/ggml-vocab-gpt-2.gguf"));
        ModelSpec spec = Presets.byName("tiny-qwen3-0.6b").withVocabSize(gpt2.size() + 47);
        checkpoint = Files.createDirectories(dir.resolve("tiny-qwen3"));
        gguf = dir.resolve("tiny-qwen3.gguf");
        try (Model model = Model.random(spec, WeightInit.lecun(7), CPU)) {
            SafetensorsExport.write(model, checkpoint);
            GgufModels.write(model, gguf, gpt2.paddedTo(spec.vocabSize()));
        }
        TokenizerJson.write(gpt2, checkpoint.resolve("tokenizer.json"));
        TokenizerJson.writeConfig(gpt2, "chatml", checkpoint.resolve("tokenizer_config.json"));
    }

    @Test
    void aCheckpointFolderReadsAndWritesTextAsItsGgufDoesWithLibllama() {
        GenerationConfig greedy = GenerationConfig.greedy(24);
        TextGeneration fromFolder, fromGguf;
        try (TextModel model = TextModel.load(checkpoint, CPU)) {
            BpeVocabulary bpe = ((BpeTextTokenizer) model.tokenizer()).bpe();
            assertEquals(gpt2.size() + 47, bpe.size());
            assertEquals(TokenKind.UNUSED, bpe.kind(gpt2.size()));
            assertEquals(Optional.of("chatml"), model.tokenizer().chatTemplate());
            assertArrayEquals(new int[] {gpt2.markers().eos()}, model.tokenizer().endOfGeneration());
            fromFolder = model.generate(PROMPT, greedy, PieceListener.NONE);
        }
        try (TextModel model = TextModel.load(gguf, CPU)) {
            fromGguf = model.generate(PROMPT, greedy, PieceListener.NONE);
        }
        assertArrayEquals(fromGguf.promptIds(), fromFolder.promptIds(), "the Java BPE of tokenizer.json against libllama");
        assertArrayEquals(fromGguf.ids(), fromFolder.ids());
        assertEquals(fromGguf.text(), fromFolder.text());
    }

    /**
     * A Llama 2 shape with Llama 2's SentencePiece-style vocabulary (llama.cpp's ggml-vocab-llama-spm.gguf): the
     * prompt's characters the vocabulary lacks go to byte tokens; the GGUF written from the Java tokenizer carries
     * scores made from its merges, and libllama encodes the prompt with them.
     */
    @Test
    void aSentencePieceCheckpointReadsAndWritesTextAsItsGgufDoesWithLibllama() throws Exception {
        SentencePieceBpe llama2 = GgufSentencePiece.read(LlamaSource.directory().resolve("models/ggml-vocab-llama-spm.gguf"));
        ModelSpec spec = Presets.byName("tiny-tinyllama-1.1b").withVocabSize(llama2.size());
        Path folder = Files.createDirectories(dir.resolve("tiny-llama"));
        Path file = dir.resolve("tiny-llama.gguf");
        try (Model model = Model.random(spec, WeightInit.lecun(11), CPU)) {
            SafetensorsExport.write(model, folder);
            GgufModels.write(model, file, llama2);
        }
        TokenizerJson.write(llama2, folder.resolve("tokenizer.json"));
        TokenizerJson.writeConfig(llama2, null, folder.resolve("tokenizer_config.json"));
        GenerationConfig greedy = GenerationConfig.greedy(24);
        TextGeneration fromFolder, fromGguf;
        try (TextModel model = TextModel.load(folder, CPU)) {
            assertEquals(SentencePieceBpe.class, ((BpeTextTokenizer) model.tokenizer()).bpe().getClass());
            fromFolder = model.generate(PROMPT, greedy, PieceListener.NONE);
        }
        try (TextModel model = TextModel.load(file, CPU)) {
            fromGguf = model.generate(PROMPT, greedy, PieceListener.NONE);
        }
        assertEquals(llama2.markers().bos(), fromFolder.promptIds()[0]);
        assertArrayEquals(fromGguf.promptIds(), fromFolder.promptIds(), "Java's SentencePiece against libllama");
        assertArrayEquals(fromGguf.ids(), fromFolder.ids());
        assertEquals(fromGguf.text(), fromFolder.text());
    }

    @Test
    void aFolderWithoutATokenizerOrWithAnotherIsRefusedInWords() throws Exception {
        Path bare = Files.createDirectories(dir.resolve("bare"));
        Files.copy(checkpoint.resolve("config.json"), bare.resolve("config.json"));
        var e = assertThrows(IllegalArgumentException.class, () -> TextModel.load(bare, CPU));
        assertEquals(bare + ": has no tokenizer.json or SentencePiece model (tokenizer.model, spiece.model); its "
                + "model runs on token ids (SafetensorsWeights.loadModel), or give it a tokenizer", e.getMessage());
        List<String> tokens = new ArrayList<>(gpt2.tokens());
        List<TokenKind> kinds = new ArrayList<>(gpt2.kinds());
        for (int i = 0; i < 48; i++) {
            tokens.add("<extra_" + i + ">");
            kinds.add(TokenKind.ADDED);
        }
        TokenizerJson.write(new BpeTokenizer(tokens, kinds, gpt2.merges(), gpt2.rules(), gpt2.markers()),
                bare.resolve("tokenizer.json"));
        var tooMany = assertThrows(IllegalArgumentException.class, () -> TextModel.load(bare, CPU));
        assertEquals(bare + ": tokenizer.json has 50305 tokens but config.json's vocab_size is 50304; the model has a "
                + "logit for each of at most 50304 tokens, so this tokenizer is not its own", tooMany.getMessage());
    }
}
