package dev.llmgraph.ggml.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Why the system's loader refuses a library, in its own words ({@code dlerror}): "libcublas.so.13: cannot open shared
 * object file: No such file or directory". The JDK's own message names only the file it was asked to open, which is
 * there; what is missing is usually a library that file needs.
 */
final class LoaderError {
    private static final int RTLD_LAZY = 1;

    private LoaderError() {}

    /** The loader's reason for refusing {@code file}, or empty when it opens now or the reason cannot be had. */
    static Optional<String> reason(Path file) {
        Linker linker = Linker.nativeLinker();
        var dlopen = linker.defaultLookup().find("dlopen");
        var dlerror = linker.defaultLookup().find("dlerror");
        var dlclose = linker.defaultLookup().find("dlclose");
        if (dlopen.isEmpty() || dlerror.isEmpty() || dlclose.isEmpty()) {
            return Optional.empty();
        }
        MethodHandle open = linker.downcallHandle(dlopen.get(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        MethodHandle error = linker.downcallHandle(dlerror.get(), FunctionDescriptor.of(ValueLayout.ADDRESS));
        MethodHandle close = linker.downcallHandle(dlclose.get(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = (MemorySegment) open.invokeExact(arena.allocateFrom(file.toString()), RTLD_LAZY);
            if (!Downcalls.isNull(handle)) {
                int ignored = (int) close.invokeExact(handle);
                return Optional.empty();
            }
            return Optional.ofNullable(Downcalls.string((MemorySegment) error.invokeExact()));
        } catch (Throwable t) {
            return Optional.empty();
        }
    }
}
