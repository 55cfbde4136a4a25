package dev.llmgraph.cli;

import dev.llmgraph.cli.CommandOptions.UsageException;
import dev.llmgraph.ggml.CpuThreads;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.gguf.GgufException;
import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.io.gguf.EncoderDecoderGguf;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.io.hf.HfConfig;
import dev.llmgraph.io.hf.HfConfigException;
import dev.llmgraph.io.hf.TokenizerJson;
import dev.llmgraph.io.safetensors.SafetensorsException;
import dev.llmgraph.io.safetensors.SafetensorsExport;
import dev.llmgraph.io.safetensors.SafetensorsWeights;
import dev.llmgraph.io.safetensors.T5Checkpoints;
import dev.llmgraph.model.EncoderDecoderModel;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.spec.EncoderDecoderSpec;
import dev.llmgraph.text.TextToTextModel;
import dev.llmgraph.tokenize.BpeTokenizer;
import dev.llmgraph.tokenize.BpeVocabulary;
import dev.llmgraph.tokenize.GgufBpe;
import dev.llmgraph.tokenize.GgufVocabulary;
import dev.llmgraph.tokenize.SentencePieceBpe;
import dev.llmgraph.tokenize.SentencePieceModelFile;
import dev.llmgraph.tokenize.SentencePieceUnigram;
import dev.llmgraph.tokenize.TokenKind;
import dev.llmgraph.tokenize.WordPieceTokenizer;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code bin/llmgraph convert --hf DIR --out FILE.gguf [--type T]} and {@code convert --gguf FILE --out DIR
 * [--type T]}: a Hugging Face checkpoint folder to a GGUF file llama.cpp runs, and back, tokenizer included;
 * decoders, encoders and T5. The folder's tokenizer.json (byte-level or SentencePiece-style BPE, BERT's WordPiece or
 * SentencePiece's Unigram, read in Java) goes into the GGUF as llama.cpp's vocabulary (padded to the model's rows)
 * with tokenizer_config.json's chat template; a GGUF's vocabulary of those kinds comes out as tokenizer.json (and
 * tokenizer_config.json) beside config.json and the safetensors. A tokenizer of another kind is left out, in words.
 *
 * <p>Exit codes: 0 done; 2 bad arguments; 1 a file llmgraph cannot read or write as asked.
 */
public final class ConvertCommand {
    static final String USAGE = "usage: bin/llmgraph convert (--hf DIR --out FILE.gguf [--type f32|f16|bf16|q8_0|q4_0|"
            + "q4_k|...] | --gguf FILE --out DIR [--type f32|f16|bf16]) [--threads N]";
    static final String HELP = USAGE + """


            Converts a model with its tokenizer, without Python: a Hugging Face checkpoint folder to a GGUF file
            that llama.cpp (and llmgraph) runs, or a GGUF file to a checkpoint folder that Hugging Face's
            transformers (and llmgraph) load.

              --hf DIR       a checkpoint folder: config.json and safetensors weights, and its tokenizer.json
                             (byte-level or SentencePiece-style BPE, BERT's WordPiece or T5's Unigram) if it has one,
                             or else SentencePiece's tokenizer.model (spiece.model), which goes into the GGUF as the
                             model's vocabulary with tokenizer_config.json's chat template
              --gguf FILE    a GGUF model file; its vocabulary (byte-level BPE, SentencePiece, WordPiece or Unigram)
                             comes out as tokenizer.json and tokenizer_config.json
              --out PATH     the GGUF file, or the folder, to write (written over where it exists)
              --type T       to a GGUF: the matrices' type (f32, f16, bf16, or a quantized type such as q8_0, q4_0,
                             q4_k; default: as the checkpoint holds them); to a folder: f32, f16 or bf16 (default:
                             each tensor's own type where it is one of those, f32 for quantized ones); T5 is written
                             in its own types
              --threads N    CPU threads for quantizing (default: all cores)

            Exit codes: 0 done, 2 bad arguments, 1 a file that cannot be read or written as asked.
            """;
    private static final List<String> OPTIONS = List.of("--hf", "--gguf", "--out", "--type", "--threads");

    private ConvertCommand() {}

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** The parsed command line: from a checkpoint folder ({@code toGguf}) or from a GGUF file. */
    record Arguments(Path from, boolean toGguf, Path out, GgmlType type, int threads) {}

    /** Runs the command, printing to {@code out} and {@code err}; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        var parsed = CommandOptions.parse("convert", args, HELP, USAGE, ConvertCommand::parse, out, err);
        if (parsed.done()) {
            return parsed.exitCode();
        }
        Arguments a = parsed.arguments();
        ModelOptions options = ModelOptions.cpu().withThreads(a.threads());
        try {
            out.println("llmgraph convert: " + (a.toGguf() ? toGguf(a, options) : toCheckpoint(a, options)));
            return 0;
        } catch (GgufException | HfConfigException | SafetensorsException | IllegalArgumentException
                 | UncheckedIOException e) {   // tokenizer.json's refusals, a model without a form in the target
            err.println("llmgraph convert: " + e.getMessage());
            return 1;
        }
    }

    /** The checkpoint folder as a GGUF file; what was written, in one line. */
    private static String toGguf(Arguments a, ModelOptions options) {
        boolean t5 = TextToTextModel.holdsEncoderDecoder(a.from());
        if (t5 && a.type() != null) {
            throw new IllegalArgumentException("--type " + a.type() + ": a T5 checkpoint is written in its own types; "
                    + "drop --type");
        }
        boolean hasTokenizer = Files.exists(a.from().resolve("tokenizer.json"));
        String kind = hasTokenizer ? TokenizerJson.modelType(a.from()) : "";
        Optional<String> template = TokenizerJson.chatTemplate(a.from());
        GgufVocabulary vocabulary = null;     // read before the weights: a refusal costs no loading
        String tokenizer;
        if (kind.equals("BPE")) {
            BpeVocabulary padded = TokenizerJson.readForModel(a.from());
            if (padded instanceof BpeTokenizer byteLevel) {
                requireLlamaCppRules(byteLevel);
            }
            int tokens = padded.size() - (int) padded.kinds().stream().filter(k -> k == TokenKind.UNUSED).count();
            vocabulary = template.map(padded::withChatTemplate).orElse(padded);
            tokenizer = describe(padded, tokens) + (tokens < padded.size() ? ", padded to " + padded.size() + " rows"
                    : "") + (template.isPresent() ? ", chat template" : "");
        } else if (kind.equals("WordPiece")) {
            WordPieceTokenizer wordPiece = TokenizerJson.readWordPiece(a.from());
            vocabulary = wordPiece;
            tokenizer = describe(wordPiece);
        } else if (kind.equals("Unigram")) {
            SentencePieceUnigram unigram = TokenizerJson.readUnigram(a.from());
            vocabulary = padded(unigram, rows(a.from(), t5), "tokenizer.json");
            tokenizer = describe(unigram) + padding(unigram.size(), vocabulary.size());
        } else if (!hasTokenizer && SentencePieceModelFile.in(a.from()).isPresent()) {
            Path file = SentencePieceModelFile.in(a.from()).get();
            GgufVocabulary read = SentencePieceModelFile.read(file);
            vocabulary = padded(read, rows(a.from(), t5), file.getFileName().toString());
            tokenizer = file.getFileName() + ", " + (read instanceof SentencePieceUnigram unigram ? describe(unigram)
                    : describe((SentencePieceBpe) read, read.size())) + padding(read.size(), vocabulary.size());
        } else {
            tokenizer = hasTokenizer ? "none: tokenizer.json is a " + kind + " tokenizer, which llmgraph does not read "
                    + "(it reads BPE, WordPiece and Unigram); the file runs on token ids, and llama.cpp needs a "
                    + "vocabulary to read text" : "none (no tokenizer.json): llama.cpp needs one to read text";
        }
        createParent(a.out());
        if (t5) {
            try (EncoderDecoderModel model = T5Checkpoints.load(a.from(), options)) {
                long bytes = EncoderDecoderGguf.write(model, a.out(), vocabulary);
                return a.from() + " (" + model.spec().name() + ") -> " + a.out() + " (" + mebibytes(bytes)
                        + ", weights as in the checkpoint); tokenizer: " + tokenizer;
            }
        }
        try (Model model = SafetensorsWeights.loadModel(a.from(), options)) {
            long bytes = GgufModels.write(model, a.out(), a.type(), vocabulary);
            return a.from() + " (" + model.spec().name() + ") -> " + a.out() + " (" + mebibytes(bytes) + ", matrices "
                    + (a.type() == null ? "as in the checkpoint" : a.type()) + "); tokenizer: " + tokenizer;
        }
    }

    /** The GGUF file as a checkpoint folder; what was written, in one line. */
    private static String toCheckpoint(Arguments a, ModelOptions options) {
        String vocabularyKind;
        Optional<String> template;
        BpeVocabulary vocabulary;
        WordPieceTokenizer wordPiece;
        SentencePieceUnigram unigram;
        boolean t5;
        try (GgufFile file = GgufFile.open(a.from())) {     // the vocabulary before the weights
            t5 = EncoderDecoderGguf.holdsEncoderDecoder(file);
            vocabularyKind = file.has("tokenizer.ggml.model") ? file.getString("tokenizer.ggml.model") : null;
            template = file.has("tokenizer.chat_template") ? Optional.of(file.getString("tokenizer.chat_template"))
                    : Optional.empty();
            GgufVocabulary read = GgufVocabulary.read(file).orElse(null);
            vocabulary = read instanceof BpeVocabulary bpe ? bpe : null;
            wordPiece = read instanceof WordPieceTokenizer w ? w : null;
            unigram = read instanceof SentencePieceUnigram u ? u : null;
        }
        if (t5) {
            if (a.type() != null) {
                throw new IllegalArgumentException("--type " + a.type() + ": a T5 file is written in its own types; "
                        + "drop --type");
            }
            try (EncoderDecoderModel model = EncoderDecoderGguf.load(a.from(), options)) {
                EncoderDecoderSpec spec = model.spec();
                boolean unscaledTiedHead = spec.tiedEmbeddings() && !spec.rescaledHead();   // llama.cpp's T5 v1.0
                List<Path> written = T5Checkpoints.write(model, unscaledTiedHead ? spec.withTiedEmbeddings(true) : spec,
                        a.out());
                if (unigram != null) {   // spiece.model too: llama.cpp's converter reads T5's vocabulary from it
                    TokenizerJson.write(unigram, a.out().resolve("tokenizer.json"));
                    SentencePieceModelFile.write(unigram, a.out().resolve("spiece.model"));
                }
                return a.from() + " (" + model.spec().name() + ") -> " + a.out() + " (" + written.size() + " files, "
                        + mebibytes(written.stream().mapToLong(ConvertCommand::size).sum()) + "); tokenizer: "
                        + (unigram != null ? describe(unigram) : noTokenizer(vocabularyKind))
                        + (unscaledTiedHead ? unscaledHead(spec.dModel()) : "");
            }
        }
        try (Model model = GgufModels.load(a.from(), options)) {
            List<Path> written = SafetensorsExport.write(model, a.out(), a.type(),
                    SafetensorsExport.DEFAULT_MAX_SHARD_BYTES);
            long bytes = written.stream().mapToLong(ConvertCommand::size).sum();
            if (vocabulary != null) {
                TokenizerJson.write(vocabulary, a.out().resolve("tokenizer.json"));
                TokenizerJson.writeConfig(vocabulary, template.orElse(null), a.out().resolve("tokenizer_config.json"));
            } else if (wordPiece != null) {
                TokenizerJson.write(wordPiece, a.out().resolve("tokenizer.json"));
            } else if (unigram != null) {
                TokenizerJson.write(unigram, a.out().resolve("tokenizer.json"));
            }
            return a.from() + " (" + model.spec().name() + ") -> " + a.out() + " (" + written.size() + " files, "
                    + mebibytes(bytes) + "); tokenizer: " + (vocabulary != null ? describe(vocabulary, vocabulary.size())
                    + (template.isPresent() ? ", chat template" : "") : wordPiece != null ? describe(wordPiece)
                    : unigram != null ? describe(unigram) : noTokenizer(vocabularyKind));
        }
    }

    /**
     * The report's note on a T5 file whose head is its token embedding unscaled: what llama.cpp's converter writes of a
     * T5 v1.0 checkpoint (no output.weight), where transformers scales that tied head by dModel^-0.5.
     */
    private static String unscaledHead(int dModel) {
        return String.format(Locale.ROOT, "; note: the file's head is its token embedding unscaled, as llama.cpp's "
                + "converter writes T5 v1.0 checkpoints (transformers scales that tied head by dModel^-0.5): the folder "
                + "is written as T5 v1.0, as the checkpoint the file was made from, and gives the file's logits divided "
                + "by %.1f (the same greedy tokens)", Math.sqrt(dModel));
    }

    /** A tokenizer.json llama.cpp would tokenize otherwise, refused in words before the weights load. */
    private static void requireLlamaCppRules(BpeTokenizer bpe) {
        try {
            GgufBpe.requireLlamaCppRules(bpe);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tokenizer.json: " + e.getMessage() + "; the checkpoint is not written",
                    e);
        }
    }

    /** The model's token rows, as config.json gives them. */
    private static int rows(Path dir, boolean t5) {
        return t5 ? T5Checkpoints.spec(dir).vocabSize() : HfConfig.read(dir).vocabSize();
    }

    /** A SentencePiece vocabulary padded to the model's rows, as llama.cpp's converter pads it. */
    private static GgufVocabulary padded(GgufVocabulary vocabulary, int rows, String file) {
        if (vocabulary.size() > rows) {
            throw new IllegalArgumentException(file + " has " + vocabulary.size() + " tokens but config.json's "
                    + "vocab_size is " + rows + "; the model has a logit for each of at most " + rows + " tokens, so "
                    + "this tokenizer is not its own");
        }
        return switch (vocabulary) {
            case SentencePieceUnigram unigram -> unigram.paddedTo(rows);
            case SentencePieceBpe bpe -> bpe.size() < rows ? bpe.paddedTo(rows) : bpe;
            default -> vocabulary;
        };
    }

    private static String padding(int tokens, int rows) {
        return tokens < rows ? ", padded to " + rows + " rows" : "";
    }

    private static String noTokenizer(String vocabularyKind) {
        boolean none = vocabularyKind == null || vocabularyKind.equals("none");   // llama.cpp's word for no vocabulary
        return none ? "none in the file" : "none written: the file's vocabulary is '" + vocabularyKind
                + "', which llmgraph writes no tokenizer.json of (it does " + GgufVocabulary.READ_IN_JAVA + ")";
    }

    private static String describe(SentencePieceUnigram unigram) {
        return String.format(Locale.ROOT, "SentencePiece Unigram, %,d tokens", unigram.size());
    }

    private static String describe(WordPieceTokenizer wordPiece) {
        return String.format(Locale.ROOT, "WordPiece, %,d tokens", wordPiece.size());
    }

    private static String describe(BpeVocabulary vocabulary, int tokens) {
        return (vocabulary instanceof SentencePieceBpe ? "SentencePiece-style BPE" : "byte-level BPE") + ", "
                + String.format(Locale.ROOT, "%,d", tokens) + " tokens";
    }

    private static void createParent(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot create its folder (" + e + ")", e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read its size (" + e + ")", e);
        }
    }

    private static String mebibytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    static Arguments parse(String[] args) {
        Map<String, String> values = CommandOptions.values(args, OPTIONS, List.of("--out"));
        boolean toGguf = values.containsKey("--hf");
        Path from = CommandOptions.checkpointOrGguf(values);
        Path out = Path.of(values.get("--out"));
        if (toGguf && Files.isDirectory(out)) {
            throw new UsageException("--out " + out + ": is a folder; give the GGUF file to write");
        }
        if (!toGguf && Files.isRegularFile(out)) {
            throw new UsageException("--out " + out + ": is a file; give the folder to write the checkpoint into");
        }
        GgmlType type = values.containsKey("--type") ? type(values.get("--type"), toGguf) : null;
        return new Arguments(from, toGguf, out, type, CommandOptions.threads(values, CpuThreads.perCore()));
    }

    private static GgmlType type(String name, boolean toGguf) {
        GgmlType type;
        try {
            type = GgmlType.parse(name);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--type " + name + ": not a ggml type (f32, f16, bf16, q8_0, q4_0, q4_k, ...)");
        }
        if (!toGguf && !type.isFloat()) {
            throw new UsageException("--type " + name + ": a checkpoint's safetensors hold f32, f16 or bf16");
        }
        if (toGguf && !type.isFloat() && !type.isQuantized()) {
            throw new UsageException("--type " + name + ": matrices are stored as a float or a quantized type");
        }
        return type;
    }
}
