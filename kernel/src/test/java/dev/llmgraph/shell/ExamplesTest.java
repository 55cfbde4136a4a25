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
                    + "generation [0-9.]+ tokens/s.*small-bloom: generated \\[(\\d+, ){19}\\d+\\]",
            "gguf_parity.jsh", "(?s)llama\\.cpp.*max",
            "ablation.jsh", "(?s)SANDWICH\\s+RoPE.*placement,positional,parameters.*refused: spec 'tiny-gpt2-small'",
            "train_moby_dick.jsh", "(?s)training steps 1 to 20.*held-out loss [0-9.]+ after 20 steps.*wrote .*"
                    + "Call me Ishmael\\. ");

    /** Arguments an example gets here: the training example trains 20 steps into a temporary file. */
    private static List<String> argumentsOf(Path script) throws IOException {
        if (script.getFileName().toString().equals("train_moby_dick.jsh")) {
            // where bin/llmgraph would point it: the repository, which holds the example's text
            System.setProperty("llmgraph.home", EXAMPLES.toAbsolutePath().getParent().toString());
            return List.of("20", Files.createTempDirectory("llmgraph-train").resolve("moby.gguf").toString());
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
        }));
    }
}
