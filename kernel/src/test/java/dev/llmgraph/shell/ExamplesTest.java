package dev.llmgraph.shell;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@code examples/*.jsh} runs as {@code bin/llmgraph run} runs it, ends with status 0 and nothing on
 * the problem stream, and prints what it is there to show. A new example is picked up automatically; the
 * map below says what its output must contain.
 */
class ExamplesTest {
    private static final Path EXAMPLES = Path.of("..", "examples");

    /** What each example must print (a regular expression found somewhere in its output). */
    private static final Map<String, String> MUST_PRINT = Map.of(
            "quickstart.jsh", "(?s)total\\s+[0-9,]+.*small-llama: generated \\[(\\d+, ){19}\\d+\\].*"
                    + "generation [0-9.]+ tokens/s.*small-bloom: generated \\[(\\d+, ){19}\\d+\\].*"
                    + "moby-dick-tiny: Call me Ishmael\\.\\S*( \\S+){5,}.*\\(\\d+ tokens, ",
            "gguf_parity.jsh", "(?s)llama\\.cpp.*max",
            "bert_embeddings.jsh", "(?s)maps to llama.cpp's 'bert'.*token 0's state moves by [0-9]+\\.[0-9]*[1-9].*llama\\.cpp's "
                    + "bert, mean-pooled embedding: max \\|difference\\| [0-9]\\.[0-9]{2}e(\\+00|-0[5-9]|-[1-9][0-9]).*masked-LM logits 8 x 256.*refused: ",
            "ablation.jsh", "(?s)SANDWICH\\s+RoPE.*placement,positional,parameters.*refused: spec 'tiny-gpt2-small'",
            "train_moby_dick.jsh", "(?s)training steps 1 to 20.*held-out loss [0-9.]+ after 20 steps.*wrote .*"
                    + "Call me Ishmael\\..{20,}",
            "experiment_length_extrapolation.jsh", "(?s)learned +at  64 tokens \\(2x\\): refused: sequences of 64 "
                    + "tokens are longer than the context length of 32.*RoPE, YaRN x2.0 from 32 +at  64 tokens.*wrote ",
            "experiment_norm_placement.jsh", "(?s)unigram entropy of the training bytes: 3.059 nats.*POST +layers  2.*wrote ",
            "experiment_norm_speed.jsh", "(?s)dModel  64: training step RMSNorm .*wrote ",
            "experiment_prefix_lm.jsh", "(?s)causal +1024 loss tokens per batch of 1024.*prefix LM +528 loss tokens.*wrote ");

    /**
     * The experiment scripts of notebook 08, run in their quick mode, must still train: a loss (the pattern's group 1,
     * and group 2 where there is one) below a stated value, measured when the check was written and given a margin.
     * Chance is ln 256 = 5.55 nats per byte; the unigram entropy of the text's bytes is 3.06.
     */
    private static final Map<String, LossBelow> TRAINS = Map.of(
            // measured 3.087 after 40 steps at lr 3e-3, 2 layers, Pre-LN
            "experiment_norm_placement.jsh", new LossBelow("PRE +layers  2 seed 1: loss [0-9.]+ -> ([0-9.]+) after 40 steps",
                    3.3),
            // measured 2.890 after 40 steps
            "experiment_length_extrapolation.jsh", new LossBelow("RoPE +trained 40 steps: training loss ([0-9.]+)",
                    3.2),
            // measured 3.109 (causal) and 3.067 (prefix LM) after 30 steps
            "experiment_prefix_lm.jsh", new LossBelow("prefix LM +528 loss tokens .* training loss ([0-9.]+)", 3.4),
            // measured 4.563 (RMSNorm) and 4.556 (LayerNorm) after 15 steps at lr 1e-3
            "experiment_norm_speed.jsh", new LossBelow("losses after 15 steps ([0-9.]+), ([0-9.]+)", 5.0));

    private record LossBelow(String regex, double limit) {
        void check(String script, String printed) {
            Matcher m = Pattern.compile(regex).matcher(printed);
            assertTrue(m.find(), script + " did not print /" + regex + "/:\n" + printed);
            for (int g = 1; g <= m.groupCount(); g++) {
                double loss = Double.parseDouble(m.group(g));
                assertTrue(loss < limit, script + ": loss " + loss + " is not below " + limit + " in: " + m.group());
            }
        }
    }

    /** Arguments an example gets here: the training example trains 20 steps into a temporary file. */
    private static List<String> argumentsOf(Path script) throws IOException {
        // where bin/llmgraph points every script: the repository, which holds the examples' data and models
        System.setProperty("llmgraph.home", EXAMPLES.toAbsolutePath().normalize().getParent().toString());
        if (script.getFileName().toString().equals("train_moby_dick.jsh")) {
            return List.of("20", Files.createTempDirectory("llmgraph-train").resolve("moby.gguf").toString());
        }
        if (script.getFileName().toString().startsWith("experiment_")) {
            System.setProperty("llmgraph.home", EXAMPLES.toAbsolutePath().getParent().toString());
            return List.of("quick", Files.createTempDirectory("llmgraph-experiment").toString());
        }
        return List.of();
    }

    @TestFactory
    Stream<DynamicTest> everyExampleRuns() throws IOException {
        List<Path> scripts;
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            scripts = files.filter(p -> p.toString().endsWith(".jsh")).sorted().toList();
        }
        assertFalse(scripts.isEmpty(), "no examples found in " + EXAMPLES.toAbsolutePath());
        return scripts.stream().map(script -> DynamicTest.dynamicTest(script.getFileName().toString(), () -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream problems = new ByteArrayOutputStream();
            PrintStream original = System.out;
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            int status;
            try {
                status = ScriptRunner.run(script, argumentsOf(script), new PrintStream(problems, true, StandardCharsets.UTF_8));
            } finally {
                System.setOut(original);
            }
            String printed = out.toString(StandardCharsets.UTF_8);
            System.out.println("---- " + script.getFileName() + "\n" + printed);
            assertEquals("", problems.toString(StandardCharsets.UTF_8), script + " reported problems");
            assertEquals(0, status, script + " ended with status " + status);
            String pattern = MUST_PRINT.getOrDefault(script.getFileName().toString(), "(?s).+");
            assertTrue(Pattern.compile(pattern).matcher(printed).find(), script + " did not print " + pattern
                    + "; it printed:\n" + printed);
            LossBelow trains = TRAINS.get(script.getFileName().toString());
            if (trains != null) {
                trains.check(script.getFileName().toString(), printed);
            }
        }));
    }
}
