package dev.llmgraph.cli;

import dev.llmgraph.cli.CommandOptions.UsageException;
import dev.llmgraph.ggml.CpuThreads;
import dev.llmgraph.ggml.gguf.GgufException;
import dev.llmgraph.ggml.NativeLibraryException;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.model.Encoding;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/llmgraph embed --gguf FILE --tokens 1,2,3 --out FILE [--pooled] [--token-types 0,0,1] [--backend cpu|cuda]
 * [--threads N]}: runs an encoder GGUF (llama.cpp's {@code bert}) over the token ids and writes every token's hidden
 * state as raw little-endian float32, row-major [tokens x dModel] (llama.cpp's {@code llama_get_embeddings} layout
 * without pooling), or with {@code --pooled} the one vector [1 x dModel] the file's pooling type makes (llama.cpp's
 * {@code llama_get_embeddings_seq}), not normalised.
 *
 * <p>Exit codes: 0 done; 2 bad arguments or input (one line on stderr saying which: an option, a token id or type out
 * of range, a model that is not an encoder, {@code --pooled} on a model without pooling); 1 a file llmgraph cannot
 * read, a backend that was not built, or an output that cannot be written.
 */
public final class EmbedCommand {
    static final String USAGE = "usage: bin/llmgraph embed --gguf FILE --tokens 1,2,3 --out FILE [--pooled] "
            + "[--token-types 0,0,1] [--backend cpu|cuda] [--threads N]";
    static final String HELP = USAGE + """


            An encoder's hidden states for the token ids (all in one batch, every token seeing every token); writes
            them as raw little-endian float32, row-major [tokens x dModel], or with --pooled the pooled vector
            [1 x dModel] (the GGUF's pooling type: mean, CLS or last; not normalised).

              --gguf FILE          the model (architecture bert)
              --tokens 1,2,3       token ids, comma-separated
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

    /** The parsed command line; {@code types} null for all 0. */
    record Arguments(Path gguf, int[] tokens, int[] types, Path out, boolean pooled, String backend, int threads) {}

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
        try (Model model = GgufModels.load(arguments.gguf(), options)) {
            Encoding encoding = model.encode(arguments.tokens(), arguments.types());
            float[] values = arguments.pooled() ? encoding.pooled() : encoding.hiddenStates();
            LogitsCommand.write(values, arguments.out());
            int rows = arguments.pooled() ? 1 : encoding.tokens();
            out.println((arguments.pooled() ? "pooled embedding (" + encoding.pooling() + ")" : "hidden states")
                    + " [" + rows + " x " + encoding.dModel() + "] (f32, little-endian, row-major) -> "
                    + arguments.out());
            return 0;
        } catch (GgufException | NativeLibraryException | java.io.UncheckedIOException e) {
            err.println("llmgraph embed: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
            // ids or types out of range, a sequence longer than the context, a decoder, --pooled without pooling
            err.println("llmgraph embed: " + e.getMessage());
            return 2;
        }
    }

    static Arguments parse(String[] args) {
        Map<String, String> values = CommandOptions.values(args,
                List.of("--gguf", "--tokens", "--out", "--token-types", "--backend", "--threads"), List.of("--pooled"),
                List.of("--gguf", "--tokens", "--out"));
        Path gguf = CommandOptions.gguf(values);
        String backend = CommandOptions.backend(values);
        int threads = CommandOptions.threads(values, CpuThreads.perCore());
        int[] types = values.containsKey("--token-types") ? types(values.get("--token-types")) : null;
        return new Arguments(gguf, CommandOptions.tokens(values.get("--tokens")), types, Path.of(values.get("--out")),
                values.containsKey("--pooled"), backend, threads);
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
