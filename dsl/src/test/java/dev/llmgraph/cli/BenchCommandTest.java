package dev.llmgraph.cli;

import dev.llmgraph.bench.BenchConfig;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.presets.Presets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/llmgraph bench} before it measures anything: --help, the default table that must be asked for by name,
 * and the plan it prints (files, sizes, a rough duration). Runs that measure are in the kernel module's test of the
 * documented command lines.
 */
class BenchCommandTest {
    record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = BenchCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpListsEveryOptionAndExitsZero() {
        Run run = run("--help");

        assertEquals(0, run.status());
        assertEquals("", run.err());
        assertTrue(run.out().startsWith(BenchCommand.USAGE + "\n\n"), run.out());
        for (String option : List.of("--model", "--default", "--type", "--threads", "--backend", "-p N", "-n N", "-r N",
                "--rounds", "-d, --depth", "--ctx", "--flash", "--out")) {
            assertTrue(run.out().contains("\n  " + option) || run.out().contains("  " + option + " "),
                    option + " in:\n" + run.out());
        }
        assertEquals(run, run("--model", "gpt2-small", "-h"), "-h anywhere is the same");
    }

    @Test
    void withoutAModelItPrintsTheDefaultTableAndAsksForDefault() {
        Run run = run("--threads", "2");

        assertEquals(2, run.status());
        assertEquals("llmgraph bench: no --model given; run the default table above with --default, or measure one "
                + "model, e.g. --model tiny-gpt2-small --type q8_0 -p 8 -n 4 -r 1 --rounds 1 (--help lists the "
                + "options)\n", run.err());
        assertTrue(run.out().startsWith("Without --model, bench measures the default table:\n  tinyllama-1.1b "),
                run.out());
        for (String type : List.of("f16", "q8_0", "q4_0")) {
            assertTrue(run.out().contains("gpt2-small-" + type + ".gguf"), run.out());
        }
        assertTrue(run.out().contains("  rough duration: about "), run.out());
    }

    /** A file that cannot be read is one line naming it and what is wrong, exit 1, not a stack trace. */
    @Test
    void aFileThatIsNotGgufIsRefusedInOneLine(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("model.gguf"), "x".repeat(40));
        Run run = run("--model", file.toString(), "-p", "8", "-n", "4", "-r", "1", "--rounds", "1");

        assertEquals(1, run.status());
        assertEquals("llmgraph bench: " + file + ": not a GGUF file: it starts with the bytes 78 78 78 78 instead of "
                + "'GGUF'\n", run.err());
    }

    @Test
    void defaultAndModelTogetherAreRefused() {
        Run run = run("--default", "--model", "gpt2-small");

        assertEquals(2, run.status());
        assertEquals("llmgraph bench: --default measures the default models; give it or --model, not both ("
                + BenchCommand.USAGE + ")\n", run.err());
    }

    @Test
    void thePlanNamesEachFileItsSizeAndWhatIsToBeWritten(@TempDir Path cache) throws Exception {
        Files.writeString(cache.resolve("gpt2-small-q4_0.gguf"), "x".repeat(1000));
        var arguments = BenchCommand.parse(new String[] {"--model", "gpt2-small", "--type", "q8_0,q4_0", "-p", "8",
                "-n", "4", "-r", "1", "--rounds", "1", "--threads", "2"});

        BenchPlan plan = BenchPlan.of(arguments, cache);

        // a file still to be written is announced at the size of its weights (the written file's size is compared
        // with it by the kernel module's DocumentedCommandsTest); a cached one at its size on disk
        long q8 = Presets.gpt2Small().accounting().weightBytes(GgmlType.Q8_0);
        assertEquals(String.format("""
                  gpt2-small               q8_0      %10s  %s  (to be written)
                  gpt2-small               q4_0         1.0 KiB  %s
                  each file: pp8 and tg4, 1 repetition after a warm-up, 1 round of both engines, 2 threads on cpu
                  disk: about %s of GGUF files to write into the cache
                  rough duration: %s
                """, String.format("%.1f MiB", q8 / 1048576.0), cache.resolve("gpt2-small-q8_0.gguf"),
                cache.resolve("gpt2-small-q4_0.gguf"), String.format("%.1f MiB", q8 / 1048576.0),
                BenchPlan.duration(plan.seconds())), plan.describe());
        assertEquals(q8, plan.bytesToWrite());
    }

    @Test
    void aDepthBeyondThePresetsContextIsRefusedWithTheCtxThatFixesIt() {
        assertEquals(new Run(2, "", "llmgraph bench: tinyllama-1.1b holds 2048 positions, and -p 512 -n 128 -d 16384 "
                + "needs 17024 (llama-bench's n_ctx = p + n + d); add --ctx 17024 to write the preset with that context "
                + "(a separate cached file), or lower -d (" + BenchCommand.USAGE + ")\n"),
                run("--model", "tinyllama-1.1b", "--type", "q4_0", "-d", "16384", "-p", "512", "-n", "128"));
        assertEquals(new Run(2, "", "llmgraph bench: --ctx 4096 holds 4096 positions, and -p 512 -n 128 -d 0,8192 "
                + "needs 8832 (llama-bench's n_ctx = p + n + d); give --ctx 8832 or more (" + BenchCommand.USAGE
                + ")\n"), run("--model", "tinyllama-1.1b", "-d", "0,8192", "--ctx", "4096"));
        assertEquals(new Run(2, "", "llmgraph bench: depths must be one or more whole numbers of at least 0, got "
                + "[0, -1] (" + BenchCommand.USAGE + ")\n"), run("--model", "tinyllama-1.1b", "-d", "0,-1"));
    }

    @Test
    void withCtxThePlanNamesTheLongerFileAndTheDepths(@TempDir Path cache) {
        var arguments = BenchCommand.parse(new String[] {"--model", "tinyllama-1.1b", "--type", "q4_0", "-p", "512",
                "-n", "128", "--depth", "0,512,2048,8192,16384", "--ctx", "17024", "--threads", "2"});

        BenchPlan plan = BenchPlan.of(arguments, cache);

        assertEquals(17024, arguments.config().contextLength(), "p + n + the deepest d");
        // llama-bench sizes each test's context by its own tokens and the depth, llama.cpp pads it to 256s
        assertEquals(16896, arguments.config().loadedContext(), "pp512 at depth 16384: 16896, a multiple of 256");
        assertEquals(256, BenchConfig.llamaCppCache(128, 0), "tg128's cache");
        assertEquals(512, BenchConfig.llamaCppCache(512, 0), "pp512's cache");
        assertEquals(16640, BenchConfig.llamaCppCache(128, 16384), "tg128 at depth 16384: 16512 padded");
        assertTrue(plan.describe().contains(cache.resolve("tinyllama-1.1b-ctx17024-q4_0.gguf") + "  (to be written)"),
                plan.describe());
        assertTrue(plan.describe().contains("each file: pp512 and tg128 at depth 0, 512, 2048, 8192, 16384, 3 "
                + "repetitions"), plan.describe());
        var shallow = BenchPlan.of(BenchCommand.parse(new String[] {"--model", "tinyllama-1.1b", "--type", "q4_0",
                "-p", "512", "-n", "128", "--ctx", "17024", "--threads", "2"}), cache);
        assertTrue(plan.seconds() > 10 * shallow.seconds(), "the depths' prefills count: " + plan.seconds() + " s against "
                + shallow.seconds() + " s at depth 0");
    }

    @Test
    void durationsReadAsSecondsMinutesOrHours() {
        assertEquals("about 4 s", BenchPlan.duration(4.2));
        assertEquals("about 2 minutes", BenchPlan.duration(100));
        assertEquals("about 20 minutes", BenchPlan.duration(1200));
        assertEquals("about 2.5 hours", BenchPlan.duration(9000));
    }

    @Test
    void benchTrain_answersItsOwnHelp() {
        Run run = run("--train", "--help");

        assertEquals(0, run.status());
        assertTrue(run.out().startsWith(TrainBenchCommand.USAGE + "\n\n"), run.out());
        for (String option : List.of("--threads", "--steps", "--warmup", "--rounds", "--batch", "--context",
                "--d-model", "--ffn", "--out")) {
            assertTrue(run.out().contains("  " + option + " "), option + " in:\n" + run.out());
        }
        assertTrue(run("--help").out().contains("bin/llmgraph bench --train"), "bench --help points at --train");
    }

    @Test
    void benchTrain_refusesBadSettingsBeforeRunningAnything() {
        assertEquals(new Run(2, "", "llmgraph bench --train: --heads 3 must divide --d-model 256 (each head gets "
                + "dModel / heads dimensions) (" + TrainBenchCommand.USAGE + ")\n"), run("--train", "--heads", "3"));
        assertEquals(new Run(2, "", "llmgraph bench --train: steps = 5 and warmup = 5: the steps must outnumber the "
                + "warm-up steps left out, e.g. --steps 20 --warmup 5 (" + TrainBenchCommand.USAGE + ")\n"),
                run("--train", "--steps", "5"));
        assertEquals(new Run(2, "", "llmgraph bench --train: --batch needs a whole number, got 'eight' ("
                + TrainBenchCommand.USAGE + ")\n"), run("--train", "--batch", "eight"));
        assertEquals(new Run(2, "", "llmgraph bench --train: unknown argument '--model' (" + TrainBenchCommand.USAGE
                + ")\n"), run("--train", "--model", "gpt2-small"));
    }

    @Test
    void benchTrain_defaultsAreTheDocumentedShape() {
        var settings = TrainBenchCommand.parse(new String[] {"--threads", "2"}).settings();

        assertEquals(new dev.llmgraph.bench.TrainingBench.Settings(256, 4, 8, 688, 256, 8, 128, 20, 5, 2, 2), settings);
        assertEquals(3_295_488, settings.spec().accounting().parameters().total());
    }
}
