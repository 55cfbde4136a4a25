package dev.llmgraph.io.safetensors;

import java.nio.file.Path;

/**
 * A safetensors file (or its index) that cannot be read as the weights of a spec: truncated, malformed,
 * inconsistent, or holding the wrong tensors. The message names the file, the tensor (where one is at
 * fault) and the problem.
 */
public final class SafetensorsException extends RuntimeException {
    private final Path file;
    private final String tensor;

    SafetensorsException(Path file, String tensor, String problem) {
        super(file + (tensor == null ? "" : ": tensor '" + tensor + "'") + ": " + problem);
        this.file = file;
        this.tensor = tensor;
    }

    public Path file() {
        return file;
    }

    /** The tensor at fault (its name in the file), or null when the problem is the file as a whole. */
    public String tensor() {
        return tensor;
    }
}
