package dev.llmgraph.ggml.internal;

import dev.llmgraph.ggml.NativeLibraryException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The binding classes bind their C functions at the first call ({@link NativeFunction}), so a misspelt or missing
 * symbol no longer fails when a class loads. This test binds every function of every class in the package, as the
 * classes did when they loaded.
 */
class NativeFunctionsTest {
    @Test
    void everyFunctionOfEveryBindingClassBinds() throws Exception {
        List<String> bound = new ArrayList<>();
        for (Class<?> type : classesOfThisPackage()) {
            for (Field field : type.getDeclaredFields()) {
                if (field.getType() == NativeFunction.class && Modifier.isStatic(field.getModifiers())) {
                    field.setAccessible(true);
                    NativeFunction function = (NativeFunction) field.get(null);
                    if (function == null) {
                        continue; // MmapApi's, on a C library without the call
                    }
                    function.handle(); // throws NativeLibraryException for a symbol the libraries lack
                    bound.add(type.getSimpleName() + "." + function.name());
                }
            }
        }
        // ggml (GgmlApi, BackendApi, GgufApi...), libllama, the shim, ggml-rpc and libc: 275 when this was written
        assertTrue(bound.size() > 250, "only " + bound.size() + " functions found: " + bound);
        assertTrue(bound.contains("GgufApi.gguf_init_from_buffer"), "GgufApi was not scanned: " + bound);
    }

    @Test
    void aMissingSymbolFailsAtTheFirstCallWithTheFix() {
        NativeFunction missing = Downcalls.quick(NativeLibraries.ggml(), "ggml_no_such_function", Downcalls.fn(Downcalls.INT));
        NativeLibraryException e = assertThrows(NativeLibraryException.class, missing::handle);
        assertEquals("ggml_no_such_function is not exported by the libraries in " + NativeLibraries.directory()
                + "; they may come from another llama.cpp version: rebuild them with native/build.sh (or bin/llmgraph "
                + "build-native)", e.getMessage());
    }

    @Test
    void aFunctionIsBoundOnce() {
        NativeFunction function = Downcalls.quick(NativeLibraries.ggml(), "ggml_tensor_overhead", Downcalls.fn(Downcalls.SIZE_T));
        assertSame(function.handle(), function.handle());
    }

    /** The classes compiled into this package, from the folder or jar that holds {@link NativeFunction}. */
    private static List<Class<?>> classesOfThisPackage() throws IOException, URISyntaxException, ClassNotFoundException {
        Path location = Path.of(NativeFunction.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String folder = NativeFunction.class.getPackageName().replace('.', '/');
        List<Class<?>> classes = new ArrayList<>();
        try (FileSystem jar = Files.isDirectory(location) ? null : FileSystems.newFileSystem(location)) {
            Path root = jar == null ? location : jar.getPath("/");
            try (Stream<Path> files = Files.list(root.resolve(folder))) {
                for (Path file : files.toList()) {
                    String name = file.getFileName().toString();
                    if (name.endsWith(".class") && !name.contains("$")) {
                        classes.add(Class.forName(NativeFunction.class.getPackageName() + "."
                                + name.substring(0, name.length() - ".class".length())));
                    }
                }
            }
        }
        return classes;
    }
}
