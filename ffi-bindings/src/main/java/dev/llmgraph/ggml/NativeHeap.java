package dev.llmgraph.ggml;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.OptionalLong;

/**
 * Bytes the C heap has handed out and not had back: glibc's {@code mallinfo2()}, {@code uordblks} (chunks in
 * use) plus {@code hblkhd} (chunks served by mmap). Unlike the resident set, it does not count memory that
 * was freed but that the allocator keeps for later, so a leak test can see a native leak of kilobytes
 * through the tens of megabytes of allocator and Java heap noise. It counts every malloc of the process:
 * ggml's, llama.cpp's and the JVM's own.
 */
public final class NativeHeap {
    private static final StructLayout MALLINFO2 = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("arena"), ValueLayout.JAVA_LONG.withName("ordblks"),
            ValueLayout.JAVA_LONG.withName("smblks"), ValueLayout.JAVA_LONG.withName("hblks"),
            ValueLayout.JAVA_LONG.withName("hblkhd"), ValueLayout.JAVA_LONG.withName("usmblks"),
            ValueLayout.JAVA_LONG.withName("fsmblks"), ValueLayout.JAVA_LONG.withName("uordblks"),
            ValueLayout.JAVA_LONG.withName("fordblks"), ValueLayout.JAVA_LONG.withName("keepcost"));
    private static final MethodHandle MALLINFO2_CALL = Linker.nativeLinker().defaultLookup().find("mallinfo2")
            .map(symbol -> Linker.nativeLinker().downcallHandle(symbol, FunctionDescriptor.of(MALLINFO2)))
            .orElse(null);
    private static final long IN_USE = MALLINFO2.byteOffset(MemoryLayout.PathElement.groupElement("uordblks"));
    private static final long MAPPED = MALLINFO2.byteOffset(MemoryLayout.PathElement.groupElement("hblkhd"));

    private NativeHeap() {}

    /** Bytes in use on the C heap, or empty where the C library has no {@code mallinfo2} (not glibc 2.33+). */
    public static OptionalLong inUseBytes() {
        if (MALLINFO2_CALL == null) {
            return OptionalLong.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = (MemorySegment) MALLINFO2_CALL.invokeExact((SegmentAllocator) arena);
            return OptionalLong.of(info.get(ValueLayout.JAVA_LONG, IN_USE) + info.get(ValueLayout.JAVA_LONG, MAPPED));
        } catch (Throwable e) {
            throw new IllegalStateException("mallinfo2 failed", e);
        }
    }
}
