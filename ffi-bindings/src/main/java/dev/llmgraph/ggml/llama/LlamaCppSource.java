package dev.llmgraph.ggml.llama;

import dev.llmgraph.ggml.internal.NativeLibraries;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The llama.cpp source tree the native libraries were built from ({@code native/build.sh} records it in
 * {@code source-dir} next to {@code lib/}), and the vocabulary-only GGUFs it ships for its tokenizer tests.
 */
public final class LlamaCppSource {
    private LlamaCppSource() {}

    /** The source tree's root. */
    public static Path directory() {
        Path record = NativeLibraries.directory().getParent().resolve("source-dir");
        try {
            return Path.of(Files.readString(record).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + record + ", which native/build.sh writes; run it again", e);
        }
    }

    /** Every {@code models/ggml-vocab-*.gguf} of the source tree, sorted by name. */
    public static List<Path> vocabularies() {
        Path models = directory().resolve("models");
        try (Stream<Path> files = Files.list(models)) {
            return files.filter(p -> p.getFileName().toString().matches("ggml-vocab-.*\\.gguf")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + models + ": the llama.cpp source tree the native "
                    + "libraries were built from is gone; run " + NativeLibraries.BUILD_COMMAND + " again", e);
        }
    }
}
