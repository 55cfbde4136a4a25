package dev.llmgraph.bench;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.llama.ChatTemplate;
import dev.llmgraph.ggml.llama.LlamaReference;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.presets.Presets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One load of a GGUF file in a fresh JVM, by llmgraph (weights mapped in place, or copied) or by llama.cpp
 * (libllama, with its default mmap), printed as one tab-separated line: engine, file, load milliseconds,
 * resident memory in MiB (VmRSS before the load; VmRSS after it, and of that RssAnon, private memory, and
 * RssFile, file pages shared with the page cache; VmRSS after a forward pass of 8 tokens). Resident memory
 * is the process's, so each load runs in a JVM of its own ({@code bench/load-bench.sh} alternates them).
 * Native libraries are loaded before the clock starts, for both engines: what is timed is the load alone.
 * Neither engine repacks in {@code llmgraph-mapped}, {@code llmgraph-copied} and {@code llama.cpp} (llmgraph's
 * {@code repack} and {@code repackMapped} off, llama.cpp without extra buffer types), so both can use every weight
 * in place. {@code llmgraph-default} ({@link ModelOptions#cpu()}: mapped, quantized matrices multiplied through
 * repacked copies) and {@code llama.cpp-repack} (llama.cpp's default: such weights loaded into its repacking
 * buffer) are the two engines as a user gets them, both repacking at load.
 *
 * <pre>
 * java -cp ... dev.llmgraph.bench.LoadBench ENGINE FILE [threads]
 * java -cp ... dev.llmgraph.bench.LoadBench again ENGINE FILE [threads]   (five loads in one process, milliseconds each)
 * java -cp ... dev.llmgraph.bench.LoadBench write PRESET TYPE FILE      (a preset's random GGUF, as bench writes it)
 * </pre>
 */
public final class LoadBench {
    private static final String ENGINES =
            "llmgraph-mapped, llmgraph-copied, llmgraph-default, llama.cpp, llama.cpp-repack";
    private static final int LOADS = 5; // the again mode's loads in one process

    private LoadBench() {}

    public static void main(String[] args) {
        if (args.length >= 4 && args[0].equals("write")) {
            write(args[1], GgmlType.parse(args[2]), Path.of(args[3]));
            return;
        }
        boolean again = args.length > 0 && args[0].equals("again");
        String[] rest = again ? java.util.Arrays.copyOfRange(args, 1, args.length) : args;
        if (rest.length < 2) {
            throw new IllegalArgumentException("usage: LoadBench [again] ENGINE FILE [threads], ENGINE one of " + ENGINES);
        }
        String engine = rest[0];
        Path file = Path.of(rest[1]);
        int threads = rest.length > 2 ? Integer.parseInt(rest[2]) : 2;
        Backend.devices(); // ggml's libraries
        ChatTemplate.builtIn(); // libllama and the shim, through a call that reads no file
        if (again) {
            loadAgain(engine, file, threads);
            return;
        }
        long before = residentKb("VmRSS:");
        long start = System.nanoTime();
        long loaded, forwarded, millis, anon, shared;
        try (Loaded model = load(engine, file, threads)) {
            millis = (System.nanoTime() - start) / 1_000_000;
            loaded = residentKb("VmRSS:");
            anon = residentKb("RssAnon:");
            shared = residentKb("RssFile:");
            model.forward(new int[] {1, 2, 3, 4, 5, 6, 7, 8});
            forwarded = residentKb("VmRSS:");
        }
        System.out.printf(Locale.ROOT, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d%n", engine, file.getFileName(), millis,
                before / 1024, loaded / 1024, anon / 1024, shared / 1024, forwarded / 1024);
    }

    /**
     * {@code again}: the file loaded and closed {@value #LOADS} times in this one process, each load's milliseconds
     * on one tab-separated line: the first pays the JVM's first use of the code (class loading, interpreted code),
     * the later ones are the engine's own work.
     */
    private static void loadAgain(String engine, Path file, int threads) {
        StringBuilder line = new StringBuilder(engine + "\t" + file.getFileName());
        for (int i = 0; i < LOADS; i++) {
            long start = System.nanoTime();
            try (Loaded ignored = load(engine, file, threads)) {
                line.append('\t').append((System.nanoTime() - start) / 1_000_000);
            }
        }
        System.out.println(line);
    }

    /** A loaded model of either engine: it computes a forward pass and frees its memory. */
    private interface Loaded extends AutoCloseable {
        void forward(int[] tokens);

        @Override
        void close();
    }

    private static Loaded load(String engine, Path file, int threads) {
        return switch (engine) {
            case "llmgraph-mapped", "llmgraph-copied", "llmgraph-default" -> {
                ModelOptions options = engine.equals("llmgraph-default") ? ModelOptions.cpu().withThreads(threads)
                        : ModelOptions.cpu().withThreads(threads).withRepack(false).withRepackMapped(false)
                        .withMapWeights(engine.equals("llmgraph-mapped"));
                Model model = GgufModels.load(file, options);
                yield new Loaded() {
                    public void forward(int[] tokens) {
                        model.forward(tokens);
                    }

                    public void close() {
                        model.close();
                    }
                };
            }
            case "llama.cpp", "llama.cpp-repack" -> {
                LlamaReference reference = LlamaReference.open(file, LlamaReference.Settings.defaults()
                        .withThreads(threads).withRepack(engine.equals("llama.cpp-repack")));
                yield new Loaded() {
                    public void forward(int[] tokens) {
                        reference.logits(tokens);
                    }

                    public void close() {
                        reference.close();
                    }
                };
            }
            default -> throw new IllegalArgumentException("engine '" + engine + "': use one of " + ENGINES);
        };
    }

    /** The preset's random GGUF in {@code type}, from the same F16 model (GPT-2 initialisation, seed 1) bench writes. */
    private static void write(String preset, GgmlType type, Path file) {
        ModelOptions options = ModelOptions.cpu().withMatrixType(GgmlType.F16).withRepack(false)
                .withRepackMapped(false);
        try (Model model = Model.random(Presets.byName(preset), WeightInit.gpt2(1), options)) {
            if (type == GgmlType.F16) {
                GgufModels.write(model, file);
            } else {
                GgufModels.write(model, file, type);
            }
        }
    }

    /** A line of /proc/self/status in KiB: VmRSS (all resident), RssAnon (private memory), RssFile (file pages). */
    private static long residentKb(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            throw new IllegalStateException("/proc/self/status has no " + key + " line");
        } catch (IOException e) {
            throw new UncheckedIOException("resident memory is read from /proc/self/status (Linux): " + e, e);
        }
    }
}
