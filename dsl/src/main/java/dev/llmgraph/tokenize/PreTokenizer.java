package dev.llmgraph.tokenize;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How text is cut into words before BPE, so that no merge crosses a word's edge: one or more regular
 * expressions applied in turn, each cutting every piece the one before it left into its matches and the text
 * between them (Hugging Face's {@code Split} with behaviour {@code Isolated}; {@code ByteLevel} with
 * {@code use_regex} is the GPT-2 expression, {@code Digits} is {@code \p{N}} or {@code \p{N}+}). \s, \p{L} and
 * \p{N} follow Unicode, as in Hugging Face's tokenizers and llama.cpp.
 *
 * <p>The named ones are those of llama.cpp's pre-tokenizer names ({@link #llamaCppName()}), which a GGUF file
 * gives in {@code tokenizer.ggml.pre}.
 */
public final class PreTokenizer {
    private static final String GPT2_EXPRESSION =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /** GPT-2's: English contraction suffixes, runs of letters, of digits, of other symbols, of whitespace. */
    public static final PreTokenizer GPT2 = new PreTokenizer("gpt-2", false, false, GPT2_EXPRESSION);
    /** Llama 3's: digits in groups of up to three, a symbol run keeps the line breaks after it. */
    public static final PreTokenizer LLAMA3 = new PreTokenizer("llama-bpe", true, true,
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
                    + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
    /** Qwen2's: Llama 3's with each digit a word of its own. */
    public static final PreTokenizer QWEN2 = new PreTokenizer("qwen2", false, false,
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
                    + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
    /** StarCoder's: each digit a word, then GPT-2's. */
    public static final PreTokenizer STARCODER = new PreTokenizer("starcoder", false, false, "\\p{N}", GPT2_EXPRESSION);

    private static final List<PreTokenizer> NAMED = List.of(GPT2, LLAMA3, QWEN2, STARCODER);
    /** llama.cpp's other names for the same rules ({@code llama-vocab.cpp}). */
    private static final List<List<String>> ALIASES = List.of(List.of("gpt-2", "mpt", "olmo", "phi-2"),
            List.of("llama-bpe", "llama3", "llama-v3"), List.of("qwen2", "deepseek-r1-qwen", "stablelm2"),
            List.of("starcoder", "refact"));

    private final String llamaCppName;
    private final boolean ignoresMerges;
    private final boolean addsBos;
    private final List<Pattern> steps;

    private PreTokenizer(String llamaCppName, boolean ignoresMerges, boolean addsBos, String... expressions) {
        this.llamaCppName = llamaCppName;
        this.ignoresMerges = ignoresMerges;
        this.addsBos = addsBos;
        List<Pattern> compiled = new ArrayList<>();
        for (String expression : expressions) {
            compiled.add(Pattern.compile(expression, Pattern.UNICODE_CHARACTER_CLASS));
        }
        this.steps = List.copyOf(compiled);
    }

    /**
     * The pre-tokenizer of these expressions, applied in turn; one of the named ones where the expressions are
     * its own. A malformed expression is refused with the regex engine's words.
     */
    public static PreTokenizer of(List<String> expressions) {
        if (expressions.isEmpty()) {
            throw new IllegalArgumentException("a pre-tokenizer needs at least one expression");
        }
        for (PreTokenizer named : NAMED) {
            if (named.expressions().equals(expressions)) {
                return named;
            }
        }
        try {
            return new PreTokenizer(null, false, false, expressions.toArray(String[]::new));
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("the pre-tokenizer expression is not a regular expression Java reads: "
                    + e.getDescription() + " near index " + e.getIndex() + " of " + e.getPattern(), e);
        }
    }

    /** The pre-tokenizer llama.cpp calls {@code name} ({@code tokenizer.ggml.pre}), where llmgraph knows it. */
    public static PreTokenizer ofLlamaCppName(String name) {
        for (int i = 0; i < NAMED.size(); i++) {
            if (ALIASES.get(i).contains(name)) {
                return NAMED.get(i);
            }
        }
        throw new IllegalArgumentException("the pre-tokenizer '" + name + "' is not one llmgraph's BPE knows; it knows "
                + ALIASES.stream().flatMap(List::stream).toList() + " (open the file with TextTokenizer.llama for "
                + "libllama's tokenizer, which knows more)");
    }

    /** The name llama.cpp gives these rules, or null where they are none of its names llmgraph knows. */
    public String llamaCppName() {
        return llamaCppName;
    }

    /**
     * Whether a word that is itself a token is taken whole before any merge (Llama 3's tokenizer.json sets
     * {@code ignore_merges}; llama.cpp does so for its name).
     */
    public boolean ignoresMerges() {
        return ignoresMerges;
    }

    /**
     * Whether llama.cpp puts the beginning-of-text token before a text for this name where the file does not say
     * ({@code tokenizer.ggml.add_bos_token} absent): for Llama 3's, as its tokenizer.json's post processor does.
     */
    public boolean addsBos() {
        return addsBos;
    }

    /** The expressions, in the order they are applied. */
    public List<String> expressions() {
        return steps.stream().map(Pattern::pattern).toList();
    }

    /** The words of {@code text}, in order; joined they give the text back. */
    public List<String> words(String text) {
        List<String> pieces = List.of(text);
        for (Pattern step : steps) {
            List<String> next = new ArrayList<>();
            for (String piece : pieces) {
                try {
                    split(step, piece, next);
                } catch (StackOverflowError e) {    // Java's regex engine recurses on some alternations of long text
                    throw new IllegalArgumentException("the pre-tokenizer expression " + step.pattern() + " ran out "
                            + "of stack on a piece of " + piece.length() + " characters; split the text into shorter "
                            + "parts, or simplify the expression");
                }
            }
            pieces = next;
        }
        return pieces;
    }

    /** The matches of {@code step} in {@code piece} and the non-empty text between them. */
    private static void split(Pattern step, String piece, List<String> out) {
        Matcher m = step.matcher(piece);
        int end = 0;
        while (m.find()) {
            if (m.start() > end) {
                out.add(piece.substring(end, m.start()));
            }
            if (m.end() > m.start()) {
                out.add(m.group());
            }
            end = m.end();
        }
        if (end < piece.length()) {
            out.add(piece.substring(end));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PreTokenizer p && java.util.Objects.equals(llamaCppName, p.llamaCppName)
                && ignoresMerges == p.ignoresMerges && addsBos == p.addsBos && expressions().equals(p.expressions());
    }

    @Override
    public int hashCode() {
        return expressions().hashCode();
    }

    @Override
    public String toString() {
        return llamaCppName != null ? "pre-tokenizer " + llamaCppName : "pre-tokenizer " + expressions();
    }
}
