package dev.llmgraph.ggml.internal;

import dev.llmgraph.ggml.NativeLibraryException;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds and opens the native libraries that {@code native/build.sh} builds.
 *
 * <p>The folder is, in order: the system property {@code llmgraph.native.dir}, the environment variable
 * {@code LLMGRAPH_NATIVE_DIR}, and the CPU build in the default cache folder
 * ({@code ~/.cache/llmgraph/native/current-cpu/lib}). Every failure says which file is missing and the
 * command that builds it, because a bare {@code UnsatisfiedLinkError} teaches nothing.
 */
public final class NativeLibraries {
    public static final String BUILD_COMMAND = "native/build.sh (or bin/llmgraph build-native)";

    private static final List<String> GGML = List.of("libggml-base.so", "libggml-cpu.so", "libggml.so");
    private static final String CUDA = "libggml-cuda.so";
    private static final String SHIM = "libllmgraph-shim.so";
    private static final String RPC = "libggml-rpc.so";

    private static volatile Path directory;
    private static volatile SymbolLookup ggml;
    private static volatile SymbolLookup shim;
    private static volatile SymbolLookup rpc;

    private NativeLibraries() {}

    /** The folder the libraries are loaded from. */
    public static Path directory() {
        Path dir = directory;
        if (dir == null) {
            synchronized (NativeLibraries.class) {
                if (directory == null) {
                    directory = locate();
                }
                dir = directory;
            }
        }
        return dir;
    }

    /** Symbols of ggml-base, ggml-cpu, ggml and, when it was built, ggml-cuda. */
    public static SymbolLookup ggml() {
        SymbolLookup lookup = ggml;
        if (lookup == null) {
            synchronized (NativeLibraries.class) {
                if (ggml == null) {
                    SymbolLookup opened = openGgml();
                    GgmlLog.install(opened);
                    ggml = opened;
                }
                lookup = ggml;
            }
        }
        return lookup;
    }

    /** Symbols of the llmgraph shim over libllama (tokenizer, llama.cpp's reference forward pass). */
    public static SymbolLookup shim() {
        SymbolLookup lookup = shim;
        if (lookup == null) {
            synchronized (NativeLibraries.class) {
                if (shim == null) {
                    ggml();
                    shim = open(SHIM);
                }
                lookup = shim;
            }
        }
        return lookup;
    }

    /** Symbols of ggml's RPC client (libggml-rpc), which reaches devices in other processes or on other hosts. */
    public static SymbolLookup rpc() {
        SymbolLookup lookup = rpc;
        if (lookup == null) {
            synchronized (NativeLibraries.class) {
                if (rpc == null) {
                    ggml();
                    if (!Files.isRegularFile(directory().resolve(RPC))) {
                        throw new NativeLibraryException("the native libraries in " + directory() + " were built "
                                + "without ggml's RPC backend (no " + RPC + "); rebuild them with " + BUILD_COMMAND
                                + ", which now builds it");
                    }
                    rpc = open(RPC);
                }
                lookup = rpc;
            }
        }
        return lookup;
    }

    /** Whether the CUDA backend library was built into the folder. */
    public static boolean hasCuda() {
        return Files.isRegularFile(directory().resolve(CUDA));
    }

    private static SymbolLookup openGgml() {
        requireNativeAccess();
        SymbolLookup lookup = null;
        for (String name : GGML) {
            SymbolLookup next = open(name);
            lookup = lookup == null ? next : lookup.or(next);
        }
        if (hasCuda()) {
            lookup = lookup.or(open(CUDA));
        }
        return lookup;
    }

    private static SymbolLookup open(String name) {
        Path file = directory().resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new NativeLibraryException(name + " not found in " + directory() + "; run " + BUILD_COMMAND
                    + " to build it");
        }
        try {
            return SymbolLookup.libraryLookup(file, Arena.global());
        } catch (IllegalArgumentException e) {
            String reason = LoaderError.reason(file).orElse(e.getMessage());
            throw new NativeLibraryException("could not open " + file + " (" + reason + "); if a library it needs is "
                    + "missing, put its folder on LD_LIBRARY_PATH (a CUDA build needs the CUDA runtime, cuBLAS and the "
                    + "driver of the CUDA version it was built with), else rebuild it with " + BUILD_COMMAND, e);
        }
    }

    private static void requireNativeAccess() {
        Module module = NativeLibraries.class.getModule();
        if (!module.isNativeAccessEnabled()) {
            throw new NativeLibraryException("native access is not enabled for " + (module.isNamed()
                    ? module.getName() : "the class path") + "; run java with --enable-native-access="
                    + (module.isNamed() ? module.getName() : "ALL-UNNAMED")
                    + " (bin/llmgraph does this for you)");
        }
    }

    private static Path locate() {
        String property = System.getProperty("llmgraph.native.dir", "");
        if (!property.isBlank()) {
            return checked(Path.of(property), "the system property llmgraph.native.dir");
        }
        String env = System.getenv("LLMGRAPH_NATIVE_DIR");
        if (env != null && !env.isBlank()) {
            return checked(Path.of(env), "the environment variable LLMGRAPH_NATIVE_DIR");
        }
        Path fallback = defaultCache().resolve("native").resolve("current-cpu").resolve("lib");
        if (!Files.isDirectory(fallback)) {
            throw new NativeLibraryException("the ggml libraries have not been built yet (looked in " + fallback
                    + "); run " + BUILD_COMMAND + " to build them, or set LLMGRAPH_NATIVE_DIR to a folder that holds "
                    + String.join(", ", GGML));
        }
        return fallback;
    }

    private static Path checked(Path dir, String source) {
        if (!Files.isDirectory(dir)) {
            throw new NativeLibraryException(dir + " (from " + source + ") is not a folder; run " + BUILD_COMMAND
                    + ", which prints the folder to use");
        }
        return dir;
    }

    /** llmgraph's cache folder: LLMGRAPH_CACHE, else $XDG_CACHE_HOME/llmgraph, else ~/.cache/llmgraph. */
    public static Path defaultCache() {
        String cache = System.getenv("LLMGRAPH_CACHE");
        if (cache != null && !cache.isBlank()) {
            return Path.of(cache);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("llmgraph");
    }
}
