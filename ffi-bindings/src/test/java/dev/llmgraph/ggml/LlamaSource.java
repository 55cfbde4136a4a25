package dev.llmgraph.ggml;

import java.nio.file.Path;
import java.util.List;

/** The llama.cpp source the native libraries were built from, for the tests (see {@link LlamaCppSource}). */
final class LlamaSource {
    private LlamaSource() {}

    static Path directory() {
        return LlamaCppSource.directory();
    }

    /** Every {@code models/ggml-vocab-*.gguf}, sorted by name. */
    static List<Path> vocabularies() {
        return LlamaCppSource.vocabularies();
    }
}
