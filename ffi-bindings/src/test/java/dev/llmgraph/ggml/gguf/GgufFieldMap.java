package dev.llmgraph.ggml.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Where each structural field of a valid GGUF file lies, so the fuzzer can aim at counts, lengths, type ids,
 * dimensions and offsets instead of only flipping random bits. Assumes a well-formed file (one written by
 * {@link GgufWriter}).
 */
final class GgufFieldMap {
    enum Kind { VERSION, COUNT, STRING_LENGTH, VALUE_TYPE, ARRAY_TYPE, ARRAY_COUNT, VALUE, N_DIMS, DIM, GGML_TYPE,
        TENSOR_OFFSET, ALIGNMENT }

    /** A field of {@code width} bytes at {@code offset}. */
    record Field(int offset, int width, Kind kind) {}

    private final ByteBuffer bytes;
    private final List<Field> fields = new ArrayList<>();

    private GgufFieldMap(byte[] file) {
        this.bytes = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    }

    static List<Field> of(byte[] file) {
        GgufFieldMap map = new GgufFieldMap(file);
        map.walk();
        return List.copyOf(map.fields);
    }

    private void walk() {
        bytes.position(4);
        field(4, Kind.VERSION);
        long tensors = field(8, Kind.COUNT);
        long keys = field(8, Kind.COUNT);
        for (long i = 0; i < keys; i++) {
            String key = string();
            int type = (int) field(4, Kind.VALUE_TYPE);
            if (type == GgufValueType.ARRAY.id()) {
                int element = (int) field(4, Kind.ARRAY_TYPE);
                long count = field(8, Kind.ARRAY_COUNT);
                for (long e = 0; e < count; e++) {
                    value(element, null);
                }
            } else {
                value(type, key);
            }
        }
        for (long i = 0; i < tensors; i++) {
            string();
            long dims = field(4, Kind.N_DIMS);
            for (long d = 0; d < dims; d++) {
                field(8, Kind.DIM);
            }
            field(4, Kind.GGML_TYPE);
            field(8, Kind.TENSOR_OFFSET);
        }
    }

    private void value(int type, String key) {
        if (type == GgufValueType.STRING.id()) {
            string();
            return;
        }
        int width = GgufValueType.ofIdOrNull(type).byteSize();
        field(width, "general.alignment".equals(key) ? Kind.ALIGNMENT : Kind.VALUE);
    }

    private String string() {
        long length = field(8, Kind.STRING_LENGTH);
        byte[] utf8 = new byte[(int) length];
        bytes.get(utf8);
        return new String(utf8, java.nio.charset.StandardCharsets.UTF_8);
    }

    private long field(int width, Kind kind) {
        int at = bytes.position();
        fields.add(new Field(at, width, kind));
        return switch (width) {
            case 1 -> Byte.toUnsignedLong(bytes.get());
            case 2 -> Short.toUnsignedLong(bytes.getShort());
            case 4 -> Integer.toUnsignedLong(bytes.getInt());
            default -> bytes.getLong();
        };
    }
}
