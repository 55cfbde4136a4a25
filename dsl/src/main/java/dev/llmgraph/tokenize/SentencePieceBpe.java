package dev.llmgraph.tokenize;

import dev.llmgraph.ggml.gguf.GgufWriter;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A SentencePiece-style BPE, as Llama 2, Mistral, TinyLlama and Phi-3 publish theirs: the text's spaces become
 * {@code ▁} (U+2581), a {@code ▁} goes before it, and its characters (not its bytes) are merged, the pair of lowest
 * rank first, over the whole text at once; a character the vocabulary lacks becomes its UTF-8 bytes' tokens
 * {@code <0xXX>} (byte fallback), or the unknown token where those are missing.
 *
 * <p>Read from a Hugging Face tokenizer.json ({@code byte_fallback}: {@link dev.llmgraph.io.hf.TokenizerJson}) or
 * from a GGUF file ({@link GgufSentencePiece}) of model {@code llama}, which holds scores instead of merges, or of
 * model {@code gemma4} (Gemma 4: no {@code ▁} before the text), which holds the merges; written to both. Tests check its ids against llama.cpp's test vectors (the ids Hugging Face gave), libllama and Hugging
 * Face's tokenizers library.
 */
public final class SentencePieceBpe extends BpeVocabulary {
    /** What stands for a space in the vocabulary. */
    public static final String SPACE = "\u2581";

    /**
     * Where a {@code ▁} is put before text, each stretch of text between added or special tokens on its own (the
     * rules of Hugging Face's tokenizers library).
     */
    public enum Prefix {
        /**
         * Before every stretch (Hugging Face's {@code Prepend} normalizer, as in Llama 2's tokenizer.json; llama.cpp's
         * {@code add_space_prefix}).
         */
        PREPEND,
        /** Before every stretch that does not start with a space ({@code Metaspace}, prepend_scheme always). */
        METASPACE_ALWAYS,
        /**
         * Before the stretch that starts the input, unless it starts with a space ({@code Metaspace}, prepend_scheme
         * first, as newer Llama and Mistral files have it).
         */
        METASPACE_FIRST,
        /** Nowhere. */
        NONE
    }

    /**
     * How text becomes symbols: where a {@code ▁} goes before it, whether a character the vocabulary lacks becomes
     * its bytes' tokens, and the token for what cannot be encoded otherwise (-1: none; then it is left out), one
     * for each run of such characters (Hugging Face's {@code fuse_unk}, which Llama 2's sets).
     */
    public record Rules(Prefix prefix, boolean byteFallback, int unknown) {
        /** Llama 2's. */
        public static Rules llama(int unknown) {
            return new Rules(Prefix.PREPEND, true, unknown);
        }
    }

    /**
     * How a GGUF file holds the vocabulary: as one of llama.cpp's two tokenizer models for SentencePiece-style BPE,
     * which encode alike where both can hold a vocabulary.
     */
    public enum GgufForm {
        /**
         * Model {@code llama}: a score per token, from which llama.cpp joins the pair making the token of highest
         * score (Llama 2, Mistral, Gemma 3; every llama.cpp reads it).
         */
        SCORES,
        /**
         * Model {@code gemma4}: the merges themselves, with no {@code ▁} put before the text (Gemma 4; read by the
         * llama.cpp versions that know Gemma 4). llama.cpp also cuts the text where newlines start and end and takes a run of
         * newlines the vocabulary holds as one token, which changes nothing where no token mixes newlines with
         * other characters, as in Gemma 4's vocabulary; llmgraph merges over the whole text, as Hugging Face does.
         */
        MERGES
    }

    private final Rules rules;
    private final GgufForm ggufForm;
    /** The byte tokens' ids by byte value, -1 where the vocabulary lacks one. */
    private final int[] byteIds;

    /**
     * @param tokens  in id order, normal ones with {@code ▁} for space, bytes as {@code <0xXX>}
     * @param kinds   one per token
     * @param merges  in rank order, each "left right"; both and their concatenation must be normal tokens
     * @param rules   how text becomes symbols
     * @param markers the beginning- and end-of-text tokens
     */
    public SentencePieceBpe(List<String> tokens, List<TokenKind> kinds, List<String> merges, Rules rules,
                            BpeVocabulary.Markers markers) {
        this(tokens, kinds, merges, rules, markers, GgufForm.SCORES);
    }

    /** As above, written to a GGUF file in {@code ggufForm}, which {@link GgufForm#MERGES} needs no prefix for. */
    public SentencePieceBpe(List<String> tokens, List<TokenKind> kinds, List<String> merges, Rules rules,
                            BpeVocabulary.Markers markers, GgufForm ggufForm) {
        super(tokens, kinds, merges, markers);
        if (ggufForm == GgufForm.MERGES && rules.prefix() != Prefix.NONE) {
            throw new IllegalArgumentException(formMismatch(rules.prefix()));
        }
        this.rules = rules;
        this.ggufForm = ggufForm;
        table.requireIdOrNone(rules.unknown(), "the unknown token");
        this.byteIds = new int[256];
        Arrays.fill(byteIds, -1);
        for (int id : table.idsOf(TokenKind.BYTE)) {
            byteIds[byteValue(id)] = id;
        }
    }

    /** {@code same} with other markers and GGUF form: its tables shared, not copied. */
    private SentencePieceBpe(SentencePieceBpe same, BpeVocabulary.Markers markers, GgufForm ggufForm) {
        super(same, markers);
        this.rules = same.rules;
        this.ggufForm = ggufForm;
        this.byteIds = same.byteIds;
    }

    private static String formMismatch(Prefix prefix) {
        return "the prefix is " + prefix + ", but llama.cpp's 'gemma4' vocabularies (GgufForm.MERGES) put no ▁ "
                + "before text; use GgufForm.SCORES";
    }

    /** The byte a byte token stands for. */
    private int byteValue(int id) {
        String token = table.tokens.get(id);
        if (!token.matches("<0x[0-9A-Fa-f]{2}>")) {
            throw new IllegalArgumentException("token " + id + " '" + token + "' is a byte token but not written "
                    + "<0xXX>, as byte tokens are");
        }
        return Integer.parseInt(token.substring(3, 5), 16);
    }

    @Override
    public SentencePieceBpe withMarkers(BpeVocabulary.Markers markers) {
        return new SentencePieceBpe(this, markers, ggufForm);
    }

    @Override
    public SentencePieceBpe paddedTo(int size) {
        return new SentencePieceBpe(table.paddedTokens(size), table.paddedKinds(size), merges(), rules, markers(),
                ggufForm);
    }

    public Rules rules() {
        return rules;
    }

    public GgufForm ggufForm() {
        return ggufForm;
    }

    /** The same vocabulary written to a GGUF file in {@code form}. */
    public SentencePieceBpe withGgufForm(GgufForm form) {
        if (form == GgufForm.MERGES && rules.prefix() != Prefix.NONE) {
            throw new IllegalArgumentException(formMismatch(rules.prefix()));
        }
        return new SentencePieceBpe(this, markers(), form);
    }

    @Override
    public int[] encode(String text, boolean parseSpecial) {
        return table.encode(text, parseSpecial, this::encodePlain);
    }

    /** One stretch of text between added or special tokens, which starts at {@code start} of the input. */
    private void encodePlain(String text, int start, List<Integer> out) {
        if (text.isEmpty()) {
            return;
        }
        String spaced = text.replace(" ", SPACE);
        boolean prefixed = switch (rules.prefix()) {
            case PREPEND -> true;
            case METASPACE_ALWAYS -> !spaced.startsWith(SPACE);
            case METASPACE_FIRST -> start == 0 && !spaced.startsWith(SPACE);
            case NONE -> false;
        };
        String normalized = prefixed ? SPACE + spaced : spaced;
        int[] symbols = new int[normalized.length() * 3];   // a char's bytes: at most three (four for two chars)
        int count = 0;
        boolean lastUnknown = false;
        for (int i = 0; i < normalized.length(); ) {
            int end = normalized.offsetByCodePoints(i, 1);
            String character = normalized.substring(i, end);
            i = end;
            Integer id = table.normalIds.get(character);
            if (id != null) {
                symbols[count++] = id;
                lastUnknown = false;
            } else if (rules.byteFallback() && hasByteTokens(character)) {
                for (byte b : character.getBytes(StandardCharsets.UTF_8)) {
                    symbols[count++] = byteIds[b & 0xFF];
                }
                lastUnknown = false;
            } else if (rules.unknown() >= 0 && !lastUnknown) {   // unknown characters in a row are one unknown token
                symbols[count++] = rules.unknown();
                lastUnknown = true;
            }
        }
        for (int id : mergeTable.apply(Arrays.copyOf(symbols, count))) {    // byte and unknown tokens
            out.add(id);                                                              // merge with nothing
        }
    }

    private boolean hasByteTokens(String character) {
        for (byte b : character.getBytes(StandardCharsets.UTF_8)) {
            if (byteIds[b & 0xFF] < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The text of {@code ids}, as Hugging Face decodes it: pieces' bytes read as UTF-8, less the space the prefix put
     * before the text.
     */
    @Override
    public String decode(int... ids) {
        String text = super.decode(ids);
        return rules.prefix() != Prefix.NONE && text.startsWith(" ") ? text.substring(1) : text;
    }

    /** A normal token's text with {@code ▁} as space, a byte token's byte, another kind's text. */
    @Override
    public byte[] pieceBytes(int id) {
        return switch (kind(id)) {
            case NORMAL -> table.tokens.get(id).replace(SPACE, " ").getBytes(StandardCharsets.UTF_8);
            case BYTE -> new byte[] {(byte) byteValue(id)};
            default -> table.tokens.get(id).getBytes(StandardCharsets.UTF_8);
        };
    }

    /** Adds this tokenizer's keys to a GGUF being written, in llama.cpp's conventions ({@link GgufSentencePiece}). */
    @Override
    public void writeTo(GgufWriter out) {
        GgufSentencePiece.write(this, out);
    }

    @Override
    public String toString() {
        return "SentencePieceBpe(" + size() + " tokens, " + merges().size() + " merges, " + table.specialIds.size()
                + " special, byte fallback " + (rules.byteFallback() ? "on" : "off")
                + (ggufForm == GgufForm.MERGES ? ", GGUF form gemma4" : "") + ")";
    }
}
