package dev.llmgraph.text;

import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.tokenize.BpeTokenizer;
import dev.llmgraph.tokenize.BpeTrainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The test model for text in / text out: a byte-level BPE of 600 tokens trained on this repository's README and
 * benchmark notes (with the special tokens of ChatML), and a tiny LLaMA (2 layers, width 32, context 128) of
 * that vocabulary with random weights, written as a GGUF whose tokenizer is that BPE and whose chat template is
 * {@code chatml}. Random weights write gibberish, which is all the round trips need.
 */
public final class TinyTextModel {
    public static final String END_OF_TEXT = "<|endoftext|>";
    public static final String IM_START = "<|im_start|>";
    public static final String IM_END = "<|im_end|>";
    public static final long WEIGHT_SEED = 11;

    private TinyTextModel() {}

    /** The BPE, trained on {@code ../README.md} and {@code ../bench/NOTES.md} (read from a module folder). */
    public static BpeTokenizer bpe() {
        try {
            String corpus = Files.readString(Path.of("../README.md")) + Files.readString(Path.of("../bench/NOTES.md"));
            return BpeTrainer.train(corpus, 600, END_OF_TEXT, IM_START, IM_END);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ModelSpec spec(BpeTokenizer bpe) {
        return Presets.tiny(Presets.llama2_7b()).withVocabSize(bpe.size()).withName("tiny-text-llama");
    }

    /** The random-weight model the file holds, on 2 CPU threads. */
    public static Model model(BpeTokenizer bpe) {
        return Model.random(spec(bpe), WeightInit.lecun(WEIGHT_SEED), ModelOptions.cpu().withThreads(2));
    }

    /** Writes the model with {@code bpe} and the chat template {@code chatml} as its tokenizer. */
    public static Path write(BpeTokenizer bpe, Path path) {
        try (Model model = model(bpe)) {
            GgufModels.write(model, path, bpe.withChatTemplate("chatml"));
        }
        return path;
    }
}
