package dev.llmgraph.ggml.llama;

import dev.llmgraph.ggml.internal.NativeLibraries;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The llama.cpp source the native libraries were built from (native/build.sh records it in source-dir). */
public final class LlamaSource {
    private LlamaSource() {}

    public static Path directory() {
        Path record = NativeLibraries.directory().getParent().resolve("source-dir");
        try {
            return Path.of(Files.readString(record).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + record + ", which native/build.sh writes; run it again", e);
        }
    }

    /** Every {@code models/ggml-vocab-*.gguf}, sorted by name. */
    public static List<Path> vocabularies() {
        try (Stream<Path> files = Files.list(directory().resolve("models"))) {
            return files.filter(p -> p.getFileName().toString().matches("ggml-vocab-.*\\.gguf")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
