package dev.llmgraph.ggml.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static dev.llmgraph.ggml.internal.Downcalls.BOOL;
import static dev.llmgraph.ggml.internal.Downcalls.BYTE;
import static dev.llmgraph.ggml.internal.Downcalls.DOUBLE;
import static dev.llmgraph.ggml.internal.Downcalls.FLOAT;
import static dev.llmgraph.ggml.internal.Downcalls.INT;
import static dev.llmgraph.ggml.internal.Downcalls.INT64;
import static dev.llmgraph.ggml.internal.Downcalls.PTR;
import static dev.llmgraph.ggml.internal.Downcalls.SIZE_T;
import static dev.llmgraph.ggml.internal.Downcalls.fn;
import static dev.llmgraph.ggml.internal.Downcalls.fnVoid;
import static dev.llmgraph.ggml.internal.Downcalls.rethrow;

/**
 * Raw bindings to {@code gguf.h}: one {@link NativeFunction} per C function, one Java method per C function
 * with the C name. Nothing here checks arguments: most getters {@code GGML_ASSERT} on a wrong key id or a
 * wrong value type, which aborts the JVM, so the typed layer ({@code GgufFile}) checks ids and types first.
 *
 * <p>Unsigned C values come back in the Java type of the same width (a {@code uint64_t} as a {@code long}
 * holding the same bits); callers widen with {@code Byte.toUnsignedInt} and friends.
 */
public final class GgufApi {
    private GgufApi() {}

    /** {@code struct gguf_init_params { bool no_alloc; struct ggml_context ** ctx; }} */
    public static final StructLayout INIT_PARAMS = MemoryLayout.structLayout(
            BOOL.withName("no_alloc"), MemoryLayout.paddingLayout(7), PTR.withName("ctx"));

    private static final SymbolLookup L = NativeLibraries.ggml();

    private static NativeFunction q(String name, FunctionDescriptor d) {
        return Downcalls.quick(L, name, d);
    }

    private static NativeFunction s(String name, FunctionDescriptor d) {
        return Downcalls.slow(L, name, d);
    }

    // ---- contexts --------------------------------------------------------------------------------------
    private static final NativeFunction INIT_EMPTY = q("gguf_init_empty", fn(PTR));
    private static final NativeFunction INIT_FROM_FILE = s("gguf_init_from_file", fn(PTR, PTR, INIT_PARAMS));
    private static final NativeFunction INIT_FROM_BUFFER = s("gguf_init_from_buffer", fn(PTR, PTR, SIZE_T, INIT_PARAMS));
    private static final NativeFunction FREE = s("gguf_free", fnVoid(PTR));
    private static final NativeFunction TYPE_NAME = q("gguf_type_name", fn(PTR, INT));
    private static final NativeFunction GET_VERSION = q("gguf_get_version", fn(INT, PTR));
    private static final NativeFunction GET_ALIGNMENT = q("gguf_get_alignment", fn(SIZE_T, PTR));
    private static final NativeFunction GET_DATA_OFFSET = q("gguf_get_data_offset", fn(SIZE_T, PTR));

    public static MemorySegment gguf_init_empty() {
        try { return (MemorySegment) INIT_EMPTY.handle().invokeExact(); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment gguf_init_from_file(MemorySegment fname, MemorySegment params) {
        try { return (MemorySegment) INIT_FROM_FILE.handle().invokeExact(fname, params); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment gguf_init_from_buffer(MemorySegment data, long size, MemorySegment params) {
        try { return (MemorySegment) INIT_FROM_BUFFER.handle().invokeExact(data, size, params); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void gguf_free(MemorySegment ctx) {
        try { FREE.handle().invokeExact(ctx); } catch (Throwable t) { throw rethrow(t); }
    }
    public static String gguf_type_name(int type) {
        try { return Downcalls.string((MemorySegment) TYPE_NAME.handle().invokeExact(type)); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int gguf_get_version(MemorySegment ctx) {
        try { return (int) GET_VERSION.handle().invokeExact(ctx); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long gguf_get_alignment(MemorySegment ctx) {
        try { return (long) GET_ALIGNMENT.handle().invokeExact(ctx); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long gguf_get_data_offset(MemorySegment ctx) {
        try { return (long) GET_DATA_OFFSET.handle().invokeExact(ctx); } catch (Throwable t) { throw rethrow(t); }
    }

    // ---- key-value pairs -------------------------------------------------------------------------------
    private static final NativeFunction GET_N_KV = q("gguf_get_n_kv", fn(INT64, PTR));
    private static final NativeFunction FIND_KEY = q("gguf_find_key", fn(INT64, PTR, PTR));
    private static final NativeFunction GET_KEY = q("gguf_get_key", fn(PTR, PTR, INT64));
    private static final NativeFunction GET_KV_TYPE = q("gguf_get_kv_type", fn(INT, PTR, INT64));
    private static final NativeFunction GET_ARR_TYPE = q("gguf_get_arr_type", fn(INT, PTR, INT64));
    private static final NativeFunction GET_VAL_U8 = q("gguf_get_val_u8", fn(BYTE, PTR, INT64));
    private static final NativeFunction GET_VAL_I8 = q("gguf_get_val_i8", fn(BYTE, PTR, INT64));
    private static final NativeFunction GET_VAL_U16 = q("gguf_get_val_u16", fn(Downcalls.SHORT, PTR, INT64));
    private static final NativeFunction GET_VAL_I16 = q("gguf_get_val_i16", fn(Downcalls.SHORT, PTR, INT64));
    private static final NativeFunction GET_VAL_U32 = q("gguf_get_val_u32", fn(INT, PTR, INT64));
    private static final NativeFunction GET_VAL_I32 = q("gguf_get_val_i32", fn(INT, PTR, INT64));
    private static final NativeFunction GET_VAL_F32 = q("gguf_get_val_f32", fn(FLOAT, PTR, INT64));
    private static final NativeFunction GET_VAL_U64 = q("gguf_get_val_u64", fn(INT64, PTR, INT64));
    private static final NativeFunction GET_VAL_I64 = q("gguf_get_val_i64", fn(INT64, PTR, INT64));
    private static final NativeFunction GET_VAL_F64 = q("gguf_get_val_f64", fn(DOUBLE, PTR, INT64));
    private static final NativeFunction GET_VAL_BOOL = q("gguf_get_val_bool", fn(BOOL, PTR, INT64));
    private static final NativeFunction GET_VAL_STR = q("gguf_get_val_str", fn(PTR, PTR, INT64));
    private static final NativeFunction GET_VAL_DATA = q("gguf_get_val_data", fn(PTR, PTR, INT64));
    private static final NativeFunction GET_ARR_N = q("gguf_get_arr_n", fn(SIZE_T, PTR, INT64));
    private static final NativeFunction GET_ARR_DATA = q("gguf_get_arr_data", fn(PTR, PTR, INT64));
    private static final NativeFunction GET_ARR_STR = q("gguf_get_arr_str", fn(PTR, PTR, INT64, SIZE_T));

    public static long gguf_get_n_kv(MemorySegment ctx) {
        try { return (long) GET_N_KV.handle().invokeExact(ctx); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long gguf_find_key(MemorySegment ctx, MemorySegment key) {
        try { return (long) FIND_KEY.handle().invokeExact(ctx, key); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment gguf_get_key(MemorySegment ctx, long keyId) {
        try { return (MemorySegment) GET_KEY.handle().invokeExact(ctx, keyId); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int gguf_get_kv_type(MemorySegment ctx, long keyId) {
        try { return (int) GET_KV_TYPE.handle().invokeExact(ctx, keyId); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int gguf_get_arr_type(MemorySegment ctx, long keyId) {
        try { return (int) GET_ARR_TYPE.handle().invokeExact(ctx, keyId); } catch (Throwable t) { throw rethrow(t); }
    }
    public static byte gguf_get_val_u8(MemorySegment ctx, long keyId) {
        try { return (byte) GET_VAL_U8.handle().invokeExact(ctx, keyId); } catch (Throwable t) { throw rethrow(t); }
    }
    public static byte gguf_get_val_i8(MemorySegment ctx, long keyId) {
        try { return (byte) GET_VAL_I8.handle().invokeExact(ctx, keyId); } catch (Throwable t) { throw rethrow(t); }
    }
    public static short gguf_get_val_u16(MemorySegment ctx, long keyId) {
        try { return (short) GET_VAL_U16.handle().invokeExact(ctx, keyId); } catch (Throwable t) { throw rethrow(t); }
    }
    public static short gguf_get_val_i16(MemorySegment ctx, long keyId) {
        try { return (short) GET_VAL_I16.handle().invokeExact(ctx, keyId); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int gguf_get_val_u32(MemorySegment ctx, long keyId) {
        try { return (int) GET_VAL_U32.handle().invokeExact(ctx, keyId); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int gguf_get_val_i32(MemorySegment ctx, long keyId) {
        try { return (int) GET_VAL_I32.handle().invokeExact(ctx, keyId); } catch (Throwable t) { throw rethrow(t); }
    }
    public static float gguf_get_val_f32(MemorySegment ctx, long keyId) {
        try { return (float) GET_VAL_F32.handle().invokeExact(ctx, keyId); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long gguf_get_val_u64(MemorySegment ctx, long keyId) {
        try { return (long) GET_VAL_U64.handle().invokeExact(ctx, keyId); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long gguf_get_val_i64(MemorySegment ctx, long keyId) {
        try { return (long) GET_VAL_I64.handle().invokeExact(ctx, keyId); } catch (Throwable t) { throw rethrow(t); }
    }
    public static double gguf_get_val_f64(MemorySegment ctx, long keyId) {
        try { return (double) GET_VAL_F64.handle().invokeExact(ctx, keyId); } catch (Throwable t) { throw rethrow(t); }
    }
    public static boolean gguf_get_val_bool(MemorySegment ctx, long keyId) {
        try { return (boolean) GET_VAL_BOOL.handle().invokeExact(ctx, keyId); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment gguf_get_val_str(MemorySegment ctx, long keyId) {
        try { return (MemorySegment) GET_VAL_STR.handle().invokeExact(ctx, keyId); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment gguf_get_val_data(MemorySegment ctx, long keyId) {
        try { return (MemorySegment) GET_VAL_DATA.handle().invokeExact(ctx, keyId); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long gguf_get_arr_n(MemorySegment ctx, long keyId) {
        try { return (long) GET_ARR_N.handle().invokeExact(ctx, keyId); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment gguf_get_arr_data(MemorySegment ctx, long keyId) {
        try { return (MemorySegment) GET_ARR_DATA.handle().invokeExact(ctx, keyId); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment gguf_get_arr_str(MemorySegment ctx, long keyId, long index) {
        try { return (MemorySegment) GET_ARR_STR.handle().invokeExact(ctx, keyId, index); } catch (Throwable t) { throw rethrow(t); }
    }

    // ---- tensor infos ----------------------------------------------------------------------------------
    private static final NativeFunction GET_N_TENSORS = q("gguf_get_n_tensors", fn(INT64, PTR));
    private static final NativeFunction FIND_TENSOR = q("gguf_find_tensor", fn(INT64, PTR, PTR));
    private static final NativeFunction GET_TENSOR_OFFSET = q("gguf_get_tensor_offset", fn(SIZE_T, PTR, INT64));
    private static final NativeFunction GET_TENSOR_NAME = q("gguf_get_tensor_name", fn(PTR, PTR, INT64));
    private static final NativeFunction GET_TENSOR_NE = q("gguf_get_tensor_ne", fn(PTR, PTR, INT64));
    private static final NativeFunction GET_TENSOR_TYPE = q("gguf_get_tensor_type", fn(INT, PTR, INT64));
    private static final NativeFunction GET_TENSOR_SIZE = q("gguf_get_tensor_size", fn(SIZE_T, PTR, INT64));

    public static long gguf_get_n_tensors(MemorySegment ctx) {
        try { return (long) GET_N_TENSORS.handle().invokeExact(ctx); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long gguf_find_tensor(MemorySegment ctx, MemorySegment name) {
        try { return (long) FIND_TENSOR.handle().invokeExact(ctx, name); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long gguf_get_tensor_offset(MemorySegment ctx, long tensorId) {
        try { return (long) GET_TENSOR_OFFSET.handle().invokeExact(ctx, tensorId); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment gguf_get_tensor_name(MemorySegment ctx, long tensorId) {
        try { return (MemorySegment) GET_TENSOR_NAME.handle().invokeExact(ctx, tensorId); } catch (Throwable t) { throw rethrow(t); }
    }
    /** Points at {@code GGML_MAX_DIMS} int64 sizes; reinterpret it to 32 bytes before reading. */
    public static MemorySegment gguf_get_tensor_ne(MemorySegment ctx, long tensorId) {
        try { return (MemorySegment) GET_TENSOR_NE.handle().invokeExact(ctx, tensorId); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int gguf_get_tensor_type(MemorySegment ctx, long tensorId) {
        try { return (int) GET_TENSOR_TYPE.handle().invokeExact(ctx, tensorId); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long gguf_get_tensor_size(MemorySegment ctx, long tensorId) {
        try { return (long) GET_TENSOR_SIZE.handle().invokeExact(ctx, tensorId); } catch (Throwable t) { throw rethrow(t); }
    }

    // ---- building a context (writing) ------------------------------------------------------------------
    private static final NativeFunction REMOVE_KEY = q("gguf_remove_key", fn(INT64, PTR, PTR));
    private static final NativeFunction SET_VAL_U8 = q("gguf_set_val_u8", fnVoid(PTR, PTR, BYTE));
    private static final NativeFunction SET_VAL_I8 = q("gguf_set_val_i8", fnVoid(PTR, PTR, BYTE));
    private static final NativeFunction SET_VAL_U16 = q("gguf_set_val_u16", fnVoid(PTR, PTR, Downcalls.SHORT));
    private static final NativeFunction SET_VAL_I16 = q("gguf_set_val_i16", fnVoid(PTR, PTR, Downcalls.SHORT));
    private static final NativeFunction SET_VAL_U32 = q("gguf_set_val_u32", fnVoid(PTR, PTR, INT));
    private static final NativeFunction SET_VAL_I32 = q("gguf_set_val_i32", fnVoid(PTR, PTR, INT));
    private static final NativeFunction SET_VAL_F32 = q("gguf_set_val_f32", fnVoid(PTR, PTR, FLOAT));
    private static final NativeFunction SET_VAL_U64 = q("gguf_set_val_u64", fnVoid(PTR, PTR, INT64));
    private static final NativeFunction SET_VAL_I64 = q("gguf_set_val_i64", fnVoid(PTR, PTR, INT64));
    private static final NativeFunction SET_VAL_F64 = q("gguf_set_val_f64", fnVoid(PTR, PTR, DOUBLE));
    private static final NativeFunction SET_VAL_BOOL = q("gguf_set_val_bool", fnVoid(PTR, PTR, BOOL));
    private static final NativeFunction SET_VAL_STR = q("gguf_set_val_str", fnVoid(PTR, PTR, PTR));
    private static final NativeFunction SET_ARR_DATA = q("gguf_set_arr_data", fnVoid(PTR, PTR, INT, PTR, SIZE_T));
    private static final NativeFunction SET_ARR_STR = q("gguf_set_arr_str", fnVoid(PTR, PTR, PTR, SIZE_T));
    private static final NativeFunction ADD_TENSOR = q("gguf_add_tensor", fnVoid(PTR, PTR));
    private static final NativeFunction WRITE_TO_FILE = s("gguf_write_to_file", fn(BOOL, PTR, PTR, BOOL));
    private static final NativeFunction GET_META_SIZE = s("gguf_get_meta_size", fn(SIZE_T, PTR));
    private static final NativeFunction GET_META_DATA = s("gguf_get_meta_data", fnVoid(PTR, PTR));

    public static long gguf_remove_key(MemorySegment ctx, MemorySegment key) {
        try { return (long) REMOVE_KEY.handle().invokeExact(ctx, key); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void gguf_set_val_u8(MemorySegment ctx, MemorySegment key, byte value) {
        try { SET_VAL_U8.handle().invokeExact(ctx, key, value); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void gguf_set_val_i8(MemorySegment ctx, MemorySegment key, byte value) {
        try { SET_VAL_I8.handle().invokeExact(ctx, key, value); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void gguf_set_val_u16(MemorySegment ctx, MemorySegment key, short value) {
        try { SET_VAL_U16.handle().invokeExact(ctx, key, value); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void gguf_set_val_i16(MemorySegment ctx, MemorySegment key, short value) {
        try { SET_VAL_I16.handle().invokeExact(ctx, key, value); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void gguf_set_val_u32(MemorySegment ctx, MemorySegment key, int value) {
        try { SET_VAL_U32.handle().invokeExact(ctx, key, value); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void gguf_set_val_i32(MemorySegment ctx, MemorySegment key, int value) {
        try { SET_VAL_I32.handle().invokeExact(ctx, key, value); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void gguf_set_val_f32(MemorySegment ctx, MemorySegment key, float value) {
        try { SET_VAL_F32.handle().invokeExact(ctx, key, value); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void gguf_set_val_u64(MemorySegment ctx, MemorySegment key, long value) {
        try { SET_VAL_U64.handle().invokeExact(ctx, key, value); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void gguf_set_val_i64(MemorySegment ctx, MemorySegment key, long value) {
        try { SET_VAL_I64.handle().invokeExact(ctx, key, value); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void gguf_set_val_f64(MemorySegment ctx, MemorySegment key, double value) {
        try { SET_VAL_F64.handle().invokeExact(ctx, key, value); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void gguf_set_val_bool(MemorySegment ctx, MemorySegment key, boolean value) {
        try { SET_VAL_BOOL.handle().invokeExact(ctx, key, value); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void gguf_set_val_str(MemorySegment ctx, MemorySegment key, MemorySegment value) {
        try { SET_VAL_STR.handle().invokeExact(ctx, key, value); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void gguf_set_arr_data(MemorySegment ctx, MemorySegment key, int type, MemorySegment data, long n) {
        try { SET_ARR_DATA.handle().invokeExact(ctx, key, type, data, n); } catch (Throwable t) { throw rethrow(t); }
    }
    /** {@code data} points at {@code n} C string pointers. */
    public static void gguf_set_arr_str(MemorySegment ctx, MemorySegment key, MemorySegment data, long n) {
        try { SET_ARR_STR.handle().invokeExact(ctx, key, data, n); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void gguf_add_tensor(MemorySegment ctx, MemorySegment tensor) {
        try { ADD_TENSOR.handle().invokeExact(ctx, tensor); } catch (Throwable t) { throw rethrow(t); }
    }
    public static boolean gguf_write_to_file(MemorySegment ctx, MemorySegment fname, boolean onlyMeta) {
        try { return (boolean) WRITE_TO_FILE.handle().invokeExact(ctx, fname, onlyMeta); } catch (Throwable t) { throw rethrow(t); }
    }
    public static long gguf_get_meta_size(MemorySegment ctx) {
        try { return (long) GET_META_SIZE.handle().invokeExact(ctx); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void gguf_get_meta_data(MemorySegment ctx, MemorySegment data) {
        try { GET_META_DATA.handle().invokeExact(ctx, data); } catch (Throwable t) { throw rethrow(t); }
    }
}
