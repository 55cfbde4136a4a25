package dev.llmgraph.text;

import dev.llmgraph.ggml.llama.ChatMessage;
import dev.llmgraph.ggml.llama.ChatTemplate;
import dev.llmgraph.ggml.gguf.GgufException;
import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.gguf.GgufValue;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.io.hf.HfConfig;
import dev.llmgraph.io.hf.TokenizerJson;
import dev.llmgraph.io.safetensors.SafetensorsWeights;
import dev.llmgraph.model.Generation;
import dev.llmgraph.model.GenerationConfig;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.tokenize.TextChecks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * A model with a tokenizer: text in, text out.
 * <pre>{@code
 * try (TextModel qwen = TextModel.load(Path.of("qwen2-0.5b-instruct.gguf"))) {   // the file's own tokenizer
 *     qwen.generate("The capital of France is", GenerationConfig.greedy(20));   // shown as it is generated
 *     qwen.chat("What is RoPE?", GenerationConfig.of(200, Sampler.temperature(0.7).withSeed(1)));
 * }
 * TextModel mine = TextModel.of(model, TextTokenizer.of(bpe));                  // any model, a Java tokenizer
 * TextModel hf = TextModel.load(Path.of("Qwen2.5-0.5B-Instruct"));             // a checkpoint folder, tokenizer.json
 * }</pre>
 * Generation stops at the tokenizer's end-of-generation tokens, at {@code maxNewTokens}, when the context
 * is full, or on interruption; {@link TextGeneration#stopped()} says which. Closing closes the model and the
 * tokenizer.
 */
public final class TextModel implements AutoCloseable {
    private final Model model;
    private final TextTokenizer tokenizer;

    private TextModel(Model model, TextTokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /** {@code model} reading and writing text with {@code tokenizer}, which must have one token per logit. */
    public static TextModel of(Model model, TextTokenizer tokenizer) {
        requireOneTokenPerLogit(tokenizer, model.spec().name(), model.spec().vocabSize());
        return new TextModel(model, tokenizer);
    }

    static void requireOneTokenPerLogit(TextTokenizer tokenizer, String model, int vocabSize) {
        if (tokenizer.size() != vocabSize) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.size() + " tokens but " + model
                    + " has vocabSize " + vocabSize + "; a model reads and writes text only with a tokenizer of one "
                    + "token per logit: build the spec with vocabSize(" + tokenizer.size() + ")");
        }
    }

    /** The model in a GGUF file on the CPU, with libllama's tokenizer on the file's vocabulary. */
    public static TextModel load(Path gguf) {
        return load(gguf, ModelOptions.cpu());
    }

    /**
     * The model in a GGUF file run with {@code options}, with libllama's tokenizer on the file's vocabulary; or,
     * where {@code gguf} is a folder, the Hugging Face checkpoint in it ({@link #loadCheckpoint}).
     */
    public static TextModel load(Path gguf, ModelOptions options) {
        if (Files.isDirectory(gguf)) {
            return loadCheckpoint(gguf, options);
        }
        requireTokenizer(gguf);
        Model model = GgufModels.load(gguf, options);
        TextTokenizer tokenizer = null;
        try {
            tokenizer = TextTokenizer.llama(gguf);
            return of(model, tokenizer);
        } catch (RuntimeException e) {
            if (tokenizer != null) {
                tokenizer.close();
            }
            model.close();
            throw e;
        }
    }

    /**
     * A Hugging Face checkpoint folder: config.json and safetensors weights, and its tokenizer encoded in Java: its
     * tokenizer.json (a BPE, byte-level or SentencePiece-style, with tokenizer_config.json's end-of-text token and chat
     * template, read by {@link TokenizerJson#readForModel}; or a Unigram), or SentencePiece's {@code tokenizer.model}
     * where it has no tokenizer.json. A tokenizer with fewer tokens than the model has logits (Qwen2: 151,665 for
     * 151,936) is padded with unused tokens, as llama.cpp's converter pads it.
     */
    public static TextModel loadCheckpoint(Path dir, ModelOptions options) {
        // before the weights: a refusal costs no loading
        TextTokenizer tokenizer = FolderTokenizer.read(dir, HfConfig.read(dir).vocabSize(),
                "SafetensorsWeights.loadModel");
        Model model = SafetensorsWeights.loadModel(dir, options);
        try {
            return of(model, tokenizer);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Before the weights are loaded: a file of token ids only has no text to give. */
    private static void requireTokenizer(Path gguf) {
        try (GgufFile file = GgufFile.open(gguf)) {
            String fix = "; its model runs on token ids (GgufModels.load), or give it a tokenizer: "
                    + "TextModel.of(model, tokenizer), or write it with one: GgufModels.write(model, path, vocabulary)";
            if (!(file.metadata().get("tokenizer.ggml.model") instanceof GgufValue.StringValue kind)) {
                throw new GgufException(file.path() + ": has no tokenizer (key 'tokenizer.ggml.model' is missing)" + fix);
            }
            if (kind.value().equals("none") || kind.value().equals("no_vocab")) {
                throw new GgufException(file.path() + ": has no tokenizer (tokenizer.ggml.model is '" + kind.value()
                        + "')" + fix);
            }
        }
    }

    // ---- text out ----------------------------------------------------------------------------------------

    /** Continues {@code prompt}, showing the text as it grows ({@link PieceListener#shown()}). */
    public TextGeneration generate(String prompt, GenerationConfig config) {
        return generate(prompt, config, PieceListener.shown());
    }

    /** Continues {@code prompt}; {@code listener} hears each piece of text as it is generated. */
    public TextGeneration generate(String prompt, GenerationConfig config, PieceListener listener) {
        requirePrompt(prompt, "the prompt");
        return run(prompt, tokenizer.encode(prompt, true, false), config, listener);
    }

    /** The model's answer to one user message, through its chat template, shown as it grows. */
    public TextGeneration chat(String userMessage, GenerationConfig config) {
        return chat(List.of(ChatMessage.user(userMessage)), config, PieceListener.shown());
    }

    /** The model's next turn after {@code conversation}, formatted by its chat template. */
    public TextGeneration chat(List<ChatMessage> conversation, GenerationConfig config, PieceListener listener) {
        for (ChatMessage message : conversation) {
            requirePrompt(message.content(), "the " + message.role() + " message");
        }
        String prompt = chatPrompt(conversation);
        return run(prompt, tokenizer.encode(prompt, true, true), config, listener);
    }

    /** The text the chat template makes of {@code conversation}, ending where the assistant's answer begins. */
    public String chatPrompt(List<ChatMessage> conversation) {
        String template = tokenizer.chatTemplate().orElseThrow(() -> new IllegalStateException("the tokenizer ("
                + tokenizer + ") has no chat template (key tokenizer.chat_template): this is not a chat-tuned "
                + "model's vocabulary; use generate(prompt, ...), or give a Java tokenizer one with "
                + "withChatTemplate(\"chatml\")"));
        return ChatTemplate.apply(template, conversation, true);
    }

    private void requirePrompt(String text, String what) {
        TextChecks.requireWellFormed(text, what);
        if (text.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty; give the text the model should continue");
        }
    }

    private TextGeneration run(String prompt, int[] ids, GenerationConfig config, PieceListener listener) {
        if (ids.length > model.contextLength()) {
            throw new IllegalArgumentException("the prompt is " + ids.length + " tokens long, more than the context "
                    + "length of " + model.contextLength() + " tokens; shorten it, or raise the context length "
                    + "(ModelOptions.withContextLength, at most the spec's contextLength " + model.spec().contextLength()
                    + ")");
        }
        return stream(prompt, tokenizer, config, listener, streaming -> model.generate(ids, streaming));
    }

    /**
     * Runs {@code generate} with the tokenizer's end-of-generation tokens added to the stop tokens, handing each
     * generated token's text (whole characters only; stop tokens give none) to {@code listener} as it comes.
     */
    static TextGeneration stream(String prompt, TextTokenizer tokenizer, GenerationConfig config,
                                 PieceListener listener, java.util.function.Function<GenerationConfig, Generation> generate) {
        int[] stops = IntStream.concat(Arrays.stream(config.stopTokens()), Arrays.stream(tokenizer.endOfGeneration()))
                .distinct().toArray();
        StringBuilder text = new StringBuilder();
        Utf8Pieces pieces = new Utf8Pieces();
        IntConsumer caller = config.onToken();
        IntConsumer stream = id -> {
            if (caller != null) {
                caller.accept(id);
            }
            if (Arrays.stream(stops).noneMatch(stop -> stop == id)) {
                heard(pieces.add(tokenizer.pieceBytes(id)), text, listener);
            }
        };
        try {
            Generation generation = generate.apply(config.withStopTokens(stops).withOnToken(stream));
            heard(pieces.finish(), text, listener);
            return new TextGeneration(prompt, text.toString(), generation);
        } finally {
            listener.end();
        }
    }

    private static void heard(String piece, StringBuilder text, PieceListener listener) {
        if (!piece.isEmpty()) {
            text.append(piece);
            listener.piece(piece);
        }
    }

    // ---- parts ---------------------------------------------------------------------------------------------

    /** The ids of {@code text} as a prompt would be read (the vocabulary's BOS added if it asks for one). */
    public int[] encode(String text) {
        TextChecks.requireWellFormed(text, "the text");
        return tokenizer.encode(text, true, false);
    }

    /** The text of {@code ids}. */
    public String decode(int... ids) {
        return tokenizer.decode(ids);
    }

    public Model model() {
        return model;
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public void close() {
        try {
            tokenizer.close();
        } finally {
            model.close();
        }
    }

    @Override
    public String toString() {
        return "TextModel(" + model + ", " + tokenizer + ")";
    }
}
