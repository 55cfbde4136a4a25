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
 * A byte-level BPE tokenizer as GPT-2 defines it: the 256 byte tokens, then one token per merge in the order
 * the merges were learned, then the special tokens. Encoding cuts the text into words
 * ({@link PreTokenizer}), writes each word's UTF-8 bytes in the {@link ByteLevel} alphabet and merges the
 * adjacent pair of lowest rank until none is left; every text encodes, since every byte is a token.
 *
 * <p>{@link #writeVocabulary(Path)} writes it as a vocabulary-only GGUF in llama.cpp's conventions
 * ({@code tokenizer.ggml.model = gpt2}, {@code pre = gpt-2}), which libllama loads and encodes with; tests
 * check that it gives the same ids as {@link #encode(String)}.
 */
public final class BpeTokenizer implements GgufVocabulary {
    private final List<String> tokens;
    private final List<String> merges;
    private final List<String> specialTokens;
    private final Map<String, Integer> ids = new HashMap<>();
    private final Map<String, Integer> ranks = new HashMap<>();

    /**
     * @param merges        in rank order, each "left right" in the byte-level alphabet; merge i makes token
     *                      256 + i
     * @param specialTokens control tokens after the merges (e.g. {@code <|endoftext|>}), never produced by
     *                      {@link #encode(String)}
     */
    public BpeTokenizer(List<String> merges, List<String> specialTokens) {
        this.merges = List.copyOf(merges);
        this.specialTokens = List.copyOf(specialTokens);
        List<String> all = new ArrayList<>(ByteLevel.alphabet());
        for (int i = 0; i < this.merges.size(); i++) {
            String merge = this.merges.get(i);
            int space = merge.indexOf(' ');
            if (space <= 0 || space == merge.length() - 1 || merge.indexOf(' ', space + 1) >= 0) {
                throw new IllegalArgumentException("merge " + i + " is '" + merge + "'; a merge is two tokens "
                        + "separated by one space");
            }
            ranks.put(merge, i);
            all.add(merge.substring(0, space) + merge.substring(space + 1));
        }
        all.addAll(this.specialTokens);
        this.tokens = List.copyOf(all);
        for (int id = 0; id < tokens.size(); id++) {
            if (ids.putIfAbsent(tokens.get(id), id) != null) {
                throw new IllegalArgumentException("token '" + tokens.get(id) + "' (id " + id + ") is already token "
                        + ids.get(tokens.get(id)) + "; tokens must be unique");
            }
        }
    }

    /** Number of tokens: 256 bytes, the merges and the special tokens. */
    public int size() {
        return tokens.size();
    }

    /** The tokens in id order, in the byte-level alphabet. */
    public List<String> tokens() {
        return tokens;
    }

    /** The merges in rank order. */
    public List<String> merges() {
        return merges;
    }

    public List<String> specialTokens() {
        return specialTokens;
    }

    /** The id of a special token. */
    public int specialId(String token) {
        int i = specialTokens.indexOf(token);
        if (i < 0) {
            throw new IllegalArgumentException("'" + token + "' is not a special token of this tokenizer; its "
                    + "special tokens are " + specialTokens);
        }
        return ByteLevel.SIZE + merges.size() + i;
    }

    /** The token ids of {@code text} (special-token strings in it are encoded as ordinary text). */
    public int[] encode(String text) {
        TextChecks.requireWellFormed(text, "the text");
        List<Integer> out = new ArrayList<>();
        for (String word : PreTokenizer.words(text)) {
            for (String piece : merge(ByteLevel.encode(word.getBytes(StandardCharsets.UTF_8)))) {
                out.add(ids.get(piece));
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The text of {@code ids}; special tokens read as their names. */
    public String decode(int... ids) {
        StringBuilder bytes = new StringBuilder();
        StringBuilder text = new StringBuilder();
        for (int id : ids) {
            if (id < 0 || id >= tokens.size()) {
                throw new IllegalArgumentException("token id " + id + " is outside this tokenizer's " + tokens.size()
                        + " tokens (ids 0 to " + (tokens.size() - 1) + ")");
            }
            if (id >= ByteLevel.SIZE + merges.size()) {
                text.append(new String(ByteLevel.decode(bytes.toString()), StandardCharsets.UTF_8));
                bytes.setLength(0);
                text.append(tokens.get(id));
            } else {
                bytes.append(tokens.get(id));
            }
        }
        text.append(new String(ByteLevel.decode(bytes.toString()), StandardCharsets.UTF_8));
        return text.toString();
    }

    /**
     * The bytes token {@code id} stands for: its UTF-8 bytes, or a special token's name. A piece can end inside
     * a character, which the next pieces complete; {@link #decode} of a sequence equals its pieces' bytes read
     * as UTF-8.
     */
    public byte[] pieceBytes(int id) {
        if (id < 0 || id >= tokens.size()) {
            throw new IllegalArgumentException("token id " + id + " is outside this tokenizer's " + tokens.size()
                    + " tokens (ids 0 to " + (tokens.size() - 1) + ")");
        }
        return id >= ByteLevel.SIZE + merges.size() ? tokens.get(id).getBytes(StandardCharsets.UTF_8)
                : ByteLevel.decode(tokens.get(id));
    }

    /** One word's pieces: the lowest-ranked adjacent pair is merged (leftmost first) until none is left. */
    private List<String> merge(String word) {
        List<String> parts = new ArrayList<>(word.length());
        for (int i = 0; i < word.length(); i++) {
            parts.add(String.valueOf(word.charAt(i)));
        }
        while (parts.size() > 1) {
            int best = -1, bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < parts.size(); i++) {
                Integer rank = ranks.get(parts.get(i) + " " + parts.get(i + 1));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            parts.set(best, parts.get(best) + parts.remove(best + 1));
        }
        return parts;
    }

    /**
     * Adds this tokenizer's keys to a GGUF being written: model {@code gpt2} with pre-tokenizer {@code gpt-2},
     * tokens, token types (special tokens as control tokens) and merges; the first special token, if any,
     * as end and beginning of text.
     */
    public void writeTo(GgufWriter out) {
        out.putString("tokenizer.ggml.model", "gpt2");
        out.putString("tokenizer.ggml.pre", "gpt-2");
        out.putStrings("tokenizer.ggml.tokens", tokens);
        int[] types = new int[tokens.size()];
        for (int id = 0; id < types.length; id++) {
            types[id] = id < ByteLevel.SIZE + merges.size() ? 1 : 3; // llama_token_type: normal, control
        }
        out.put("tokenizer.ggml.token_type", GgufValue.int32s(types));
        out.putStrings("tokenizer.ggml.merges", merges);
        if (!specialTokens.isEmpty()) {
            out.putUint32("tokenizer.ggml.eos_token_id", specialId(specialTokens.getFirst()));
            out.putUint32("tokenizer.ggml.bos_token_id", specialId(specialTokens.getFirst()));
        }
        out.putBool("tokenizer.ggml.add_bos_token", false);
    }

    /**
     * Writes a vocabulary-only GGUF: this tokenizer's keys and the few model keys llama.cpp reads before it
     * reads a vocabulary (a one-layer LLaMA shape; the file has no tensors).
     */
    public long writeVocabulary(Path path) {
        GgufWriter out = VocabularyFile.llama("llmgraph byte-level BPE, " + tokens.size() + " tokens", tokens.size());
        writeTo(out);
        return out.write(path);
    }

    @Override
    public String toString() {
        return "BpeTokenizer(" + tokens.size() + " tokens: 256 bytes, " + merges.size() + " merges, "
                + specialTokens.size() + " special)";
    }
}
