package dev.llmgraph.cli;

import dev.llmgraph.bench.BenchConfig;
import dev.llmgraph.bench.BenchReport;
import dev.llmgraph.bench.BenchResult;
import dev.llmgraph.bench.DecodeDiagnostics;
import dev.llmgraph.bench.LlamaBench;
import dev.llmgraph.bench.LlmgraphBench;
import dev.llmgraph.bench.Machine;
import dev.llmgraph.bench.Roofline;
import dev.llmgraph.display.Progress;
import dev.llmgraph.ggml.CpuThreads;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.NativeLibraryException;
import dev.llmgraph.ggml.Natives;
import dev.llmgraph.ggml.RemoteDeviceException;
import dev.llmgraph.ggml.RpcServers;
import dev.llmgraph.ggml.gguf.GgufException;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/llmgraph bench}: llmgraph against llama.cpp's llama-bench on the same GGUF weights, same
 * threads, same batch sizes, in one run; prints a table with both throughputs and their ratio and writes
 * it as Markdown and JSON under {@code bench/results/}.
 * <pre>
 *  --model NAME|FILE.gguf   a preset (random weights, written to GGUF once and cached) or a GGUF file;
 *                           repeatable
 *  --default                without --model: the default table, tinyllama-1.1b and gpt2-small (about 4 GiB
 *                           of files and 20 minutes on 2 cores, so it is asked for by name)
 *  --type f16,q8_0,q4_0     weight types for presets (default all three)
 *  --threads N              CPU threads (default: all cores)
 *  --backend cpu|cuda       (default cpu)
 *  -p N  -n N  -r N         prompt tokens, generated tokens, repetitions (default 512, 128, 3); -p 0 or -n 0
 *                           leaves that test out, as in llama-bench
 *  --rounds N               the engines take turns this many times, swapping who goes first (default 3);
 *                           the ratio compares medians
 *  -d, --depth N[,N...]     llama-bench's -d: each test again after N random tokens were fed, untimed, into
 *                           an emptied cache (pp512 @ d4096); one row per depth (default 0)
 *  --ctx N                  write a preset's file with a context of N positions (cached separately); needed
 *                           when p + n + d exceeds the preset's own (TinyLlama's 2048)
 *  --flash                  flash attention on both sides (default off)
 *  --out DIR                where the report goes (default bench/results)
 *  --help                   this text
 * </pre>
 * {@code bench --train} measures training against PyTorch instead ({@link TrainBenchCommand}).
 * Before measuring, it prints what it will measure, the size of the files and a rough duration ({@link BenchPlan}).
 */
public final class BenchCommand {
    static final String USAGE = "usage: bin/llmgraph bench (--model NAME|FILE.gguf... | --default) "
            + "[--type f16,q8_0,q4_0] [--threads N] [--backend cpu|cuda] [-p 512] [-n 128] [-r 3] [--rounds 3] "
            + "[-d 0,512,...] [--ctx N] [--flash] [--out DIR] [--rpc H:P,H:P [--tensor-split 1,1] [--local-layers N]]";
    static final String HELP = USAGE + """


            llmgraph against llama.cpp's llama-bench on the same GGUF weights, same threads, same batch sizes:
            prompt processing (pp) and generation (tg) in tokens per second and their ratio, written as Markdown
            and JSON under --out. See bench/NOTES.md.

              --model NAME|FILE.gguf   a preset (random weights, written to GGUF once and cached in
                                       ~/.cache/llmgraph/bench) or a GGUF file; repeatable
              --default                the default table instead: tinyllama-1.1b and gpt2-small in f16, q8_0 and
                                       q4_0 (about 4 GiB of files and 20 minutes on 2 cores)
              --type f16,q8_0,q4_0     weight types for presets (default all three)
              --threads N              CPU threads (default: all cores)
              --backend cpu|cuda       (default cpu)
              -p N  -n N  -r N         prompt tokens, generated tokens, repetitions (default 512, 128, 3);
                                       -p 0 or -n 0 leaves that test out, as in llama-bench
              --rounds N               the engines take turns this many times (default 3)
              -d, --depth N[,N...]     each test again after N random tokens were fed, untimed, into an emptied
                                       cache, as llama-bench -d (pp512 @ d4096); one row per depth (default 0)
              --ctx N                  write a preset's file with a context of N positions (a separate cached
                                       file); needed when p + n + d exceeds the preset's own (TinyLlama: 2048)
              --flash                  flash attention on both sides (default off)
              --out DIR                where the report goes (default bench/results)
              --rpc, --tensor-split, --local-layers
                                       layers on ggml RPC servers, for both engines (llama-bench --rpc -ngl -ts);
                                       the report adds the bytes and TCP segments one decoded token costs per server

            A quick first run: bin/llmgraph bench --model tiny-gpt2-small --type q8_0 -p 8 -n 4 -r 1 --rounds 1
            Training speed against PyTorch instead: bin/llmgraph bench --train (--train --help lists its options)
            """;

    private BenchCommand() {}

    /**
     * A parsed command line; {@code defaults} when no --model was given (then --default must be);
     * {@code contextLength} is --ctx, 0 for the presets' own.
     */
    record Arguments(List<String> models, List<GgmlType> types, BenchConfig config, Path out, boolean defaults,
                     boolean defaultsAskedFor, int contextLength) {}

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (List.of(args).contains("--train")) {
            return TrainBenchCommand.run(List.of(args).stream().filter(a -> !a.equals("--train")).toArray(String[]::new),
                    out, err);
        }
        try {
            return measureAndReport(args, out, err);
        } catch (GgufException | NativeLibraryException | UncheckedIOException | RemoteDeviceException e) {
            // a GGUF file llmgraph cannot read, a backend that was not built, a cache that cannot be written, a server
            err.println("llmgraph bench: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // a file whose context is too short, a setting or model llmgraph refuses
            err.println("llmgraph bench: " + e.getMessage());
            return 2;
        }
    }

    private static int measureAndReport(String[] args, PrintStream out, PrintStream err) {
        var parsed = CommandOptions.parse("bench", args, HELP, USAGE, BenchCommand::parse, out, err);
        if (parsed.done()) {
            return parsed.exitCode();
        }
        Arguments a = parsed.arguments();
        BenchPlan plan = BenchPlan.of(a, Natives.cacheDirectory().resolve("bench"));
        if (a.defaults() && !a.defaultsAskedFor()) {
            out.print("Without --model, bench measures the default table:\n" + plan.describe());
            err.println("llmgraph bench: no --model given; run the default table above with --default, or measure one "
                    + "model, e.g. --model tiny-gpt2-small --type q8_0 -p 8 -n 4 -r 1 --rounds 1 (--help lists the "
                    + "options)");
            return 2;
        }
        out.print("bench will measure:\n" + plan.describe());
        BenchReport report = measure(args, a, out);
        out.println();
        out.println(report.markdown());
        out.println("written: " + write(report, a) + " and .json");
        return 0;
    }

    /**
     * For a notebook or a script: runs the benchmark that {@code args} describe, as on the command line
     * ({@code "--model", "tiny-gpt2-small", "--type", "q8_0", "-p", "8", ...}), writes its files as the command
     * does and returns the report, which a notebook shows as a table with a chart of the ratios. Progress goes
     * to standard output. The default table is not run from here: name the models.
     */
    public static BenchReport measure(String... args) {
        Arguments a = parse(args);
        if (a.defaults()) {
            throw new IllegalArgumentException("name the models to measure, e.g. measure(\"--model\", "
                    + "\"tiny-gpt2-small\", \"--type\", \"q8_0\"); the default table takes about 20 minutes, run it with "
                    + "bin/llmgraph bench --default");
        }
        return measure(args, a, System.out);
    }

    private static BenchReport measure(String[] args, Arguments a, PrintStream out) {
        List<BenchResult> results = new ArrayList<>();
        Map<String, String> notes = new LinkedHashMap<>();
        Double bandwidth = null;
        long runs = 2L * a.config().rounds() * a.models().stream()
                .mapToLong(name -> name.endsWith(".gguf") ? 1 : a.types().size()).sum();
        // a live bar in a notebook, a terminal bar or log lines elsewhere; the stop button (an interrupt) ends
        // the benchmark between two runs and keeps what was measured
        try (Progress progress = Progress.start("bench", runs, "runs")) {
            models:
            for (String name : a.models()) {
                // A GGUF file is measured as stored; a preset once per weight type.
                Map<String, Path> files = new LinkedHashMap<>();
                if (name.endsWith(".gguf")) {
                    files.put("as stored", Path.of(name));
                } else {
                    BenchPresetFiles.write(Natives.cacheDirectory().resolve("bench"), name, a.types(),
                                    a.contextLength(), a.config(), out).forEach((type, file) -> files.put(type.toString(), file));
                }
                for (var entry : files.entrySet()) {
                    Path gguf = entry.getValue();
                    String label = name.endsWith(".gguf") ? gguf.getFileName().toString() : name;
                    String typeName = entry.getKey();
                    ModelOptions options = options(a.config()).withContextLength(a.config().loadedContext());
                    // An RPC server serves one client at a time: with layers on servers, llmgraph's model is loaded
                    // for its runs only, so that llama-bench can connect between them.
                    boolean remote = a.config().placement().remote();
                    Model kept = remote ? null : GgufModels.load(gguf, options);
                    try {
                        for (int round = 1; round <= a.config().rounds(); round++) {
                            if (Thread.currentThread().isInterrupted()) {
                                notes.put("stopped", "interrupted after " + progress.done() + " of " + runs + " runs");
                                break models;
                            }
                            // The engines swap places every round, so that neither always runs on a warmer
                            // machine (a GPU's clocks, a CPU's caches and turbo).
                            boolean llmgraphFirst = round % 2 == 1;
                            out.printf("%s %s, round %d of %d: %s%n", label, typeName, round, a.config().rounds(),
                                    llmgraphFirst ? "llmgraph, then llama-bench" : "llama-bench, then llmgraph");
                            progress.message(label + " " + typeName + ", round " + round);
                            if (!llmgraphFirst) {
                                add(results, LlamaBench.run(gguf, label, typeName, a.config(), layers(kept, gguf)));
                                progress.step();
                            }
                            Model model = kept != null ? kept : GgufModels.load(gguf, options);
                            try {
                                if (bandwidth == null) {
                                    bandwidth = Roofline.copyBandwidth(model.backend(), 512);
                                    notes.put("copy bandwidth", String.format("%.1f GB/s (ggml copy of 512 MB on %s)",
                                            bandwidth / 1e9, model.backend()));
                                }
                                LlmgraphBench.Run run = LlmgraphBench.run(model, label, typeName, a.config());
                                add(results, run.results());
                                if (round == a.config().rounds() && run.decodeStats() != null) {
                                    notes.put(label + " " + typeName, DecodeDiagnostics.of(model, run, bandwidth).toString());
                                    run.network().forEach((server, traffic) -> notes.put(label + " " + typeName
                                            + " network " + server, network(traffic)));
                                    if (remote) {
                                        notes.put(label + " " + typeName + " placement", model.placement().summary());
                                    }
                                }
                            } finally {
                                if (kept == null) {
                                    model.close();
                                }
                            }
                            progress.step();
                            if (llmgraphFirst) {
                                add(results, LlamaBench.run(gguf, label, typeName, a.config(), layers(kept, gguf)));
                                progress.step();
                            }
                        }
                    } finally {
                        if (kept != null) {
                            kept.close();
                        }
                    }
                    // Written after every model and type, so that a run cut short keeps what it measured.
                    write(report(args, a, results, notes), a);
                }
            }
        }
        return report(args, a, results, notes);
    }

    /** What one decoded token cost on the network to one server. */
    private static String network(RpcServers.Traffic t) {
        return String.format("per decoded token: %,d bytes sent and %,d received in %d and %d TCP segments",
                t.bytesSent(), t.bytesReceived(), t.segmentsSent(), t.segmentsReceived());
    }

    /** The layer count of the model in {@code gguf}: the loaded one's, or read from the file's header. */
    private static int layers(Model kept, Path gguf) {
        return kept != null ? kept.spec().layers() : GgufModels.spec(gguf).layers();
    }

    private static BenchReport report(String[] args, Arguments a, List<BenchResult> results, Map<String, String> notes) {
        return new BenchReport(Machine.describe(a.config().backend()), "bin/llmgraph bench " + String.join(" ", args),
                LocalDate.now().toString(), results, notes);
    }

    /** Writes the report as Markdown and JSON; returns the Markdown file. */
    private static Path write(BenchReport report, Arguments a) {
        String name = report.date() + "-" + a.config().backend() + "-t" + a.config().threads();
        report.write(a.out(), name);
        return a.out().resolve(name + ".md");
    }

    /** Adds {@code more} to {@code results}, merging the samples of a test already there. */
    private static void add(List<BenchResult> results, List<BenchResult> more) {
        for (BenchResult r : more) {
            int i = 0;
            while (i < results.size() && !results.get(i).sameTest(r)) {
                i++;
            }
            if (i < results.size()) {
                results.set(i, results.get(i).plus(r));
            } else {
                results.add(r);
            }
        }
    }

    private static ModelOptions options(BenchConfig c) {
        ModelOptions base = c.backend().startsWith("cuda") ? ModelOptions.cuda() : ModelOptions.cpu();
        return base.withBackend(c.backend()).withThreads(c.threads()).withCacheType(GgmlType.F16).withRepack(true)
                .withPlacement(c.placement());
    }

    static Arguments parse(String[] args) {
        List<String> models = new ArrayList<>();
        List<GgmlType> types = List.of(GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0);
        int threads = CpuThreads.perCore(), prompt = 512, generate = 128, repetitions = 3;
        int rounds = 3, contextLength = 0;
        List<Integer> depths = List.of(0);
        String backend = "cpu";
        boolean flash = false, defaultsAskedFor = false;
        Path out = Path.of("bench", "results");
        Map<String, String> placement = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--model" -> models.add(value(args, ++i, arg));
                case "--type" -> types = List.of(value(args, ++i, arg).split(",")).stream().map(GgmlType::parse).toList();
                case "--threads", "-t" -> threads = number(value(args, ++i, arg), arg);
                case "--backend" -> backend = value(args, ++i, arg);
                case "-p" -> prompt = number(value(args, ++i, arg), arg);
                case "-n" -> generate = number(value(args, ++i, arg), arg);
                case "-r" -> repetitions = number(value(args, ++i, arg), arg);
                case "--rounds" -> rounds = number(value(args, ++i, arg), arg);
                case "-d", "--depth" -> depths = List.of(value(args, ++i, arg).split(",")).stream()
                        .map(d -> number(d, arg)).toList();
                case "--ctx" -> contextLength = number(value(args, ++i, arg), arg);
                case "--flash" -> flash = true;
                case "--default" -> defaultsAskedFor = true;
                case "--out" -> out = Path.of(value(args, ++i, arg));
                case "--rpc", "--tensor-split", "--local-layers" -> placement.put(arg, value(args, ++i, arg));
                default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
            }
        }
        boolean defaults = models.isEmpty();
        if (defaults) {
            models = List.of("tinyllama-1.1b", "gpt2-small");
        } else if (defaultsAskedFor) {
            throw new IllegalArgumentException("--default measures the default models; give it or --model, not both");
        }
        if (contextLength < 0) {
            throw new IllegalArgumentException("--ctx needs a positive number of positions, got " + contextLength);
        }
        BenchConfig config = new BenchConfig(prompt, generate, repetitions, rounds, threads, backend, flash,
                CommandOptions.placement(placement), depths);
        for (String m : models) {
            BenchPresetFiles.checkContext(m, contextLength, config);
        }
        return new Arguments(models, types, config, out, defaults, defaultsAskedFor, contextLength);
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    private static int number(String s, String flag) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a whole number, got '" + s + "'");
        }
    }
}
