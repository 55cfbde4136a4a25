package dev.llmgraph.ggml.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.internal.Downcalls;
import dev.llmgraph.ggml.internal.GgufApi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads GGUF metadata and tensor infos through ggml's own reader ({@code gguf.h}): the independent reference
 * the Java reader is compared with. Strings come back as C strings, so a string holding a NUL byte ends
 * there (which is why llmgraph does not read values this way).
 */
final class GgmlGgufReference {
    private GgmlGgufReference() {}

    record Contents(Map<String, GgufValue> metadata, List<GgufTensorInfo> tensors, long dataSectionOffset) {}

    static Contents read(Path file) {
        return withContext(file, "ggml could not read " + file, ctx -> {
            Map<String, GgufValue> metadata = new LinkedHashMap<>();
            for (long i = 0; i < GgufApi.gguf_get_n_kv(ctx); i++) {
                metadata.put(Downcalls.string(GgufApi.gguf_get_key(ctx, i)), value(ctx, i));
            }
            return new Contents(metadata, tensors(ctx), GgufApi.gguf_get_data_offset(ctx));
        });
    }

    /**
     * Has ggml read {@code gguf}'s file and throws unless it accepts it and sees the same version, alignment, counts,
     * data section and tensor names, types, shapes, offsets and sizes: what {@code GgufFile.open} once checked at every
     * open, kept here for the fuzz test, which asks it of every mutated file the Java walk accepts.
     */
    static void checkAgrees(GgufFile gguf) {
        String refusal = "ggml's GGUF reader rejected " + gguf.path() + ", which llmgraph's checks accepted; its "
                + "reason is in the log on stderr";
        withContext(gguf.path(), refusal, ctx -> {
            List<GgufTensorInfo> ours = gguf.tensors();
            disagree(gguf, "the version", GgufApi.gguf_get_version(ctx), gguf.version());
            disagree(gguf, "the alignment", GgufApi.gguf_get_alignment(ctx), gguf.alignment());
            disagree(gguf, "the number of keys", GgufApi.gguf_get_n_kv(ctx), gguf.metadata().size());
            disagree(gguf, "the number of tensors", GgufApi.gguf_get_n_tensors(ctx), ours.size());
            disagree(gguf, "the data section offset", GgufApi.gguf_get_data_offset(ctx), gguf.dataSectionOffset());
            List<GgufTensorInfo> ggmls = tensors(ctx);
            for (int i = 0; i < ours.size(); i++) {
                GgufTensorInfo ggml = ggmls.get(i), info = ours.get(i);
                String what = "tensor #" + i + " ('" + info.name() + "')";
                disagree(gguf, what + " name", ggml.name(), info.name());
                disagree(gguf, what + " type", ggml.type(), info.type());
                disagree(gguf, what + " shape", Arrays.toString(ggml.ne()), Arrays.toString(info.ne()));
                disagree(gguf, what + " offset", ggml.dataOffset(), info.dataOffset());
                disagree(gguf, what + " size", ggml.byteSize(), info.byteSize());
            }
            return null;
        });
    }

    /** {@code reading} applied to ggml's context of {@code file} (header only); {@code refusal} if ggml refuses it. */
    private static <T> T withContext(Path file, String refusal, Function<MemorySegment, T> reading) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(GgufApi.INIT_PARAMS);
            params.set(ValueLayout.JAVA_BOOLEAN, 0, true);
            MemorySegment ctx = GgufApi.gguf_init_from_file(arena.allocateFrom(file.toString()), params);
            if (Downcalls.isNull(ctx)) {
                throw new IllegalStateException(refusal);
            }
            try {
                return reading.apply(ctx);
            } finally {
                GgufApi.gguf_free(ctx);
            }
        }
    }

    /** The tensor infos as ggml read them. */
    private static List<GgufTensorInfo> tensors(MemorySegment ctx) {
        List<GgufTensorInfo> tensors = new ArrayList<>();
        for (long i = 0; i < GgufApi.gguf_get_n_tensors(ctx); i++) {
            long[] ne = GgufApi.gguf_get_tensor_ne(ctx, i).reinterpret(32).toArray(ValueLayout.JAVA_LONG);
            tensors.add(new GgufTensorInfo(Downcalls.string(GgufApi.gguf_get_tensor_name(ctx, i)),
                    GgmlType.ofId(GgufApi.gguf_get_tensor_type(ctx, i)), ne,
                    GgufApi.gguf_get_tensor_size(ctx, i), GgufApi.gguf_get_tensor_offset(ctx, i)));
        }
        return tensors;
    }

    private static void disagree(GgufFile gguf, String what, Object ggml, Object java) {
        if (!String.valueOf(ggml).equals(String.valueOf(java))) {
            throw new IllegalStateException("llmgraph's GGUF reader and ggml's disagree about " + what + " of "
                    + gguf.path() + ": ggml says " + ggml + ", llmgraph " + java);
        }
    }

    private static GgufValue value(MemorySegment ctx, long id) {
        GgufValueType type = GgufValueType.ofIdOrNull(GgufApi.gguf_get_kv_type(ctx, id));
        return switch (type) {
            case UINT8 -> GgufValue.uint8(Byte.toUnsignedInt(GgufApi.gguf_get_val_u8(ctx, id)));
            case INT8 -> GgufValue.int8(GgufApi.gguf_get_val_i8(ctx, id));
            case UINT16 -> GgufValue.uint16(Short.toUnsignedInt(GgufApi.gguf_get_val_u16(ctx, id)));
            case INT16 -> GgufValue.int16(GgufApi.gguf_get_val_i16(ctx, id));
            case UINT32 -> GgufValue.uint32(Integer.toUnsignedLong(GgufApi.gguf_get_val_u32(ctx, id)));
            case INT32 -> GgufValue.int32(GgufApi.gguf_get_val_i32(ctx, id));
            case UINT64 -> GgufValue.uint64(GgufApi.gguf_get_val_u64(ctx, id));
            case INT64 -> GgufValue.int64(GgufApi.gguf_get_val_i64(ctx, id));
            case FLOAT32 -> GgufValue.float32(GgufApi.gguf_get_val_f32(ctx, id));
            case FLOAT64 -> GgufValue.float64(GgufApi.gguf_get_val_f64(ctx, id));
            case BOOL -> GgufValue.bool(GgufApi.gguf_get_val_bool(ctx, id));
            case STRING -> GgufValue.string(Downcalls.string(GgufApi.gguf_get_val_str(ctx, id)));
            case ARRAY -> array(ctx, id);
        };
    }

    private static GgufValue array(MemorySegment ctx, long id) {
        GgufValueType element = GgufValueType.ofIdOrNull(GgufApi.gguf_get_arr_type(ctx, id));
        int n = (int) GgufApi.gguf_get_arr_n(ctx, id);
        if (element == GgufValueType.STRING) {
            List<String> values = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                values.add(Downcalls.string(GgufApi.gguf_get_arr_str(ctx, id, i)));
            }
            return GgufValue.strings(values);
        }
        MemorySegment data = GgufApi.gguf_get_arr_data(ctx, id).reinterpret((long) n * element.byteSize());
        return switch (element) {
            case BOOL -> {
                boolean[] values = new boolean[n];
                for (int i = 0; i < n; i++) {
                    values[i] = data.get(ValueLayout.JAVA_BYTE, i) != 0;
                }
                yield GgufValue.bools(values);
            }
            case FLOAT32 -> GgufValue.float32s(data.toArray(ValueLayout.JAVA_FLOAT));
            case FLOAT64 -> GgufValue.float64s(data.toArray(ValueLayout.JAVA_DOUBLE));
            default -> {
                long[] values = new long[n];
                for (int i = 0; i < n; i++) {
                    long at = (long) i * element.byteSize();
                    values[i] = switch (element) {
                        case UINT8 -> Byte.toUnsignedLong(data.get(ValueLayout.JAVA_BYTE, at));
                        case INT8 -> data.get(ValueLayout.JAVA_BYTE, at);
                        case UINT16 -> Short.toUnsignedLong(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, at));
                        case INT16 -> data.get(ValueLayout.JAVA_SHORT_UNALIGNED, at);
                        case UINT32 -> Integer.toUnsignedLong(data.get(ValueLayout.JAVA_INT_UNALIGNED, at));
                        case INT32 -> data.get(ValueLayout.JAVA_INT_UNALIGNED, at);
                        default -> data.get(ValueLayout.JAVA_LONG_UNALIGNED, at);
                    };
                }
                yield GgufValue.integers(element, values);
            }
        };
    }
}
