package dev.llmgraph.ggml.llama;

import java.nio.file.Path;
import java.util.List;

/** The llama.cpp source the native libraries were built from, for the tests (see {@link LlamaCppSource}). */
public final class LlamaSource {
    private LlamaSource() {}

    public static Path directory() {
        return LlamaCppSource.directory();
    }

    /** Every {@code models/ggml-vocab-*.gguf}, sorted by name. */
    public static List<Path> vocabularies() {
        return LlamaCppSource.vocabularies();
    }
}
