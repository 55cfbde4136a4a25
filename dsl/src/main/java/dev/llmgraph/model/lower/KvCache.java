package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Graph;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.LatentAttention;
import dev.llmgraph.spec.LinearAttention;
import dev.llmgraph.spec.MaskKind;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Rwkv;
import dev.llmgraph.spec.SequenceMixer;
import dev.llmgraph.spec.StateSpace;

/**
 * The keys and values of every position seen so far, per layer, on the backend. It owns its layout:
 * attention writes a batch through {@link #store} and reads through {@link #keys} and {@link #values},
 * and the index inputs of a batch are filled from {@link #rows} and {@link #transposedCells}.
 * <pre>
 *  K[layer]  [headDim * kvHeads, size]   one row per position (ggml order: row = ne[0])
 *  V[layer]  [headDim * kvHeads, size]   with flash attention, which reads V like K
 *            [size, headDim * kvHeads]   otherwise: stored transposed, so that weights x values is a plain
 *                                        mul_mat without a copy (llama.cpp does the same)
 * </pre>
 * With latent attention (MLA) each layer holds one tensor, as llama.cpp's {@code deepseek2} cache does:
 * <pre>
 *  KV[layer] [kvRank + ropeHeadDim, size]  the latent c_KV and the shared RoPE key per position; attention reads
 *                                          whole rows as keys and their first kvRank values as values
 * </pre>
 * A layer whose attention slides keeps only {@link ModelSpec#slidingCacheRows} rows when its session feeds batches
 * of a bounded size: its window and one batch, as a ring (position p in row p mod rows), as llama.cpp's iswa cache
 * does. The rows a batch overwrites hold positions no query of the batch sees, and the batch's mask is computed over
 * the positions the rows hold ({@link #keyPositions}). Gemma-3-1B at 32 768 tokens: 150 MiB instead of 832 MiB.
 * Elsewhere every row is its position.
 *
 * <p>A state space model (Mamba) keeps no rows per position at all: its layers remember through a fixed-size
 * {@link RecurrentState}, which this cache then holds instead, so that a session has one memory whatever its
 * layers are made of. A hybrid stack of linear and softmax attention holds both: K and V rows for its softmax
 * layers only, and the recurrent state of its linear layers.
 */
public final class KvCache implements AutoCloseable {
    /** Positions the cache holds. */
    public final int size;
    /** Rows of each layer whose attention slides: {@link #size}, or fewer when they form a ring. */
    private final int slidingRows;
    /** The sliding layers' window, or 0 without one. */
    private final int window;
    private final Tensor[] k;
    private final Tensor[] v;
    private final boolean vTransposed;
    private final GgmlType type;
    /** The K and V (or latent) tensors, each on its layer's backend; null when no layer attends. */
    private final PlacedContexts tensors;
    /** The recurrent layers' state, or null when every layer attends. */
    private final RecurrentState recurrent;

    /** A cache that keeps every position on every layer, for batches of any length. */
    public KvCache(ModelSpec spec, Backend backend, GgmlType type, int size) {
        this(spec, LayerDevices.single(backend, spec.layers()), type, size, size);
    }

    /**
     * A cache whose layers live on their backends in {@code devices}, written by batches of at most {@code batch}
     * tokens (which bounds the rows a sliding layer keeps: {@link ModelSpec#slidingCacheRows}).
     */
    public KvCache(ModelSpec spec, LayerDevices devices, GgmlType type, int size, int batch) {
        this.size = size;
        this.type = type;
        this.slidingRows = spec.slidingCacheRows(size, batch);
        this.window = spec.attention() == null || spec.attention().window() == null ? 0
                : spec.attention().window().size();
        Backend backend = devices.local();
        this.recurrent = spec.recurrent() ? new RecurrentState(spec, devices) : null;
        if (spec.recurrent() && !attends(spec)) {
            this.vTransposed = false;
            this.k = null;
            this.v = null;
            this.tensors = null;
            return;
        }
        if (spec.latentAttention()) {
            refuseForLatent(spec, backend, type, size);
            this.vTransposed = false;
            this.tensors = new PlacedContexts(spec.layers());
            this.k = new Tensor[spec.layers()];
            this.v = null;
            for (int i = 0; i < spec.layers(); i++) {
                k[i] = tensors.newTensor(devices.layer(i), "cache_kv_latent." + i, type, spec.latent().cacheRow(), size);
            }
            allocate(tensors, recurrent);
            return;
        }
        this.vTransposed = !spec.attention().flash();
        long rowLength = (long) spec.headDim() * spec.kvHeads();
        if (vTransposed && type.isQuantized()) {
            throw new IllegalArgumentException("a " + type + " KV cache needs flash attention, because without it the "
                    + "V cache is stored transposed, which a quantized type cannot be; turn on attention flash or use "
                    + "an f16 cache");
        }
        // Attention reads the cache one head at a time, so every head, not only the whole row, must fill blocks.
        if (spec.headDim() % type.blockSize() != 0) {
            throw new IllegalArgumentException("a " + type + " KV cache stores each head's headDim = " + spec.headDim()
                    + " values in blocks of " + type.blockSize() + "; use an f16 cache");
        }
        if (backend.isCpu()) {
            HostMemory.available().ifPresent(available -> MemoryCheck.cache(spec, type, size, batch, available));
        }
        this.tensors = new PlacedContexts(2 * spec.layers());
        this.k = new Tensor[spec.layers()];
        this.v = new Tensor[spec.layers()];
        for (int i = 0; i < spec.layers(); i++) {
            if (!keepsRows(spec.layer(i).mixer())) {
                continue; // a hybrid stack's linear layers keep their state in the recurrent state instead
            }
            Backend home = devices.layer(i);
            int rows = rowsFor(spec.mask(i));
            k[i] = tensors.newTensor(home, "cache_k." + i, type, rowLength, rows);
            v[i] = vTransposed ? tensors.newTensor(home, "cache_v." + i, type, rows, rowLength)
                    : tensors.newTensor(home, "cache_v." + i, type, rowLength, rows);
        }
        allocate(tensors, recurrent);
    }

    /** Whether some layer attends through a KV cache (in a hybrid stack, the softmax layers). */
    private static boolean attends(ModelSpec spec) {
        for (int i = 0; i < spec.layers(); i++) {
            if (keepsRows(spec.layer(i).mixer())) {
                return true;
            }
        }
        return false;
    }

    /** Whether a layer of {@code mixer} keeps K and V rows here (MLA's latent rows and recurrent states do not). */
    private static boolean keepsRows(SequenceMixer mixer) {
        return switch (mixer) {
            case Attention _ -> true;
            case LatentAttention _, StateSpace _, Rwkv _, LinearAttention _ -> false;
        };
    }

    /** Refuses, in words, a latent cache of a quantized type or one larger than the host's free memory. */
    private static void refuseForLatent(ModelSpec spec, Backend backend, GgmlType type, int size) {
        if (type.isQuantized()) {
            throw new IllegalArgumentException("a " + type + " KV cache cannot hold latent attention's cache: its "
                    + "values are read through a transposed copy of the latent, which a quantized type cannot be; use "
                    + "an f16 cache");
        }
        if (backend.isCpu()) {
            HostMemory.available().ifPresent(available -> MemoryCheck.cache(spec, type, size, size, available));
        }
    }

    /** Gives the cache's tensors memory, zeroed; on failure frees what the cache holds. */
    private static void allocate(PlacedContexts tensors, RecurrentState recurrent) {
        try {
            tensors.allocate();
        } catch (RuntimeException e) {
            tensors.close();
            if (recurrent != null) {
                recurrent.close();
            }
            throw e;
        }
    }

    /** Adds to {@code graph} the write of a batch's latent rows {@code latent} [kvRank + rope, T] at {@code rows}. */
    void storeLatent(Context graphCtx, Graph graph, int layer, Tensor latent, Tensor rows) {
        graph.expand(graphCtx.setRows(k[layer], latent, rows));
    }

    /** The latent cache rows 0 .. {@code keys} - 1 of layer {@code layer}, whole: the keys [kvRank + rope, K]. */
    Tensor latentKeys(Context graphCtx, int layer, int keys) {
        Tensor kc = k[layer];
        return graphCtx.view(kc, new long[] {kc.ne(0), keys}, new long[] {kc.nb(1)}, 0);
    }

    /** The first {@code kvRank} values of the latent cache rows 0 .. {@code keys} - 1: the values [kvRank, K]. */
    Tensor latentValues(Context graphCtx, int layer, int kvRank, int keys) {
        Tensor kc = k[layer];
        return graphCtx.view(kc, new long[] {kvRank, keys}, new long[] {kc.nb(1)}, 0);
    }

    /** Whether the V cache is stored transposed (without flash attention), and so written cell by cell. */
    boolean valuesTransposed() {
        return vTransposed;
    }

    /**
     * Adds to {@code graph} the writes of a batch of T tokens into layer {@code layer}: the rotated keys
     * {@code keys} [hd, G, T] at {@code rows} [T], the values {@code values} [hd * G, T] at {@code rows}, or,
     * transposed, at {@code cells} [hd * G * T] (from {@link #transposedCells}; null when not transposed).
     */
    void store(Context graphCtx, Graph graph, int layer, Tensor keys, Tensor values, Tensor rows, Tensor cells) {
        long width = keys.ne(0) * keys.ne(1);
        long tokens = keys.ne(2);
        // A view, not a reshape, right after the RoPE: ggml-cuda fuses RoPE + view + set_rows into one kernel.
        Tensor keyRows = graphCtx.view(keys, new long[] {width, tokens}, new long[] {keys.nb(2)}, 0);
        graph.expand(graphCtx.setRows(k[layer], keyRows, rows));
        Tensor vc = v[layer];
        if (vTransposed) {
            // The transposed cache as one long row of cells; each value goes to its (feature, position) cell.
            // Values taken from a stacked q, k, v product are a strided view: one copy makes them a row, as llama.cpp's.
            Tensor all = graphCtx.reshape(vc, 1, vc.ne(0) * width);
            Tensor row = values.isContiguous() ? values : graphCtx.cont(values);
            graph.expand(graphCtx.setRows(all, graphCtx.reshape(row, 1, width * tokens), cells));
        } else {
            graph.expand(graphCtx.setRows(vc, values, rows));
        }
    }

    /** Whether the layers of mask {@code kind} keep a ring of fewer rows than the cache's positions. */
    boolean rings(MaskKind kind) {
        return kind == MaskKind.SLIDING && slidingRows < size;
    }

    /** Rows of each layer of mask {@code kind}. */
    int rowsFor(MaskKind kind) {
        return rings(kind) ? slidingRows : size;
    }

    /** How many rows a layer of mask {@code kind} reads when a batch's graph reads {@code keys} keys. */
    int keysRead(MaskKind kind, int keys) {
        return Math.min(rowsFor(kind), keys);
    }

    /**
     * The position each of the first {@code keys} rows of a layer of mask {@code kind} holds once a batch ending before
     * position {@code end} has been written: the latest position written there, or -1 for a row never written.
     * Positions after {@code end} that a rewound session wrote earlier are not counted: their rows hold no position a
     * query of the batch may see ({@link #rewindReach}). One division per batch: row r holds the newest position
     * congruent to r, and the newest position of all sits in row (end - 1) mod rows.
     */
    int[] keyPositions(int keys, int end, MaskKind kind) {
        int rows = rowsFor(kind);
        int newestRow = (end - 1) % rows;
        int rowZero = end - 1 - newestRow; // the position row 0 holds
        int[] held = new int[keys];
        for (int row = 0; row < keys; row++) {
            int position = row <= newestRow ? rowZero + row : rowZero - rows + row;
            held[row] = Math.max(position, -1);
        }
        return held;
    }

    /**
     * How many of the last tokens a session may forget and still have every key its next tokens' windows need: all
     * of them, unless sliding layers keep a ring, whose rows beyond the window hold one batch.
     */
    public int rewindReach() {
        return slidingRows < size ? slidingRows - window : Integer.MAX_VALUE;
    }

    /** Rows of each layer whose attention slides: {@link #size} unless they form a ring. */
    public int slidingRows() {
        return slidingRows;
    }

    /** The K cache rows 0 .. {@code keys} - 1 of layer {@code layer} as [hd, K, G], as attention reads them. */
    Tensor keys(Context graphCtx, int layer, int headDim, int kvHeads, int keys) {
        Tensor kc = k[layer];
        return graphCtx.permute(graphCtx.view(kc, new long[] {headDim, kvHeads, keys},
                new long[] {type.rowBytes(headDim), kc.nb(1)}, 0), 0, 2, 1, 3);
    }

    /**
     * The V cache rows 0 .. {@code keys} - 1 of layer {@code layer} as attention reads them: [hd, K, G] like
     * the keys (flash attention), or, transposed, [K, hd, G], so that weights x values is one mul_mat.
     */
    Tensor values(Context graphCtx, int layer, int headDim, int kvHeads, int keys) {
        Tensor vc = v[layer];
        if (vTransposed) {
            long row = vc.nb(1);
            return graphCtx.view(vc, new long[] {keys, headDim, kvHeads}, new long[] {row, row * headDim}, 0);
        }
        return graphCtx.permute(graphCtx.view(vc, new long[] {headDim, kvHeads, keys},
                new long[] {type.rowBytes(headDim), vc.nb(1)}, 0), 0, 2, 1, 3);
    }

    /**
     * The row of each of {@code tokens} new tokens at {@code start} in a layer of {@code rows} rows
     * ({@link #rowsFor}): where its key (and value) goes.
     */
    static long[] rows(int start, int tokens, int rows) {
        long[] out = new long[tokens];
        for (int t = 0; t < tokens; t++) {
            out[t] = (start + t) % rows;
        }
        return out;
    }

    /**
     * For the transposed V cache of a layer of {@code rows} rows seen as one long row of cells: the cell of every
     * (feature, token) value of {@code tokens} new tokens at {@code start}, feature fastest: cell = feature * rows +
     * row.
     */
    static long[] transposedCells(int width, int start, int tokens, int rows) {
        long[] cells = new long[width * tokens];
        for (int t = 0; t < tokens; t++) {
            for (int f = 0; f < width; f++) {
                cells[t * width + f] = (long) f * rows + (start + t) % rows;
            }
        }
        return cells;
    }

    /** The recurrent layers' state; throws for a model whose layers all attend. */
    public RecurrentState recurrent() {
        if (recurrent == null) {
            throw new IllegalStateException("this model's layers attend through a KV cache; only recurrent layers "
                    + "(Ssm) keep a recurrent state");
        }
        return recurrent;
    }

    /** A sequence starts again at position 0: recurrent state back to zero (KV rows are simply overwritten). */
    public void restart() {
        if (recurrent != null) {
            recurrent.clear();
        }
    }

    public long byteSize() {
        return (tensors == null ? 0 : tensors.byteSize()) + (recurrent == null ? 0 : recurrent.byteSize());
    }

    /** Bytes of the cache (and recurrent state) on {@code backend}. */
    public long byteSize(Backend backend) {
        return (tensors == null ? 0 : tensors.byteSize(backend)) + (recurrent == null ? 0 : recurrent.byteSize(backend));
    }

    @Override
    public void close() {
        if (recurrent != null) {
            recurrent.close();
        }
        if (tensors != null) {
            tensors.close();
        }
    }
}
