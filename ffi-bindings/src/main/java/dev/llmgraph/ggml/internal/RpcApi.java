package dev.llmgraph.ggml.internal;

import java.lang.foreign.MemorySegment;

import static dev.llmgraph.ggml.internal.Downcalls.INT;
import static dev.llmgraph.ggml.internal.Downcalls.PTR;
import static dev.llmgraph.ggml.internal.Downcalls.SIZE_T;
import static dev.llmgraph.ggml.internal.Downcalls.fn;
import static dev.llmgraph.ggml.internal.Downcalls.rethrow;

/**
 * Raw bindings for devices in other processes: {@code ggml-rpc.h}'s client, the registry calls that list a
 * server's devices, and the shim's look at this process's connections to a server. ggml's RPC client aborts the
 * process when a server it needs is unreachable or gone, so callers check first ({@code RpcServers}).
 */
public final class RpcApi {
    private RpcApi() {}

    private static final NativeFunction ADD_SERVER = Downcalls.slow(NativeLibraries.rpc(), "ggml_backend_rpc_add_server",
            fn(PTR, PTR));
    private static final NativeFunction REG_DEV_COUNT = Downcalls.slow(NativeLibraries.ggml(),
            "ggml_backend_reg_dev_count", fn(SIZE_T, PTR));
    private static final NativeFunction REG_DEV_GET = Downcalls.slow(NativeLibraries.ggml(), "ggml_backend_reg_dev_get",
            fn(PTR, PTR, SIZE_T));
    private static final NativeFunction CONNECTIONS = Downcalls.slow(NativeLibraries.shim(), "llmgraph_rpc_connections",
            fn(INT, PTR, INT, PTR, PTR));
    private static final NativeFunction WATCH = Downcalls.slow(NativeLibraries.shim(), "llmgraph_rpc_watch",
            fn(INT, INT, PTR, INT));
    private static final NativeFunction LOAD_ON = Downcalls.slow(NativeLibraries.shim(), "llmgraph_model_load_on",
            fn(PTR, PTR, PTR, INT, INT, PTR));

    /** The registry of the server at {@code endpoint} ("host:port"), or NULL when it has no devices. */
    public static MemorySegment ggml_backend_rpc_add_server(MemorySegment endpoint) {
        try { return (MemorySegment) ADD_SERVER.handle().invokeExact(endpoint); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long ggml_backend_reg_dev_count(MemorySegment reg) {
        try { return (long) REG_DEV_COUNT.handle().invokeExact(reg); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_backend_reg_dev_get(MemorySegment reg, long index) {
        try { return (MemorySegment) REG_DEV_GET.handle().invokeExact(reg, index); } catch (Throwable t) { throw rethrow(t); }
    }
    /**
     * Open connections to ip:port, or -1 when the server closed one; adds TCP counters to {@code counters} and
     * writes the first one's descriptor to {@code firstFd} (either may be NULL).
     */
    public static int llmgraph_rpc_connections(MemorySegment ip, int port, MemorySegment counters, MemorySegment firstFd) {
        try {
            return (int) CONNECTIONS.handle().invokeExact(ip, port, counters, firstFd);
        } catch (Throwable t) { throw rethrow(t); }
    }
    /** 1 while connection {@code fd} to ip:port is open, -1 once the server closed it, 0 if it is not that one. */
    public static int llmgraph_rpc_watch(int fd, MemorySegment ip, int port) {
        try { return (int) WATCH.handle().invokeExact(fd, ip, port); } catch (Throwable t) { throw rethrow(t); }
    }
    /** llama.cpp's model loader with an explicit device list, layer count and split (see the shim). */
    public static MemorySegment llmgraph_model_load_on(MemorySegment path, MemorySegment devices, int count,
                                                       int gpuLayers, MemorySegment split) {
        try {
            return (MemorySegment) LOAD_ON.handle().invokeExact(path, devices, count, gpuLayers, split);
        } catch (Throwable t) { throw rethrow(t); }
    }

}
