package dev.llmgraph.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * PyTorch's side of the training benchmark: {@code bench/torch/train_reference.py} run by Debian's
 * {@code /usr/bin/python3} with {@code python3-torch} (or the interpreter {@code -Dllmgraph.torch.python=PATH}
 * names), on a checkpoint and a batches file the Java side wrote. See {@code bench/torch/README.md}.
 */
public final class TorchTrainer {
    public static final String PYTHON_PROPERTY = "llmgraph.torch.python";
    static final Path SCRIPT = Path.of("bench", "torch", "train_reference.py");

    private final Path python;
    private final Path script;

    private TorchTrainer(Path python, Path script) {
        this.python = python;
        this.script = script;
    }

    /**
     * The configured Python and the script under the checkout ({@code -Dllmgraph.home}, which {@code bin/llmgraph}
     * sets, else the working directory); throws, saying what to install or where to run, when either is missing.
     */
    public static TorchTrainer find() {
        String given = System.getProperty(PYTHON_PROPERTY);
        Path python = Path.of(given == null || given.isBlank() ? "/usr/bin/python3" : given);
        String home = System.getProperty("llmgraph.home");
        Path script = (home == null || home.isBlank() ? Path.of("") : Path.of(home)).resolve(SCRIPT).toAbsolutePath();
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException(script + " is missing: the PyTorch side of the training benchmark lives in "
                    + "the source checkout; run from its root (bin/llmgraph sets -Dllmgraph.home)");
        }
        TorchTrainer trainer = new TorchTrainer(python, script);
        String probe = trainer.missing();
        if (probe != null) {
            throw new IllegalStateException(probe + "; install PyTorch with `apt-get install python3-torch` (it brings "
                    + "numpy), or point -D" + PYTHON_PROPERTY + "=PATH at a Python 3 that imports torch and numpy");
        }
        return trainer;
    }

    /** {@code python} running {@code script}, not probed yet: {@link #missing()} says whether it can. */
    public static TorchTrainer at(Path python, Path script) {
        return new TorchTrainer(python, script);
    }

    /** Why this Python cannot run the script, or null when it imports torch and numpy. */
    public String missing() {
        if (!Files.isExecutable(python)) {
            return "there is no executable " + python;
        }
        Finished r = exec(List.of(python.toString(), "-c", "import numpy, torch"), 120);
        if (r.exitCode != 0) {
            List<String> lines = r.errors.lines().filter(l -> !l.isBlank()).toList();
            return python + " cannot import torch and numpy ("
                    + (lines.isEmpty() ? "exit code " + r.exitCode : lines.getLast().strip()) + ")";
        }
        return null;
    }

    /** Runs the script with {@code arguments}, writing its JSON to {@code out}; returns that JSON. */
    public JsonNode run(List<String> arguments, Path out, int timeoutSeconds) {
        List<String> command = new ArrayList<>(List.of(python.toString(), script.toString()));
        command.addAll(arguments);
        command.addAll(List.of("--out", out.toString()));
        Finished r = exec(command, timeoutSeconds);
        if (r.exitCode != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + r.exitCode + ":\n" + r.errors);
        }
        try {
            return new ObjectMapper().readTree(out.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": cannot read the PyTorch script's JSON (" + e + ")", e);
        }
    }

    /** Writes batches as the script reads them: little-endian int32 ids, steps x batch x (context + 1). */
    public static Path writeBatches(Path file, List<int[][]> batches) {
        int count = batches.stream().mapToInt(b -> b.length * b[0].length).sum();
        ByteBuffer bytes = ByteBuffer.allocate(4 * count).order(ByteOrder.LITTLE_ENDIAN);
        for (int[][] batch : batches) {
            for (int[] sequence : batch) {
                for (int id : sequence) {
                    bytes.putInt(id);
                }
            }
        }
        try {
            return Files.write(file, bytes.array());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write the batches (" + e + ")", e);
        }
    }

    private record Finished(int exitCode, String errors) {}

    private static Finished exec(List<String> command, int timeoutSeconds) {
        try {
            Path errors = Files.createTempFile("llmgraph-torch", ".err");
            try {
                Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(errors.toFile()).start();
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " did not finish within "
                            + timeoutSeconds + " s");
                }
                return new Finished(process.exitValue(), Files.readString(errors, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(errors);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.getFirst() + " (" + e + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.getFirst(), e);
        }
    }
}
