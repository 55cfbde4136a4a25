package dev.llmgraph.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;

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
 * The Python that runs the PyTorch referee ({@code bench/torch/train_reference.py}): Debian's
 * {@code /usr/bin/python3} with {@code python3-torch}, or the interpreter named by
 * {@code -Dllmgraph.torch.python=...}. The {@code python3} on PATH is not tried: on these machines it is a
 * pyenv build without torch. Tests call {@link #assumeAvailable()} first, so that a machine without torch
 * skips them with the reason and the fix instead of failing.
 */
final class TorchPython {
    static final String PROPERTY = "llmgraph.torch.python";
    static final Path DEBIAN_PYTHON = Path.of("/usr/bin/python3");
    /** Relative to the dsl module, where Maven runs the tests. */
    static final Path SCRIPT = Path.of("../bench/torch/train_reference.py");

    private static TorchPython found;

    private final Path python;
    private final String torchVersion;
    private final String missing;

    private TorchPython(Path python, String torchVersion, String missing) {
        this.python = python;
        this.torchVersion = torchVersion;
        this.missing = missing;
    }

    /** The configured interpreter, probed once per test run. */
    static synchronized TorchPython find() {
        if (found == null) {
            String given = System.getProperty(PROPERTY);
            found = probe(given == null || given.isBlank() ? DEBIAN_PYTHON : Path.of(given));
        }
        return found;
    }

    /** {@code python} if it imports torch and numpy; otherwise an unavailable one that says why. */
    static TorchPython probe(Path python) {
        if (!Files.isExecutable(python)) {
            return unavailable(python, "there is no executable " + python);
        }
        Result r = exec(List.of(python.toString(), "-c", "import numpy, torch; print(torch.__version__)"), 120);
        if (r.exitCode != 0) {
            List<String> lines = r.errors.lines().filter(l -> !l.isBlank()).toList();
            return unavailable(python, python + " cannot import torch and numpy ("
                    + (lines.isEmpty() ? "exit code " + r.exitCode : lines.getLast().strip()) + ")");
        }
        return new TorchPython(python, r.output.strip(), null);
    }

    private static TorchPython unavailable(Path python, String why) {
        return new TorchPython(python, null, "PyTorch referee skipped: " + why + ". It needs " + python
                + " with torch: install it with `apt-get install python3-torch` (it brings numpy), or point -D"
                + PROPERTY + "=PATH at a Python 3 that imports torch and numpy.");
    }

    boolean available() {
        return missing == null;
    }

    /** Why this Python cannot run the referee, with the fix; null when it can. */
    String missing() {
        return missing;
    }

    String torchVersion() {
        return torchVersion;
    }

    /** Skips the calling test, with {@link #missing()} as the reason, when this Python has no torch. */
    void assumeAvailable() {
        Assumptions.assumeTrue(available(), missing);
    }

    /**
     * Runs {@code train_reference.py} with {@code arguments} and {@code --out} a file in {@code workDir}; returns
     * the JSON it wrote. A failing run throws with the script's own error text.
     */
    JsonNode runReference(Path workDir, List<String> arguments, int timeoutSeconds) {
        Path out = workDir.resolve("reference.json");
        List<String> command = new ArrayList<>(List.of(python.toString(), SCRIPT.toString()));
        command.addAll(arguments);
        command.addAll(List.of("--out", out.toString()));
        Result r = exec(command, timeoutSeconds);
        if (r.exitCode != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + r.exitCode + ":\n"
                    + r.errors);
        }
        try {
            return new ObjectMapper().readTree(out.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": cannot read the referee's JSON (" + e + ")", e);
        }
    }

    /** Writes token ids as the script's {@code --batches} file: little-endian int32, steps x batch x (context + 1). */
    static Path writeBatches(Path file, int[] ids) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * ids.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asIntBuffer().put(ids);
        try {
            return Files.write(file, bytes.array());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write the batches (" + e + ")", e);
        }
    }

    private record Result(int exitCode, String output, String errors) {}

    private static Result exec(List<String> command, int timeoutSeconds) {
        try {
            Path stdout = Files.createTempFile("torch-python", ".out");
            Path stderr = Files.createTempFile("torch-python", ".err");
            try {
                Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile())
                        .redirectError(stderr.toFile()).start();
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " did not finish within "
                            + timeoutSeconds + " s");
                }
                return new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                        Files.readString(stderr, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(stdout);
                Files.deleteIfExists(stderr);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.getFirst() + " (" + e + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.getFirst(), e);
        }
    }
}
