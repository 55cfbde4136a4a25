package dev.llmgraph.ggml.internal;

import dev.llmgraph.ggml.NativeLibraryException;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;

/**
 * Shared pieces of the hand-written bindings: C type layouts, C functions (bound at their first call), exception
 * plumbing.
 */
public final class Downcalls {
    public static final ValueLayout.OfLong SIZE_T = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfLong INT64 = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT;
    public static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;
    public static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE;
    public static final ValueLayout.OfBoolean BOOL = ValueLayout.JAVA_BOOLEAN;
    public static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    /** Any C pointer; results are reinterpreted to their real size where they are read. */
    public static final MemoryLayout PTR = ValueLayout.ADDRESS;

    private Downcalls() {}

    /**
     * Binds a C function that returns quickly and never calls back into Java. Such calls skip the
     * thread-state transition ({@code critical}), which matters for graph building: a decode step of a
     * 32-layer model makes thousands of them.
     */
    public static NativeFunction quick(SymbolLookup lookup, String name, FunctionDescriptor descriptor) {
        return new NativeFunction(lookup, name, descriptor, Linker.Option.critical(false));
    }

    /**
     * Binds a quick C function that may read or write Java arrays directly ({@code critical(true)}): the
     * garbage collector waits for the call, so only short copies go through such a handle.
     */
    public static NativeFunction heapAccess(SymbolLookup lookup, String name, FunctionDescriptor descriptor) {
        return new NativeFunction(lookup, name, descriptor, Linker.Option.critical(true));
    }

    /** Binds a C function that may run long (graph compute, file I/O) or call back into Java. */
    public static NativeFunction slow(SymbolLookup lookup, String name, FunctionDescriptor descriptor) {
        return new NativeFunction(lookup, name, descriptor);
    }

    public static MemorySegment find(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new NativeLibraryException(name + " is not exported by the "
                + "libraries in " + NativeLibraries.directory() + "; they may come from another llama.cpp version: "
                + "rebuild them with " + NativeLibraries.BUILD_COMMAND));
    }

    public static FunctionDescriptor fn(MemoryLayout result, MemoryLayout... args) {
        return FunctionDescriptor.of(result, args);
    }

    public static FunctionDescriptor fnVoid(MemoryLayout... args) {
        return FunctionDescriptor.ofVoid(args);
    }

    /** Native calls declare {@code throws Throwable}; nothing checked can come out of a downcall. */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    public static boolean isNull(MemorySegment pointer) {
        return pointer == null || pointer.address() == 0L;
    }

    /** Reads a NUL-terminated C string (UTF-8); null for a NULL pointer. */
    public static String string(MemorySegment pointer) {
        return isNull(pointer) ? null : pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
