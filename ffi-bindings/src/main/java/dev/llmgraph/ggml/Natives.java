package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.NativeLibraries;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the native build lives: its library folder, its tools (llama-bench), the source it came from. */
public final class Natives {
    private Natives() {}

    /** The folder the ggml and llama.cpp libraries are loaded from. */
    public static Path libraryDirectory() {
        return NativeLibraries.directory();
    }

    /**
     * llmgraph's cache folder (native builds, benchmark models): {@code LLMGRAPH_CACHE}, else
     * {@code $XDG_CACHE_HOME/llmgraph}, else {@code ~/.cache/llmgraph}, as native/build.sh uses it.
     */
    public static Path cacheDirectory() {
        return NativeLibraries.defaultCache();
    }

    /** A program built with the libraries, e.g. {@code llama-bench}. */
    public static Path tool(String name) {
        Path tool = libraryDirectory().resolve(name);
        if (!Files.isExecutable(tool)) {
            throw new NativeLibraryException(name + " not found in " + libraryDirectory() + "; run "
                    + NativeLibraries.BUILD_COMMAND + " to build it");
        }
        return tool;
    }

    /** The llama.cpp source the libraries were built from (native/build.sh records it next to them). */
    public static Path sourceDirectory() {
        Path record = libraryDirectory().getParent().resolve("source-dir");
        try {
            return Path.of(Files.readString(record).trim());
        } catch (IOException e) {
            throw new NativeLibraryException("cannot read " + record + " (written by native/build.sh): " + e.getMessage()
                    + "; rebuild with " + NativeLibraries.BUILD_COMMAND);
        }
    }
}
