package dev.llmgraph.tokenize;

import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.gguf.GgufWriter;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A published SentencePiece Unigram vocabulary (T5's, XLM-RoBERTa's), as llama.cpp's {@code t5} (UGM) model holds
 * it: every token has a score (a log-probability), and a text is cut into the tokens whose scores sum highest
 * (Viterbi, one code point at a time), after the text is normalised: its precompiled rules (NFKC and the model's
 * own changes; {@link PrecompiledCharsmap}) applied to the longest prefix at each place, spaces written as {@code ▁},
 * a {@code ▁} put before it (llama.cpp's {@code add_space_prefix}) and, with {@code remove_extra_whitespaces}, runs of
 * spaces made one and spaces at the ends dropped. A code point no token covers becomes the unknown token, scored
 * 10 below the lowest normal token, and a run of them one unknown token. Added (user-defined) tokens score 0 and are
 * matched wherever they stand; control tokens only where special text is asked for.
 *
 * <p>Read from a GGUF file ({@link #readGguf(Path)}) and written to one; tests check its ids against libllama's on
 * the same file. {@link UnigramTokenizer} is the kind llmgraph trains.
 */
public final class SentencePieceUnigram implements GgufVocabulary {
    /** What stands for a space in the vocabulary. */
    public static final String SPACE = "\u2581";
    /** How far below the lowest normal token an unknown code point scores (llama.cpp's and SentencePiece's value). */
    private static final float UNKNOWN_PENALTY = 10.0f;

    /**
     * How text is normalised: with a {@code ▁} before it ({@code add_space_prefix}), and with runs of spaces made one
     * and spaces at its ends dropped ({@code remove_extra_whitespaces}; then every word gets a {@code ▁} before it).
     */
    public record Rules(boolean addSpacePrefix, boolean removeExtraWhitespaces) {}

    /** The beginning- and end-of-text tokens (-1: none) and whether encoding puts each around a text. */
    public record Markers(int bos, int eos, boolean addsBos, boolean addsEos) {}

    private final TokenTable table;
    private final float[] scores;
    private final Rules rules;
    private final PrecompiledCharsmap charsmap;
    private final int unknown;
    private final Markers markers;
    /** Normal, added and unused tokens, as llama.cpp's Viterbi matches them. */
    private final PieceTrie trie = new PieceTrie();
    private final float unknownScore;

    /**
     * @param tokens   in id order, spaces written as {@code ▁}
     * @param kinds    one per token
     * @param scores   one per token; the normal tokens' are used
     * @param rules    how text is normalised
     * @param charsmap the precompiled normalisation rules as stored (SentencePiece's blob), or null for none
     * @param unknown  the token of what no token covers
     * @param markers  the tokens put around a text
     */
    public SentencePieceUnigram(List<String> tokens, List<TokenKind> kinds, float[] scores, Rules rules,
                                byte[] charsmap, int unknown, Markers markers) {
        this.table = new TokenTable(tokens, kinds);
        if (scores.length != tokens.size()) {
            throw new IllegalArgumentException(tokens.size() + " tokens but " + scores.length + " scores; give one "
                    + "score per token");
        }
        table.requireId(unknown);
        for (int id : new int[] {markers.bos(), markers.eos()}) {
            table.requireIdOrNone(id, "a marker");
        }
        if (markers.addsBos() && markers.bos() < 0 || markers.addsEos() && markers.eos() < 0) {
            throw new IllegalArgumentException("the vocabulary adds a " + (markers.addsBos() && markers.bos() < 0
                    ? "beginning" : "end") + "-of-text token it does not name");
        }
        this.scores = scores.clone();
        this.rules = rules;
        this.charsmap = charsmap == null ? null : PrecompiledCharsmap.of(charsmap);
        this.unknown = unknown;
        this.markers = markers;
        float lowest = Float.MAX_VALUE;
        for (int id = 0; id < tokens.size(); id++) {
            TokenKind kind = table.kinds[id];
            if (kind == TokenKind.BYTE && !tokens.get(id).matches("<0x[0-9A-Fa-f]{2}>")) {
                throw new IllegalArgumentException("token " + id + " '" + tokens.get(id) + "' is a byte token but not "
                        + "written <0xXX>, as byte tokens are");
            }
            if (kind == TokenKind.NORMAL) {
                lowest = Math.min(lowest, scores[id]);
            }
            if ((kind == TokenKind.NORMAL || kind == TokenKind.ADDED || kind == TokenKind.UNUSED)
                    && !tokens.get(id).isEmpty()) {
                trie.add(tokens.get(id), id);
            }
        }
        this.unknownScore = lowest - UNKNOWN_PENALTY;
    }

    /** The vocabulary of the GGUF file at {@code path} ({@code tokenizer.ggml.model = t5}): {@link GgufUnigram}. */
    public static SentencePieceUnigram readGguf(Path path) {
        return GgufUnigram.read(path);
    }

    /** The vocabulary of an open GGUF file: {@link GgufUnigram}. */
    public static SentencePieceUnigram readGguf(GgufFile file) {
        return GgufUnigram.read(file);
    }

    @Override
    public int size() {
        return table.size();
    }

    /** The tokens in id order. */
    public List<String> tokens() {
        return table.tokens;
    }

    /** Each token's kind, in id order (a copy: {@link #kind} for one). */
    public List<TokenKind> kinds() {
        return table.kinds();
    }

    public TokenKind kind(int id) {
        table.requireId(id);
        return table.kinds[id];
    }

    public float score(int id) {
        table.requireId(id);
        return scores[id];
    }

    public Rules rules() {
        return rules;
    }

    public Markers markers() {
        return markers;
    }

    public int unknown() {
        return unknown;
    }

    /** The precompiled normalisation rules as SentencePiece stores them, or null where the vocabulary has none. */
    public byte[] charsmap() {
        return charsmap == null ? null : charsmap.bytes();
    }

    /**
     * This vocabulary with {@code size - size()} unused tokens {@code [PAD<id>]} after it, scored -10000, as llama.cpp's
     * converter pads T5's 32,100 tokens to its 32,128 rows; the same vocabulary where it has {@code size} tokens.
     */
    public SentencePieceUnigram paddedTo(int size) {
        if (size == size()) {
            return this;
        }
        float[] padded = java.util.Arrays.copyOf(scores, Math.max(size, scores.length));
        java.util.Arrays.fill(padded, scores.length, padded.length, -10000f);
        return new SentencePieceUnigram(table.paddedTokens(size), table.paddedKinds(size), padded, rules, charsmap(),
                unknown, markers);
    }

    /** The token ids of {@code text}; special-token text is encoded as ordinary text, nothing put around it. */
    public int[] encode(String text) {
        return encode(text, false);
    }

    /**
     * The token ids of {@code text}: its added tokens as themselves and, with {@code parseSpecial}, its special
     * tokens' text as those tokens; the text between them normalised and cut as one.
     */
    public int[] encode(String text, boolean parseSpecial) {
        return table.encode(text, parseSpecial, (part, start, out) -> cut(normalize(part), out));
    }

    /** The ids of {@code text} with the tokens the vocabulary puts around a text, as llama.cpp's add_special. */
    public int[] encodeForModel(String text) {
        return encodeForModel(text, false);
    }

    /** As {@link #encodeForModel(String)}, with special-token text read as those tokens where asked. */
    public int[] encodeForModel(String text, boolean parseSpecial) {
        int[] inner = encode(text, parseSpecial);
        int bos = markers.addsBos() ? 1 : 0, eos = markers.addsEos() ? 1 : 0;
        int[] ids = new int[inner.length + bos + eos];
        if (bos == 1) {
            ids[0] = markers.bos();
        }
        System.arraycopy(inner, 0, ids, bos, inner.length);
        if (eos == 1) {
            ids[ids.length - 1] = markers.eos();
        }
        return ids;
    }

    /**
     * {@code text} as the Viterbi search sees it: the precompiled rules applied (the longest prefix the map holds
     * at each place, else one code point as it is), spaces as {@code ▁}, and the prefix and space rules.
     */
    String normalize(String text) {
        byte[] input = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(input.length + 8);
        byte[] space = SPACE.getBytes(StandardCharsets.UTF_8);
        boolean merge = rules.removeExtraWhitespaces();
        boolean prepended = false, inWord = false;
        for (int at = 0; at < input.length; ) {
            PrecompiledCharsmap.Match match = charsmap == null ? null : charsmap.longestMatch(input, at, input.length);
            byte[] piece = match != null ? match.replacement() : input;   // the replacement, or the code point as it is
            int from = match != null ? 0 : at, to = match != null ? piece.length : at + utf8Length(input[at]);
            at += match != null ? match.length() : to - from;
            for (int k = from; k < to; k++) {
                byte b = piece[k];
                if (b != ' ') {
                    if (!inWord) {
                        inWord = true;
                        if (rules.addSpacePrefix() && !prepended || merge) {
                            out.writeBytes(space);
                            prepended = true;
                        }
                    }
                    out.write(b);
                } else {
                    inWord = false;
                    if (!merge) {
                        out.writeBytes(space);
                    }
                }
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int utf8Length(byte lead) {
        int b = lead & 0xFF;
        return b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
    }

    /** Viterbi over the code points of {@code normalized}: the tokens whose scores sum highest. */
    private void cut(String normalized, List<Integer> out) {
        int n = normalized.length();
        if (n == 0) {
            return;
        }
        double[] best = new double[n + 1];
        int[] token = new int[n + 1], from = new int[n + 1];
        java.util.Arrays.fill(best, -Double.MAX_VALUE);
        best[0] = 0;
        token[0] = unknown;
        for (int i = 0; i < n; ) {
            int width = Character.charCount(normalized.codePointAt(i));
            boolean whole = false;
            for (int node = PieceTrie.ROOT, end = i; end < n; ) {
                int c = normalized.codePointAt(end);
                end += Character.charCount(c);
                if ((node = trie.child(node, c)) < 0) {
                    break;
                }
                int id = trie.piece(node);
                if (id >= 0) {
                    whole |= end == i + width;
                    double score = best[i] + (table.kinds[id] == TokenKind.ADDED ? 0.0 : scores[id]);
                    if (score > best[end]) {
                        best[end] = score;
                        token[end] = id;
                        from[end] = i;
                    }
                }
            }
            if (!whole && best[i] + unknownScore > best[i + width]) {
                best[i + width] = best[i] + unknownScore;
                token[i + width] = unknown;
                from[i + width] = i;
            }
            i += width;
        }
        List<Integer> reversed = new ArrayList<>();
        boolean previousUnknown = false;
        for (int at = n; ; at = from[at]) {
            boolean isUnknown = token[at] == unknown;
            if (!(previousUnknown && isUnknown)) {
                reversed.add(token[at]);
            }
            if (from[at] == 0) {
                break;
            }
            previousUnknown = isUnknown;
        }
        Collections.reverse(reversed);
        out.addAll(reversed);
    }

    /** The bytes token {@code id} stands for: a normal token's text with {@code ▁} as space, a byte token's byte. */
    public byte[] pieceBytes(int id) {
        table.requireId(id);
        String token = table.tokens.get(id);
        return switch (table.kinds[id]) {
            case NORMAL -> token.replace(SPACE, " ").getBytes(StandardCharsets.UTF_8);
            case BYTE -> new byte[] {(byte) Integer.parseInt(token.substring(3, 5), 16)};
            default -> token.getBytes(StandardCharsets.UTF_8);
        };
    }

    /** The text of {@code ids}: their pieces' bytes read as UTF-8. */
    public String decode(int... ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            bytes.writeBytes(pieceBytes(id));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Adds this vocabulary's keys to a GGUF being written, as llama.cpp reads a {@code t5} one ({@link GgufUnigram}). */
    @Override
    public void writeTo(GgufWriter out) {
        GgufUnigram.write(this, out);
    }

    /** Writes a vocabulary-only GGUF that libllama loads and encodes with ({@code writeTo} and a LLaMA shape's keys). */
    public long writeVocabulary(Path path) {
        GgufWriter out = VocabularyFile.llama("llmgraph SentencePieceUnigram, " + size() + " tokens", size());
        writeTo(out);
        return out.write(path);
    }

    @Override
    public String toString() {
        return "SentencePieceUnigram(" + size() + " tokens, " + table.specialIds.size() + " special, "
                + (charsmap != null ? "precompiled normalisation" : "no normalisation rules") + ")";
    }
}
