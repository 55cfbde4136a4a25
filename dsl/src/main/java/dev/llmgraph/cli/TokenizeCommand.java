package dev.llmgraph.cli;

import dev.llmgraph.cli.CommandOptions.UsageException;
import dev.llmgraph.ggml.NativeLibraryException;
import dev.llmgraph.ggml.gguf.GgufException;
import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.llama.LlamaException;
import dev.llmgraph.io.hf.TokenizerJsonException;
import dev.llmgraph.text.TextTokenizer;
import dev.llmgraph.text.UnigramTextTokenizer;
import dev.llmgraph.text.WordPieceTextTokenizer;
import dev.llmgraph.tokenize.BpeVocabulary;
import dev.llmgraph.tokenize.GgufVocabulary;
import dev.llmgraph.tokenize.SentencePieceUnigram;
import dev.llmgraph.tokenize.WordPieceTokenizer;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/llmgraph tokenize (--gguf FILE | --hf DIR) --text TEXT [--special] [--plain]}: the ids and pieces a
 * model's own tokenizer gives a text, one per line. A GGUF file's vocabulary is encoded by libllama, as llama.cpp
 * encodes it, and again by llmgraph's Java tokenizer read from the file, and the two are compared; a checkpoint
 * folder's tokenizer (tokenizer.json, or SentencePiece's tokenizer.model / spiece.model) is encoded in Java.
 */
public final class TokenizeCommand {
    static final String USAGE = "usage: bin/llmgraph tokenize (--gguf FILE | --hf DIR) --text TEXT [--special] "
            + "[--plain]";
    static final String HELP = USAGE + """


            The ids and pieces a model's own tokenizer gives a text, one token per line. A GGUF file's vocabulary is
            encoded by libllama and again by llmgraph's Java tokenizer read from the file, and the two are compared; a
            checkpoint folder's tokenizer is encoded in Java.

              --gguf FILE   a GGUF file with a vocabulary (a model's, or a vocabulary-only file)
              --hf DIR      a Hugging Face folder with tokenizer.json, or SentencePiece's tokenizer.model or
                            spiece.model (tokenizer_config.json's markers are read too)
              --text TEXT   the text
              --special     read special-token text (<|im_end|>, [SEP], ...) as those tokens
              --plain       leave out the tokens the vocabulary puts around a text (a beginning-of-text token,
                            T5's </s>, BERT's [CLS] and [SEP])

            Exit codes: 0 done, 2 bad arguments or a vocabulary no tokenizer reads, 1 a file that cannot be read.
            """;

    private TokenizeCommand() {}

    record Arguments(Path source, boolean folder, String text, boolean special, boolean plain) {}

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs the command, printing to {@code out} and {@code err}; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        var parsed = CommandOptions.parse("tokenize", args, HELP, USAGE, TokenizeCommand::parse, out, err);
        if (parsed.done()) {
            return parsed.exitCode();
        }
        Arguments a = parsed.arguments();
        try {
            if (a.folder()) {
                try (TextTokenizer tokenizer = TextTokenizer.inFolder(a.source())) {
                    int[] ids = tokenizer.encode(a.text(), !a.plain(), a.special());
                    out.println("llmgraph tokenize: " + a.source() + ": " + ids.length + " tokens (" + describe(tokenizer)
                            + ", in Java)");
                    print(ids, tokenizer, out);
                }
                return 0;
            }
            try (TextTokenizer llama = TextTokenizer.llama(a.source())) {
                int[] ids = llama.encode(a.text(), !a.plain(), a.special());
                out.println("llmgraph tokenize: " + a.source() + ": " + ids.length + " tokens (libllama, "
                        + String.format(java.util.Locale.ROOT, "%,d", llama.size()) + " tokens)");
                print(ids, llama, out);
                out.println("llmgraph's Java tokenizer on the same vocabulary: " + javaAgainst(a, ids));
            }
            return 0;
        } catch (GgufException | NativeLibraryException | LlamaException | TokenizerJsonException
                 | java.io.UncheckedIOException e) {
            err.println("llmgraph tokenize: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            err.println("llmgraph tokenize: " + e.getMessage());
            return 2;
        }
    }

    static Arguments parse(String[] args) {
        Map<String, String> values = CommandOptions.values(args, List.of("--gguf", "--hf", "--text"),
                List.of("--special", "--plain"), List.of("--text"));
        if (values.containsKey("--gguf") == values.containsKey("--hf")) {
            throw new UsageException(values.containsKey("--gguf") ? "give --gguf or --hf, not both"
                    : "--gguf or --hf is missing");
        }
        if (values.get("--text").isEmpty()) {
            throw new UsageException("--text is empty; give the text to tokenize");
        }
        boolean folder = values.containsKey("--hf");
        Path source = folder ? Path.of(values.get("--hf")) : CommandOptions.gguf(values);
        if (folder && !Files.isDirectory(source)) {
            throw new UsageException("--hf " + source + ": not a folder; give the folder of a Hugging Face checkpoint "
                    + "or tokenizer");
        }
        return new Arguments(source, folder, values.get("--text"), values.containsKey("--special"),
                values.containsKey("--plain"));
    }

    /** "the same N ids", where they part, or why llmgraph's Java tokenizers do not read the file's vocabulary. */
    private static String javaAgainst(Arguments a, int[] libllama) {
        TextTokenizer java;
        try (GgufFile file = GgufFile.open(a.source())) {
            java = ggufTokenizer(file);
        } catch (IllegalArgumentException e) {
            return "none: " + e.getMessage();
        }
        int[] ids = java.encode(a.text(), !a.plain(), a.special());
        int first = Arrays.mismatch(libllama, ids);
        if (first < 0) {
            return "the same " + ids.length + " ids";
        }
        return "differs from token " + first + ": " + shownIds(ids, first) + " against libllama's "
                + shownIds(libllama, first);
    }

    private static String shownIds(int[] ids, int from) {
        int[] some = Arrays.copyOfRange(ids, Math.min(from, ids.length), Math.min(from + 5, ids.length));
        return some.length == 0 ? "(none)" : Arrays.toString(some) + (from + 5 < ids.length ? "..." : "");
    }

    /** llmgraph's Java tokenizer of an open GGUF file's vocabulary, for the kinds it reads. */
    private static TextTokenizer ggufTokenizer(GgufFile file) {
        return switch (GgufVocabulary.read(file).orElse(null)) {
            case BpeVocabulary bpe -> TextTokenizer.of(bpe);
            case WordPieceTokenizer wordPiece -> TextTokenizer.of(wordPiece);
            case SentencePieceUnigram unigram -> TextTokenizer.of(unigram);
            case null, default -> throw new IllegalArgumentException(file.path().getFileName() + ": the vocabulary is '"
                    + (file.has("tokenizer.ggml.model") ? file.getString("tokenizer.ggml.model") : "none")
                    + "'; llmgraph's Java tokenizers read " + GgufVocabulary.READ_IN_JAVA);
        };
    }

    private static String describe(TextTokenizer tokenizer) {
        String kind = switch (tokenizer) {
            case WordPieceTextTokenizer w -> "WordPiece";
            case UnigramTextTokenizer u -> "SentencePiece Unigram";
            default -> "BPE";
        };
        return kind + ", " + String.format(java.util.Locale.ROOT, "%,d", tokenizer.size()) + " tokens";
    }

    private static void print(int[] ids, TextTokenizer tokenizer, PrintStream out) {
        int width = Integer.toString(Math.max(1, tokenizer.size() - 1)).length();
        for (int id : ids) {
            out.printf("  %" + width + "d  %s%n", id, shown(tokenizer.pieceBytes(id)));
        }
    }

    /**
     * A piece as text in quotes, line breaks and other control characters escaped; a piece that is not whole UTF-8
     * (a byte of a character that no merge joined) as its bytes, {@code <0xE5>}.
     */
    static String shown(byte[] piece) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(piece)).toString();
        } catch (CharacterCodingException e) {
            StringBuilder bytes = new StringBuilder();
            for (byte b : piece) {
                bytes.append(String.format("<0x%02X>", b & 0xFF));
            }
            return bytes.toString();
        }
        StringBuilder quoted = new StringBuilder("'");
        text.codePoints().forEach(c -> quoted.append(switch (c) {
            case '\n' -> "\\n";
            case '\t' -> "\\t";
            case '\r' -> "\\r";
            case '\\' -> "\\\\";
            default -> Character.isISOControl(c) ? String.format("\\u%04x", c) : Character.toString(c);
        }));
        return quoted.append('\'').toString();
    }
}
