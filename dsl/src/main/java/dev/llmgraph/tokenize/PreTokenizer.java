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
    /** Qwen3.5's: Qwen2's with combining marks kept in the letters' words. */
    public static final PreTokenizer QWEN35 = new PreTokenizer("qwen35", false, false,
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*"
                    + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
    /**
     * DeepSeek LLM's: line breaks, then runs of Latin, Greek, Cyrillic and other cased letters, of ASCII and
     * full-width punctuation, trailing spaces, runs of CJK and Hangul, and of digits, each cut out in turn.
     */
    public static final PreTokenizer DEEPSEEK_LLM = new PreTokenizer("deepseek-llm", false, false,
            "[\r\n]",
            "\\s?[A-Za-z\u00B5\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u01BA\u01BC-\u01BF\u01C4-\u0293\u0295"
                + "-\u02AF\u0370-\u0373\u0376\u0377\u037B-\u037D\u037F\u0386\u0388-\u038A\u038C\u038E-"
                + "\u03A1\u03A3-\u03F5\u03F7-\u0481\u048A-\u052F\u0531-\u0556\u10A0-\u10C5\u13A0-\u13F5"
                + "\u13F8-\u13FD\u1C90-\u1CBA\u1CBD-\u1CBF\u1D00-\u1D2B\u1D6B-\u1D77\u1D79-\u1D9A\u1E00-"
                + "\u1F15\u1F18-\u1F1D\u1F20-\u1F45\u1F48-\u1F4D\u1F50-\u1F57\u1F59\u1F5B\u1F5D\u1F5F-"
                + "\u1F7D\u1F80-\u1FB4\u1FB6-\u1FBC\u1FBE\u1FC2-\u1FC4\u1FC6-\u1FCC\u1FD0-\u1FD3\u1FD6-"
                + "\u1FDB\u1FE0-\u1FEC\u1FF2-\u1FF4\u1FF6-\u1FFC\u2102\u2107\u210A-\u2113\u2115\u2119-"
                + "\u211D\u2124\u2126\u2128\u212A-\u212D\u212F-\u2134\u2139\u213C-\u213F\u2145-\u2149\u214E"
                + "\u2183\u2184\u2C00-\u2C7B\u2C7E-\u2CE4\u2CEB-\u2CEE\u2CF2\u2CF3\uA640-\uA66D\uA680-"
                + "\uA69B\uA722-\uA76F\uA771-\uA787\uA78B-\uA78E\uAB70-\uABBF\uFB00-\uFB06\uFB13-\uFB17"
                + "\uFF21-\uFF3A\uFF41-\uFF5A\uD801\uDC00-\uD801\uDC4F\uD801\uDCB0-\uD801\uDCD3\uD801\uDCD8"
                + "-\uD801\uDCFB\uD803\uDC80-\uD803\uDCB2\uD803\uDCC0-\uD803\uDCF2\uD806\uDCA0-\uD806\uDCDF"
                + "\uD83A\uDD00-\uD83A\uDD43]+",
            "\\s?[!-/:-~\uFF01-\uFF0F\uFF1A-\uFF5E\u2018-\u201F\u3000-\u3002]+",
            "\\s+$",
            "[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+",
            "\\p{N}+");
    /** DeepSeek Coder's: line breaks, letter runs, punctuation runs, CJK and Hangul runs, single digits. */
    public static final PreTokenizer DEEPSEEK_CODER = new PreTokenizer("deepseek-coder", false, false,
            "[\r\n]",
            "\\s?\\p{L}+",
            "\\s?\\p{P}+",
            "[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+",
            "\\p{N}");
    /** Falcon's: punctuation and symbol runs first, then GPT-2's, then groups of three ASCII digits. */
    public static final PreTokenizer FALCON = new PreTokenizer("falcon", false, false,
            "[\\p{P}\\$\\+<=>\\^~\\|`]+",
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)",
            "[0-9][0-9][0-9]");

    /** Llama 3's expression, merges applied to every word: DBRX's (GLM-4's and Smaug's files name the same rules). */
    public static final PreTokenizer DBRX = new PreTokenizer("dbrx", false, false, LLAMA3.expressions().getFirst());
    /**
     * GPT-4o's (Llama 4's): letter runs cut where a lower-case letter meets an upper-case one ("camel", "Case"), a
     * contraction kept on its word, digits in groups of up to three, a symbol run keeps a slash or line breaks after it.
     */
    public static final PreTokenizer GPT4O = new PreTokenizer("gpt-4o", false, false,
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+"
                    + "(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+"
                    + "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}"
                    + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
    /** Mistral's Tekken: GPT-4o's without contractions, each digit a word; a word that is a token is taken whole. */
    public static final PreTokenizer TEKKEN = new PreTokenizer("tekken", true, true,
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+"
                    + "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*"
                    + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
    /**
     * DeepSeek V3's: digits in groups of up to three, then runs of CJK ideographs and kana, then an ASCII symbol
     * with the Latin letters after it, letter runs with their marks, symbol runs, line breaks and spaces.
     */
    public static final PreTokenizer DEEPSEEK_V3 = new PreTokenizer("deepseek-v3", false, false,
            "\\p{N}{1,3}",
            "[\u4E00-\u9FA5\u3040-\u309F\u30A0-\u30FF]+",
            "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+"
                    + "| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+");
    /** Seed-Coder's: Qwen2's with line breaks never in a symbol run. */
    public static final PreTokenizer SEED_CODER = new PreTokenizer("seed-coder", false, false,
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1}| ?[^\\s\\p{L}\\p{N}\r\n]+|\\s*[\r\n]+"
                    + "|\\s+(?!\\S)|\\s+");
    /** Ling's (BailingMoE): Qwen2's with possessive runs and one line break per word. */
    public static final PreTokenizer BAILINGMOE = new PreTokenizer("bailingmoe", false, false,
            "'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*|\\s*[\\r\\n]"
                    + "|\\s+(?!\\S)|\\s+");
    /** MiniCPM 5's: digits in groups of up to three, then Llama 3's with digit runs; words that are tokens whole. */
    public static final PreTokenizer MINICPM5 = new PreTokenizer("minicpm5", true, false,
            "\\p{N}{1,3}",
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}+| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
                    + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
    /** Qwen2's without English contractions, so that a Turkish suffix after an apostrophe stays on its word. */
    public static final PreTokenizer UFAKZEKA = new PreTokenizer("ufakzeka", false, false,
            "[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
    /**
     * Tiny Aya's (Cohere's): digit runs cut in threes from the right where a word boundary follows them, then
     * GPT-4o's.
     */
    public static final PreTokenizer TINY_AYA = new PreTokenizer("tiny_aya", false, false,
            DigitGroups.EXPRESSION, GPT4O.expressions().getFirst());

    /**
     * BLOOM's: a word is an optional space and a run of anything but whitespace, parentheses, bars and the Latin,
     * Chinese, Devanagari and Arabic full stops, commas and marks its class lists (a class nested in a class, which
     * Java reads as Hugging Face's Oniguruma does: the union of the two).
     */
    public static final PreTokenizer BLOOM = new PreTokenizer("bloom", false, false,
            " ?[^(\\s|[.,!?\u2026\u3002\uFF0C\u3001\u0964\u06D4\u060C])]+");

    private static final List<PreTokenizer> NAMED = List.of(GPT2, LLAMA3, QWEN2, STARCODER, QWEN35, DEEPSEEK_LLM,
            DEEPSEEK_CODER, FALCON, DBRX, GPT4O, TEKKEN, DEEPSEEK_V3, SEED_CODER, BAILINGMOE, MINICPM5, UFAKZEKA,
            TINY_AYA, BLOOM);
    /**
     * llama.cpp's names for the same rules ({@code llama-vocab.cpp}), the first the one written; only names for which
     * llama.cpp sets nothing else that changes encoding.
     */
    private static final List<List<String>> ALIASES = List.of(
            List.of("gpt-2", "mpt", "olmo", "phi-2", "jais", "exaone4", "trillion", "granite-docling", "jina-es",
                    "jina-de", "jina-v2-es", "jina-v2-de", "gigachat", "a.x-4.0", "mellum", "modern-bert"),
            List.of("llama-bpe", "llama3", "llama-v3", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
                    "jina-v5-nano"),
            List.of("qwen2", "deepseek-r1-qwen", "stablelm2", "kormo", "f2llmv2", "megrez", "grok-2", "hunyuan",
                    "solar-open"),
            List.of("starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b", "mellum2"),
            List.of("qwen35"), List.of("deepseek-llm"), List.of("deepseek-coder"), List.of("falcon"),
            List.of("dbrx", "smaug-bpe", "glm4", "chatglm-bpe"),
            List.of("gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2"), List.of("tekken"),
            List.of("deepseek-v3", "hunyuan-dense", "joyai-llm", "hy_v4"), List.of("seed-coder"),
            List.of("bailingmoe", "bailingmoe2", "llada-moe"), List.of("minicpm5"), List.of("ufakzeka"),
            List.of("tiny_aya", "cohere2moe"), List.of("bloom", "poro-chat", "gpt3-finnish"));

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
        return of(expressions, null);
    }

    /**
     * As {@link #of(List)}, where a tokenizer takes a word that is a token whole or not: of two named ones with the
     * same expressions (Llama 3's and DBRX's), the one that does as the tokenizer does.
     */
    public static PreTokenizer of(List<String> expressions, boolean ignoresMerges) {
        return of(expressions, Boolean.valueOf(ignoresMerges));
    }

    private static PreTokenizer of(List<String> expressions, Boolean ignoresMerges) {
        if (expressions.isEmpty()) {
            throw new IllegalArgumentException("a pre-tokenizer needs at least one expression");
        }
        PreTokenizer sameExpressions = null;
        for (PreTokenizer named : NAMED) {
            if (named.expressions().equals(expressions)) {
                if (ignoresMerges == null || named.ignoresMerges == ignoresMerges) {
                    return named;
                }
                sameExpressions = sameExpressions != null ? sameExpressions : named;
            }
        }
        if (sameExpressions != null) {
            return sameExpressions;
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
        int others = ALIASES.stream().mapToInt(names -> names.size() - 1).sum();
        throw new IllegalArgumentException("the pre-tokenizer '" + name + "' is not one llmgraph's BPE knows; it knows "
                + namedOnes() + " and " + others
                + " other names llama.cpp gives them (open the file with TextTokenizer.llama for libllama's tokenizer, "
                + "which knows more)");
    }

    /** The pre-tokenizers llmgraph knows by llama.cpp's names. */
    public static List<PreTokenizer> named() {
        return NAMED;
    }

    /** Every name llama.cpp gives {@code named}'s rules, the one written first; none for an unnamed one. */
    public static List<String> llamaCppNames(PreTokenizer named) {
        int i = NAMED.indexOf(named);
        return i < 0 ? List.of() : ALIASES.get(i);
    }

    /** The llama.cpp names of the rules llmgraph knows, as a list in words: "gpt-2, llama-bpe, ..., falcon". */
    static String namedOnes() {
        List<String> names = NAMED.stream().map(PreTokenizer::llamaCppName).toList();
        return String.join(", ", names.subList(0, names.size() - 1)) + ", " + names.getLast();
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
                    if (step.pattern().equals(DigitGroups.EXPRESSION)) {
                        DigitGroups.split(piece, next);
                    } else {
                        split(step, piece, next);
                    }
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
