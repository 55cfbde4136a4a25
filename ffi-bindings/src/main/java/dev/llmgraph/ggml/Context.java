package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.Downcalls;
import dev.llmgraph.ggml.internal.GgmlApi;
import dev.llmgraph.ggml.internal.NativeLibraries;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static dev.llmgraph.ggml.Shapes.activationInput;
import static dev.llmgraph.ggml.Shapes.require;

/**
 * A ggml context: the arena that holds tensor descriptions and graphs (never tensor data, which lives in
 * backend {@link Buffer}s). Ops are methods here, as in ggml, and each checks its preconditions in Java
 * before the native call. Shapes are in ggml order: {@code ne[0]} is the row length.
 *
 * <p>Contexts are not thread-safe; close one to free it and everything allocated for it.
 */
public final class Context implements AutoCloseable {
    private final MemorySegment ctx;
    private final ContextCapacity room;
    private final ContextBuffers buffers = new ContextBuffers();
    private boolean closed;

    private Context(long tensors, long graphNodes) {
        this.room = new ContextCapacity(tensors, graphNodes);
        long capacity = room.bytes();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(GgmlApi.INIT_PARAMS);
            params.set(Downcalls.SIZE_T, 0, capacity);
            params.set(java.lang.foreign.ValueLayout.ADDRESS, 8, MemorySegment.NULL);
            params.set(Downcalls.BOOL, 16, true);
            this.ctx = GgmlApi.ggml_init(params);
        }
        if (Downcalls.isNull(ctx)) {
            throw new GgmlException("ggml_init failed for a context of " + capacity + " bytes");
        }
    }

    /** A context for {@code maxTensors} tensor descriptions and no graph (weights, inputs). */
    public static Context create(int maxTensors) {
        return create(maxTensors, 0);
    }

    /**
     * A context for {@code maxTensors} tensor descriptions and one graph of up to {@code maxGraphNodes}
     * nodes (each op adds one node; weights and inputs are leaves and count too).
     */
    public static Context create(int maxTensors, int maxGraphNodes) {
        NativeLibraries.ggml(); // fails here, with words, rather than in a class initialiser
        if (maxTensors < 1 || maxGraphNodes < 0) {
            throw new IllegalArgumentException("a context needs maxTensors >= 1 and maxGraphNodes >= 0, got "
                    + maxTensors + " and " + maxGraphNodes);
        }
        return new Context(maxTensors, maxGraphNodes);
    }

    // ---- tensors ---------------------------------------------------------------------------------------

    /** A new tensor of {@code type} with sizes {@code ne} in ggml order (1 to 4 dimensions). */
    public Tensor newTensor(GgmlType type, long... ne) {
        Shapes.requireDims(ne, "newTensor");
        if (ne[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("newTensor: " + type + " stores rows in blocks of " + type.blockSize()
                    + " elements, so ne[0] = " + ne[0] + " is not possible");
        }
        reserve(1);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dims = arena.allocateFrom(Downcalls.INT64, ne);
            return wrap(GgmlApi.ggml_new_tensor(ctx, type.id(), ne.length, dims));
        }
    }

    /** A new tensor named {@code name}. */
    public Tensor newTensor(String name, GgmlType type, long... ne) {
        return newTensor(type, ne).name(name);
    }

    /** All tensors created in this context, in creation order. */
    public List<Tensor> tensors() {
        ensureOpen();
        List<Tensor> out = new ArrayList<>();
        for (MemorySegment t = GgmlApi.ggml_get_first_tensor(ctx); !Downcalls.isNull(t);
             t = GgmlApi.ggml_get_next_tensor(ctx, t)) {
            out.add(new Tensor(this, t));
        }
        return out;
    }

    // ---- allocation and graphs -------------------------------------------------------------------------

    /**
     * Gives every tensor of this context that has no memory yet its memory on {@code backend}, in one
     * buffer. The buffer is freed with this context (or earlier, by closing it).
     */
    public Buffer allocate(Backend backend) {
        return allocate(backend.defaultBufferType());
    }

    /** Like {@link #allocate(Backend)}, in a buffer of {@code type} (e.g. one of a backend's extra types). */
    public Buffer allocate(BufferType type) {
        ensureOpen();
        if (tensors().stream().allMatch(Tensor::hasData)) {
            throw new IllegalStateException("allocate: every tensor of this context already has memory");
        }
        Buffer buffer = Buffer.allocate(this, type);
        buffers.add(buffer);
        return buffer;
    }

    /** A graph of up to {@code maxNodes} nodes, in this context's memory. */
    public Graph newGraph(int maxNodes) {
        return newGraph(maxNodes, false);
    }

    /** A graph that can also hold its backward pass ({@link Gradients}); it takes more context memory. */
    public Graph newTrainingGraph(int maxNodes) {
        return newGraph(maxNodes, true);
    }

    private Graph newGraph(int maxNodes, boolean gradients) {
        ensureOpen();
        room.reserveGraph(maxNodes, gradients);
        return new Graph(this, GgmlApi.ggml_new_graph_custom(ctx, maxNodes, gradients), maxNodes, gradients);
    }

    // ---- shape and layout ops --------------------------------------------------------------------------

    /** A tensor with the same data seen with sizes {@code ne}; the element count must stay the same. */
    public Tensor reshape(Tensor a, long... ne) {
        long[] four = Shapes.requireReshape(a, ne);
        return op(GgmlApi.ggml_reshape_4d(ctx, p(a), four[0], four[1], four[2], four[3]));
    }

    /**
     * A view of {@code a} with sizes {@code ne}, byte strides {@code nb} for dimensions 1.. and a byte
     * offset; it must lie inside {@code a}'s data.
     */
    public Tensor view(Tensor a, long[] ne, long[] nb, long offset) {
        Shapes.requireView(a, ne, nb, offset);
        return op(switch (ne.length) {
            case 1 -> GgmlApi.ggml_view_1d(ctx, p(a), ne[0], offset);
            case 2 -> GgmlApi.ggml_view_2d(ctx, p(a), ne[0], ne[1], nb[0], offset);
            case 3 -> GgmlApi.ggml_view_3d(ctx, p(a), ne[0], ne[1], ne[2], nb[0], nb[1], offset);
            default -> GgmlApi.ggml_view_4d(ctx, p(a), ne[0], ne[1], ne[2], ne[3], nb[0], nb[1], nb[2], offset);
        });
    }

    /** Moves dimension i of {@code a} to position {@code axes[i]} (a view; ggml's permute convention). */
    public Tensor permute(Tensor a, int axis0, int axis1, int axis2, int axis3) {
        Shapes.requirePermutation(a, axis0, axis1, axis2, axis3);
        return op(GgmlApi.ggml_permute(ctx, p(a), axis0, axis1, axis2, axis3));
    }

    /** Swaps dimensions 0 and 1 (a view). */
    public Tensor transpose(Tensor a) {
        return op(GgmlApi.ggml_transpose(ctx, p(a)));
    }

    /** A contiguous copy of {@code a}. */
    public Tensor cont(Tensor a) {
        return op(GgmlApi.ggml_cont(ctx, p(a)));
    }

    /** Copies {@code a} into {@code b} (converting the type); returns the view of b that the graph writes. */
    public Tensor cpy(Tensor a, Tensor b) {
        require(a.elementCount() == b.elementCount(), "cpy", "a and b must have the same number of elements", a, b);
        return op(GgmlApi.ggml_cpy(ctx, p(a), p(b)));
    }

    /** {@code a} converted to {@code type}. */
    public Tensor cast(Tensor a, GgmlType type) {
        require(type.isFloat() || a.type().isFloat(), "cast", "casts go between float types (f32, f16, bf16) "
                + "or from a float type to a quantized one", a);
        return op(GgmlApi.ggml_cast(ctx, p(a), type.id()));
    }

    /** Rows of {@code a} picked by the I32 indices in {@code rows} (embedding lookup). */
    public Tensor getRows(Tensor a, Tensor rows) {
        Shapes.requireGetRows(a, rows);
        return op(GgmlApi.ggml_get_rows(ctx, p(a), p(rows)));
    }

    /**
     * Writes the rows of {@code source} into the rows of {@code destination} named by the I32 indices
     * {@code rows} (one per source row), converting the type; returns the view of the destination that the
     * graph writes. Used to store new keys and values at positions given as graph inputs, so that one graph
     * serves every decode step.
     */
    public Tensor setRows(Tensor destination, Tensor source, Tensor rows) {
        Shapes.requireSetRows(destination, source, rows);
        return op(GgmlApi.ggml_set_rows(ctx, p(destination), p(source), p(rows)));
    }

    /** {@code a} and {@code b} joined along dimension {@code dim}; the other dimensions must agree. */
    public Tensor concat(Tensor a, Tensor b, int dim) {
        Shapes.requireConcat(a, b, dim);
        return op(GgmlApi.ggml_concat(ctx, p(a), p(b), dim));
    }

    // ---- element-wise and matrix ops -------------------------------------------------------------------

    /** a + b, with b broadcast over a. */
    public Tensor add(Tensor a, Tensor b) {
        Shapes.requireBroadcast("add", a, b);
        return op(GgmlApi.ggml_add(ctx, p(a), p(b)));
    }

    /** a - b, with b broadcast over a. */
    public Tensor sub(Tensor a, Tensor b) {
        Shapes.requireBroadcast("sub", a, b);
        return op(GgmlApi.ggml_sub(ctx, p(a), p(b)));
    }

    /** a * b element-wise, with b broadcast over a. */
    public Tensor mul(Tensor a, Tensor b) {
        Shapes.requireBroadcast("mul", a, b);
        return op(GgmlApi.ggml_mul(ctx, p(a), p(b)));
    }

    /** a / b element-wise, with b broadcast over a. */
    public Tensor div(Tensor a, Tensor b) {
        Shapes.requireBroadcast("div", a, b);
        return op(GgmlApi.ggml_div(ctx, p(a), p(b)));
    }

    /** s * a. */
    public Tensor scale(Tensor a, float s) {
        requireF32("scale", a);
        require(Shapes.isPadded1d(a), "scale", "the tensor must be contiguous; copy it with cont() first", a);
        return op(GgmlApi.ggml_scale(ctx, p(a), s));
    }

    /** a clamped to [min, max]. */
    public Tensor clamp(Tensor a, float min, float max) {
        require(a.type().isFloat(), "clamp", "the input must be f32, f16 or bf16", a);
        return op(GgmlApi.ggml_clamp(ctx, p(a), min, max));
    }

    /**
     * ggml's matrix product: every row of {@code b} dotted with every row of {@code a}, so a [k, n] and
     * b [k, m] give [n, m] (in maths: {@code b @ a^T}). Dimensions 2 and 3 of b must be multiples of a's,
     * which is how grouped-query attention shares one K head among several query heads.
     */
    public Tensor mulMat(Tensor a, Tensor b) {
        Shapes.requireMulMat(a, b);
        return op(GgmlApi.ggml_mul_mat(ctx, p(a), p(b)));
    }

    /**
     * Mixture-of-experts product: for each token t and slot s, expert {@code ids[s, t]} of the stacked
     * matrices {@code as [k, n, experts]} multiplies {@code b[:, s or 0, t]}. Result [n, slots, tokens].
     */
    public Tensor mulMatId(Tensor as, Tensor b, Tensor ids) {
        Shapes.requireMulMatId(as, b, ids);
        return op(GgmlApi.ggml_mul_mat_id(ctx, p(as), p(b), p(ids)));
    }

    // ---- normalisation and activations -----------------------------------------------------------------

    /** (x - mean) / sqrt(var + eps) along each row. */
    public Tensor norm(Tensor a, float eps) {
        requireF32("norm", a);
        Shapes.requireEps("norm", a, eps);
        return op(GgmlApi.ggml_norm(ctx, p(a), eps));
    }

    /** x / sqrt(mean(x^2) + eps) along each row. */
    public Tensor rmsNorm(Tensor a, float eps) {
        requireF32("rms_norm", a);
        Shapes.requireEps("rms_norm", a, eps);
        return op(GgmlApi.ggml_rms_norm(ctx, p(a), eps));
    }

    public Tensor gelu(Tensor a) { return op(GgmlApi.ggml_gelu(ctx, p(activationInput("gelu", a)))); }
    public Tensor geluErf(Tensor a) { return op(GgmlApi.ggml_gelu_erf(ctx, p(activationInput("gelu_erf", a)))); }
    public Tensor silu(Tensor a) { return op(GgmlApi.ggml_silu(ctx, p(activationInput("silu", a)))); }
    public Tensor relu(Tensor a) { return op(GgmlApi.ggml_relu(ctx, p(activationInput("relu", a)))); }
    public Tensor tanh(Tensor a) { return op(GgmlApi.ggml_tanh(ctx, p(activationInput("tanh", a)))); }
    public Tensor sigmoid(Tensor a) { return op(GgmlApi.ggml_sigmoid(ctx, p(activationInput("sigmoid", a)))); }

    public Tensor sqr(Tensor a) { return op(GgmlApi.ggml_sqr(ctx, p(activationInput("sqr", a)))); }
    public Tensor sqrt(Tensor a) { return op(GgmlApi.ggml_sqrt(ctx, p(activationInput("sqrt", a)))); }

    public Tensor sumRows(Tensor a) {
        requireF32("sum_rows", a);
        return op(GgmlApi.ggml_sum_rows(ctx, p(a)));
    }

    /** Gated linear unit {@code act(gate) * up}; see {@link Glu}. */
    public Tensor glu(Glu kind, Tensor gate, Tensor up) {
        Shapes.requireGlu(kind.opName() + "_split", gate, up);
        MemorySegment g = p(gate), u = p(up);
        return op(switch (kind) {
            case SWIGLU -> GgmlApi.ggml_swiglu_split(ctx, g, u);
            case GEGLU -> GgmlApi.ggml_geglu_split(ctx, g, u);
            case GEGLU_ERF -> GgmlApi.ggml_geglu_erf_split(ctx, g, u);
            case REGLU -> GgmlApi.ggml_reglu_split(ctx, g, u);
        });
    }

    /**
     * Gated linear unit on one tensor whose rows hold the gate in the first half and the value in the
     * second: [2n, ...] gives [n, ...].
     */
    public Tensor glu(Glu kind, Tensor fused) {
        Shapes.requireFusedGlu(kind.opName(), fused);
        MemorySegment a = p(fused);
        return op(switch (kind) {
            case SWIGLU -> GgmlApi.ggml_swiglu(ctx, a);
            case GEGLU -> GgmlApi.ggml_geglu(ctx, a);
            case GEGLU_ERF -> GgmlApi.ggml_geglu_erf(ctx, a);
            case REGLU -> GgmlApi.ggml_reglu(ctx, a);
        });
    }

    /** Row indices that sort each row of {@code a}. */
    public Tensor argsort(Tensor a, boolean descending) {
        requireF32("argsort", a);
        return op(GgmlApi.ggml_argsort(ctx, p(a), descending ? 1 : 0));
    }

    /** Indices of the {@code k} largest values of each row, in no particular order. */
    public Tensor topK(Tensor a, int k) {
        requireF32("top_k", a);
        require(k >= 1 && k <= a.ne(0), "top_k", "k must be between 1 and ne[0] = " + a.ne(0) + ", got " + k, a);
        // The CPU kernel walks rows with a fixed stride, so a strided view would give wrong indices silently.
        require(a.isContiguous(), "top_k", "the input must be contiguous; copy it with cont() first", a);
        return op(GgmlApi.ggml_top_k(ctx, p(a), k));
    }

    // ---- attention -------------------------------------------------------------------------------------

    /** Attention-specific ops (softmax with mask and ALiBi, RoPE, flash attention). */
    public AttentionOps attention() {
        return new AttentionOps(this);
    }

    // ---- plumbing --------------------------------------------------------------------------------------

    void requireF32(String op, Tensor a) {
        require(a.type() == GgmlType.F32, op, "the input must be f32", a);
    }

    /** The native pointer of a tensor, checking that it belongs to an open context. */
    MemorySegment p(Tensor t) {
        return t == null ? MemorySegment.NULL : t.pointer();
    }

    /** Wraps the result of an op created in this context. */
    Tensor op(MemorySegment result) {
        reserve(1);
        return wrap(result);
    }

    private Tensor wrap(MemorySegment pointer) {
        if (Downcalls.isNull(pointer)) {
            throw new GgmlException("ggml returned no tensor");
        }
        return new Tensor(this, pointer);
    }

    /** Counts tensor slots; throws before ggml would run out of context memory and abort. */
    void reserve(int tensors) {
        ensureOpen();
        room.reserveTensors(tensors);
    }

    MemorySegment handle() {
        ensureOpen();
        return ctx;
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this ggml context was closed; its tensors and graphs are gone");
        }
    }

    /** Checks that the buffer holding {@code t} (if this context allocated it) is open and, for reads, readable. */
    void ensureBufferUsable(Tensor t, boolean read) { buffers.ensureUsable(t, read); }

    /** Takes a buffer made elsewhere for this context's tensors ({@link MappedTensors}): it closes with the context. */
    void adopt(Buffer buffer) { ensureOpen(); buffers.add(buffer); }

    public boolean isClosed() { return closed; }

    @Override
    public void close() {
        if (!closed) {
            buffers.closeAll();
            GgmlApi.ggml_free(ctx);
            closed = true;
        }
    }
}
