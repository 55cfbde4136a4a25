package dev.llmgraph.ggml.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Reads the value of one metadata key: a type tag, then a scalar, or an element type, a count and the elements. Every
 * count is checked against the bytes left before anything is allocated for it, so a damaged count gets words, not an
 * {@link OutOfMemoryError}.
 */
final class GgufValueReader {
    /** gguf.cpp's GGUF_MAX_ARRAY_ELEMENTS. */
    static final long MAX_ARRAY_ELEMENTS = 1L << 30;

    private final GgufCursor cursor;

    GgufValueReader(GgufCursor cursor) {
        this.cursor = cursor;
    }

    GgufValue read(String key) {
        String printable = GgufMessages.printable(key);
        GgufValueType type = readType("key '" + printable + "' has");
        if (type != GgufValueType.ARRAY) {
            return readScalar(printable, type);
        }
        GgufValueType element = readType("key '" + printable + "' is an array with");
        if (element == GgufValueType.ARRAY) {
            throw cursor.fail("key '" + printable + "' is an array of arrays, which GGUF readers do not support");
        }
        long count = cursor.readU64();
        if (count < 0 || count > MAX_ARRAY_ELEMENTS) {
            throw cursor.fail("key '" + printable + "' claims " + Long.toUnsignedString(count)
                    + " array elements; GGUF allows at most " + MAX_ARRAY_ELEMENTS);
        }
        long leastBytes = count * (element == GgufValueType.STRING ? 8 : element.byteSize());
        if (leastBytes > cursor.remaining()) {
            throw cursor.fail("key '" + printable + "' claims " + count + " elements of type " + element
                    + " (at least " + leastBytes + " bytes) but only " + cursor.remaining()
                    + " bytes are left in the file");
        }
        try {
            return readArray(printable, element, (int) count);
        } catch (OutOfMemoryError e) {
            // Only a huge count in a huge file gets here; the bytes are there, the heap is not.
            throw cursor.fail("key '" + printable + "' holds " + count + " elements, too many to hold in the Java heap");
        }
    }

    private GgufValue readScalar(String printableKey, GgufValueType type) {
        cursor.need(type == GgufValueType.STRING ? 8 : type.byteSize());
        return switch (type) {
            case STRING -> new GgufValue.StringValue(cursor.readString(() -> "the value of key '" + printableKey + "'"));
            case BOOL -> new GgufValue.BoolValue(cursor.readByte() != 0);
            case FLOAT32 -> new GgufValue.FloatValue(type, Float.intBitsToFloat(cursor.readU32()));
            case FLOAT64 -> new GgufValue.FloatValue(type, Double.longBitsToDouble(cursor.readU64()));
            default -> new GgufValue.IntegerValue(type, cursor.readInteger(type));
        };
    }

    /** The {@code n} elements of an array whose least size in bytes the caller has checked against the file. */
    private GgufValue readArray(String printableKey, GgufValueType element, int n) {
        return switch (element) {
            case STRING -> new GgufValue.StringArray(readStrings(printableKey, n));
            case BOOL -> {
                boolean[] values = new boolean[n];
                for (int i = 0; i < n; i++) {
                    values[i] = cursor.readByte() != 0;
                }
                yield new GgufValue.BoolArray(values);
            }
            case FLOAT32 -> {
                float[] floats = new float[n];
                MemorySegment.copy(cursor.bytes, GgufCursor.F32, cursor.position(), floats, 0, n);
                cursor.skip(4L * n);
                double[] values = new double[n];
                for (int i = 0; i < n; i++) {
                    values[i] = floats[i];
                }
                yield new GgufValue.FloatArray(element, values);
            }
            case FLOAT64 -> {
                double[] values = new double[n];
                MemorySegment.copy(cursor.bytes, GgufCursor.F64, cursor.position(), values, 0, n);
                cursor.skip(8L * n);
                yield new GgufValue.FloatArray(element, values);
            }
            case INT32, UINT32 -> {
                int[] ints = new int[n];
                MemorySegment.copy(cursor.bytes, GgufCursor.U32, cursor.position(), ints, 0, n);
                cursor.skip(4L * n);
                long[] values = new long[n];
                for (int i = 0; i < n; i++) {
                    values[i] = element == GgufValueType.UINT32 ? Integer.toUnsignedLong(ints[i]) : ints[i];
                }
                yield new GgufValue.IntegerArray(element, values);
            }
            default -> {
                long[] values = new long[n];
                for (int i = 0; i < n; i++) {
                    values[i] = cursor.readInteger(element);
                }
                yield new GgufValue.IntegerArray(element, values);
            }
        };
    }

    private GgufValueType readType(String subject) {
        int id = cursor.readU32();
        GgufValueType type = GgufValueType.ofIdOrNull(id);
        if (type == null) {
            throw cursor.fail(subject + " unknown value type " + id + " (GGUF value types are 0 to 12)");
        }
        return type;
    }

    /**
     * The {@code n} strings of array {@code key}, checked as {@link GgufCursor#readString} checks one, kept as the
     * file's bytes and decoded when read ({@link Utf8Strings}): every load walks a vocabulary of 32,000 tokens that
     * only a tokenizer reads (bench/NOTES.md, "Load in a fresh JVM").
     */
    private List<String> readStrings(String printableKey, int n) {
        long start = cursor.position();
        int[] prefixes = new int[n + 1];
        for (int i = 0; i < n; i++) {
            int index = i;
            long length = cursor.readStringLength(() -> "element " + index + " of key '" + printableKey + "'");
            cursor.skip(length);
            if (cursor.position() - start > Integer.MAX_VALUE - 8) {
                throw cursor.fail("key '" + printableKey + "' holds more than 2 GiB of strings, more than "
                        + "llmgraph can hold in the Java heap");
            }
            prefixes[i + 1] = (int) (cursor.position() - start);
        }
        byte[] utf8 = new byte[prefixes[n]];
        MemorySegment.copy(cursor.bytes, ValueLayout.JAVA_BYTE, start, utf8, 0, utf8.length);
        return new Utf8Strings(utf8, prefixes);
    }
}
