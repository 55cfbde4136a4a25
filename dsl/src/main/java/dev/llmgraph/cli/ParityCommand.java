package dev.llmgraph.cli;

import dev.llmgraph.ggml.gguf.GgufException;
import dev.llmgraph.ggml.llama.LlamaException;
import dev.llmgraph.ggml.NativeLibraryException;
import dev.llmgraph.io.family.FamilyFacts.Mixer;
import dev.llmgraph.io.family.ModelFamily;
import dev.llmgraph.parity.LayerParity;
import dev.llmgraph.parity.ParityReport;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/llmgraph parity --gguf FILE --tokens 1,2,3 [--tolerance X] [--threads N]}: llama.cpp's forward pass
 * and llmgraph's over the same GGUF file, compared node by node ({@link LayerParity}); prints the table and the
 * first node beyond the tolerance.
 *
 * <p>Exit codes: 0 every matched node agrees; 1 a node is beyond the tolerance; 2 bad arguments (one line on
 * stderr saying which); 3 a file one of the engines cannot read (llama.cpp's or llmgraph's words), or native
 * libraries that are missing.
 */
public final class ParityCommand {
    static final String USAGE = "usage: bin/llmgraph parity --gguf FILE --tokens 1,2,3 [--tolerance X] [--threads N]";
    static final String HELP = (USAGE + """


            Runs llama.cpp's forward pass over the token ids with every named intermediate tensor kept (attn_norm-0,
            Qcur-0, kq-0, ffn_out-0, l_out-0, ..., result_output) and llmgraph's forward pass on the same file with its
            named nodes, matches the names (q.0 for Qcur-0, ...), and prints per node the largest absolute and relative
            difference (relative to the node's largest |value| in llama.cpp) with a histogram of the element-wise
            differences, the first node beyond the tolerance, and the names either side has without a counterpart.
            Sizes are in ggml order, llama.cpp's layout (llmgraph's q/k/v are permuted back; attention scores are
            compared over the prompt's own keys). Both on the CPU, with an F16 K/V cache.

              --gguf FILE          ARCHITECTURES
              --tokens 1,2,3       token ids, comma-separated
              --tolerance X        largest relative difference that agrees (default 1e-3, for F32 weights)
              --threads N          CPU threads (default: up to 4)

            Exit codes: 0 every matched node agrees, 1 a node beyond the tolerance, 2 bad arguments, 3 a file an
            engine cannot read or native libraries that are missing.
            """).replace("ARCHITECTURES", CommandOptions.description("the model (architectures "
            + ModelFamily.names(f -> !f.encoder() && (f.mixer() == Mixer.SOFTMAX || f.mixer() == Mixer.LATENT)) + ")"));
    private static final List<String> OPTIONS = List.of("--gguf", "--tokens", "--tolerance", "--threads");

    private ParityCommand() {}

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    record Arguments(Path gguf, int[] tokens, double tolerance, int threads) {}

    /** Runs the command, printing to {@code out} and {@code err}; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        var parsed = CommandOptions.parse("parity", args, HELP, USAGE, ParityCommand::parse, out, err);
        if (parsed.done()) {
            return parsed.exitCode();
        }
        Arguments arguments = parsed.arguments();
        try {
            ParityReport report = LayerParity.compare(arguments.gguf(), arguments.tokens(), arguments.tolerance(),
                    arguments.threads());
            out.print(report);
            return report.agrees() ? 0 : 1;
        } catch (LlamaException | GgufException | NativeLibraryException e) {
            err.println("llmgraph parity: " + e.getMessage());
            return 3;
        } catch (IllegalArgumentException e) {
            // token ids outside the vocabulary, a prompt longer than the context
            err.println("llmgraph parity: " + e.getMessage());
            return 2;
        }
    }

    static Arguments parse(String[] args) {
        Map<String, String> values = CommandOptions.values(args, OPTIONS, List.of("--gguf", "--tokens"));
        Path gguf = CommandOptions.gguf(values);
        double tolerance = LayerParity.DEFAULT_TOLERANCE;
        if (values.containsKey("--tolerance")) {
            try {
                tolerance = Double.parseDouble(values.get("--tolerance"));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--tolerance " + values.get("--tolerance") + ": not a number");
            }
            if (!(tolerance > 0)) {
                throw new IllegalArgumentException("--tolerance " + values.get("--tolerance") + ": must be above 0");
            }
        }
        int threads = CommandOptions.threads(values, Math.min(4, Runtime.getRuntime().availableProcessors()));
        int[] tokens = CommandOptions.tokens(values.get("--tokens"));
        return new Arguments(gguf, tokens, tolerance, threads);
    }
}
