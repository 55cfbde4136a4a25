package dev.llmgraph.ggml.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;

import static dev.llmgraph.ggml.internal.Downcalls.BOOL;
import static dev.llmgraph.ggml.internal.Downcalls.INT;
import static dev.llmgraph.ggml.internal.Downcalls.PTR;
import static dev.llmgraph.ggml.internal.Downcalls.SIZE_T;
import static dev.llmgraph.ggml.internal.Downcalls.fn;
import static dev.llmgraph.ggml.internal.Downcalls.fnVoid;
import static dev.llmgraph.ggml.internal.Downcalls.rethrow;

/**
 * Raw bindings to {@code ggml-backend.h}, {@code ggml-alloc.h} and {@code ggml-cpu.h}: devices, backends,
 * buffers, tensor data transfer, the graph allocator and the scheduler, CPU threads.
 */
public final class BackendApi {
    private BackendApi() {}

    private static final SymbolLookup L = NativeLibraries.ggml();

    private static NativeFunction q(String name, java.lang.foreign.FunctionDescriptor d) {
        return Downcalls.quick(L, name, d);
    }

    private static NativeFunction s(String name, java.lang.foreign.FunctionDescriptor d) {
        return Downcalls.slow(L, name, d);
    }

    // ---- devices and backends --------------------------------------------------------------------------
    // The first registry call registers the backends, and ggml-cuda then logs what it found: a log line is an
    // upcall into Java, which a critical (quick) downcall must never make, or the JVM aborts. So the calls that
    // can reach the registry first, or a backend's logging, are ordinary downcalls.
    private static final NativeFunction DEV_COUNT = s("ggml_backend_dev_count", fn(SIZE_T));
    private static final NativeFunction DEV_GET = s("ggml_backend_dev_get", fn(PTR, SIZE_T));
    private static final NativeFunction DEV_NAME = q("ggml_backend_dev_name", fn(PTR, PTR));
    private static final NativeFunction DEV_DESCRIPTION = q("ggml_backend_dev_description", fn(PTR, PTR));
    private static final NativeFunction DEV_TYPE = q("ggml_backend_dev_type", fn(INT, PTR));
    private static final NativeFunction DEV_MEMORY = s("ggml_backend_dev_memory", fnVoid(PTR, PTR, PTR));
    private static final NativeFunction DEV_INIT = s("ggml_backend_dev_init", fn(PTR, PTR, PTR));
    private static final NativeFunction DEV_BUFFER_TYPE = q("ggml_backend_dev_buffer_type", fn(PTR, PTR));
    private static final NativeFunction DEV_HOST_BUFFER_TYPE = s("ggml_backend_dev_host_buffer_type", fn(PTR, PTR));
    private static final NativeFunction DEV_BACKEND_REG = q("ggml_backend_dev_backend_reg", fn(PTR, PTR));
    private static final NativeFunction DEV_SUPPORTS_OP = s("ggml_backend_dev_supports_op", fn(BOOL, PTR, PTR));
    private static final NativeFunction REG_GET_PROC_ADDRESS = s("ggml_backend_reg_get_proc_address", fn(PTR, PTR, PTR));
    private static final NativeFunction CPU_INIT = s("ggml_backend_cpu_init", fn(PTR));
    private static final NativeFunction CPU_SET_N_THREADS = s("ggml_backend_cpu_set_n_threads", fnVoid(PTR, INT));
    private static final NativeFunction CPU_SET_ABORT_CALLBACK = s("ggml_backend_cpu_set_abort_callback", fnVoid(PTR, PTR, PTR));
    private static final NativeFunction CPU_BUFFER_TYPE = q("ggml_backend_cpu_buffer_type", fn(PTR));
    private static final NativeFunction BACKEND_FREE = s("ggml_backend_free", fnVoid(PTR));
    private static final NativeFunction BACKEND_NAME = q("ggml_backend_name", fn(PTR, PTR));
    private static final NativeFunction BACKEND_GET_DEVICE = q("ggml_backend_get_device", fn(PTR, PTR));
    private static final NativeFunction BACKEND_DEFAULT_BUFFER_TYPE = q("ggml_backend_get_default_buffer_type", fn(PTR, PTR));
    private static final NativeFunction BACKEND_SUPPORTS_OP = s("ggml_backend_supports_op", fn(BOOL, PTR, PTR));
    private static final NativeFunction BACKEND_GRAPH_COMPUTE = s("ggml_backend_graph_compute", fn(INT, PTR, PTR));
    private static final NativeFunction BACKEND_SYNCHRONIZE = s("ggml_backend_synchronize", fnVoid(PTR));

    public static long ggml_backend_dev_count() {
        try { return (long) DEV_COUNT.handle().invokeExact(); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_backend_dev_get(long i) {
        try { return (MemorySegment) DEV_GET.handle().invokeExact(i); } catch (Throwable t) { throw rethrow(t); }
    }
    public static String ggml_backend_dev_name(MemorySegment dev) {
        try { return Downcalls.string((MemorySegment) DEV_NAME.handle().invokeExact(dev)); } catch (Throwable t) { throw rethrow(t); }
    }
    public static String ggml_backend_dev_description(MemorySegment dev) {
        try { return Downcalls.string((MemorySegment) DEV_DESCRIPTION.handle().invokeExact(dev)); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int ggml_backend_dev_type(MemorySegment dev) {
        try { return (int) DEV_TYPE.handle().invokeExact(dev); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_backend_dev_memory(MemorySegment dev, MemorySegment free, MemorySegment total) {
        try { DEV_MEMORY.handle().invokeExact(dev, free, total); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_backend_dev_init(MemorySegment dev, MemorySegment params) {
        try { return (MemorySegment) DEV_INIT.handle().invokeExact(dev, params); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_backend_dev_buffer_type(MemorySegment dev) {
        try { return (MemorySegment) DEV_BUFFER_TYPE.handle().invokeExact(dev); } catch (Throwable t) { throw rethrow(t); }
    }
    /** The device's pinned host memory type (faster copies to and from it), or NULL where it has none. */
    public static MemorySegment ggml_backend_dev_host_buffer_type(MemorySegment dev) {
        try { return (MemorySegment) DEV_HOST_BUFFER_TYPE.handle().invokeExact(dev); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_backend_dev_backend_reg(MemorySegment dev) {
        try { return (MemorySegment) DEV_BACKEND_REG.handle().invokeExact(dev); } catch (Throwable t) { throw rethrow(t); }
    }
    public static boolean ggml_backend_dev_supports_op(MemorySegment dev, MemorySegment op) {
        try { return (boolean) DEV_SUPPORTS_OP.handle().invokeExact(dev, op); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_backend_reg_get_proc_address(MemorySegment reg, MemorySegment name) {
        try { return (MemorySegment) REG_GET_PROC_ADDRESS.handle().invokeExact(reg, name); } catch (Throwable t) { throw rethrow(t); }
    }

    /**
     * Calls the function a backend's registry hands out by {@code name} ({@code ggml_backend_reg_get_proc_address}),
     * for those that take one pointer and return one; NULL when the registry has no such function.
     */
    public static MemorySegment callRegistryFunction(MemorySegment reg, String name, MemorySegment argument) {
        MemorySegment function;
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            function = ggml_backend_reg_get_proc_address(reg, arena.allocateFrom(name));
        }
        if (Downcalls.isNull(function)) {
            return MemorySegment.NULL;
        }
        try {
            return (MemorySegment) java.lang.foreign.Linker.nativeLinker().downcallHandle(function, fn(PTR, PTR))
                    .invokeExact(argument);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
    public static MemorySegment ggml_backend_cpu_init() {
        try { return (MemorySegment) CPU_INIT.handle().invokeExact(); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_backend_cpu_set_n_threads(MemorySegment backend, int threads) {
        try { CPU_SET_N_THREADS.handle().invokeExact(backend, threads); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_backend_cpu_set_abort_callback(MemorySegment backend, MemorySegment callback, MemorySegment data) {
        try { CPU_SET_ABORT_CALLBACK.handle().invokeExact(backend, callback, data); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_backend_cpu_buffer_type() {
        try { return (MemorySegment) CPU_BUFFER_TYPE.handle().invokeExact(); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_backend_free(MemorySegment backend) {
        try { BACKEND_FREE.handle().invokeExact(backend); } catch (Throwable t) { throw rethrow(t); }
    }
    public static String ggml_backend_name(MemorySegment backend) {
        try { return Downcalls.string((MemorySegment) BACKEND_NAME.handle().invokeExact(backend)); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_backend_get_device(MemorySegment backend) {
        try { return (MemorySegment) BACKEND_GET_DEVICE.handle().invokeExact(backend); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_backend_get_default_buffer_type(MemorySegment backend) {
        try { return (MemorySegment) BACKEND_DEFAULT_BUFFER_TYPE.handle().invokeExact(backend); } catch (Throwable t) { throw rethrow(t); }
    }
    public static boolean ggml_backend_supports_op(MemorySegment backend, MemorySegment op) {
        try { return (boolean) BACKEND_SUPPORTS_OP.handle().invokeExact(backend, op); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int ggml_backend_graph_compute(MemorySegment backend, MemorySegment graph) {
        try { return (int) BACKEND_GRAPH_COMPUTE.handle().invokeExact(backend, graph); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_backend_synchronize(MemorySegment backend) {
        try { BACKEND_SYNCHRONIZE.handle().invokeExact(backend); } catch (Throwable t) { throw rethrow(t); }
    }

    // ---- buffers and tensor data -----------------------------------------------------------------------
    private static final NativeFunction BUFT_NAME = q("ggml_backend_buft_name", fn(PTR, PTR));
    private static final NativeFunction BUFT_IS_HOST = q("ggml_backend_buft_is_host", fn(BOOL, PTR));
    private static final NativeFunction BUFT_ALIGNMENT = q("ggml_backend_buft_get_alignment", fn(SIZE_T, PTR));
    private static final NativeFunction BUFT_ALLOC_SIZE = q("ggml_backend_buft_get_alloc_size", fn(SIZE_T, PTR, PTR));
    private static final NativeFunction BUFT_DEVICE = q("ggml_backend_buft_get_device", fn(PTR, PTR));
    private static final NativeFunction BUFT_ALLOC_BUFFER = s("ggml_backend_buft_alloc_buffer", fn(PTR, PTR, SIZE_T));
    private static final NativeFunction ALLOC_CTX_TENSORS_FROM_BUFT = s("ggml_backend_alloc_ctx_tensors_from_buft", fn(PTR, PTR, PTR));
    private static final NativeFunction BUFFER_FREE = s("ggml_backend_buffer_free", fnVoid(PTR));
    private static final NativeFunction BUFFER_GET_SIZE = q("ggml_backend_buffer_get_size", fn(SIZE_T, PTR));
    private static final NativeFunction BUFFER_CLEAR = s("ggml_backend_buffer_clear", fnVoid(PTR, Downcalls.BYTE));
    private static final NativeFunction BUFFER_SET_USAGE = q("ggml_backend_buffer_set_usage", fnVoid(PTR, INT));
    private static final NativeFunction BUFFER_IS_HOST = q("ggml_backend_buffer_is_host", fn(BOOL, PTR));
    private static final NativeFunction TENSOR_SET = s("ggml_backend_tensor_set", fnVoid(PTR, PTR, SIZE_T, SIZE_T));
    private static final NativeFunction TENSOR_GET = s("ggml_backend_tensor_get", fnVoid(PTR, PTR, SIZE_T, SIZE_T));
    private static final NativeFunction TENSOR_GET_ASYNC = s("ggml_backend_tensor_get_async",
            fnVoid(PTR, PTR, PTR, SIZE_T, SIZE_T));
    private static final NativeFunction TENSOR_SET_ARRAY = Downcalls.heapAccess(L, "ggml_backend_tensor_set",
            fnVoid(PTR, PTR, SIZE_T, SIZE_T));
    private static final NativeFunction TENSOR_GET_ARRAY = Downcalls.heapAccess(L, "ggml_backend_tensor_get",
            fnVoid(PTR, PTR, SIZE_T, SIZE_T));

    public static String ggml_backend_buft_name(MemorySegment buft) {
        try { return Downcalls.string((MemorySegment) BUFT_NAME.handle().invokeExact(buft)); } catch (Throwable t) { throw rethrow(t); }
    }
    public static boolean ggml_backend_buft_is_host(MemorySegment buft) {
        try { return (boolean) BUFT_IS_HOST.handle().invokeExact(buft); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long ggml_backend_buft_get_alignment(MemorySegment buft) {
        try { return (long) BUFT_ALIGNMENT.handle().invokeExact(buft); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long ggml_backend_buft_get_alloc_size(MemorySegment buft, MemorySegment tensor) {
        try { return (long) BUFT_ALLOC_SIZE.handle().invokeExact(buft, tensor); } catch (Throwable t) { throw rethrow(t); }
    }
    /** The device of a buffer type; NULL for types without one. */
    public static MemorySegment ggml_backend_buft_get_device(MemorySegment buft) {
        try { return (MemorySegment) BUFT_DEVICE.handle().invokeExact(buft); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_backend_buft_alloc_buffer(MemorySegment buft, long size) {
        try { return (MemorySegment) BUFT_ALLOC_BUFFER.handle().invokeExact(buft, size); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_backend_alloc_ctx_tensors_from_buft(MemorySegment ctx, MemorySegment buft) {
        try { return (MemorySegment) ALLOC_CTX_TENSORS_FROM_BUFT.handle().invokeExact(ctx, buft); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_backend_buffer_free(MemorySegment buffer) {
        try { BUFFER_FREE.handle().invokeExact(buffer); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long ggml_backend_buffer_get_size(MemorySegment buffer) {
        try { return (long) BUFFER_GET_SIZE.handle().invokeExact(buffer); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_backend_buffer_clear(MemorySegment buffer, byte value) {
        try { BUFFER_CLEAR.handle().invokeExact(buffer, value); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_backend_buffer_set_usage(MemorySegment buffer, int usage) {
        try { BUFFER_SET_USAGE.handle().invokeExact(buffer, usage); } catch (Throwable t) { throw rethrow(t); }
    }
    public static boolean ggml_backend_buffer_is_host(MemorySegment buffer) {
        try { return (boolean) BUFFER_IS_HOST.handle().invokeExact(buffer); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_backend_tensor_set(MemorySegment tensor, MemorySegment data, long offset, long size) {
        try { TENSOR_SET.handle().invokeExact(tensor, data, offset, size); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_backend_tensor_get(MemorySegment tensor, MemorySegment data, long offset, long size) {
        try { TENSOR_GET.handle().invokeExact(tensor, data, offset, size); } catch (Throwable t) { throw rethrow(t); }
    }

    /** Queues a copy of the tensor's data into host memory on {@code backend}'s stream; wait with a synchronize. */
    public static void ggml_backend_tensor_get_async(MemorySegment backend, MemorySegment tensor, MemorySegment data,
                                                     long offset, long size) {
        try { TENSOR_GET_ASYNC.handle().invokeExact(backend, tensor, data, offset, size); } catch (Throwable t) { throw rethrow(t); }
    }

    /** ggml_backend_tensor_set from a Java array (a heap segment), without an intermediate native copy. */
    public static void ggml_backend_tensor_set_array(MemorySegment tensor, MemorySegment array, long offset, long size) {
        try { TENSOR_SET_ARRAY.handle().invokeExact(tensor, array, offset, size); } catch (Throwable t) { throw rethrow(t); }
    }
    /** ggml_backend_tensor_get into a Java array (a heap segment), without an intermediate native copy. */
    public static void ggml_backend_tensor_get_array(MemorySegment tensor, MemorySegment array, long offset, long size) {
        try { TENSOR_GET_ARRAY.handle().invokeExact(tensor, array, offset, size); } catch (Throwable t) { throw rethrow(t); }
    }

    // ---- graph allocator -------------------------------------------------------------------------------
    private static final NativeFunction GALLOCR_NEW = s("ggml_gallocr_new", fn(PTR, PTR));
    private static final NativeFunction GALLOCR_FREE = s("ggml_gallocr_free", fnVoid(PTR));
    private static final NativeFunction GALLOCR_ALLOC_GRAPH = s("ggml_gallocr_alloc_graph", fn(BOOL, PTR, PTR));
    private static final NativeFunction GALLOCR_GET_BUFFER_SIZE = q("ggml_gallocr_get_buffer_size", fn(SIZE_T, PTR, INT));

    public static MemorySegment ggml_gallocr_new(MemorySegment buft) {
        try { return (MemorySegment) GALLOCR_NEW.handle().invokeExact(buft); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_gallocr_free(MemorySegment galloc) {
        try { GALLOCR_FREE.handle().invokeExact(galloc); } catch (Throwable t) { throw rethrow(t); }
    }
    public static boolean ggml_gallocr_alloc_graph(MemorySegment galloc, MemorySegment graph) {
        try { return (boolean) GALLOCR_ALLOC_GRAPH.handle().invokeExact(galloc, graph); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long ggml_gallocr_get_buffer_size(MemorySegment galloc, int bufferId) {
        try { return (long) GALLOCR_GET_BUFFER_SIZE.handle().invokeExact(galloc, bufferId); } catch (Throwable t) { throw rethrow(t); }
    }

    // ---- scheduler -------------------------------------------------------------------------------------
    private static final NativeFunction SCHED_NEW = s("ggml_backend_sched_new", fn(PTR, PTR, PTR, INT, SIZE_T, BOOL, BOOL));
    private static final NativeFunction SCHED_FREE = s("ggml_backend_sched_free", fnVoid(PTR));
    private static final NativeFunction SCHED_RESERVE = s("ggml_backend_sched_reserve", fn(BOOL, PTR, PTR));
    private static final NativeFunction SCHED_ALLOC_GRAPH = s("ggml_backend_sched_alloc_graph", fn(BOOL, PTR, PTR));
    private static final NativeFunction SCHED_GRAPH_COMPUTE = s("ggml_backend_sched_graph_compute", fn(INT, PTR, PTR));
    private static final NativeFunction SCHED_GRAPH_COMPUTE_ASYNC = s("ggml_backend_sched_graph_compute_async",
            fn(INT, PTR, PTR));
    private static final NativeFunction SCHED_SYNCHRONIZE = s("ggml_backend_sched_synchronize", fnVoid(PTR));
    private static final NativeFunction SCHED_RESET = s("ggml_backend_sched_reset", fnVoid(PTR));
    private static final NativeFunction SCHED_GET_N_SPLITS = q("ggml_backend_sched_get_n_splits", fn(INT, PTR));
    private static final NativeFunction SCHED_GET_BUFFER_SIZE = q("ggml_backend_sched_get_buffer_size", fn(SIZE_T, PTR, PTR));
    private static final NativeFunction SCHED_GET_TENSOR_BACKEND = q("ggml_backend_sched_get_tensor_backend", fn(PTR, PTR, PTR));

    public static MemorySegment ggml_backend_sched_new(MemorySegment backends, MemorySegment bufts, int n, long graphSize,
                                                       boolean parallel, boolean opOffload) {
        try { return (MemorySegment) SCHED_NEW.handle().invokeExact(backends, bufts, n, graphSize, parallel, opOffload); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_backend_sched_free(MemorySegment sched) {
        try { SCHED_FREE.handle().invokeExact(sched); } catch (Throwable t) { throw rethrow(t); }
    }
    public static boolean ggml_backend_sched_reserve(MemorySegment sched, MemorySegment graph) {
        try { return (boolean) SCHED_RESERVE.handle().invokeExact(sched, graph); } catch (Throwable t) { throw rethrow(t); }
    }
    public static boolean ggml_backend_sched_alloc_graph(MemorySegment sched, MemorySegment graph) {
        try { return (boolean) SCHED_ALLOC_GRAPH.handle().invokeExact(sched, graph); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int ggml_backend_sched_graph_compute(MemorySegment sched, MemorySegment graph) {
        try { return (int) SCHED_GRAPH_COMPUTE.handle().invokeExact(sched, graph); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int ggml_backend_sched_graph_compute_async(MemorySegment sched, MemorySegment graph) {
        try { return (int) SCHED_GRAPH_COMPUTE_ASYNC.handle().invokeExact(sched, graph); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_backend_sched_synchronize(MemorySegment sched) {
        try { SCHED_SYNCHRONIZE.handle().invokeExact(sched); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_backend_sched_reset(MemorySegment sched) {
        try { SCHED_RESET.handle().invokeExact(sched); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int ggml_backend_sched_get_n_splits(MemorySegment sched) {
        try { return (int) SCHED_GET_N_SPLITS.handle().invokeExact(sched); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long ggml_backend_sched_get_buffer_size(MemorySegment sched, MemorySegment backend) {
        try { return (long) SCHED_GET_BUFFER_SIZE.handle().invokeExact(sched, backend); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_backend_sched_get_tensor_backend(MemorySegment sched, MemorySegment node) {
        try { return (MemorySegment) SCHED_GET_TENSOR_BACKEND.handle().invokeExact(sched, node); } catch (Throwable t) { throw rethrow(t); }
    }
}
