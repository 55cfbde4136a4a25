package dev.llmgraph.ggml.llama;

import dev.llmgraph.ggml.internal.Downcalls;
import dev.llmgraph.ggml.internal.LlamaApi;
import dev.llmgraph.ggml.internal.ShimApi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A model's tokenizer, run by llama.cpp itself: the vocabulary of a GGUF file loaded without its weights.
 * Text goes in and out as Java strings (UTF-8 on the native side); token ids are checked against the
 * vocabulary before they reach native code, where an unknown id aborts the process.
 *
 * <p>Not thread-safe. Close it to free the vocabulary.
 */
public final class Tokenizer implements AutoCloseable {
    /** The tokenizer algorithm ({@code enum llama_vocab_type}). */
    public enum Kind {
        /** No tokenizer: the file has token ids only. */
        NONE,
        /** SentencePiece BPE with byte fallback (LLaMA 1/2, Mistral, Phi-3). */
        SPM,
        /** Byte-level BPE (GPT-2, LLaMA 3, Qwen, Falcon, StarCoder). */
        BPE,
        /** WordPiece (BERT). */
        WPM,
        /** Unigram (T5). */
        UGM,
        /** Greedy longest match (RWKV). */
        RWKV,
        /** Aho-Corasick with dynamic programming (PLaMo-2). */
        PLAMO2,
        /** llama.cpp's dummy tokenizer for tests. */
        TEST
    }

    private final LlamaModel model;
    private final int size;
    private final Kind kind;
    private final int bos;
    private final int eos;
    private final int sep;
    private final boolean addsBos;
    private final boolean addsEos;

    private Tokenizer(LlamaModel model) {
        this.model = model;
        MemorySegment vocab = model.vocab();
        this.size = LlamaApi.llama_vocab_n_tokens(vocab);
        int type = LlamaApi.llama_vocab_type(vocab);
        this.kind = type >= 0 && type < Kind.values().length ? Kind.values()[type] : Kind.TEST;
        this.bos = LlamaApi.llama_vocab_bos(vocab);
        this.eos = LlamaApi.llama_vocab_eos(vocab);
        this.sep = LlamaApi.llama_vocab_sep(vocab);
        this.addsBos = LlamaApi.llama_vocab_get_add_bos(vocab);
        this.addsEos = LlamaApi.llama_vocab_get_add_eos(vocab);
    }

    /** Loads the vocabulary of {@code gguf} (any model file, or a vocabulary-only file). */
    public static Tokenizer open(Path gguf) {
        return new Tokenizer(LlamaModel.load(gguf, LlamaPreflight.Use.TOKENIZER));
    }

    public Path path() {
        return model.path();
    }

    /** Number of tokens; ids run from 0 to {@code size() - 1}. */
    public int size() {
        return size;
    }

    public Kind kind() {
        return kind;
    }

    /** The beginning-of-sequence token, or -1 when the vocabulary has none. */
    public int bos() {
        return bos;
    }

    /** The end-of-sequence token, or -1 when the vocabulary has none. */
    public int eos() {
        return eos;
    }

    /** Whether {@link #encode(String)} puts {@link #bos()} first. */
    public boolean addsBos() {
        return addsBos;
    }

    /** Whether {@link #encode(String)} puts {@link #eos()} last. */
    public boolean addsEos() {
        return addsEos;
    }

    /** Tokens of {@code text} as the model expects them: with its special tokens (BOS...), reading none in the text. */
    public int[] encode(String text) {
        return encode(text, true, false);
    }

    /**
     * Tokens of {@code text}. {@code addSpecial} adds the tokens the model adds (BOS, EOS, SEP as its file says);
     * {@code parseSpecial} turns special-token text such as {@code <|im_start|>} into that token instead of
     * tokenizing its characters.
     */
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        MemorySegment pointer = model.pointer();
        if (addSpecial) {
            requireSpecialTokens();
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocateFrom(ValueLayout.JAVA_BYTE, utf8);
            int capacity = utf8.length + 8;
            for (int attempt = 0; attempt < 2; attempt++) {
                MemorySegment tokens = arena.allocate(ValueLayout.JAVA_INT, capacity);
                int n = ShimApi.llmgraph_tokenize(pointer, bytes, utf8.length, tokens, capacity, addSpecial ? 1 : 0,
                        parseSpecial ? 1 : 0);
                if (n >= 0) {
                    return tokens.asSlice(0, 4L * n).toArray(ValueLayout.JAVA_INT);
                }
                if (n == Integer.MIN_VALUE) {
                    break;
                }
                capacity = -n; // llama.cpp says how many tokens it needs
            }
        }
        throw new LlamaException("llama.cpp could not tokenize a text of " + utf8.length + " bytes with " + path());
    }

    /** The text of {@code tokens}, special tokens rendered as their text (e.g. {@code <s>}). */
    public String decode(int... tokens) {
        MemorySegment pointer = model.pointer();
        for (int token : tokens) {
            requireToken(token);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ids = arena.allocateFrom(ValueLayout.JAVA_INT, tokens);
            int capacity = Math.max(64, tokens.length * 8);
            for (int attempt = 0; attempt < 2; attempt++) {
                MemorySegment text = arena.allocate(capacity);
                int n = ShimApi.llmgraph_detokenize(pointer, ids, tokens.length, text, capacity, 0, 1);
                if (n >= 0) {
                    return new String(text.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
                }
                capacity = -n;
            }
        }
        throw new LlamaException("llama.cpp could not decode " + tokens.length + " tokens with " + path());
    }

    /** The text one token stands for, special tokens included; see {@link #pieceBytes(int)} for partial UTF-8. */
    public String piece(int token) {
        return new String(pieceBytes(token), StandardCharsets.UTF_8);
    }

    /**
     * The bytes one token stands for. A byte-fallback token can hold part of a UTF-8 character, which only the
     * bytes of the following tokens complete; concatenate bytes when streaming.
     */
    public byte[] pieceBytes(int token) {
        MemorySegment pointer = model.pointer();
        requireToken(token);
        try (Arena arena = Arena.ofConfined()) {
            int capacity = 64;
            for (int attempt = 0; attempt < 2; attempt++) {
                MemorySegment buffer = arena.allocate(capacity);
                int n = ShimApi.llmgraph_token_to_piece(pointer, token, buffer, capacity, 1);
                if (n >= 0) {
                    return buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
                }
                capacity = -n;
            }
        }
        throw new LlamaException("llama.cpp could not render token " + token + " of " + path());
    }

    /** The vocabulary entry of {@code token} as stored in the file (e.g. {@code ▁the} or {@code Ġthe}). */
    public String text(int token) {
        requireToken(token);
        return Downcalls.string(LlamaApi.llama_vocab_get_text(model.vocab(), token));
    }

    /**
     * The chat template the file stores ({@code tokenizer.chat_template}), for {@link ChatTemplate#apply}; empty
     * when it has none (base models, most vocabulary-only files).
     */
    public Optional<String> chatTemplate() {
        return Optional.ofNullable(Downcalls.string(LlamaApi.llama_model_chat_template(model.pointer(),
                MemorySegment.NULL)));
    }

    /** Whether {@code token} ends generation (EOS, EOT and the like). */
    public boolean isEndOfGeneration(int token) {
        requireToken(token);
        return LlamaApi.llama_vocab_is_eog(model.vocab(), token);
    }

    private void requireToken(int token) {
        if (token < 0 || token >= size) {
            throw new IllegalArgumentException("token id " + token + " is out of range: the vocabulary of " + path()
                    + " has " + size + " tokens (ids 0 to " + (size - 1) + ")");
        }
    }

    /** llama.cpp asserts (aborting the process) that the special tokens it is told to add exist. */
    private void requireSpecialTokens() {
        boolean needsBos = kind == Kind.WPM || (addsBos && kind != Kind.RWKV);
        boolean needsEos = addsEos && (kind == Kind.SPM || kind == Kind.BPE || kind == Kind.UGM);
        boolean needsSep = kind == Kind.WPM;
        String missing = needsBos && bos < 0 ? "BOS" : needsEos && eos < 0 ? "EOS" : needsSep && sep < 0 ? "SEP" : null;
        if (missing != null) {
            throw new IllegalStateException("the vocabulary of " + path() + " asks for a " + missing + " token at "
                    + "encoding but defines none; encode with addSpecial = false");
        }
    }

    @Override
    public void close() {
        model.close();
    }

    @Override
    public String toString() {
        return "Tokenizer(" + path().getFileName() + ", " + kind + ", " + size + " tokens)";
    }
}
