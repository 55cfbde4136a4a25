package dev.llmgraph.cli;

import dev.llmgraph.bench.BenchConfig;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.spec.MemoryEstimate;
import dev.llmgraph.spec.ModelSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@code bench} command line will do before it does it: each GGUF file it measures (written first when a
 * preset's file is not cached yet), its size on disk, and a rough duration. The duration uses the speeds measured
 * on a 2-core VM ({@code bench/NOTES.md}, 2026-11-23), scaled by the thread count for prompt processing; on
 * another machine it may be off by a factor of two either way, which is enough to tell minutes from hours.
 */
record BenchPlan(List<Item> items, BenchConfig config) {
    /** Prompt processing: about 70 GFLOP/s per thread (TinyLlama F16 pp512: 65 tokens/s x 2.2 GFLOP on 2 threads). */
    private static final double FLOPS_PER_THREAD = 70e9;
    /** Generation streams every weight once per token: about 30 GB/s of weights (TinyLlama F16 tg128: 14.6 x 2.07 GB). */
    private static final double WEIGHT_BYTES_PER_SECOND = 30e9;
    /** Writing a preset's file: random initialisation and quantization, about 30 ns per weight on 2 threads. */
    private static final double WRITE_SECONDS_PER_WEIGHT_THREAD = 60e-9;
    /** llmgraph repeats each test for 2 s before timing it (the JIT's warm-up), 8 s at most with a depth's fills. */
    private static final double WARM_UP_SECONDS = 2;

    /** One GGUF file to measure: a preset in a weight type (file in the cache) or a file given by the user. */
    record Item(String label, String type, Path file, ModelSpec spec, long bytes, boolean toWrite) {}

    /** The plan of {@code arguments}; a preset's file lies in {@code cache} ({@link BenchPresetFiles#file}). */
    static BenchPlan of(BenchCommand.Arguments arguments, Path cache) {
        List<Item> items = new ArrayList<>();
        for (String model : arguments.models()) {
            if (model.endsWith(".gguf")) {
                Path file = Path.of(model);
                items.add(new Item(file.getFileName().toString(), "as stored", file, null, size(file), false));
                continue;
            }
            ModelSpec spec = BenchPresetFiles.spec(model, arguments.contextLength());
            for (GgmlType type : arguments.types()) {
                Path file = BenchPresetFiles.file(cache, model, type, arguments.contextLength());
                boolean cached = Files.isRegularFile(file);
                items.add(new Item(model, type.toString(), file, spec,
                        cached ? size(file) : spec.accounting().weightBytes(type), !cached));
            }
        }
        return new BenchPlan(List.copyOf(items), arguments.config());
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Bytes of the files this run writes into the cache. */
    long bytesToWrite() {
        return items.stream().filter(Item::toWrite).mapToLong(Item::bytes).sum();
    }

    /**
     * Rough seconds for the whole run (files given by the user count only where their spec is known). At a depth
     * d, both engines feed the d tokens once for the depth's tests, then rewind to them (llmgraph) or restore them
     * (llama-bench) before every other run; a recurrent model in llmgraph is fed them again before every run.
     */
    double seconds() {
        double total = 0;
        for (Item item : items) {
            if (item.spec() == null) {
                continue;
            }
            long parameters = item.spec().accounting().parameters().total();
            for (int depth : config.depths()) {
                double fill = prefill(item, depth, 0);
                double prompt = prefill(item, config.prompt(), depth);
                double generate = config.generate() * ((double) item.bytes() / WEIGHT_BYTES_PER_SECOND
                        + attentionFlops(item, depth + config.generate() / 2) / (FLOPS_PER_THREAD * config.threads()));
                double llamaBench = (config.repetitions() + 1) * (prompt + generate) + fill;
                boolean refills = item.spec().recurrent();
                double llmgraph = refills ? 0 : fill;
                for (double test : new double[] {prompt, generate}) {
                    if (test == 0) {
                        continue; // -p 0 or -n 0: no such test
                    }
                    double run = test + (refills ? fill : 0);
                    long warmUps = Math.max(1, (long) Math.ceil(Math.min(WARM_UP_SECONDS / test,
                            4 * WARM_UP_SECONDS / run)));
                    llmgraph += (config.repetitions() + warmUps) * run;
                }
                total += config.rounds() * (llamaBench + llmgraph);
            }
            if (item.toWrite()) {
                total += parameters * WRITE_SECONDS_PER_WEIGHT_THREAD / Math.min(config.threads(), 16);
            }
        }
        return total;
    }

    /** Seconds to feed {@code tokens} tokens in batches after {@code depth} tokens already cached. */
    private double prefill(Item item, int tokens, int depth) {
        return tokens * (double) item.spec().accounting().flopsPerToken(depth + tokens / 2)
                / (FLOPS_PER_THREAD * config.threads());
    }

    /** FLOPs of one token's attention to {@code context} earlier positions (what depth adds to generation). */
    private static double attentionFlops(Item item, int context) {
        return item.spec().accounting().flopsPerToken(context) - item.spec().accounting().flopsPerToken(0);
    }

    /** The plan as the lines {@code bench} prints. */
    String describe() {
        StringBuilder text = new StringBuilder();
        for (Item item : items) {
            text.append(String.format("  %-24s %-9s %10s  %s%s%n", item.label(), item.type(),
                    MemoryEstimate.gib(item.bytes()), item.file(), item.toWrite() ? "  (to be written)" : ""));
        }
        String depths = config.emptyCacheOnly() ? "" : " at depth " + config.depthsArgument().replace(",", ", ");
        String tests = config.prompt() == 0 ? "tg" + config.generate() : config.generate() == 0
                ? "pp" + config.prompt() : "pp" + config.prompt() + " and tg" + config.generate();
        text.append(String.format("  each file: %s%s, %d repetition%s after a warm-up, %d round%s of both "
                        + "engines, %d thread%s on %s%n", tests, depths,
                config.repetitions(), plural(config.repetitions()), config.rounds(), plural(config.rounds()),
                config.threads(), plural(config.threads()), config.backend()));
        long toWrite = bytesToWrite();
        text.append("  disk: ").append(toWrite == 0 ? "every file is already there"
                : "about " + MemoryEstimate.gib(toWrite) + " of GGUF files to write into the cache").append('\n');
        text.append("  rough duration: ").append(duration(seconds()));
        if (!config.backend().equals("cpu")) {
            text.append(" on a CPU (a GPU measures faster; writing the files takes as long)");
        }
        if (items.stream().anyMatch(i -> i.spec() == null)) {
            text.append(" plus the GGUF files given");
        }
        return text.append('\n').toString();
    }

    static String duration(double seconds) {
        if (seconds < 90) {
            return "about " + Math.max(1, Math.round(seconds)) + " s";
        }
        long minutes = Math.round(seconds / 60);
        return minutes < 90 ? "about " + minutes + " minutes" : String.format("about %.1f hours", minutes / 60.0);
    }

    private static String plural(int n) {
        return n == 1 ? "" : "s";
    }
}
