package dev.llmgraph.ggml.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static dev.llmgraph.ggml.internal.Downcalls.BOOL;
import static dev.llmgraph.ggml.internal.Downcalls.FLOAT;
import static dev.llmgraph.ggml.internal.Downcalls.INT;
import static dev.llmgraph.ggml.internal.Downcalls.INT64;
import static dev.llmgraph.ggml.internal.Downcalls.PTR;
import static dev.llmgraph.ggml.internal.Downcalls.SIZE_T;
import static dev.llmgraph.ggml.internal.Downcalls.fn;
import static dev.llmgraph.ggml.internal.Downcalls.fnVoid;
import static dev.llmgraph.ggml.internal.Downcalls.rethrow;

/**
 * Raw bindings to {@code ggml.h}: one {@link NativeFunction} per C function, one Java method per C function
 * with the C name. Pointers are {@link MemorySegment}s; nothing here checks arguments (the typed layer in
 * {@code dev.llmgraph.ggml} does, before it calls in).
 */
public final class GgmlApi {
    private GgmlApi() {}

    /** {@code struct ggml_init_params { size_t mem_size; void * mem_buffer; bool no_alloc; }} */
    public static final StructLayout INIT_PARAMS = MemoryLayout.structLayout(
            SIZE_T.withName("mem_size"), PTR.withName("mem_buffer"), BOOL.withName("no_alloc"),
            MemoryLayout.paddingLayout(7));

    private static final SymbolLookup L = NativeLibraries.ggml();

    // Signatures shared by many ops: t = tensor pointer, c = context, f = float, i = int.
    private static final FunctionDescriptor T_CT = fn(PTR, PTR, PTR);
    private static final FunctionDescriptor T_CTT = fn(PTR, PTR, PTR, PTR);
    private static final FunctionDescriptor T_CTF = fn(PTR, PTR, PTR, FLOAT);

    private static NativeFunction q(String name, FunctionDescriptor d) {
        return Downcalls.quick(L, name, d);
    }

    // ---- context and tensors ---------------------------------------------------------------------------
    private static final NativeFunction INIT = q("ggml_init", fn(PTR, INIT_PARAMS));
    private static final NativeFunction FREE = q("ggml_free", fnVoid(PTR));
    private static final NativeFunction TENSOR_OVERHEAD = q("ggml_tensor_overhead", fn(SIZE_T));
    private static final NativeFunction GRAPH_OVERHEAD_CUSTOM = q("ggml_graph_overhead_custom", fn(SIZE_T, SIZE_T, BOOL));
    private static final NativeFunction NEW_TENSOR = q("ggml_new_tensor", fn(PTR, PTR, INT, INT, PTR));
    private static final NativeFunction SET_NAME = q("ggml_set_name", fn(PTR, PTR, PTR));
    private static final NativeFunction NBYTES = q("ggml_nbytes", fn(SIZE_T, PTR));
    private static final NativeFunction NELEMENTS = q("ggml_nelements", fn(INT64, PTR));
    private static final NativeFunction IS_CONTIGUOUS = q("ggml_is_contiguous", fn(BOOL, PTR));
    private static final NativeFunction IS_TRANSPOSED = q("ggml_is_transposed", fn(BOOL, PTR));
    private static final NativeFunction SET_INPUT = q("ggml_set_input", fnVoid(PTR));
    private static final NativeFunction SET_OUTPUT = q("ggml_set_output", fnVoid(PTR));
    private static final NativeFunction TYPE_NAME = q("ggml_type_name", fn(PTR, INT));
    private static final NativeFunction TYPE_SIZE = q("ggml_type_size", fn(SIZE_T, INT));
    private static final NativeFunction BLCK_SIZE = q("ggml_blck_size", fn(INT64, INT));
    private static final NativeFunction ROW_SIZE = q("ggml_row_size", fn(SIZE_T, INT, INT64));
    private static final NativeFunction OP_DESC = q("ggml_op_desc", fn(PTR, PTR));
    private static final NativeFunction GET_FIRST_TENSOR = q("ggml_get_first_tensor", fn(PTR, PTR));
    private static final NativeFunction GET_NEXT_TENSOR = q("ggml_get_next_tensor", fn(PTR, PTR, PTR));

    public static MemorySegment ggml_init(MemorySegment params) {
        try { return (MemorySegment) INIT.handle().invokeExact(params); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_free(MemorySegment ctx) {
        try { FREE.handle().invokeExact(ctx); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long ggml_tensor_overhead() {
        try { return (long) TENSOR_OVERHEAD.handle().invokeExact(); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long ggml_graph_overhead_custom(long size, boolean grads) {
        try { return (long) GRAPH_OVERHEAD_CUSTOM.handle().invokeExact(size, grads); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_new_tensor(MemorySegment ctx, int type, int nDims, MemorySegment ne) {
        try { return (MemorySegment) NEW_TENSOR.handle().invokeExact(ctx, type, nDims, ne); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_set_name(MemorySegment tensor, MemorySegment name) {
        try { return (MemorySegment) SET_NAME.handle().invokeExact(tensor, name); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long ggml_nbytes(MemorySegment tensor) {
        try { return (long) NBYTES.handle().invokeExact(tensor); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long ggml_nelements(MemorySegment tensor) {
        try { return (long) NELEMENTS.handle().invokeExact(tensor); } catch (Throwable t) { throw rethrow(t); }
    }
    public static boolean ggml_is_contiguous(MemorySegment tensor) {
        try { return (boolean) IS_CONTIGUOUS.handle().invokeExact(tensor); } catch (Throwable t) { throw rethrow(t); }
    }
    public static boolean ggml_is_transposed(MemorySegment tensor) {
        try { return (boolean) IS_TRANSPOSED.handle().invokeExact(tensor); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_set_input(MemorySegment tensor) {
        try { SET_INPUT.handle().invokeExact(tensor); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_set_output(MemorySegment tensor) {
        try { SET_OUTPUT.handle().invokeExact(tensor); } catch (Throwable t) { throw rethrow(t); }
    }
    public static String ggml_type_name(int type) {
        try { return Downcalls.string((MemorySegment) TYPE_NAME.handle().invokeExact(type)); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long ggml_type_size(int type) {
        try { return (long) TYPE_SIZE.handle().invokeExact(type); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long ggml_blck_size(int type) {
        try { return (long) BLCK_SIZE.handle().invokeExact(type); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long ggml_row_size(int type, long ne) {
        try { return (long) ROW_SIZE.handle().invokeExact(type, ne); } catch (Throwable t) { throw rethrow(t); }
    }
    public static String ggml_op_desc(MemorySegment tensor) {
        try { return Downcalls.string((MemorySegment) OP_DESC.handle().invokeExact(tensor)); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_get_first_tensor(MemorySegment ctx) {
        try { return (MemorySegment) GET_FIRST_TENSOR.handle().invokeExact(ctx); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_get_next_tensor(MemorySegment ctx, MemorySegment tensor) {
        try { return (MemorySegment) GET_NEXT_TENSOR.handle().invokeExact(ctx, tensor); } catch (Throwable t) { throw rethrow(t); }
    }

    // ---- views and layout ------------------------------------------------------------------------------
    private static final NativeFunction VIEW_1D = q("ggml_view_1d", fn(PTR, PTR, PTR, INT64, SIZE_T));
    private static final NativeFunction VIEW_2D = q("ggml_view_2d", fn(PTR, PTR, PTR, INT64, INT64, SIZE_T, SIZE_T));
    private static final NativeFunction VIEW_3D = q("ggml_view_3d",
            fn(PTR, PTR, PTR, INT64, INT64, INT64, SIZE_T, SIZE_T, SIZE_T));
    private static final NativeFunction VIEW_4D = q("ggml_view_4d",
            fn(PTR, PTR, PTR, INT64, INT64, INT64, INT64, SIZE_T, SIZE_T, SIZE_T, SIZE_T));
    private static final NativeFunction RESHAPE_4D = q("ggml_reshape_4d", fn(PTR, PTR, PTR, INT64, INT64, INT64, INT64));
    private static final NativeFunction PERMUTE = q("ggml_permute", fn(PTR, PTR, PTR, INT, INT, INT, INT));
    private static final NativeFunction TRANSPOSE = q("ggml_transpose", T_CT);
    private static final NativeFunction CONT = q("ggml_cont", T_CT);
    private static final NativeFunction CPY = q("ggml_cpy", T_CTT);
    private static final NativeFunction CAST = q("ggml_cast", fn(PTR, PTR, PTR, INT));
    private static final NativeFunction GET_ROWS = q("ggml_get_rows", T_CTT);
    private static final NativeFunction CONCAT = q("ggml_concat", fn(PTR, PTR, PTR, PTR, INT));
    private static final NativeFunction SET_ROWS = q("ggml_set_rows", fn(PTR, PTR, PTR, PTR, PTR));

    public static MemorySegment ggml_view_1d(MemorySegment ctx, MemorySegment a, long ne0, long offset) {
        try { return (MemorySegment) VIEW_1D.handle().invokeExact(ctx, a, ne0, offset); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_view_2d(MemorySegment ctx, MemorySegment a, long ne0, long ne1, long nb1, long offset) {
        try { return (MemorySegment) VIEW_2D.handle().invokeExact(ctx, a, ne0, ne1, nb1, offset); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_view_3d(MemorySegment ctx, MemorySegment a, long ne0, long ne1, long ne2,
                                             long nb1, long nb2, long offset) {
        try { return (MemorySegment) VIEW_3D.handle().invokeExact(ctx, a, ne0, ne1, ne2, nb1, nb2, offset); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_view_4d(MemorySegment ctx, MemorySegment a, long ne0, long ne1, long ne2, long ne3,
                                             long nb1, long nb2, long nb3, long offset) {
        try { return (MemorySegment) VIEW_4D.handle().invokeExact(ctx, a, ne0, ne1, ne2, ne3, nb1, nb2, nb3, offset); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_reshape_4d(MemorySegment ctx, MemorySegment a, long ne0, long ne1, long ne2, long ne3) {
        try { return (MemorySegment) RESHAPE_4D.handle().invokeExact(ctx, a, ne0, ne1, ne2, ne3); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_permute(MemorySegment ctx, MemorySegment a, int ax0, int ax1, int ax2, int ax3) {
        try { return (MemorySegment) PERMUTE.handle().invokeExact(ctx, a, ax0, ax1, ax2, ax3); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_transpose(MemorySegment ctx, MemorySegment a) { return unary(TRANSPOSE.handle(), ctx, a); }
    public static MemorySegment ggml_cont(MemorySegment ctx, MemorySegment a) { return unary(CONT.handle(), ctx, a); }
    public static MemorySegment ggml_cpy(MemorySegment ctx, MemorySegment a, MemorySegment b) { return binary(CPY.handle(), ctx, a, b); }
    public static MemorySegment ggml_cast(MemorySegment ctx, MemorySegment a, int type) {
        try { return (MemorySegment) CAST.handle().invokeExact(ctx, a, type); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_get_rows(MemorySegment ctx, MemorySegment a, MemorySegment rows) { return binary(GET_ROWS.handle(), ctx, a, rows); }
    public static MemorySegment ggml_concat(MemorySegment ctx, MemorySegment a, MemorySegment b, int dim) {
        try { return (MemorySegment) CONCAT.handle().invokeExact(ctx, a, b, dim); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment ggml_set_rows(MemorySegment ctx, MemorySegment a, MemorySegment b, MemorySegment rows) {
        try { return (MemorySegment) SET_ROWS.handle().invokeExact(ctx, a, b, rows); } catch (Throwable t) { throw rethrow(t); }
    }

    // ---- arithmetic ------------------------------------------------------------------------------------
    private static final NativeFunction ADD = q("ggml_add", T_CTT);
    private static final NativeFunction SUB = q("ggml_sub", T_CTT);
    private static final NativeFunction MUL = q("ggml_mul", T_CTT);
    private static final NativeFunction DIV = q("ggml_div", T_CTT);
    private static final NativeFunction SCALE = q("ggml_scale", T_CTF);
    private static final NativeFunction MUL_MAT = q("ggml_mul_mat", T_CTT);
    private static final NativeFunction MUL_MAT_ID = q("ggml_mul_mat_id", fn(PTR, PTR, PTR, PTR, PTR));
    private static final NativeFunction CLAMP = q("ggml_clamp", fn(PTR, PTR, PTR, FLOAT, FLOAT));
    private static final NativeFunction SQR = q("ggml_sqr", T_CT);
    private static final NativeFunction SQRT = q("ggml_sqrt", T_CT);
    private static final NativeFunction SUM_ROWS = q("ggml_sum_rows", T_CT);
    private static final NativeFunction REPEAT = q("ggml_repeat", T_CTT);
    private static final NativeFunction FILL = q("ggml_fill", T_CTF);

    public static MemorySegment ggml_add(MemorySegment ctx, MemorySegment a, MemorySegment b) { return binary(ADD.handle(), ctx, a, b); }
    public static MemorySegment ggml_sub(MemorySegment ctx, MemorySegment a, MemorySegment b) { return binary(SUB.handle(), ctx, a, b); }
    public static MemorySegment ggml_mul(MemorySegment ctx, MemorySegment a, MemorySegment b) { return binary(MUL.handle(), ctx, a, b); }
    public static MemorySegment ggml_div(MemorySegment ctx, MemorySegment a, MemorySegment b) { return binary(DIV.handle(), ctx, a, b); }
    public static MemorySegment ggml_scale(MemorySegment ctx, MemorySegment a, float s) { return withFloat(SCALE.handle(), ctx, a, s); }
    public static MemorySegment ggml_mul_mat(MemorySegment ctx, MemorySegment a, MemorySegment b) { return binary(MUL_MAT.handle(), ctx, a, b); }
    public static MemorySegment ggml_mul_mat_id(MemorySegment ctx, MemorySegment as, MemorySegment b, MemorySegment ids) {
        try { return (MemorySegment) MUL_MAT_ID.handle().invokeExact(ctx, as, b, ids); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_clamp(MemorySegment ctx, MemorySegment a, float min, float max) {
        try { return (MemorySegment) CLAMP.handle().invokeExact(ctx, a, min, max); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_sqr(MemorySegment ctx, MemorySegment a) { return unary(SQR.handle(), ctx, a); }
    public static MemorySegment ggml_sqrt(MemorySegment ctx, MemorySegment a) { return unary(SQRT.handle(), ctx, a); }
    public static MemorySegment ggml_sum_rows(MemorySegment ctx, MemorySegment a) { return unary(SUM_ROWS.handle(), ctx, a); }
    public static MemorySegment ggml_repeat(MemorySegment ctx, MemorySegment a, MemorySegment b) { return binary(REPEAT.handle(), ctx, a, b); }
    public static MemorySegment ggml_fill(MemorySegment ctx, MemorySegment a, float c) { return withFloat(FILL.handle(), ctx, a, c); }

    // ---- normalisation, activations, attention pieces --------------------------------------------------
    private static final NativeFunction NORM = q("ggml_norm", T_CTF);
    private static final NativeFunction RMS_NORM = q("ggml_rms_norm", T_CTF);
    private static final NativeFunction GELU = q("ggml_gelu", T_CT);
    private static final NativeFunction GELU_ERF = q("ggml_gelu_erf", T_CT);
    private static final NativeFunction SILU = q("ggml_silu", T_CT);
    private static final NativeFunction RELU = q("ggml_relu", T_CT);
    private static final NativeFunction TANH = q("ggml_tanh", T_CT);
    private static final NativeFunction SIGMOID = q("ggml_sigmoid", T_CT);
    private static final NativeFunction SWIGLU = q("ggml_swiglu", T_CT);
    private static final NativeFunction GEGLU = q("ggml_geglu", T_CT);
    private static final NativeFunction GEGLU_ERF = q("ggml_geglu_erf", T_CT);
    private static final NativeFunction REGLU = q("ggml_reglu", T_CT);
    private static final NativeFunction SWIGLU_SPLIT = q("ggml_swiglu_split", T_CTT);
    private static final NativeFunction GEGLU_SPLIT = q("ggml_geglu_split", T_CTT);
    private static final NativeFunction GEGLU_ERF_SPLIT = q("ggml_geglu_erf_split", T_CTT);
    private static final NativeFunction REGLU_SPLIT = q("ggml_reglu_split", T_CTT);
    private static final NativeFunction SOFT_MAX_EXT = q("ggml_soft_max_ext", fn(PTR, PTR, PTR, PTR, FLOAT, FLOAT));
    private static final NativeFunction ROPE_EXT = q("ggml_rope_ext",
            fn(PTR, PTR, PTR, PTR, PTR, INT, INT, INT, FLOAT, FLOAT, FLOAT, FLOAT, FLOAT, FLOAT));
    private static final NativeFunction FLASH_ATTN_EXT = q("ggml_flash_attn_ext",
            fn(PTR, PTR, PTR, PTR, PTR, PTR, FLOAT, FLOAT, FLOAT));
    private static final NativeFunction PREC_SET_ACC = q("ggml_prec_set_acc", fn(BOOL, PTR, INT));
    private static final NativeFunction ARGSORT = q("ggml_argsort", fn(PTR, PTR, PTR, INT));
    private static final NativeFunction TOP_K = q("ggml_top_k", fn(PTR, PTR, PTR, INT));

    public static MemorySegment ggml_norm(MemorySegment ctx, MemorySegment a, float eps) { return withFloat(NORM.handle(), ctx, a, eps); }
    public static MemorySegment ggml_rms_norm(MemorySegment ctx, MemorySegment a, float eps) { return withFloat(RMS_NORM.handle(), ctx, a, eps); }
    public static MemorySegment ggml_gelu(MemorySegment ctx, MemorySegment a) { return unary(GELU.handle(), ctx, a); }
    public static MemorySegment ggml_gelu_erf(MemorySegment ctx, MemorySegment a) { return unary(GELU_ERF.handle(), ctx, a); }
    public static MemorySegment ggml_silu(MemorySegment ctx, MemorySegment a) { return unary(SILU.handle(), ctx, a); }
    public static MemorySegment ggml_relu(MemorySegment ctx, MemorySegment a) { return unary(RELU.handle(), ctx, a); }
    public static MemorySegment ggml_tanh(MemorySegment ctx, MemorySegment a) { return unary(TANH.handle(), ctx, a); }
    public static MemorySegment ggml_sigmoid(MemorySegment ctx, MemorySegment a) { return unary(SIGMOID.handle(), ctx, a); }
    public static MemorySegment ggml_swiglu(MemorySegment ctx, MemorySegment a) { return unary(SWIGLU.handle(), ctx, a); }
    public static MemorySegment ggml_geglu(MemorySegment ctx, MemorySegment a) { return unary(GEGLU.handle(), ctx, a); }
    public static MemorySegment ggml_geglu_erf(MemorySegment ctx, MemorySegment a) { return unary(GEGLU_ERF.handle(), ctx, a); }
    public static MemorySegment ggml_reglu(MemorySegment ctx, MemorySegment a) { return unary(REGLU.handle(), ctx, a); }
    public static MemorySegment ggml_swiglu_split(MemorySegment ctx, MemorySegment a, MemorySegment b) { return binary(SWIGLU_SPLIT.handle(), ctx, a, b); }
    public static MemorySegment ggml_geglu_split(MemorySegment ctx, MemorySegment a, MemorySegment b) { return binary(GEGLU_SPLIT.handle(), ctx, a, b); }
    public static MemorySegment ggml_geglu_erf_split(MemorySegment ctx, MemorySegment a, MemorySegment b) { return binary(GEGLU_ERF_SPLIT.handle(), ctx, a, b); }
    public static MemorySegment ggml_reglu_split(MemorySegment ctx, MemorySegment a, MemorySegment b) { return binary(REGLU_SPLIT.handle(), ctx, a, b); }
    public static MemorySegment ggml_soft_max_ext(MemorySegment ctx, MemorySegment a, MemorySegment mask, float scale, float maxBias) {
        try { return (MemorySegment) SOFT_MAX_EXT.handle().invokeExact(ctx, a, mask, scale, maxBias); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_rope_ext(MemorySegment ctx, MemorySegment a, MemorySegment positions, MemorySegment freqFactors,
                                              int nDims, int mode, int nCtxOrig, float freqBase, float freqScale,
                                              float extFactor, float attnFactor, float betaFast, float betaSlow) {
        try {
            return (MemorySegment) ROPE_EXT.handle().invokeExact(ctx, a, positions, freqFactors, nDims, mode, nCtxOrig, freqBase,
                    freqScale, extFactor, attnFactor, betaFast, betaSlow);
        } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_flash_attn_ext(MemorySegment ctx, MemorySegment q, MemorySegment k, MemorySegment v,
                                                    MemorySegment mask, float scale, float maxBias, float logitSoftcap) {
        try { return (MemorySegment) FLASH_ATTN_EXT.handle().invokeExact(ctx, q, k, v, mask, scale, maxBias, logitSoftcap); } catch (Throwable t) { throw rethrow(t); }
    }
    /** {@code GGML_PREC_F32} of the pinned ggml.h: accumulate in F32 at least (its default lets a backend choose). */
    public static final int GGML_PREC_F32 = 10;
    /** Where ggml keeps the requested accumulator precision: op parameter 0 of a product, 3 of flash attention. */
    public static final int PREC_PARAM_MUL_MAT = 0;
    public static final int PREC_PARAM_FLASH_ATTN = 3;
    /** Sets the smallest accumulator precision a backend may use for mul_mat, mul_mat_id or flash_attn_ext. */
    public static boolean ggml_prec_set_acc(MemorySegment tensor, int prec) {
        try { return (boolean) PREC_SET_ACC.handle().invokeExact(tensor, prec); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_argsort(MemorySegment ctx, MemorySegment a, int order) {
        try { return (MemorySegment) ARGSORT.handle().invokeExact(ctx, a, order); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_top_k(MemorySegment ctx, MemorySegment a, int k) {
        try { return (MemorySegment) TOP_K.handle().invokeExact(ctx, a, k); } catch (Throwable t) { throw rethrow(t); }
    }

    // ---- graphs ----------------------------------------------------------------------------------------
    private static final NativeFunction NEW_GRAPH_CUSTOM = q("ggml_new_graph_custom", fn(PTR, PTR, SIZE_T, BOOL));
    private static final NativeFunction BUILD_FORWARD_EXPAND = q("ggml_build_forward_expand", fnVoid(PTR, PTR));
    private static final NativeFunction GRAPH_N_NODES = q("ggml_graph_n_nodes", fn(INT, PTR));
    private static final NativeFunction GRAPH_NODE = q("ggml_graph_node", fn(PTR, PTR, INT));
    private static final NativeFunction GRAPH_SIZE = q("ggml_graph_size", fn(INT, PTR));

    public static MemorySegment ggml_new_graph_custom(MemorySegment ctx, long size, boolean grads) {
        try { return (MemorySegment) NEW_GRAPH_CUSTOM.handle().invokeExact(ctx, size, grads); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_build_forward_expand(MemorySegment graph, MemorySegment tensor) {
        try { BUILD_FORWARD_EXPAND.handle().invokeExact(graph, tensor); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int ggml_graph_n_nodes(MemorySegment graph) {
        try { return (int) GRAPH_N_NODES.handle().invokeExact(graph); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment ggml_graph_node(MemorySegment graph, int i) {
        try { return (MemorySegment) GRAPH_NODE.handle().invokeExact(graph, i); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int ggml_graph_size(MemorySegment graph) {
        try { return (int) GRAPH_SIZE.handle().invokeExact(graph); } catch (Throwable t) { throw rethrow(t); }
    }

    // ---- data conversion -------------------------------------------------------------------------------
    private static final NativeFunction FP32_TO_FP16_ROW = q("ggml_fp32_to_fp16_row", fnVoid(PTR, PTR, INT64));
    private static final NativeFunction FP16_TO_FP32_ROW = q("ggml_fp16_to_fp32_row", fnVoid(PTR, PTR, INT64));
    private static final NativeFunction FP32_TO_BF16_ROW = q("ggml_fp32_to_bf16_row", fnVoid(PTR, PTR, INT64));
    private static final NativeFunction BF16_TO_FP32_ROW = q("ggml_bf16_to_fp32_row", fnVoid(PTR, PTR, INT64));
    private static final NativeFunction QUANTIZE_CHUNK = Downcalls.slow(L, "ggml_quantize_chunk",
            fn(SIZE_T, INT, PTR, PTR, INT64, INT64, INT64, PTR));
    private static final NativeFunction QUANTIZE_REQUIRES_IMATRIX = q("ggml_quantize_requires_imatrix", fn(BOOL, INT));
    private static final NativeFunction GET_TYPE_TRAITS = q("ggml_get_type_traits", fn(PTR, INT));
    private static final NativeFunction VALIDATE_ROW_DATA = Downcalls.slow(L, "ggml_validate_row_data", fn(BOOL, INT, PTR, SIZE_T));

    public static void ggml_fp32_to_fp16_row(MemorySegment src, MemorySegment dst, long n) {
        try { FP32_TO_FP16_ROW.handle().invokeExact(src, dst, n); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_fp16_to_fp32_row(MemorySegment src, MemorySegment dst, long n) {
        try { FP16_TO_FP32_ROW.handle().invokeExact(src, dst, n); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_fp32_to_bf16_row(MemorySegment src, MemorySegment dst, long n) {
        try { FP32_TO_BF16_ROW.handle().invokeExact(src, dst, n); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void ggml_bf16_to_fp32_row(MemorySegment src, MemorySegment dst, long n) {
        try { BF16_TO_FP32_ROW.handle().invokeExact(src, dst, n); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long ggml_quantize_chunk(int type, MemorySegment src, MemorySegment dst, long start, long nrows,
                                           long nPerRow, MemorySegment imatrix) {
        try { return (long) QUANTIZE_CHUNK.handle().invokeExact(type, src, dst, start, nrows, nPerRow, imatrix); } catch (Throwable t) { throw rethrow(t); }
    }
    public static boolean ggml_quantize_requires_imatrix(int type) {
        try { return (boolean) QUANTIZE_REQUIRES_IMATRIX.handle().invokeExact(type); } catch (Throwable t) { throw rethrow(t); }
    }
    /** {@code const struct ggml_type_traits *}; read with {@link #TYPE_TRAITS}. */
    public static MemorySegment ggml_get_type_traits(int type) {
        try { return ((MemorySegment) GET_TYPE_TRAITS.handle().invokeExact(type)).reinterpret(TYPE_TRAITS.byteSize()); } catch (Throwable t) { throw rethrow(t); }
    }
    public static boolean ggml_validate_row_data(int type, MemorySegment data, long nbytes) {
        try { return (boolean) VALIDATE_ROW_DATA.handle().invokeExact(type, data, nbytes); } catch (Throwable t) { throw rethrow(t); }
    }

    /** {@code struct ggml_type_traits}: name, block size, interleave, type size, is_quantized, to_float, from_float_ref. */
    public static final StructLayout TYPE_TRAITS = MemoryLayout.structLayout(
            PTR.withName("type_name"), INT64.withName("blck_size"), INT64.withName("blck_size_interleave"),
            SIZE_T.withName("type_size"), BOOL.withName("is_quantized"), MemoryLayout.paddingLayout(7),
            PTR.withName("to_float"), PTR.withName("from_float_ref"));

    /** Signature of {@code ggml_to_float_t}: {@code void (const void * x, float * y, int64_t k)}. */
    public static final FunctionDescriptor TO_FLOAT = fnVoid(PTR, PTR, INT64);

    // ---- shared invokers -------------------------------------------------------------------------------
    private static MemorySegment unary(MethodHandle h, MemorySegment ctx, MemorySegment a) {
        try { return (MemorySegment) h.invokeExact(ctx, a); } catch (Throwable t) { throw rethrow(t); }
    }
    private static MemorySegment binary(MethodHandle h, MemorySegment ctx, MemorySegment a, MemorySegment b) {
        try { return (MemorySegment) h.invokeExact(ctx, a, b); } catch (Throwable t) { throw rethrow(t); }
    }
    private static MemorySegment withFloat(MethodHandle h, MemorySegment ctx, MemorySegment a, float f) {
        try { return (MemorySegment) h.invokeExact(ctx, a, f); } catch (Throwable t) { throw rethrow(t); }
    }
}
