package dev.llmgraph.cli;

import dev.llmgraph.cli.CommandOptions.UsageException;
import dev.llmgraph.ggml.CpuThreads;
import dev.llmgraph.ggml.gguf.GgufException;
import dev.llmgraph.ggml.NativeLibraryException;
import dev.llmgraph.ggml.RemoteDeviceException;
import dev.llmgraph.io.family.ModelFamily;
import dev.llmgraph.io.gguf.EncoderDecoderGguf;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.model.EncoderDecoderModel;
import dev.llmgraph.model.Logits;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.Placement;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/llmgraph logits --gguf FILE --tokens 1,2,3 --out FILE [--backend cpu|cuda] [--threads N]}: runs
 * llmgraph's forward pass on a GGUF model (any architecture {@link GgufModels} reads) over the token ids and
 * writes the logits of every position as raw little-endian float32, row-major [tokens x vocab], the layout
 * llama.cpp's {@code llama_get_logits} gives, so that the two can be compared with any tool. An encoder-decoder
 * ({@code t5}) runs its encoder on the ids and its decoder on the decoder start token followed by the same ids
 * (teacher forcing): the decoder's logits, [(tokens + 1) x vocab].
 *
 * <p>Exit codes: 0 done; 2 bad arguments (one line on stderr saying which); 1 a file llmgraph cannot read (the
 * message names the file, the key or tensor, and the problem), a backend that was not built, or an output file
 * that cannot be written.
 */
public final class LogitsCommand {
    static final String USAGE = "usage: bin/llmgraph logits --gguf FILE --tokens 1,2,3 --out FILE "
            + "[--backend cpu|cuda] [--threads N] [--rpc H:P,H:P [--tensor-split 1,1] [--local-layers N]]";
    static final String HELP = (USAGE + """


            llmgraph's forward pass on a GGUF model over the token ids; writes the logits of every position as raw
            little-endian float32, row-major [tokens x vocab] (llama.cpp's llama_get_logits layout), and prints the
            top-5 token ids of the last position. A t5 (encoder-decoder) file: the encoder reads the ids, the decoder
            its start token and then the same ids; the decoder's logits [(tokens + 1) x vocab] are written.

              --gguf FILE          ARCHITECTURES
              --tokens 1,2,3       token ids, comma-separated
              --out FILE           where the logits go
              --backend cpu|cuda   (default cpu; cuda:N for GPU N)
              --threads N          CPU threads (default: all cores)
            """ + CommandOptions.PLACEMENT_HELP + """

            Exit codes: 0 done, 2 bad arguments, 1 a file that cannot be read or written, a backend not built, or an
            RPC server that cannot be reached.
            """).replace("ARCHITECTURES", CommandOptions.description("the model (architectures " + ModelFamily.names(f -> !f.encoder())
            + ", or t5)"));

    private LogitsCommand() {}

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** The parsed command line. */
    record Arguments(Path gguf, int[] tokens, Path out, String backend, int threads, Placement placement) {}

    /** Runs the command, printing to {@code out} and {@code err}; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        var parsed = CommandOptions.parse("logits", args, HELP, USAGE, LogitsCommand::parse, out, err);
        if (parsed.done()) {
            return parsed.exitCode();
        }
        Arguments arguments = parsed.arguments();
        ModelOptions options = ModelOptions.cpu().withBackend(arguments.backend()).withThreads(arguments.threads())
                .withRepack(true).withPlacement(arguments.placement());
        try {
            Logits logits = logits(arguments, options);
            write(logits, arguments.out());
            int last = logits.tokens() - 1;
            out.println("logits [" + logits.tokens() + " x " + logits.vocab() + "] (f32, little-endian, row-major) -> "
                    + arguments.out());
            int[] top = logits.top(last, Math.min(5, logits.vocab()));
            out.println("top-5 ids at the last position: " + Arrays.toString(top));
            return 0;
        } catch (GgufException | NativeLibraryException | java.io.UncheckedIOException | RemoteDeviceException e) {
            // a file llmgraph cannot read, a backend that was not built, an output that cannot be written, a server
            err.println("llmgraph logits: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // token ids outside the vocabulary, a prompt longer than the context, an unknown backend, an encoder
            err.println("llmgraph logits: " + e.getMessage());
            return 2;
        }
    }

    /**
     * A decoder's logits of every position; for an encoder-decoder ({@code t5}), the encoder on the ids and the
     * decoder on its start token followed by the same ids (teacher forcing): [(tokens + 1) x vocab].
     */
    private static Logits logits(Arguments arguments, ModelOptions options) {
        if (EncoderDecoderGguf.holdsEncoderDecoder(arguments.gguf())) {
            try (EncoderDecoderModel model = EncoderDecoderGguf.load(arguments.gguf(), options)) {
                return model.forward(arguments.tokens(), arguments.tokens());
            }
        }
        try (Model model = GgufModels.load(arguments.gguf(), options)) {
            return model.forward(arguments.tokens());
        }
    }

    static Arguments parse(String[] args) {
        Map<String, String> values = CommandOptions.values(args,
                CommandOptions.withPlacement(List.of("--gguf", "--tokens", "--out", "--backend", "--threads")),
                List.of("--gguf", "--tokens", "--out"));
        Path gguf = CommandOptions.gguf(values);
        String backend = CommandOptions.backend(values);
        int threads = CommandOptions.threads(values, CpuThreads.perCore());
        return new Arguments(gguf, CommandOptions.tokens(values.get("--tokens")), Path.of(values.get("--out")), backend,
                threads, CommandOptions.placement(values));
    }

    /** Raw little-endian float32, row-major [tokens x vocab]. */
    static void write(Logits logits, Path path) {
        write(logits.toArray(), path);
    }

    /** {@code values} as raw little-endian float32. */
    static void write(float[] values, Path path) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
        }
    }
}
