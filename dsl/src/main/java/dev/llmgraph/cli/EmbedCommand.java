package dev.llmgraph.cli;

import dev.llmgraph.cli.CommandOptions.UsageException;
import dev.llmgraph.ggml.CpuThreads;
import dev.llmgraph.ggml.gguf.GgufException;
import dev.llmgraph.ggml.NativeLibraryException;
import dev.llmgraph.ggml.llama.LlamaException;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.io.hf.HfConfigException;
import dev.llmgraph.io.hf.TokenizerJsonException;
import dev.llmgraph.io.safetensors.SafetensorsException;
import dev.llmgraph.io.safetensors.SafetensorsWeights;
import dev.llmgraph.model.Encoding;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.text.TextTokenizer;
import dev.llmgraph.tokenize.SentencePieceModelFile;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code bin/llmgraph embed (--gguf FILE | --hf DIR) (--tokens 1,2,3 | --text TEXT) --out FILE [--pooled]
 * [--token-types 0,0,1] [--backend cpu|cuda] [--threads N]}: runs an encoder (llama.cpp's {@code bert}, T5's encoder;
 * or a BERT checkpoint folder) over the token ids and writes every token's hidden state as raw little-endian float32,
 * row-major [tokens x dModel] (llama.cpp's {@code llama_get_embeddings} layout without pooling), or with
 * {@code --pooled} the one vector [1 x dModel] the model's pooling type makes (llama.cpp's
 * {@code llama_get_embeddings_seq}), not normalised. {@code --text} encodes a text with the model's own tokenizer and
 * the tokens it puts around a text ({@code [CLS]} and {@code [SEP]} for BERT): libllama's on a GGUF file's
 * vocabulary, the folder's tokenizer.json in Java (WordPiece or BPE).
 *
 * <p>Exit codes: 0 done; 2 bad arguments or input (one line on stderr saying which: an option, a token id or type out
 * of range, a model that is not an encoder, {@code --pooled} on a model without pooling); 1 a file llmgraph cannot
 * read, a backend that was not built, or an output that cannot be written.
 */
public final class EmbedCommand {
    static final String USAGE = "usage: bin/llmgraph embed (--gguf FILE | --hf DIR) (--tokens 1,2,3 | --text TEXT) "
            + "--out FILE [--pooled] [--token-types 0,0,1] [--backend cpu|cuda] [--threads N]";
    static final String HELP = USAGE + """


            An encoder's hidden states for the token ids (all in one batch, every token seeing every token); writes
            them as raw little-endian float32, row-major [tokens x dModel], or with --pooled the pooled vector
            [1 x dModel] (the model's pooling type: mean, CLS or last; not normalised).

              --gguf FILE          the model (architecture bert, nomic-bert or t5encoder)
              --hf DIR             a Hugging Face checkpoint folder instead (BERT): config.json, safetensors weights
                                   and, for --text, its tokenizer.json
              --tokens 1,2,3       token ids, comma-separated
              --text TEXT          a text instead, encoded with the model's tokenizer and the tokens it puts
                                   around a text ([CLS] ... [SEP] for BERT); the ids are printed
              --out FILE           where the embeddings go
              --pooled             write the pooled vector instead of every token's hidden state
              --token-types 0,0,1  each token's type (segment), comma-separated (default: all 0, as llama.cpp)
              --backend cpu|cuda   (default cpu; cuda:N for GPU N)
              --threads N          CPU threads (default: all cores)

            Exit codes: 0 done, 2 bad arguments or input, 1 a file that cannot be read or written, or a backend
            not built.
            """;

    private EmbedCommand() {}

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * The parsed command line: the GGUF file or checkpoint folder, the ids or (when {@code tokens} is null) the text;
     * {@code types} null for all 0.
     */
    record Arguments(Path model, boolean checkpoint, int[] tokens, String text, int[] types, Path out,
                     boolean pooled, String backend, int threads) {}

    /** Runs the command, printing to {@code out} and {@code err}; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            out.print(HELP);
            return 0;
        }
        Arguments arguments;
        try {
            arguments = parse(args);
        } catch (UsageException e) {
            err.println("llmgraph embed: " + e.getMessage() + " (" + USAGE + ")");
            return 2;
        }
        ModelOptions options = ModelOptions.cpu().withBackend(arguments.backend()).withThreads(arguments.threads());
        try {
            int[] tokens = arguments.tokens();
            if (tokens == null) {   // before the weights: a text the tokenizer refuses costs no loading
                tokens = encode(arguments.model(), arguments.checkpoint(), arguments.text());
                out.println("text -> " + tokens.length + " tokens: " + Arrays.stream(tokens)
                        .mapToObj(String::valueOf).collect(Collectors.joining(",")));
            }
            try (Model model = arguments.checkpoint() ? SafetensorsWeights.loadModel(arguments.model(), options)
                    : GgufModels.load(arguments.model(), options)) {
                Encoding encoding = model.encode(tokens, arguments.types());
                float[] values = arguments.pooled() ? encoding.pooled() : encoding.hiddenStates();
                LogitsCommand.write(values, arguments.out());
                int rows = arguments.pooled() ? 1 : encoding.tokens();
                out.println((arguments.pooled() ? "pooled embedding (" + encoding.pooling() + ")" : "hidden states")
                        + " [" + rows + " x " + encoding.dModel() + "] (f32, little-endian, row-major) -> "
                        + arguments.out());
                return 0;
            }
        } catch (GgufException | NativeLibraryException | LlamaException | HfConfigException | SafetensorsException
                 | TokenizerJsonException | java.io.UncheckedIOException e) {
            err.println("llmgraph embed: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
            // ids or types out of range, a sequence longer than the context, a decoder, --pooled without pooling
            err.println("llmgraph embed: " + e.getMessage());
            return 2;
        }
    }

    /**
     * The ids of {@code text} with the tokens the model's tokenizer puts around a text: libllama's on a GGUF file's
     * vocabulary; a checkpoint folder's tokenizer in Java ({@code [CLS]} and {@code [SEP]} around a WordPiece text, a
     * BPE's beginning-of-text token where it adds one), special-token text read as text, as libllama reads it here.
     */
    static int[] encode(Path model, boolean checkpoint, String text) {
        if (checkpoint && !Files.exists(model.resolve("tokenizer.json"))
                && SentencePieceModelFile.in(model).isEmpty()) {
            throw new IllegalArgumentException(model + ": has no tokenizer.json to encode the text with; give --tokens");
        }
        try (TextTokenizer tokenizer = checkpoint ? TextTokenizer.inFolder(model) : TextTokenizer.llama(model)) {
            return tokenizer.encode(text, true, false);
        }
    }

    static Arguments parse(String[] args) {
        Map<String, String> values = CommandOptions.values(args, List.of("--gguf", "--hf", "--tokens", "--text",
                "--out", "--token-types", "--backend", "--threads"), List.of("--pooled"), List.of("--out"));
        Path model = CommandOptions.checkpointOrGguf(values);
        if (values.containsKey("--tokens") == values.containsKey("--text")) {
            throw new UsageException(values.containsKey("--tokens") ? "give --tokens or --text, not both"
                    : "--tokens or --text is missing");
        }
        if (values.containsKey("--text") && values.get("--text").isEmpty()) {
            throw new UsageException("--text is empty; give the text to embed");
        }
        String backend = CommandOptions.backend(values);
        int threads = CommandOptions.threads(values, CpuThreads.perCore());
        int[] types = values.containsKey("--token-types") ? types(values.get("--token-types")) : null;
        int[] tokens = values.containsKey("--tokens") ? CommandOptions.tokens(values.get("--tokens")) : null;
        return new Arguments(model, values.containsKey("--hf"), tokens, values.get("--text"), types,
                Path.of(values.get("--out")), values.containsKey("--pooled"), backend, threads);
    }

    private static int[] types(String list) {
        String[] parts = list.split(",", -1);
        int[] types = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            types[i] = CommandOptions.integer("--token-types", parts[i].trim());
        }
        return types;
    }
}
