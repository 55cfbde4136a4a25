package dev.llmgraph.ggml.gguf;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A GGUF metadata value: what {@link GgufFile} reads and what {@link GgufWriter} writes, so metadata can be
 * copied from one file to another unchanged.
 *
 * <p>Integers of every width are held in a {@code long}; a {@code u64} above {@link Long#MAX_VALUE} keeps its
 * bits (read it with {@link Long#toUnsignedString(long)}). Floats are held as doubles; an {@code f32} value is
 * always exactly a float. Strings are UTF-8 in the file.
 */
public sealed interface GgufValue {

    /** The value's type; {@link GgufValueType#ARRAY} for arrays. */
    GgufValueType type();

    /** For an array the type of its elements, otherwise {@link #type()}. */
    default GgufValueType elementType() {
        return type();
    }

    /** For example {@code u32 4096}, {@code str "llama"} or {@code arr[str; 32000]}. */
    String describe();

    // ---- factories ---------------------------------------------------------------------------------------
    static GgufValue uint8(int value) { return new IntegerValue(GgufValueType.UINT8, value); }
    static GgufValue int8(int value) { return new IntegerValue(GgufValueType.INT8, value); }
    static GgufValue uint16(int value) { return new IntegerValue(GgufValueType.UINT16, value); }
    static GgufValue int16(int value) { return new IntegerValue(GgufValueType.INT16, value); }
    static GgufValue uint32(long value) { return new IntegerValue(GgufValueType.UINT32, value); }
    static GgufValue int32(int value) { return new IntegerValue(GgufValueType.INT32, value); }
    /** A u64 given by its bits: negative longs stand for values above {@link Long#MAX_VALUE}. */
    static GgufValue uint64(long bits) { return new IntegerValue(GgufValueType.UINT64, bits); }
    static GgufValue int64(long value) { return new IntegerValue(GgufValueType.INT64, value); }
    static GgufValue float32(float value) { return new FloatValue(GgufValueType.FLOAT32, value); }
    static GgufValue float64(double value) { return new FloatValue(GgufValueType.FLOAT64, value); }
    static GgufValue bool(boolean value) { return new BoolValue(value); }
    static GgufValue string(String value) { return new StringValue(value); }
    /** An array of integers of {@code elementType} (u8 to i64). */
    static GgufValue integers(GgufValueType elementType, long... values) { return new IntegerArray(elementType, values); }
    static GgufValue int32s(int... values) {
        return new IntegerArray(GgufValueType.INT32, Arrays.stream(values).asLongStream().toArray());
    }
    static GgufValue float32s(float... values) {
        double[] widened = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            widened[i] = values[i];
        }
        return new FloatArray(GgufValueType.FLOAT32, widened);
    }
    static GgufValue float64s(double... values) { return new FloatArray(GgufValueType.FLOAT64, values); }
    static GgufValue bools(boolean... values) { return new BoolArray(values); }
    static GgufValue strings(List<String> values) { return new StringArray(values); }

    // ---- the cases -----------------------------------------------------------------------------------------

    /** One integer of any width. */
    record IntegerValue(GgufValueType type, long value) implements GgufValue {
        public IntegerValue {
            checkInteger(type, value, -1);
        }

        @Override
        public String describe() {
            return type + " " + (type == GgufValueType.UINT64 ? Long.toUnsignedString(value) : value);
        }
    }

    /** One f32 or f64. */
    record FloatValue(GgufValueType type, double value) implements GgufValue {
        public FloatValue {
            checkFloat(type, value, -1);
        }

        @Override
        public String describe() {
            return type + " " + (type == GgufValueType.FLOAT32 ? Float.toString((float) value) : Double.toString(value));
        }
    }

    record BoolValue(boolean value) implements GgufValue {
        @Override
        public GgufValueType type() {
            return GgufValueType.BOOL;
        }

        @Override
        public String describe() {
            return "bool " + value;
        }
    }

    record StringValue(String value) implements GgufValue {
        public StringValue {
            java.util.Objects.requireNonNull(value, "a GGUF string value cannot be null");
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.STRING;
        }

        @Override
        public String describe() {
            String shown = value.length() > 60 ? value.substring(0, 57) + "..." : value;
            return "str \"" + shown + "\"";
        }
    }

    /** An array of integers; all elements have {@code elementType}. */
    record IntegerArray(GgufValueType elementType, long[] values) implements GgufValue {
        public IntegerArray {
            values = values.clone();
            for (int i = 0; i < values.length; i++) {
                checkInteger(elementType, values[i], i);
            }
        }

        @Override
        public long[] values() {
            return values.clone();
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.ARRAY;
        }

        @Override
        public String describe() {
            return "arr[" + elementType + "; " + values.length + "]";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof IntegerArray a && a.elementType == elementType && Arrays.equals(a.values, values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values) * 31 + elementType.hashCode();
        }

        @Override
        public String toString() {
            return "IntegerArray[" + elementType + ", " + Arrays.toString(values) + "]";
        }
    }

    /** An array of f32 or f64. */
    record FloatArray(GgufValueType elementType, double[] values) implements GgufValue {
        public FloatArray {
            values = values.clone();
            for (int i = 0; i < values.length; i++) {
                checkFloat(elementType, values[i], i);
            }
        }

        @Override
        public double[] values() {
            return values.clone();
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.ARRAY;
        }

        @Override
        public String describe() {
            return "arr[" + elementType + "; " + values.length + "]";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FloatArray a && a.elementType == elementType && Arrays.equals(a.values, values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values) * 31 + elementType.hashCode();
        }

        @Override
        public String toString() {
            return "FloatArray[" + elementType + ", " + Arrays.toString(values) + "]";
        }
    }

    record BoolArray(boolean[] values) implements GgufValue {
        public BoolArray {
            values = values.clone();
        }

        @Override
        public boolean[] values() {
            return values.clone();
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.ARRAY;
        }

        @Override
        public GgufValueType elementType() {
            return GgufValueType.BOOL;
        }

        @Override
        public String describe() {
            return "arr[bool; " + values.length + "]";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BoolArray a && Arrays.equals(a.values, values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return "BoolArray" + Arrays.toString(values);
        }
    }

    record StringArray(List<String> values) implements GgufValue {
        public StringArray {
            values = values instanceof Utf8Strings read ? read : List.copyOf(values); // a file's: immutable already
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.ARRAY;
        }

        @Override
        public GgufValueType elementType() {
            return GgufValueType.STRING;
        }

        @Override
        public String describe() {
            return "arr[str; " + values.size() + "]";
        }

        @Override
        public String toString() {
            return values.size() <= 8 ? "StringArray" + values
                    : "StringArray" + values.stream().limit(8).collect(Collectors.joining(", ", "[", ", ...]"));
        }
    }

    /** Checks an integer of {@code type}: a scalar's ({@code element} -1) or an array's element {@code element}. */
    private static void checkInteger(GgufValueType type, long value, int element) {
        if (type == null || !type.isInteger()) {
            throw new IllegalArgumentException("an integer GGUF value needs an integer type (u8, i8, u16, i16, u32, "
                    + "i32, u64, i64), not " + type);
        }
        long min;
        long max;
        switch (type) {
            case UINT8 -> { min = 0; max = 0xFF; }
            case INT8 -> { min = Byte.MIN_VALUE; max = Byte.MAX_VALUE; }
            case UINT16 -> { min = 0; max = 0xFFFF; }
            case INT16 -> { min = Short.MIN_VALUE; max = Short.MAX_VALUE; }
            case UINT32 -> { min = 0; max = 0xFFFF_FFFFL; }
            case INT32 -> { min = Integer.MIN_VALUE; max = Integer.MAX_VALUE; }
            default -> { return; } // u64 and i64 take every long (a u64 keeps its bits)
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(type + " value " + value + at(element) + " is out of range " + min + " to " + max);
        }
    }

    private static void checkFloat(GgufValueType type, double value, int element) {
        if (type == null || !type.isFloat()) {
            throw new IllegalArgumentException("a floating-point GGUF value needs type f32 or f64, not " + type);
        }
        if (type == GgufValueType.FLOAT32 && !Double.isNaN(value) && (double) (float) value != value) {
            throw new IllegalArgumentException("f32 value " + value + at(element) + " is not exactly a float; pass (float) "
                    + value + " or use f64");
        }
    }

    /** Where a value is in a message: nothing for a scalar, " (element 7)" for an array's. */
    private static String at(int element) {
        return element < 0 ? "" : " (element " + element + ")";
    }
}
