package dev.llmgraph.ggml.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * A C function of one of the native libraries, bound the first time it is called: its symbol found and its downcall
 * handle made. A fresh JVM needs 3-6 ms for the handle of each new signature (the linker generates a stub for it), so
 * binding every function of a class when the class loaded cost 100-135 ms each for {@code GgufApi} and
 * {@code GgmlApi}, most of it for functions a run never calls: a load and a forward pass of TinyLlama call 83 of the
 * 275 functions, with 35 of their 89 signatures (bench/NOTES.md, "Load in a fresh JVM").
 *
 * <p>The price: the handle is read from a field, so the JIT cannot inline it as a constant. A decode step makes a few
 * dozen native calls (its graph is built once per 256 positions); a tiny model's forward pass, which is mostly graph
 * building, measured 2-26% slower in three balanced runs on a noisy 2-vCPU VM.
 *
 * <p>A symbol the libraries lack fails at the first call, with the words of {@link Downcalls#find};
 * {@code NativeFunctionsTest} binds every function of every binding class, so that a misspelt name cannot hide.
 */
public final class NativeFunction {
    private static final Linker LINKER = Linker.nativeLinker();

    private final SymbolLookup lookup;
    private final String name;
    private final FunctionDescriptor descriptor;
    private final Linker.Option[] options;
    /** Made once; two threads that race may both make it, and either handle is the same function. */
    private MethodHandle handle;

    NativeFunction(SymbolLookup lookup, String name, FunctionDescriptor descriptor, Linker.Option... options) {
        this.lookup = lookup;
        this.name = name;
        this.descriptor = descriptor;
        this.options = options;
    }

    /** The downcall handle, bound on the first call. */
    public MethodHandle handle() {
        MethodHandle bound = handle;
        if (bound == null) {
            bound = LINKER.downcallHandle(Downcalls.find(lookup, name), descriptor, options);
            handle = bound;
        }
        return bound;
    }

    /** The C name, for messages and tests. */
    public String name() {
        return name;
    }
}
