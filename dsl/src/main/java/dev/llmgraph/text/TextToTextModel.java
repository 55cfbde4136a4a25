package dev.llmgraph.text;

import dev.llmgraph.io.gguf.EncoderDecoderGguf;
import dev.llmgraph.io.hf.HfConfig;
import dev.llmgraph.io.safetensors.T5Checkpoints;
import dev.llmgraph.model.EncoderDecoderModel;
import dev.llmgraph.model.GenerationConfig;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.tokenize.TextChecks;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An encoder-decoder (T5) with a tokenizer: a text in, the text the decoder writes for it out.
 * <pre>{@code
 * try (TextToTextModel t5 = TextToTextModel.load(Path.of("flan-t5-small.gguf"))) {   // the file's own tokenizer
 *     t5.generate("translate English to German: The house is wonderful.", GenerationConfig.greedy(40));
 * }
 * TextToTextModel hf = TextToTextModel.load(Path.of("flan-t5-small"));   // a checkpoint folder, its tokenizer.json
 * }</pre>
 * The input is encoded with the tokens the vocabulary puts around a text (T5's {@code </s>} after it); the decoder
 * starts from the spec's start token and stops at the tokenizer's end-of-generation tokens or at
 * {@code maxNewTokens}. Closing closes the model and the tokenizer.
 */
public final class TextToTextModel implements AutoCloseable {
    private final EncoderDecoderModel model;
    private final TextTokenizer tokenizer;

    private TextToTextModel(EncoderDecoderModel model, TextTokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /** {@code model} reading and writing text with {@code tokenizer}, which must have one token per logit. */
    public static TextToTextModel of(EncoderDecoderModel model, TextTokenizer tokenizer) {
        TextModel.requireOneTokenPerLogit(tokenizer, model.spec().name(), model.spec().vocabSize());
        return new TextToTextModel(model, tokenizer);
    }

    /** The encoder-decoder in a GGUF file ({@code t5}) on the CPU, with libllama's tokenizer on its vocabulary. */
    public static TextToTextModel load(Path gguf) {
        return load(gguf, ModelOptions.cpu());
    }

    /**
     * The encoder-decoder in a GGUF file ({@code t5}) run with {@code options}, with libllama's tokenizer on the
     * file's vocabulary; or, where {@code path} is a folder, the T5 checkpoint in it with its Unigram tokenizer
     * (tokenizer.json, or SentencePiece's spiece.model) encoded in Java, padded to the model's rows.
     */
    public static TextToTextModel load(Path path, ModelOptions options) {
        if (Files.isDirectory(path)) {    // the tokenizer before the weights: a refusal costs no loading
            TextTokenizer tokenizer = FolderTokenizer.read(path, T5Checkpoints.spec(path).vocabSize(),
                    "T5Checkpoints.load");
            return closingOnFailure(T5Checkpoints.load(path, options), tokenizer);
        }
        TextTokenizer tokenizer = TextTokenizer.llama(path);
        try {
            return closingOnFailure(EncoderDecoderGguf.load(path, options), tokenizer);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    private static TextToTextModel closingOnFailure(EncoderDecoderModel model, TextTokenizer tokenizer) {
        try {
            return of(model, tokenizer);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Whether {@code path} holds an encoder-decoder: a GGUF file of llama.cpp's {@code t5}, or a checkpoint folder
     * whose config.json says {@code t5} or {@code mt5}. A folder whose config.json cannot be read is said not to:
     * reading it as a decoder then says what is wrong with it.
     */
    public static boolean holdsEncoderDecoder(Path path) {
        if (!Files.isDirectory(path)) {
            return EncoderDecoderGguf.holdsEncoderDecoder(path);
        }
        try {
            String type = HfConfig.JSON.readTree(path.resolve("config.json").toFile()).path("model_type").asText("");
            return type.equals("t5") || type.equals("mt5");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** The decoder's text for {@code input}, shown as it is written. */
    public TextGeneration generate(String input, GenerationConfig config) {
        return generate(input, config, PieceListener.shown());
    }

    /** The decoder's text for {@code input}, each piece handed to {@code listener} as it is written. */
    public TextGeneration generate(String input, GenerationConfig config, PieceListener listener) {
        TextChecks.requireWellFormed(input, "the input");
        if (input.isEmpty()) {
            throw new IllegalArgumentException("the input is empty; give the text the model should answer");
        }
        int[] ids = tokenizer.encode(input, true, false);
        return TextModel.stream(input, tokenizer, config, listener, streaming -> model.generate(ids, streaming));
    }

    public EncoderDecoderModel model() {
        return model;
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public void close() {
        try {
            model.close();
        } finally {
            tokenizer.close();
        }
    }

    @Override
    public String toString() {
        return "TextToTextModel(" + model.spec().name() + ", " + tokenizer + ")";
    }
}
