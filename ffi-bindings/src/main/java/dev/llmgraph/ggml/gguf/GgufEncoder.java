package dev.llmgraph.ggml.gguf;

import dev.llmgraph.ggml.GgmlType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Encodes the part of a GGUF file before the tensor data: magic, version, counts, key-value pairs, tensor
 * infos and the padding up to the data section, byte for byte as ggml's {@code gguf_write_to_file} does
 * (a test compares the two). The metadata is small next to the tensors, so it is built in memory.
 */
final class GgufEncoder {
    static final int VERSION = 3;

    /** A tensor as the header describes it: name, type, sizes in ggml order, bytes. */
    record TensorEntry(String name, GgmlType type, long[] ne, long byteSize) {}

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private GgufEncoder() {}

    /** The header bytes for {@code metadata} and {@code tensors}, padded to {@code alignment}. */
    static byte[] header(Map<String, GgufValue> metadata, List<TensorEntry> tensors, long alignment) {
        GgufEncoder e = new GgufEncoder();
        e.out.writeBytes("GGUF".getBytes(StandardCharsets.US_ASCII));
        e.u32(VERSION);
        e.u64(tensors.size());
        e.u64(metadata.size());
        metadata.forEach(e::keyValue);
        long offset = 0;
        for (TensorEntry tensor : tensors) {
            e.string(tensor.name());
            int dims = dimensions(tensor.ne());
            e.u32(dims);
            for (int d = 0; d < dims; d++) {
                e.u64(tensor.ne()[d]);
            }
            e.u32(tensor.type().id());
            e.u64(offset);
            offset += padding(tensor.byteSize(), alignment) + tensor.byteSize();
        }
        // ggml pads even when there are no tensors; readers skip the padding only when there are.
        e.out.writeBytes(new byte[(int) padding(e.out.size(), alignment)]);
        return e.out.toByteArray();
    }

    /** Bytes needed after {@code length} bytes to reach a multiple of {@code alignment}. */
    static long padding(long length, long alignment) {
        long rest = length % alignment;
        return rest == 0 ? 0 : alignment - rest;
    }

    /** ggml writes as many sizes as {@code ggml_n_dims}: trailing ones dropped, at least one. */
    static int dimensions(long[] ne) {
        int dims = ne.length;
        while (dims > 1 && ne[dims - 1] == 1) {
            dims--;
        }
        return dims;
    }

    private void keyValue(String key, GgufValue value) {
        string(key);
        u32(value.type().id());
        switch (value) {
            case GgufValue.IntegerValue v -> integer(v.type(), v.value());
            case GgufValue.FloatValue v -> floating(v.type(), v.value());
            case GgufValue.BoolValue v -> out.write(v.value() ? 1 : 0);
            case GgufValue.StringValue v -> string(v.value());
            case GgufValue.IntegerArray a -> {
                arrayHeader(a.elementType(), a.values().length);
                for (long element : a.values()) {
                    integer(a.elementType(), element);
                }
            }
            case GgufValue.FloatArray a -> {
                arrayHeader(a.elementType(), a.values().length);
                for (double element : a.values()) {
                    floating(a.elementType(), element);
                }
            }
            case GgufValue.BoolArray a -> {
                arrayHeader(GgufValueType.BOOL, a.values().length);
                for (boolean element : a.values()) {
                    out.write(element ? 1 : 0);
                }
            }
            case GgufValue.StringArray a -> {
                arrayHeader(GgufValueType.STRING, a.values().size());
                a.values().forEach(this::string);
            }
        }
    }

    private void arrayHeader(GgufValueType elementType, long count) {
        u32(elementType.id());
        u64(count);
    }

    private void integer(GgufValueType type, long value) {
        little(value, type.byteSize());
    }

    private void floating(GgufValueType type, double value) {
        if (type == GgufValueType.FLOAT32) {
            u32(Float.floatToRawIntBits((float) value));
        } else {
            u64(Double.doubleToRawLongBits(value));
        }
    }

    private void string(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        u64(utf8.length);
        out.writeBytes(utf8);
    }

    private void u32(long value) {
        little(value, 4);
    }

    private void u64(long value) {
        little(value, 8);
    }

    private void little(long value, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (value >>> (8 * i)) & 0xFF);
        }
    }
}
