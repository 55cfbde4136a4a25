package dev.llmgraph.shell;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScriptRunnerTest {
    @TempDir
    Path dir;

    private record Run(int status, String stdout, String problems) {}

    /** Runs a script in this JVM, as {@code bin/llmgraph run} does in its own. */
    private Run run(String name, String script, String... args) throws Exception {
        Path file = Files.writeString(dir.resolve(name), script);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream problems = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8)); // scripts print to System.out
        try {
            int status = ScriptRunner.run(file, List.of(args), new PrintStream(problems, true, StandardCharsets.UTF_8));
            return new Run(status, out.toString(StandardCharsets.UTF_8), problems.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void scriptPrintsSeesItsArgumentsAndTheDefaultImports() throws Exception {
        Run run = run("hello.jsh", """
                // default imports: java.util.* from JShell's set, GgmlType from llmgraph's imports.txt
                List<String> words = new ArrayList<>(List.of(ARGS));
                System.out.println("hello " + String.join(" ", words));
                System.out.println(GgmlType.F32.blockSize());
                """, "small", "world");

        assertEquals(new Run(0, "hello small world\n1\n", ""), run);
    }

    @Test
    void compileErrorIsReportedAtItsScriptLine() throws Exception {
        Run run = run("typo.jsh", """
                int layers = 2;
                System.out.println("layers: " + layers);

                String name = layers;
                System.out.println("not reached");
                """);

        assertEquals(new Run(1, "layers: 2\n", """
                typo.jsh:4: error: incompatible types: int cannot be converted to java.lang.String
                String name = layers;
                              ^
                """), run);
    }

    @Test
    void exceptionIsReportedAtTheLineThatThrewWithTheCallingLines() throws Exception {
        Run run = run("throws.jsh", """
                int checkedHeads(int heads) {
                    if (heads <= 0) {
                        throw new IllegalArgumentException("heads must be positive, got " + heads);
                    }
                    return heads;
                }
                System.out.println("checking");
                checkedHeads(0);
                System.out.println("not reached");
                """);

        assertEquals(new Run(1, "checking\n", """
                throws.jsh:3: java.lang.IllegalArgumentException: heads must be positive, got 0
                \tat checkedHeads(throws.jsh:3)
                \tat throws.jsh:8
                """), run);
    }

    @Test
    void longRunsOfLibraryFramesAreCutAndLambdasNamedByTheirLine() throws Exception {
        Run run = run("stream.jsh", """
                List<Integer> sizes = List.of(1, 2, 0);
                int inverse(int n) {
                    return 12 / n;
                }
                sizes.stream()
                     .map(n -> inverse(n))
                     .toList();
                """);

        List<String> lines = run.problems().lines().toList();
        assertEquals(1, run.status());
        assertEquals(List.of(
                "stream.jsh:3: java.lang.ArithmeticException: / by zero",
                "\tat inverse(stream.jsh:3)",
                "\tat lambda(stream.jsh:6)"), lines.subList(0, 3));
        // the stream pipeline between the lambda and the line that ran it: its first four frames, then a count
        lines.subList(3, 7).forEach(line -> assertTrue(line.startsWith("\tat java.base/java.util."), line));
        assertTrue(lines.get(7).matches("\t\\.\\.\\. \\d+ frames of library code"), lines.get(7));
        assertEquals("\tat stream.jsh:7", lines.get(8));
        assertEquals(9, lines.size());
    }

    @Test
    void exitEndsTheScriptWithItsStatus() throws Exception {
        Run run = run("exit.jsh", "System.out.println(\"before\");\n/exit 3\nSystem.out.println(\"after\");\n");

        assertEquals(new Run(3, "before\n", ""), run);
    }

    @Test
    void otherJShellCommandsAreRefusedWithTheirLine() throws Exception {
        Run run = run("command.jsh", "int x = 1;\n/vars\n");

        assertEquals(new Run(1, "", "command.jsh:2: error: /vars is a JShell command; scripts run by llmgraph "
                + "understand only /exit\n"), run);
    }

    @Test
    void mainExitsWithStatusOneAndReportsOnStandardError() throws Exception {
        Path script = Files.writeString(dir.resolve("fails.jsh"), "System.out.println(\"start\");\nObject o = null;\no.hashCode();\n");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("basedir") + "/target/classes:" + Files.readString(
                        Path.of(System.getProperty("basedir"), "target", "classpath.txt")).strip(),
                ScriptRunner.class.getName(), script.toString()));
        Process process = new ProcessBuilder(command).start();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));

        assertEquals(1, process.exitValue());
        assertEquals("start\n", stdout);
        assertTrue(stderr.startsWith("fails.jsh:3: java.lang.NullPointerException: Cannot invoke \"Object.hashCode()\""
                + " because \"REPL.$JShell$"), stderr);
        assertTrue(stderr.endsWith("\tat fails.jsh:3\n"), stderr);
    }
}
