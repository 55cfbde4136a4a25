package dev.llmgraph.ggml.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.util.Optional;

import static dev.llmgraph.ggml.internal.Downcalls.INT;
import static dev.llmgraph.ggml.internal.Downcalls.INT64;
import static dev.llmgraph.ggml.internal.Downcalls.PTR;
import static dev.llmgraph.ggml.internal.Downcalls.SIZE_T;
import static dev.llmgraph.ggml.internal.Downcalls.fn;
import static dev.llmgraph.ggml.internal.Downcalls.rethrow;

/**
 * Raw bindings to the C library's {@code mmap} and {@code munmap} (POSIX), for a copy-on-write mapping of a
 * whole file. Java's {@code FileChannel.map} gives copy-on-write ({@code PRIVATE}) only on a channel opened for
 * writing, which a read-only model file would refuse; the C call needs no more than read access. The file
 * descriptor comes from {@code fopen}/{@code fileno} ({@code open} is variadic) and is closed once mapped.
 */
public final class MmapApi {
    private MmapApi() {}

    private static final int PROT_READ = 0x1;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE = 0x02;
    /** Linux only: read every page in before mmap returns, as llama.cpp maps a model it will use at once. */
    private static final int MAP_POPULATE_LINUX = 0x8000;

    private static final SymbolLookup LIBC = Linker.nativeLinker().defaultLookup();
    private static final NativeFunction FOPEN = bind("fopen", fn(PTR, PTR, PTR));
    private static final NativeFunction FILENO = bind("fileno", fn(INT, PTR));
    private static final NativeFunction FCLOSE = bind("fclose", fn(INT, PTR));
    private static final NativeFunction MMAP = bind("mmap", fn(PTR, PTR, SIZE_T, INT, INT, INT, INT64));
    private static final NativeFunction MUNMAP = bind("munmap", fn(INT, PTR, SIZE_T));
    private static final NativeFunction MPROTECT = bind("mprotect", fn(INT, PTR, SIZE_T, INT));

    /** Null where the C library lacks {@code name}; the address found here is the one bound at the first call. */
    private static NativeFunction bind(String name, FunctionDescriptor descriptor) {
        return LIBC.find(name).map(address -> new NativeFunction(symbol -> Optional.of(address), name, descriptor))
                .orElse(null);
    }

    /** Whether this platform's C library offers the calls (POSIX systems; not Windows). */
    public static boolean available() {
        return FOPEN != null && FILENO != null && FCLOSE != null && MMAP != null && MUNMAP != null && MPROTECT != null;
    }

    /**
     * {@code size} bytes of {@code path} mapped readable and writable, copy-on-write, or null when the file cannot
     * be opened or mapped (the caller names the file and falls back to reading it).
     */
    public static MemorySegment mapPrivate(String path, long size) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment stream = (MemorySegment) FOPEN.handle().invokeExact(scratch.allocateFrom(path), scratch.allocateFrom("rb"));
            if (Downcalls.isNull(stream)) {
                return null;
            }
            try {
                int fd = (int) FILENO.handle().invokeExact(stream);
                int flags = MAP_PRIVATE | (System.getProperty("os.name", "").startsWith("Linux") ? MAP_POPULATE_LINUX : 0);
                // Mapped read-only first: populating a writable private mapping would copy every page (the kernel
                // breaks copy-on-write ahead of time), while a read-only one shares the page cache's pages. Write
                // permission comes after, so a later write copies only the page it touches.
                MemorySegment address = (MemorySegment) MMAP.handle().invokeExact(MemorySegment.NULL, size, PROT_READ, flags,
                        fd, 0L);
                if (address.address() == -1L) {
                    return null;
                }
                if ((int) MPROTECT.handle().invokeExact(address, size, PROT_READ_WRITE) != 0) {
                    int unmapped = (int) MUNMAP.handle().invokeExact(address, size);
                    return null;
                }
                return address.reinterpret(size);
            } finally {
                int ignored = (int) FCLOSE.handle().invokeExact(stream); // the mapping keeps its own reference to the file
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Unmaps what {@link #mapPrivate} mapped; false if the C library refused. */
    public static boolean unmap(MemorySegment mapping) {
        try {
            return (int) MUNMAP.handle().invokeExact(mapping, mapping.byteSize()) == 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
