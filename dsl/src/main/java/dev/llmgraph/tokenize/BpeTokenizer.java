package dev.llmgraph.tokenize;

import dev.llmgraph.ggml.gguf.GgufWriter;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

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
 * <p>{@link #writeVocabulary(java.nio.file.Path)} writes it as a vocabulary-only GGUF in llama.cpp's conventions
 * ({@code tokenizer.ggml.model = gpt2}, the pre-tokenizer by its llama.cpp name), which libllama loads and
 * encodes with; tests check that it gives the same ids as {@link #encode(String)}.
 */
public final class BpeTokenizer extends BpeVocabulary {
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

    private final Rules rules;
    /** Each byte's token id, -1 where the vocabulary lacks it. */
    private final int[] byteIds;

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
        super(tokens, kinds, merges, markers);
        List<Integer> byteTokens = table.idsOf(TokenKind.BYTE);
        if (!byteTokens.isEmpty()) {
            int bytes = byteTokens.getFirst();
            throw new IllegalArgumentException("token " + bytes + " is a byte token ('" + table.tokens.get(bytes)
                    + "'), which a SentencePiece-style vocabulary has (SentencePieceBpe); a byte-level BPE has every "
                    + "byte as a normal token");
        }
        this.rules = rules;
        this.byteIds = new int[256];
        for (int b = 0; b < 256; b++) {
            byteIds[b] = table.normalIds.getOrDefault(ByteLevel.encode(new byte[] {(byte) b}), -1);
        }
    }

    /** The same vocabulary and rules with other markers. */
    private BpeTokenizer(BpeTokenizer same, Markers markers) {
        super(same, markers);
        this.rules = same.rules;
        this.byteIds = same.byteIds;
    }

    @Override
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

    @Override
    public BpeTokenizer paddedTo(int size) {
        return new BpeTokenizer(table.paddedTokens(size), table.paddedKinds(size), merges(), rules, markers());
    }

    public Rules rules() {
        return rules;
    }

    @Override
    public int[] encode(String text, boolean parseSpecial) {
        return table.encode(text, parseSpecial, (part, start, out) -> encodePlain(part, out));
    }

    private void encodePlain(String text, List<Integer> out) {
        if (text.isEmpty()) {
            return;
        }
        String normalized = rules.nfc() ? Normalizer.normalize(text, Normalizer.Form.NFC) : text;
        for (String word : rules.preTokenizer().words(normalized)) {
            byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
            Integer whole = rules.ignoresMerges() ? table.normalIds.get(ByteLevel.encode(bytes)) : null;
            if (whole != null) {
                out.add(whole);
                continue;
            }
            int[] symbols = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                symbols[i] = byteIds[bytes[i] & 0xFF];
            }
            for (int id : mergeTable.apply(symbols)) {
                if (id >= 0) {          // a byte with no token (StarCoder's has none for 0xF1) is left out, as
                    out.add(id);        // Hugging Face (with no unk_token) and llama.cpp leave it out
                }
            }
        }
    }

    /**
     * The bytes token {@code id} stands for: its UTF-8 bytes, or another kind's text. A piece can end inside
     * a character, which the next pieces complete; {@link #decode} of a sequence equals its pieces' bytes read
     * as UTF-8.
     */
    @Override
    public byte[] pieceBytes(int id) {
        return kind(id) == TokenKind.NORMAL ? ByteLevel.decode(tokens().get(id))
                : tokens().get(id).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Adds this tokenizer's keys to a GGUF being written, in llama.cpp's conventions ({@link GgufBpe#write}).
     */
    @Override
    public void writeTo(GgufWriter out) {
        GgufBpe.write(this, out);
    }

    @Override
    public String toString() {
        return "BpeTokenizer(" + size() + " tokens, " + merges().size() + " merges, "
                + table.specialIds.size() + " special, " + rules.preTokenizer() + ")";
    }
}
