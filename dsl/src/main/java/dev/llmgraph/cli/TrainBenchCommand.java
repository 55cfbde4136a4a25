package dev.llmgraph.cli;

import dev.llmgraph.bench.TrainingBench;
import dev.llmgraph.bench.TrainingBenchReport;
import dev.llmgraph.ggml.CpuThreads;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code bin/llmgraph bench --train}: training speed of llmgraph against PyTorch (CPU) on the same LLaMA-shaped
 * model, batches, AdamW settings and threads, in one run ({@link TrainingBench}); prints the table and writes it as
 * Markdown and JSON under {@code bench/results/}. A mode of {@code bench} rather than a command of its own, since
 * it is the same question (llmgraph's speed against the reference engine) asked of training; its options differ
 * (a model shape instead of a GGUF file), so they are parsed here.
 */
public final class TrainBenchCommand {
    static final String USAGE = "usage: bin/llmgraph bench --train [--threads N] [--steps 20] [--warmup 5] "
            + "[--rounds 2] [--batch 8] [--context 128] [--d-model 256] [--layers 4] [--heads 8] [--ffn 688] "
            + "[--vocab 256] [--out DIR]";
    static final String HELP = USAGE + """


            Training speed of llmgraph against PyTorch on the CPU, side by side: the same LLaMA-shaped model (same
            initial F32 weights), the same batches, AdamW with clipping, the same threads. The engines take turns for
            --rounds rounds; the first --warmup steps of every run are dropped and the median step times compared as
            tokens per second and their ratio llmgraph / PyTorch. Needs /usr/bin/python3 with torch
            (apt-get install python3-torch) or -Dllmgraph.torch.python=PATH. See bench/NOTES.md.

              --threads N      CPU threads of both engines (default: all cores)
              --steps N        steps per run (default 20)
              --warmup N       leading steps of each run left out (default 5)
              --rounds N       runs per engine, taking turns (default 2)
              --batch N        sequences per step (default 8)
              --context N      tokens per sequence (default 128)
              --d-model N  --layers N  --heads N  --ffn N  --vocab N
                               the model (default 256, 4, 8, 688, 256)
              --out DIR        where the report goes (default bench/results)

            A quick first try: bin/llmgraph bench --train --d-model 64 --layers 1 --heads 4 --ffn 128 --context 32 --steps 6 --warmup 2 --rounds 1
            """;

    private TrainBenchCommand() {}

    record Arguments(TrainingBench.Settings settings, Path out) {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        var parsed = CommandOptions.parse("bench --train", args, HELP, USAGE, TrainBenchCommand::parse, out, err);
        if (parsed.done()) {
            return parsed.exitCode();
        }
        Arguments a = parsed.arguments();
        String command = "bin/llmgraph bench --train" + (args.length == 0 ? "" : " " + String.join(" ", args));
        TrainingBenchReport report;
        try {
            report = TrainingBench.run(a.settings(), command, out);
        } catch (IllegalStateException e) {
            err.println("llmgraph bench --train: " + e.getMessage());
            return 1;
        }
        out.println();
        out.print(report.markdown());
        String name = report.date() + "-train-cpu-t" + a.settings().threads();
        out.println("written: " + report.write(a.out(), name) + " and .json");
        return 0;
    }

    static Arguments parse(String[] args) {
        var d = TrainingBench.Settings.defaults(CpuThreads.perCore());
        int dModel = d.dModel(), layers = d.layers(), heads = d.heads(), ffn = d.ffnDim(), vocab = d.vocabSize();
        int batch = d.batch(), context = d.context(), steps = d.steps(), warmup = d.warmup(), rounds = d.rounds();
        int threads = d.threads();
        Path out = Path.of("bench", "results");
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--threads", "-t" -> threads = number(args, ++i, arg);
                case "--steps" -> steps = number(args, ++i, arg);
                case "--warmup" -> warmup = number(args, ++i, arg);
                case "--rounds" -> rounds = number(args, ++i, arg);
                case "--batch" -> batch = number(args, ++i, arg);
                case "--context" -> context = number(args, ++i, arg);
                case "--d-model" -> dModel = number(args, ++i, arg);
                case "--layers" -> layers = number(args, ++i, arg);
                case "--heads" -> heads = number(args, ++i, arg);
                case "--ffn" -> ffn = number(args, ++i, arg);
                case "--vocab" -> vocab = number(args, ++i, arg);
                case "--out" -> out = Path.of(value(args, ++i, arg));
                default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
            }
        }
        if (heads > 0 && dModel % heads != 0) {
            throw new IllegalArgumentException("--heads " + heads + " must divide --d-model " + dModel
                    + " (each head gets dModel / heads dimensions)");
        }
        var settings = new TrainingBench.Settings(dModel, layers, heads, ffn, vocab, batch, context, steps, warmup,
                rounds, threads);
        settings.spec(); // the spec's own rules (e.g. RoPE needs an even head size), before anything runs
        return new Arguments(settings, out);
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    private static int number(String[] args, int i, String flag) {
        String s = value(args, i, flag);
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a whole number, got '" + s + "'");
        }
    }
}
