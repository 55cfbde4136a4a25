package dev.llmgraph.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmgraph.bench.TorchTrainer;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The PyTorch referee for tests: {@code bench/torch/train_reference.py} run by the benchmark's
 * {@link TorchTrainer}, with Debian's {@code /usr/bin/python3} (and {@code python3-torch}) or the interpreter
 * named by {@code -Dllmgraph.torch.python=...}. The {@code python3} on PATH is not tried: on these machines it is
 * a pyenv build without torch. Tests call {@link #assumeAvailable()} first, so that a machine without torch skips
 * them with the reason and the fix instead of failing.
 */
final class TorchPython {
    static final String PROPERTY = TorchTrainer.PYTHON_PROPERTY;
    static final Path DEBIAN_PYTHON = Path.of("/usr/bin/python3");
    /** Relative to the dsl module, where Maven runs the tests. */
    static final Path SCRIPT = Path.of("../bench/torch/train_reference.py");

    private static TorchPython found;

    private final TorchTrainer trainer;
    private final String missing;

    private TorchPython(TorchTrainer trainer, String missing) {
        this.trainer = trainer;
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
        TorchTrainer trainer = TorchTrainer.at(python, SCRIPT);
        String why = trainer.missing();
        return new TorchPython(trainer, why == null ? null : "PyTorch referee skipped: " + why + ". It needs " + python
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

    /** Skips the calling test, with {@link #missing()} as the reason, when this Python has no torch. */
    void assumeAvailable() {
        Assumptions.assumeTrue(available(), missing);
    }

    /**
     * Runs {@code train_reference.py} with {@code arguments} and {@code --out} a file in {@code workDir}; returns
     * the JSON it wrote. A failing run throws with the script's own error text.
     */
    JsonNode runReference(Path workDir, List<String> arguments, int timeoutSeconds) {
        return trainer.run(arguments, workDir.resolve("reference.json"), timeoutSeconds);
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
}
