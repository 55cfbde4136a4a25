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
 * Neither engine repacks here (llmgraph's {@code repack} and {@code repackMapped} off; the shim loads llama.cpp
 * without extra buffer types), so both can use every weight in place.
 *
 * <pre>
 * java -cp ... dev.llmgraph.bench.LoadBench llmgraph-mapped|llmgraph-copied|llama.cpp FILE [threads]
 * java -cp ... dev.llmgraph.bench.LoadBench write PRESET TYPE FILE      (a preset's random GGUF, as bench writes it)
 * </pre>
 */
public final class LoadBench {
    private LoadBench() {}

    public static void main(String[] args) {
        if (args.length >= 4 && args[0].equals("write")) {
            write(args[1], GgmlType.parse(args[2]), Path.of(args[3]));
            return;
        }
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: LoadBench llmgraph-mapped|llmgraph-copied|llama.cpp FILE [threads]");
        }
        String engine = args[0];
        Path file = Path.of(args[1]);
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Backend.devices(); // ggml's libraries
        ChatTemplate.builtIn(); // libllama and the shim, through a call that reads no file
        int[] prompt = {1, 2, 3, 4, 5, 6, 7, 8};
        long before = residentKb("VmRSS:");
        long start = System.nanoTime();
        long loaded, forwarded, millis, anon, shared;
        switch (engine) {
            case "llmgraph-mapped", "llmgraph-copied" -> {
                ModelOptions options = ModelOptions.cpu().withThreads(threads).withRepack(false).withRepackMapped(false)
                        .withMapWeights(engine.equals("llmgraph-mapped"));
                try (Model model = GgufModels.load(file, options)) {
                    millis = (System.nanoTime() - start) / 1_000_000;
                    loaded = residentKb("VmRSS:");
                    anon = residentKb("RssAnon:");
                    shared = residentKb("RssFile:");
                    model.forward(prompt);
                    forwarded = residentKb("VmRSS:");
                }
            }
            case "llama.cpp" -> {
                var settings = LlamaReference.Settings.defaults().withThreads(threads);
                try (LlamaReference reference = LlamaReference.open(file, settings)) {
                    millis = (System.nanoTime() - start) / 1_000_000;
                    loaded = residentKb("VmRSS:");
                    anon = residentKb("RssAnon:");
                    shared = residentKb("RssFile:");
                    reference.logits(prompt);
                    forwarded = residentKb("VmRSS:");
                }
            }
            default -> throw new IllegalArgumentException("engine '" + engine + "': use llmgraph-mapped, llmgraph-copied "
                    + "or llama.cpp");
        }
        System.out.printf(Locale.ROOT, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d%n", engine, file.getFileName(), millis,
                before / 1024, loaded / 1024, anon / 1024, shared / 1024, forwarded / 1024);
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
