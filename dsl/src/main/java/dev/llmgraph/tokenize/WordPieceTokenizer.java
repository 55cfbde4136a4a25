package dev.llmgraph.tokenize;

import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.gguf.GgufValue;
import dev.llmgraph.ggml.gguf.GgufWriter;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A WordPiece tokenizer as BERT uses it: text is cut into words ({@link WordSplitter}: whitespace, punctuation and
 * CJK ideographs, after lower-casing and stripping accents where the vocabulary asks), and each word is covered from
 * the left by the longest vocabulary entries, a word-start piece first, then continuation pieces; a word that cannot
 * be covered, or is longer than {@link Rules#maxWordLength()} characters, becomes the unknown token. Pieces are
 * written as llama.cpp's GGUF files write them: a word start with {@code ▁} (U+2581) in front, a continuation as it
 * is, special tokens and bracketed placeholders ({@code [unused0]}) as they are (BERT's own files write {@code ##}
 * before continuations instead: {@link dev.llmgraph.io.hf.TokenizerJson} converts).
 *
 * <p>Two sources: trained in Java ({@link WordPieceTrainer}: ids 0 to 4 are {@code [PAD] [UNK] [CLS] [SEP] [MASK]},
 * case and accents kept), or a published vocabulary (BERT's, BGE's) read from a GGUF file ({@link #readGguf}) or a
 * tokenizer.json. {@link #writeVocabulary(Path)} writes a vocabulary GGUF ({@code tokenizer.ggml.model = bert}) that
 * libllama encodes with, and tests check that it gives the same ids.
 */
public final class WordPieceTokenizer implements GgufVocabulary {
    /** Marks a word-start piece. */
    public static final String WORD_START = "\u2581";
    public static final List<String> SPECIAL_TOKENS = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");

    /**
     * How text becomes words: lower-cased, its accents stripped (Unicode's NFD, then the marks dropped), and the
     * longest word covered by pieces ({@code max_input_chars_per_word}; longer ones are the unknown token).
     */
    public record Rules(boolean lowercase, boolean stripAccents, int maxWordLength) {
        /** Case and accents kept, words of any length: a tokenizer trained in Java. */
        public static final Rules CASED = new Rules(false, false, Integer.MAX_VALUE);
    }

    /** The ids of the special tokens (-1: none). */
    public record Specials(int pad, int unknown, int cls, int sep, int mask) {
        static final Specials TRAINED = new Specials(0, 1, 2, 3, 4);
    }

    private final TokenTable table;
    private final Rules rules;
    private final Specials specials;
    /** Tokens by their UTF-8 bytes, each byte a char (ISO-8859-1), so substrings are byte ranges. */
    private final Map<String, Integer> ids = new HashMap<>();
    private final int longest;

    /** A tokenizer trained in Java. @param pieces the vocabulary after the five special tokens, in id order */
    public WordPieceTokenizer(List<String> pieces) {
        this(trainedTokens(pieces), trainedKinds(pieces.size()), Rules.CASED, Specials.TRAINED);
    }

    /**
     * A published vocabulary.
     *
     * @param tokens   in id order, in llama.cpp's form (word starts with {@code ▁} in front)
     * @param kinds    one per token: {@link TokenKind#SPECIAL} for control tokens, {@link TokenKind#NORMAL} otherwise
     * @param rules    how text becomes words
     * @param specials the special tokens' ids; the unknown token is required
     */
    public WordPieceTokenizer(List<String> tokens, List<TokenKind> kinds, Rules rules, Specials specials) {
        this.table = new TokenTable(tokens, kinds);
        this.rules = rules;
        this.specials = specials;
        for (int id : new int[] {specials.pad(), specials.unknown(), specials.cls(), specials.sep(), specials.mask()}) {
            table.requireIdOrNone(id, "special token");
        }
        if (specials.unknown() < 0) {
            throw new IllegalArgumentException("a WordPiece vocabulary needs an unknown token, for words it cannot "
                    + "cover");
        }
        if (rules.maxWordLength() < 1) {
            throw new IllegalArgumentException("maxWordLength " + rules.maxWordLength() + ": must be at least 1");
        }
        int max = 0;
        for (int id = 0; id < table.size(); id++) {
            String bytes = bytes(table.tokens.get(id));
            if (ids.putIfAbsent(bytes, id) != null) {   // text that is not UTF-8 (a lone surrogate) can share bytes
                throw new IllegalArgumentException("token '" + table.tokens.get(id) + "' (id " + id + ") is already "
                        + "token " + ids.get(bytes) + "; tokens must be unique");
            }
            max = Math.max(max, bytes.length());
        }
        this.longest = max;
    }

    private static List<String> trainedTokens(List<String> pieces) {
        List<String> all = new ArrayList<>(SPECIAL_TOKENS);
        all.addAll(pieces);
        return all;
    }

    private static List<TokenKind> trainedKinds(int pieces) {
        List<TokenKind> kinds = new ArrayList<>();
        for (int i = 0; i < SPECIAL_TOKENS.size() + pieces; i++) {
            kinds.add(i < SPECIAL_TOKENS.size() ? TokenKind.SPECIAL : TokenKind.NORMAL);
        }
        return kinds;
    }

    private static String bytes(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    public int size() {
        return table.size();
    }

    /** The tokens in id order, word starts with {@code ▁} in front. */
    public List<String> tokens() {
        return table.tokens;
    }

    /** Each token's kind, in id order. */
    public List<TokenKind> kinds() {
        return table.kinds();
    }

    public Rules rules() {
        return rules;
    }

    public Specials specials() {
        return specials;
    }

    /** The ids of {@code text}, without [CLS] and [SEP]; special-token text is encoded as ordinary text. */
    public int[] encode(String text) {
        return encode(text, false);
    }

    /**
     * The ids of {@code text}, without [CLS] and [SEP] around it; with {@code parseSpecial}, the special tokens'
     * text ({@code [SEP]} between two sentences) is read as those tokens first, the longest at each place, as Hugging
     * Face and libllama read it, and the text between them word by word.
     */
    public int[] encode(String text, boolean parseSpecial) {
        return table.encode(text, parseSpecial, (part, start, out) -> encodeWords(part, out));
    }

    private void encodeWords(String text, List<Integer> out) {
        for (String word : WordSplitter.words(text, rules.lowercase(), rules.stripAccents())) {
            if (word.codePointCount(0, word.length()) > rules.maxWordLength()) {
                out.add(specials.unknown());
                continue;
            }
            String w = bytes(WORD_START + word);
            int start = out.size();
            for (int i = 0; i < w.length(); ) {
                int end = Math.min(w.length(), i + longest);
                Integer id = null;
                for (; end > i && (id = ids.get(w.substring(i, end))) == null; end--) { }
                if (id == null) {
                    out.subList(start, out.size()).clear();
                    out.add(specials.unknown());
                    break;
                }
                out.add(id);
                i = end;
            }
        }
    }

    /** The ids of {@code text} between [CLS] and [SEP], as BERT reads a single text (special-token text read too). */
    public int[] encodeForModel(String text) {
        int[] ids = encode(text, true);
        List<Integer> out = new ArrayList<>();
        if (specials.cls() >= 0) {
            out.add(specials.cls());
        }
        for (int id : ids) {
            out.add(id);
        }
        if (specials.sep() >= 0) {
            out.add(specials.sep());
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Words (and special tokens) joined by spaces; continuation pieces join the word before them. */
    public String decode(int... ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            table.requireId(id);
            String t = table.tokens.get(id);
            if (table.kinds[id] != TokenKind.NORMAL) {
                sb.append(sb.isEmpty() ? "" : " ").append(t);
            } else if (t.startsWith(WORD_START)) {
                sb.append(sb.isEmpty() ? "" : " ").append(t.substring(WORD_START.length()));
            } else {
                sb.append(t);
            }
        }
        return sb.toString();
    }

    /**
     * The vocabulary of a GGUF file of model {@code bert}, with llama.cpp's defaults where the file is silent:
     * lower-casing on, accents stripped where lower-cased, the unknown token 100 (BERT's).
     */
    public static WordPieceTokenizer readGguf(Path path) {
        try (GgufFile file = GgufFile.open(path)) {
            return readGguf(file);
        }
    }

    /** The vocabulary of an open GGUF file, as {@link #readGguf(Path)}. */
    public static WordPieceTokenizer readGguf(GgufFile file) {
        String where = file.path().getFileName() + ": ";
        String model = file.has("tokenizer.ggml.model") ? file.getString("tokenizer.ggml.model") : null;
        if (!"bert".equals(model)) {
            throw new IllegalArgumentException(where + "tokenizer.ggml.model is " + (model == null ? "missing"
                    : "'" + model + "'") + "; a WordPiece vocabulary is 'bert'");
        }
        List<String> tokens = file.getStringArray("tokenizer.ggml.tokens");
        int[] types = file.has("tokenizer.ggml.token_type") ? file.getIntArray("tokenizer.ggml.token_type")
                : new int[tokens.size()];
        List<TokenKind> kinds = new ArrayList<>();
        for (int id = 0; id < tokens.size(); id++) {
            kinds.add(types[id] == 2 || types[id] == 3 ? TokenKind.SPECIAL : TokenKind.NORMAL);
        }
        boolean lowercase = !file.has("tokenizer.ggml.normalizer.lowercase")
                || file.getBool("tokenizer.ggml.normalizer.lowercase");
        boolean strip = file.has("tokenizer.ggml.normalizer.strip_accents")
                ? file.getBool("tokenizer.ggml.normalizer.strip_accents") : lowercase;
        Specials specials = new Specials(GgufKeys.id(file, "padding", -1), GgufKeys.id(file, "unknown", 100),
                GgufKeys.id(file, "cls", GgufKeys.id(file, "bos", -1)),
                GgufKeys.id(file, "seperator", GgufKeys.id(file, "eos", -1)), GgufKeys.id(file, "mask", -1));
        try {
            return new WordPieceTokenizer(tokens, kinds, new Rules(lowercase, strip, Integer.MAX_VALUE), specials);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + e.getMessage(), e);
        }
    }

    /**
     * Adds this tokenizer's keys to a GGUF being written (model {@code bert}). llama.cpp covers words of any length,
     * so a vocabulary that turns longer words than {@link Rules#maxWordLength()} into the unknown token (BERT's:
     * 100 characters) is encoded otherwise by the file on such words.
     */
    public void writeTo(GgufWriter out) {
        out.putString("tokenizer.ggml.model", "bert");
        out.putStrings("tokenizer.ggml.tokens", table.tokens);
        int[] types = new int[table.size()];
        for (int id = 0; id < types.length; id++) {
            types[id] = id == specials.unknown() ? 2 : table.kinds[id] == TokenKind.NORMAL ? 1 : 3;
        }
        out.put("tokenizer.ggml.token_type", GgufValue.int32s(types));
        putId(out, "padding", specials.pad());
        putId(out, "unknown", specials.unknown());
        putId(out, "cls", specials.cls());
        putId(out, "bos", specials.cls());
        putId(out, "seperator", specials.sep()); // sic: llama.cpp's key
        putId(out, "mask", specials.mask());
        out.putBool("tokenizer.ggml.normalizer.lowercase", rules.lowercase());
        out.putBool("tokenizer.ggml.normalizer.strip_accents", rules.stripAccents());
    }

    private static void putId(GgufWriter out, String name, int id) {
        if (id >= 0) {
            out.putUint32("tokenizer.ggml." + name + "_token_id", id);
        }
    }

    /** Writes a vocabulary-only GGUF llama.cpp loads (a one-layer BERT shape, no tensors). */
    public long writeVocabulary(Path path) {
        GgufWriter out = VocabularyFile.bert("llmgraph WordPiece, " + size() + " tokens");
        writeTo(out);
        return out.write(path);
    }

    @Override
    public String toString() {
        return "WordPieceTokenizer(" + size() + " tokens" + (rules.lowercase() ? ", lower-cased" : "") + ")";
    }
}
