package dev.llmgraph.tokenize;

import dev.llmgraph.ggml.gguf.GgufWriter;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/**
 * A byte-level BPE tokenizer as GPT-2 defines it. Encoding cuts the text into words ({@link PreTokenizer}),
 * writes each word's UTF-8 bytes in the {@link ByteLevel} alphabet and merges the adjacent pair of lowest rank
 * until none is left; every text encodes, since every byte is a token (in a trained tokenizer; a published one
 * may lack a few bytes rare in UTF-8, which encoding leaves out as Hugging Face and llama.cpp do).
 *
 * <p>Two sources: one trained in Java ({@link BpeTrainer}: the 256 byte tokens, then one token per merge in the
 * order the merges were learned, then the special tokens), or a published vocabulary in any id order, read from
 * a Hugging Face {@code tokenizer.json} ({@link dev.llmgraph.io.hf.TokenizerJson}) or a GGUF file ({@link GgufBpe}).
 *
 * <p>{@link #writeVocabulary(Path)} writes it as a vocabulary-only GGUF in llama.cpp's conventions
 * ({@code tokenizer.ggml.model = gpt2}, the pre-tokenizer by its llama.cpp name), which libllama loads and
 * encodes with; tests check that it gives the same ids as {@link #encode(String)}.
 */
public final class BpeTokenizer implements GgufVocabulary {
    /**
     * How text becomes words: the pre-tokenizer, whether the text is first put in Unicode's composed form (NFC,
     * as Qwen2's tokenizer.json asks; llama.cpp does not), and whether a word that is a token is taken whole.
     */
    public record Rules(PreTokenizer preTokenizer, boolean nfc, boolean ignoresMerges) {
        public static final Rules GPT2 = new Rules(PreTokenizer.GPT2, false, false);

        /** The rules llama.cpp applies for a pre-tokenizer it names. */
        public static Rules of(PreTokenizer preTokenizer) {
            return new Rules(preTokenizer, false, preTokenizer.ignoresMerges());
        }
    }

    /** The beginning- and end-of-text tokens (-1: none) and whether encoding puts the first before a text. */
    public record Markers(int bos, int eos, boolean addsBos) {
        public static final Markers NONE = new Markers(-1, -1, false);
    }

    private final List<String> tokens;
    private final TokenKind[] kinds;
    private final List<String> merges;
    private final Rules rules;
    private final Markers markers;
    /** The normal tokens' ids. */
    private final Map<String, Integer> ids;
    private final MergeTable mergeTable;
    private final List<Integer> specialIds;
    /** Added and special tokens by their first character, the longest first (Qwen2's GGUF has 290 "[PAD..." added). */
    private final Map<Character, List<Integer>> addedByFirstChar, specialByFirstChar;

    /**
     * A tokenizer trained in Java, with GPT-2's rules.
     *
     * @param merges        in rank order, each "left right" in the byte-level alphabet; merge i makes token
     *                      256 + i
     * @param specialTokens control tokens after the merges (e.g. {@code <|endoftext|>}), never produced by
     *                      {@link #encode(String)}; the first is the end and beginning of text
     */
    public BpeTokenizer(List<String> merges, List<String> specialTokens) {
        this(trainedTokens(merges, specialTokens), trainedKinds(merges.size(), specialTokens.size()), merges,
                Rules.GPT2, specialTokens.isEmpty() ? Markers.NONE
                        : new Markers(ByteLevel.SIZE + merges.size(), ByteLevel.SIZE + merges.size(), false));
    }

    /**
     * A published vocabulary.
     *
     * @param tokens  in id order: normal tokens in the byte-level alphabet, the others as their text
     * @param kinds   one per token
     * @param merges  in rank order, each "left right"; both and their concatenation must be normal tokens
     * @param rules   how text becomes words
     * @param markers the beginning- and end-of-text tokens
     */
    public BpeTokenizer(List<String> tokens, List<TokenKind> kinds, List<String> merges, Rules rules,
                        Markers markers) {
        if (kinds.size() != tokens.size()) {
            throw new IllegalArgumentException(tokens.size() + " tokens but " + kinds.size() + " token kinds; "
                    + "give one kind per token");
        }
        this.tokens = List.copyOf(tokens);
        this.kinds = kinds.toArray(TokenKind[]::new);
        this.merges = List.copyOf(merges);
        this.rules = rules;
        this.markers = markers;
        this.ids = new HashMap<>();
        Map<String, Integer> all = new HashMap<>();
        for (int id = 0; id < this.tokens.size(); id++) {
            Integer before = all.putIfAbsent(this.tokens.get(id), id);
            if (before != null) {
                throw new IllegalArgumentException("token '" + this.tokens.get(id) + "' (id " + id + ") is already token "
                        + before + "; tokens must be unique");
            }
            if (this.kinds[id] == TokenKind.NORMAL) {
                ids.put(this.tokens.get(id), id);
            }
        }
        this.mergeTable = new MergeTable(this.merges, ids);
        requireMarkers(markers, this.tokens.size());
        this.specialIds = idsOf(TokenKind.SPECIAL);
        this.addedByFirstChar = byFirstChar(idsOf(TokenKind.ADDED));
        this.specialByFirstChar = byFirstChar(specialIds);
    }

    /** {@code matched} by their text's first character, the longest first; an empty text matches nowhere. */
    private Map<Character, List<Integer>> byFirstChar(List<Integer> matched) {
        return matched.stream().filter(id -> !tokens.get(id).isEmpty())
                .sorted(Comparator.comparingInt((Integer id) -> -tokens.get(id).length()))
                .collect(Collectors.groupingBy(id -> tokens.get(id).charAt(0)));
    }

    /** The same vocabulary and rules with other markers. */
    private BpeTokenizer(BpeTokenizer same, Markers markers) {
        requireMarkers(markers, same.tokens.size());
        this.tokens = same.tokens;
        this.kinds = same.kinds;
        this.merges = same.merges;
        this.rules = same.rules;
        this.markers = markers;
        this.ids = same.ids;
        this.mergeTable = same.mergeTable;
        this.specialIds = same.specialIds;
        this.addedByFirstChar = same.addedByFirstChar;
        this.specialByFirstChar = same.specialByFirstChar;
    }

    private static void requireMarkers(Markers markers, int size) {
        for (int id : new int[] {markers.bos(), markers.eos()}) {
            if (id < -1 || id >= size) {
                throw new IllegalArgumentException("marker token " + id + " is outside the " + size + " tokens (ids 0 "
                        + "to " + (size - 1) + ", or -1 for none)");
            }
        }
        if (markers.addsBos() && markers.bos() < 0) {
            throw new IllegalArgumentException("the tokenizer adds a beginning-of-text token but has none; name it");
        }
    }

    /** This vocabulary with other beginning- and end-of-text tokens (as tokenizer_config.json names them). */
    public BpeTokenizer withMarkers(Markers markers) {
        return new BpeTokenizer(this, markers);
    }

    private static List<String> trainedTokens(List<String> merges, List<String> specialTokens) {
        List<String> all = new ArrayList<>(ByteLevel.alphabet());
        for (String merge : merges) {
            all.add(merge.replaceFirst(" ", ""));
        }
        all.addAll(specialTokens);
        return all;
    }

    private static List<TokenKind> trainedKinds(int merges, int specials) {
        List<TokenKind> kinds = new ArrayList<>();
        for (int i = 0; i < ByteLevel.SIZE + merges + specials; i++) {
            kinds.add(i < ByteLevel.SIZE + merges ? TokenKind.NORMAL : TokenKind.SPECIAL);
        }
        return kinds;
    }

    /**
     * This vocabulary with {@code size - size()} unused tokens {@code [PAD<id>]} after it, as llama.cpp's converter
     * pads a vocabulary to a model whose embedding has more rows than the tokenizer has tokens (Qwen2: 151,936
     * rows, 151,665 tokens).
     */
    public BpeTokenizer paddedTo(int size) {
        if (size < tokens.size()) {
            throw new IllegalArgumentException("cannot pad " + tokens.size() + " tokens to " + size + "; a vocabulary "
                    + "only grows");
        }
        List<String> padded = new ArrayList<>(tokens);
        List<TokenKind> paddedKinds = new ArrayList<>(kinds());
        for (int id = tokens.size(); id < size; id++) {
            padded.add("[PAD" + id + "]");
            paddedKinds.add(TokenKind.UNUSED);
        }
        return new BpeTokenizer(padded, paddedKinds, merges, rules, markers);
    }

    /** Number of tokens; ids run from 0 to {@code size() - 1}. */
    public int size() {
        return tokens.size();
    }

    /** The tokens in id order: normal ones in the byte-level alphabet, the others as their text. */
    public List<String> tokens() {
        return tokens;
    }

    public TokenKind kind(int id) {
        requireId(id);
        return kinds[id];
    }

    /** Each token's kind, in id order. */
    public List<TokenKind> kinds() {
        return List.of(kinds);
    }

    /** The merges in rank order. */
    public List<String> merges() {
        return merges;
    }

    public Rules rules() {
        return rules;
    }

    public Markers markers() {
        return markers;
    }

    /** The special tokens' text, in id order. */
    public List<String> specialTokens() {
        return specialIds.stream().map(tokens::get).toList();
    }

    /** The id of a special token. */
    public int specialId(String token) {
        for (int id : specialIds) {
            if (tokens.get(id).equals(token)) {
                return id;
            }
        }
        throw new IllegalArgumentException("'" + token + "' is not a special token of this tokenizer; its "
                + "special tokens are " + specialTokens());
    }

    private List<Integer> idsOf(TokenKind kind) {
        List<Integer> out = new ArrayList<>();
        for (int id = 0; id < kinds.length; id++) {
            if (kinds[id] == kind) {
                out.add(id);
            }
        }
        return out;
    }

    /**
     * The token ids of {@code text}: its added tokens (the longest first) as themselves, the rest by BPE.
     * Special-token text is encoded as ordinary text.
     */
    public int[] encode(String text) {
        return encode(text, false);
    }

    /**
     * The token ids of {@code text}; with {@code parseSpecial}, its special tokens' text is read as those tokens
     * first (the longest at each place, as a chat template's markers must be read), and the text between them as
     * {@link #encode(String)} reads it.
     */
    public int[] encode(String text, boolean parseSpecial) {
        TextChecks.requireWellFormed(text, "the text");
        List<Integer> out = new ArrayList<>();
        if (parseSpecial) {
            cut(text, specialByFirstChar, (between, ids) -> cut(between, addedByFirstChar, this::encodePlain, ids), out);
        } else {
            cut(text, addedByFirstChar, this::encodePlain, out);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The tokens of {@code index} where they stand in {@code text}, and {@code between} on the text between them. */
    private void cut(String text, Map<Character, List<Integer>> index, BiConsumer<String, List<Integer>> between,
                     List<Integer> out) {
        int start = 0;
        for (int i = 0; i < text.length(); ) {
            int id = longestAt(index, text, i);
            if (id < 0) {
                i++;
                continue;
            }
            between.accept(text.substring(start, i), out);
            out.add(id);
            i += tokens.get(id).length();
            start = i;
        }
        between.accept(text.substring(start), out);
    }

    private int longestAt(Map<Character, List<Integer>> index, String text, int at) {
        for (int id : index.getOrDefault(text.charAt(at), List.of())) {
            if (text.startsWith(tokens.get(id), at)) {
                return id;
            }
        }
        return -1;
    }

    private void encodePlain(String text, List<Integer> out) {
        if (text.isEmpty()) {
            return;
        }
        String normalized = rules.nfc() ? Normalizer.normalize(text, Normalizer.Form.NFC) : text;
        for (String word : rules.preTokenizer().words(normalized)) {
            String symbols = ByteLevel.encode(word.getBytes(StandardCharsets.UTF_8));
            Integer whole = rules.ignoresMerges() ? ids.get(symbols) : null;
            if (whole != null) {
                out.add(whole);
                continue;
            }
            for (String piece : mergeTable.apply(symbols)) {
                Integer id = ids.get(piece);
                if (id != null) {       // a byte with no token (StarCoder's has none for 0xF1) is left out, as
                    out.add(id);        // Hugging Face (with no unk_token) and llama.cpp leave it out
                }
            }
        }
    }

    /** The text of {@code ids}: their pieces' bytes read as UTF-8; special tokens read as their names. */
    public String decode(int... ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            bytes.writeBytes(pieceBytes(id));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * The bytes token {@code id} stands for: its UTF-8 bytes, or another kind's text. A piece can end inside
     * a character, which the next pieces complete; {@link #decode} of a sequence equals its pieces' bytes read
     * as UTF-8.
     */
    public byte[] pieceBytes(int id) {
        requireId(id);
        return kinds[id] == TokenKind.NORMAL ? ByteLevel.decode(tokens.get(id))
                : tokens.get(id).getBytes(StandardCharsets.UTF_8);
    }

    private void requireId(int id) {
        if (id < 0 || id >= tokens.size()) {
            throw new IllegalArgumentException("token id " + id + " is outside this tokenizer's " + tokens.size()
                    + " tokens (ids 0 to " + (tokens.size() - 1) + ")");
        }
    }

    /**
     * Adds this tokenizer's keys to a GGUF being written, in llama.cpp's conventions ({@link GgufBpe#write}).
     */
    public void writeTo(GgufWriter out) {
        GgufBpe.write(this, out);
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
        return "BpeTokenizer(" + tokens.size() + " tokens, " + merges.size() + " merges, "
                + specialIds.size() + " special, " + rules.preTokenizer() + ")";
    }
}
