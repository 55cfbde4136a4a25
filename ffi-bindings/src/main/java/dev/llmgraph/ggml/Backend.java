package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.BackendApi;
import dev.llmgraph.ggml.internal.Downcalls;
import dev.llmgraph.ggml.internal.NativeLibraries;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A ggml backend: the CPU (with a thread count) or a CUDA GPU. Computes graphs whose tensors live in its
 * buffers. Close it to free it.
 *
 * <p>A computation stops early when the computing thread is interrupted or {@link #interrupt()} is
 * called; it then throws {@link ComputeInterruptedException}. On the CPU it stops after the running node.
 * ggml's CUDA backend has no hook for that, so a CUDA computation runs to the end of the current graph and
 * then throws: a model's long prompt or generation stops at its next batch or token.
 */
public final class Backend implements AutoCloseable {

    private final MemorySegment backend;
    private final boolean cpu;
    private final String name;
    /** The RPC server this backend computes on, or null for a device of this process. */
    private final RpcEndpoint remote;
    private int threads;
    private GraphAllocator allocator;
    private AbortFlag abort;
    private boolean closed;
    /**
     * Made at the first ask: a load asks for them once or more per weight, and the extra types would cost a new
     * downcall handle each time.
     */
    private volatile BufferType defaultBufferType;
    private volatile List<BufferType> extraBufferTypes;

    private Backend(MemorySegment backend, boolean cpu) {
        this(backend, cpu, null);
    }

    private Backend(MemorySegment backend, boolean cpu, RpcEndpoint remote) {
        if (Downcalls.isNull(backend)) {
            throw new GgmlException("ggml could not initialise the " + (cpu ? "CPU" : remote != null ? "RPC" : "GPU")
                    + " backend");
        }
        this.backend = backend;
        this.cpu = cpu;
        this.remote = remote;
        this.name = BackendApi.ggml_backend_name(backend);
    }

    /** A backend computing on a device of an RPC server ({@link RemoteDevice#open()}); the server is checked first. */
    static Backend rpc(RemoteDevice device) {
        RpcServers.ready(device.endpoint());
        Backend b = new Backend(BackendApi.ggml_backend_dev_init(device.handle(), MemorySegment.NULL), false,
                device.endpoint());
        b.abort = new AbortFlag(); // watched, read after each graph, as for CUDA
        return b;
    }

    /** The CPU backend with one thread per available core. */
    public static Backend cpu() {
        return cpu(CpuThreads.perCore());
    }

    /** The CPU backend with {@code threads} threads. */
    public static Backend cpu(int threads) {
        NativeLibraries.ggml(); // fails here, with words, rather than in a class initialiser
        checkThreads(threads);
        Backend b = new Backend(BackendApi.ggml_backend_cpu_init(), true);
        b.threads(threads);
        b.abort = new AbortFlag();
        BackendApi.ggml_backend_cpu_set_abort_callback(b.backend, AbortFlag.callback(), b.abort.address());
        return b;
    }

    /** The first CUDA GPU. */
    public static Backend cuda() {
        return cuda(0);
    }

    /** CUDA GPU number {@code index} (0-based, in ggml's device order). */
    public static Backend cuda(int index) {
        NativeLibraries.ggml();
        List<MemorySegment> gpus = CudaDevices.list();
        if (gpus.isEmpty()) {
            throw new NativeLibraryException(CudaDevices.whyNone());
        }
        if (index < 0 || index >= gpus.size()) {
            throw new IllegalArgumentException("there is no CUDA device " + index + "; this machine has "
                    + gpus.size());
        }
        Backend b = new Backend(BackendApi.ggml_backend_dev_init(gpus.get(index), MemorySegment.NULL), false);
        b.abort = new AbortFlag(); // watched, read after each graph: CUDA has no per-node abort callback
        return b;
    }

    /**
     * Why no CUDA GPU can be used here (the reason {@link #cuda()} would fail with), or empty when one can.
     * Lets a caller that would rather fall back to the CPU say why, without initialising a GPU to find out.
     */
    public static Optional<String> cudaUnavailableReason() {
        NativeLibraries.ggml();
        return CudaDevices.list().isEmpty() ? Optional.of(CudaDevices.whyNone()) : Optional.empty();
    }

    /** {@code "cpu"}, {@code "cuda"} or {@code "cuda:N"}; CPU backends get {@code threads} threads. */
    public static Backend byName(String spec, int threads) {
        String s = spec.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("cpu")) {
            return cpu(threads);
        }
        if (s.equals("cuda") || s.equals("gpu")) {
            return cuda(0);
        }
        if (s.startsWith("cuda:")) {
            try {
                return cuda(Integer.parseInt(s.substring(5)));
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("unknown backend '" + spec + "'; use cpu, cuda or cuda:N");
    }

    /** Whether a CUDA GPU can be used here (CUDA built into the libraries and a device present). */
    public static boolean cudaAvailable() {
        NativeLibraries.ggml();
        return !CudaDevices.list().isEmpty();
    }

    /** Whether the native libraries in use were built with ggml-cuda, whether or not a GPU is present. */
    public static boolean cudaBuilt() {
        NativeLibraries.ggml();
        return NativeLibraries.hasCuda();
    }

    /** Every device ggml's registry knows, with its memory. */
    public static List<Device> devices() {
        NativeLibraries.ggml();
        List<Device> out = new ArrayList<>();
        for (long i = 0, n = BackendApi.ggml_backend_dev_count(); i < n; i++) {
            out.add(Device.of(BackendApi.ggml_backend_dev_get(i)));
        }
        return out;
    }

    // ---- properties ------------------------------------------------------------------------------------

    /** ggml's name for it: {@code CPU}, {@code CUDA0}, ... */
    public String name() {
        return name;
    }

    public boolean isCpu() {
        return cpu;
    }

    /** The RPC server this backend computes on, if it is a remote one. */
    public Optional<RpcEndpoint> remote() {
        return Optional.ofNullable(remote);
    }

    /** Throws, naming the server, when this is a remote backend whose server has gone. */
    public void checkReachable() {
        if (remote != null) {
            RpcServers.check(remote);
        }
    }

    /** CPU threads (0 for a GPU backend). */
    public int threads() {
        return threads;
    }

    /** Sets the number of CPU threads; ignored with a GPU backend. */
    public void threads(int threads) {
        checkThreads(threads);
        if (cpu) {
            BackendApi.ggml_backend_cpu_set_n_threads(handle(), threads);
            this.threads = threads;
        }
    }

    private static void checkThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        CpuThreads.requireAtMostMax("threads", threads);
    }

    /** Whether this backend can run the op that produces {@code node}. */
    public boolean supports(Tensor node) {
        return BackendApi.ggml_backend_supports_op(handle(), node.pointer());
    }

    // ---- buffer types ----------------------------------------------------------------------------------

    /** Where this backend keeps tensors by default. */
    public BufferType defaultBufferType() {
        MemorySegment live = handle(); // fails with words once closed
        BufferType type = defaultBufferType;
        if (type == null) {
            type = new BufferType(BackendApi.ggml_backend_get_default_buffer_type(live), true, remote);
            defaultBufferType = type;
        }
        return type;
    }

    /**
     * The GPU's pinned (page-locked) host memory, from which copies to and from the GPU run at full speed
     * and without a staging copy; empty for the CPU backend and for devices that have none.
     */
    public Optional<BufferType> hostBufferType() {
        if (cpu) {
            return Optional.empty();
        }
        MemorySegment buft = BackendApi.ggml_backend_dev_host_buffer_type(BackendApi.ggml_backend_get_device(handle()));
        return Downcalls.isNull(buft) ? Optional.empty() : Optional.of(new BufferType(buft, true));
    }

    /**
     * The backend's extra buffer types for weights, best first: on the CPU, {@code CPU_REPACK} (and others
     * the build has, such as AMX). Empty for GPU backends.
     */
    public List<BufferType> extraBufferTypes() {
        MemorySegment live = handle(); // fails with words once closed
        List<BufferType> types = extraBufferTypes;
        if (types == null) {
            types = cpu ? List.copyOf(queryExtraBufferTypes(live)) : List.of();
            extraBufferTypes = types;
        }
        return types;
    }

    /** Asks the CPU device for its extra buffer types, through the function its registry hands out by name. */
    private static List<BufferType> queryExtraBufferTypes(MemorySegment backend) {
        MemorySegment dev = BackendApi.ggml_backend_get_device(backend);
        MemorySegment reg = BackendApi.ggml_backend_dev_backend_reg(dev);
        MemorySegment array = BackendApi.callRegistryFunction(reg, "ggml_backend_dev_get_extra_bufts", dev);
        if (Downcalls.isNull(array)) {
            return List.of();
        }
        array = array.reinterpret(Long.MAX_VALUE);
        List<BufferType> out = new ArrayList<>();
        for (long i = 0; i < 64; i++) {
            MemorySegment buft = array.getAtIndex(java.lang.foreign.ValueLayout.ADDRESS, i);
            if (Downcalls.isNull(buft)) {
                break;
            }
            out.add(new BufferType(buft, false));
        }
        return out;
    }

    /**
     * Whether a weight of {@code type} and sizes {@code ne} (ggml order), kept in {@code bufferType}, can be the
     * matrix of a mul_mat on this backend ({@link MatMulProbes}, as llama.cpp's model loader asks).
     */
    public boolean supportsMatMulWeight(BufferType bufferType, GgmlType type, long... ne) {
        return MatMulProbes.mulMat(this, bufferType, type, ne);
    }

    /** The same for a stack of expert matrices [k, n, experts] that mul_mat_id multiplies. */
    public boolean supportsMatMulIdWeight(BufferType bufferType, GgmlType type, long... ne) {
        return MatMulProbes.mulMatId(this, bufferType, type, ne);
    }

    // ---- compute ---------------------------------------------------------------------------------------

    /**
     * Allocates the graph's intermediate tensors in this backend's memory (reusing it between calls) and
     * computes the graph. Inputs and weights must already have their data.
     */
    public void compute(Graph graph) {
        // The checks and the allocation count as part of the computation: a stop asked for meanwhile holds.
        run(() -> prepare(graph), () -> BackendApi.ggml_backend_graph_compute(handle(), graph.handle()), "graph");
    }

    /**
     * Computes a graph with its backward pass ({@link Gradients#build}): the forward pass, then the gradients,
     * starting from a loss gradient of 1 and every other gradient 0.
     */
    public void compute(Graph graph, Gradients gradients) {
        compute(graph, gradients, () -> { });
    }

    /**
     * {@link #compute(Graph, Gradients)} (or a plain computation where {@code gradients} is null) with the
     * graph's own inputs written by {@code writeInputs} once the graph is allocated, just before it runs.
     */
    public void compute(Graph graph, Gradients gradients, Runnable writeInputs) {
        if (gradients != null && gradients.graph() != graph) {
            throw new IllegalArgumentException("these gradients belong to another graph; build them with "
                    + "Gradients.build(graph) for this one");
        }
        run(() -> {
            prepare(graph);
            if (gradients != null) {
                gradients.reset();
            }
            writeInputs.run();
        }, () -> BackendApi.ggml_backend_graph_compute(handle(), graph.handle()), "graph");
    }

    /** Checks that this backend runs every node, then allocates the graph's intermediate tensors. */
    private void prepare(Graph graph) {
        for (int i = 0, n = graph.nodeCount(); i < n; i++) {
            Tensor node = graph.node(i);
            if (!supports(node)) {
                throw new UnsupportedOperationException("the " + name + " backend cannot run op " + node.op()
                        + " for " + node.describe() + "; run this graph on the CPU backend");
            }
            String gap = KernelGaps.problem(node, this);
            if (gap != null) {
                throw new UnsupportedOperationException(gap);
            }
        }
        if (allocator == null) {
            allocator = new GraphAllocator(this);
        }
        allocator.allocate(graph);
    }

    /** Stops the computation running on this backend: on the CPU after the current op, else after the graph. */
    public void interrupt() {
        if (abort != null) {
            abort.raise();
        }
    }

    /**
     * Runs a native computation that returns a ggml_status, translating failures into exceptions. A stop
     * asked for while it ran counts as an interruption even where the backend finished the graph (CUDA).
     */
    void run(java.util.function.IntSupplier computation, String what) {
        run(() -> { }, computation, what);
    }

    /** {@link #run(java.util.function.IntSupplier, String)} after {@code preparation}, which a stop also covers. */
    private void run(Runnable preparation, java.util.function.IntSupplier computation, String what) {
        handle(); // a closed backend says so before its abort flag, closed with it, is touched
        int status;
        abort.begin();
        try {
            preparation.run();
            status = computation.getAsInt();
            if (status == 0 && abort.raised()) {
                status = 1;
            }
        } finally {
            abort.end();
        }
        switch (status) {
            case 0 -> { }
            case 1 -> {
                Thread.interrupted();
                throw new ComputeInterruptedException("the " + what + " computation on " + name + " was interrupted");
            }
            case -2 -> throw new GgmlException("the " + what + " computation on " + name + " ran out of memory");
            default -> throw new GgmlException("the " + what + " computation on " + name + " failed (ggml status "
                    + status + ")");
        }
    }

    MemorySegment handle() {
        if (closed) {
            throw new IllegalStateException("backend " + name + " was closed");
        }
        return backend;
    }

    @Override
    public void close() {
        if (!closed) {
            if (allocator != null) {
                allocator.close();
            }
            abort.close();
            BackendApi.ggml_backend_free(backend); // for an RPC backend this sends nothing: safe when its server has gone
            closed = true;
        }
    }

    @Override
    public String toString() {
        return cpu ? name + " (" + threads + " threads)" : name;
    }
}
