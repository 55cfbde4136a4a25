package dev.llmgraph.tokenize;

import dev.llmgraph.ggml.gguf.GgufValue;
import dev.llmgraph.ggml.gguf.GgufWriter;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A WordPiece tokenizer as BERT uses it: text is cut into words ({@link WordSplitter}), and each word is
 * covered from the left by the longest vocabulary entries, a word-start piece first, then continuation
 * pieces; a word that cannot be covered becomes {@code [UNK]}. Pieces are written as llama.cpp's GGUF
 * files write them: a word start with {@code ▁} (U+2581) in front, a continuation as it is (BERT's own
 * files write {@code ##} before continuations instead).
 *
 * <p>Ids 0 to 4 are {@code [PAD] [UNK] [CLS] [SEP] [MASK]}; {@link #writeVocabulary(Path)} writes a
 * vocabulary GGUF ({@code tokenizer.ggml.model = bert}) that libllama encodes with, and tests check that
 * it gives the same ids.
 */
public final class WordPieceTokenizer implements GgufVocabulary {
    /** Marks a word-start piece. */
    public static final String WORD_START = "\u2581";
    public static final List<String> SPECIAL_TOKENS = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");
    static final int UNKNOWN = 1;

    private final List<String> tokens;
    /** Tokens by their UTF-8 bytes, each byte a char (ISO-8859-1), so substrings are byte ranges. */
    private final Map<String, Integer> ids = new HashMap<>();
    private final int longest;

    /** @param pieces the vocabulary after the five special tokens, in id order */
    public WordPieceTokenizer(List<String> pieces) {
        List<String> all = new ArrayList<>(SPECIAL_TOKENS);
        all.addAll(pieces);
        this.tokens = List.copyOf(all);
        int max = 0;
        for (int id = 0; id < tokens.size(); id++) {
            String bytes = bytes(tokens.get(id));
            if (ids.putIfAbsent(bytes, id) != null) {
                throw new IllegalArgumentException("token '" + tokens.get(id) + "' (id " + id + ") is already token "
                        + ids.get(bytes) + "; tokens must be unique");
            }
            max = Math.max(max, bytes.length());
        }
        this.longest = max;
    }

    private static String bytes(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    public int size() {
        return tokens.size();
    }

    /** The tokens in id order, word starts with {@code ▁} in front. */
    public List<String> tokens() {
        return tokens;
    }

    /** The ids of {@code text}, without [CLS] and [SEP]. */
    public int[] encode(String text) {
        TextChecks.requireWellFormed(text, "the text");
        List<Integer> out = new ArrayList<>();
        for (String word : WordSplitter.words(text)) {
            String w = bytes(WORD_START + word);
            int start = out.size();
            for (int i = 0; i < w.length(); ) {
                int end = Math.min(w.length(), i + longest);
                Integer id = null;
                for (; end > i && (id = ids.get(w.substring(i, end))) == null; end--) { }
                if (id == null) {
                    out.subList(start, out.size()).clear();
                    out.add(UNKNOWN);
                    break;
                }
                out.add(id);
                i = end;
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Words (and special tokens) joined by spaces; continuation pieces join the word before them. */
    public String decode(int... ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            if (id < 0 || id >= tokens.size()) {
                throw new IllegalArgumentException("token id " + id + " is outside this tokenizer's " + tokens.size()
                        + " tokens (ids 0 to " + (tokens.size() - 1) + ")");
            }
            String t = tokens.get(id);
            if (id < SPECIAL_TOKENS.size()) {
                sb.append(sb.isEmpty() ? "" : " ").append(t);
            } else if (t.startsWith(WORD_START)) {
                sb.append(sb.isEmpty() ? "" : " ").append(t.substring(WORD_START.length()));
            } else {
                sb.append(t);
            }
        }
        return sb.toString();
    }

    /** Adds this tokenizer's keys to a GGUF being written (model {@code bert}, no lower-casing). */
    public void writeTo(GgufWriter out) {
        out.putString("tokenizer.ggml.model", "bert");
        out.putStrings("tokenizer.ggml.tokens", tokens);
        int[] types = new int[tokens.size()];
        for (int id = 0; id < types.length; id++) {
            types[id] = id < SPECIAL_TOKENS.size() ? 3 : 1; // llama_token_type: control, normal
        }
        types[UNKNOWN] = 2; // unknown
        out.put("tokenizer.ggml.token_type", GgufValue.int32s(types));
        out.putUint32("tokenizer.ggml.padding_token_id", 0);
        out.putUint32("tokenizer.ggml.unknown_token_id", UNKNOWN);
        out.putUint32("tokenizer.ggml.bos_token_id", 2);
        out.putUint32("tokenizer.ggml.cls_token_id", 2);
        out.putUint32("tokenizer.ggml.seperator_token_id", 3); // sic: llama.cpp's key
        out.putUint32("tokenizer.ggml.mask_token_id", 4);
        out.putBool("tokenizer.ggml.normalizer.lowercase", false);
    }

    /** Writes a vocabulary-only GGUF llama.cpp loads (a one-layer BERT shape, no tensors). */
    public long writeVocabulary(Path path) {
        GgufWriter out = VocabularyFile.bert("llmgraph WordPiece, " + tokens.size() + " tokens");
        writeTo(out);
        return out.write(path);
    }

    @Override
    public String toString() {
        return "WordPieceTokenizer(" + tokens.size() + " tokens)";
    }
}
