package dev.llmgraph.ggml.gguf;

import dev.llmgraph.ggml.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A bounds-checked walk over the bytes of a GGUF file: header, key-value section, tensor-info section and
 * the position of every tensor's data.
 *
 * <p>Why llmgraph reads GGUF by hand before ggml sees it: ggml's reader is the reference, but it is not a
 * safe gate on its own. (1) In the pinned version {@code gguf_init_from_*} checks most things, yet it
 * decides whether to check a tensor's element count with {@code ggml_nelements}, whose product can wrap
 * around: a tensor of shape {@code [2^32, 2^32]} wraps to 0 elements, passes, and later gives a garbage
 * byte size. (2) It never checks that tensor data lies inside the file (only llama.cpp's loader does, later).
 * (3) Older ggml versions, which a person may build from their own checkout, {@code GGML_ASSERT}ed on
 * malformed input, and an assertion aborts the whole JVM. (4) Its errors go to a log, not to the caller. So
 * every rule ggml applies is applied here first, with words for what was wrong, and ggml only ever parses
 * files this walk accepted. The walk reads values too, because {@code gguf.h} hands strings out as C
 * strings and so cannot return a string that holds a NUL byte.
 */
final class GgufParser {
    static final int MAX_VERSION = 3;
    static final long DEFAULT_ALIGNMENT = 32;
    static final String ALIGNMENT_KEY = "general.alignment";
    /** gguf.cpp's GGUF_MAX_STRING_LENGTH and GGUF_MAX_ARRAY_ELEMENTS. */
    static final long MAX_STRING_BYTES = 1L << 30;
    static final long MAX_ARRAY_ELEMENTS = 1L << 30;
    /** ggml's GGML_MAX_NAME includes the terminating NUL. */
    static final int MAX_NAME_BYTES = 63;
    static final int MAX_DIMS = 4;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Smallest possible key-value pair (1-byte key, u8 value) and tensor info (empty name, no dims). */
    private static final long MIN_KV_BYTES = 8 + 1 + 4 + 1;
    private static final long MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8;

    /** What the walk found. */
    record Header(int version, long alignment, Map<String, GgufValue> metadata, List<GgufTensorInfo> tensors,
                  long dataSectionOffset) {}

    private final String file;
    private final MemorySegment bytes;
    private final long size;
    private long position;
    /** Byte length of the string read last (a Java string may differ when the bytes are not valid UTF-8). */
    private long lastStringBytes;
    private String reading = "the header";

    private GgufParser(String file, MemorySegment bytes) {
        this.file = file;
        this.bytes = bytes;
        this.size = bytes.byteSize();
    }

    /** Walks {@code bytes}, the whole content of {@code file}; throws {@link GgufException} on the first problem. */
    static Header parse(String file, MemorySegment bytes) {
        return new GgufParser(file, bytes).header();
    }

    private Header header() {
        checkMagic();
        int version = readU32();
        checkVersion(version);
        long tensorCount = readU64();
        long kvCount = readU64();
        checkCount(tensorCount, "tensors", MIN_TENSOR_INFO_BYTES);
        checkCount(kvCount, "key-value pairs", MIN_KV_BYTES);

        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            reading = "key #" + i;
            long index = i;
            String key = readString(() -> "the name of key #" + index);
            if (key.isEmpty()) {
                throw fail("key #" + i + " has an empty name");
            }
            if (metadata.containsKey(key)) {
                throw fail("key '" + GgufMessages.printable(key) + "' appears twice");
            }
            reading = "key '" + GgufMessages.printable(key) + "'";
            metadata.put(key, readValue(key));
        }
        long alignment = alignment(metadata);

        List<GgufTensorInfo> tensors = new ArrayList<>();
        Set<String> names = new HashSet<>();
        long expectedOffset = 0;
        for (long i = 0; i < tensorCount; i++) {
            GgufTensorInfo info = readTensorInfo(i, names, expectedOffset, alignment);
            tensors.add(info);
            try {
                expectedOffset = Math.addExact(expectedOffset, padded(info.byteSize(), alignment));
            } catch (ArithmeticException e) {
                throw fail("the tensors up to '" + info.name() + "' need more than 2^63 bytes");
            }
        }

        long dataSection = tensorCount > 0 ? padded(position, alignment) : position;
        if (tensorCount > 0 && dataSection > size) {
            throw fail("the data section should start at offset " + dataSection + " but the file ends at " + size
                    + " (is it truncated?)");
        }
        for (GgufTensorInfo info : tensors) {
            // Compared by differences so that no sum can overflow.
            long room = size - dataSection;
            if (info.dataOffset() > room || info.byteSize() > room - info.dataOffset()) {
                throw fail("tensor '" + info.name() + "' needs " + info.byteSize() + " bytes from offset "
                        + (dataSection + info.dataOffset()) + " but the file ends at " + size + " (is it truncated?)");
            }
        }
        return new Header(version, alignment, Collections.unmodifiableMap(metadata), List.copyOf(tensors), dataSection);
    }

    // ---- header ------------------------------------------------------------------------------------------

    private void checkMagic() {
        if (size < 4) {
            throw fail("not a GGUF file: it is only " + size + " bytes long");
        }
        int magic = bytes.get(U32, 0);
        if (magic != 0x46554747) { // "GGUF" read as a little-endian u32
            StringBuilder hex = new StringBuilder();
            for (int i = 0; i < 4; i++) {
                hex.append(String.format("%02x ", bytes.get(ValueLayout.JAVA_BYTE, i)));
            }
            throw fail("not a GGUF file: it starts with the bytes " + hex.toString().trim() + " instead of 'GGUF'");
        }
        position = 4;
    }

    private void checkVersion(int version) {
        String problem = GgufMessages.versionProblem(version, MAX_VERSION);
        if (problem != null) {
            throw fail(problem);
        }
    }

    private void checkCount(long count, String what, long minBytesEach) {
        long room = (size - position) / minBytesEach;
        if (count < 0 || count > room) {
            throw fail("the header claims " + Long.toUnsignedString(count) + " " + what + ", but the "
                    + (size - position) + " bytes after it have room for at most " + room);
        }
    }

    private long alignment(Map<String, GgufValue> metadata) {
        GgufValue value = metadata.get(ALIGNMENT_KEY);
        if (value == null) {
            return DEFAULT_ALIGNMENT;
        }
        if (!(value instanceof GgufValue.IntegerValue v) || v.type() != GgufValueType.UINT32) {
            throw fail("key '" + ALIGNMENT_KEY + "' must be a u32 but is " + value.describe());
        }
        if (v.value() == 0 || Long.bitCount(v.value()) != 1) {
            throw fail("key '" + ALIGNMENT_KEY + "' is " + v.value() + ", which is not a power of two");
        }
        return v.value();
    }

    // ---- values ------------------------------------------------------------------------------------------

    private GgufValue readValue(String key) {
        GgufValueType type = readType("key '" + GgufMessages.printable(key) + "' has");
        if (type != GgufValueType.ARRAY) {
            return readScalar(key, type);
        }
        GgufValueType element = readType("key '" + GgufMessages.printable(key) + "' is an array with");
        if (element == GgufValueType.ARRAY) {
            throw fail("key '" + GgufMessages.printable(key) + "' is an array of arrays, which GGUF readers do not support");
        }
        long count = readU64();
        if (count < 0 || count > MAX_ARRAY_ELEMENTS) {
            throw fail("key '" + GgufMessages.printable(key) + "' claims " + Long.toUnsignedString(count)
                    + " array elements; GGUF allows at "
                    + "most " + MAX_ARRAY_ELEMENTS);
        }
        long leastBytes = count * (element == GgufValueType.STRING ? 8 : element.byteSize());
        if (leastBytes > size - position) {
            throw fail("key '" + GgufMessages.printable(key) + "' claims " + count + " elements of type " + element
                    + " (at least " + leastBytes
                    + " bytes) but only " + (size - position) + " bytes are left in the file");
        }
        int n = (int) count;
        try {
            return switch (element) {
                case STRING -> new GgufValue.StringArray(readStrings(key, n));
                case BOOL -> {
                    boolean[] values = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        values[i] = bytes.get(ValueLayout.JAVA_BYTE, position++) != 0;
                    }
                    yield new GgufValue.BoolArray(values);
                }
                case FLOAT32 -> {
                    float[] floats = new float[n];
                    MemorySegment.copy(bytes, F32, position, floats, 0, n);
                    position += 4L * n;
                    double[] values = new double[n];
                    for (int i = 0; i < n; i++) {
                        values[i] = floats[i];
                    }
                    yield new GgufValue.FloatArray(element, values);
                }
                case FLOAT64 -> {
                    double[] values = new double[n];
                    MemorySegment.copy(bytes, F64, position, values, 0, n);
                    position += 8L * n;
                    yield new GgufValue.FloatArray(element, values);
                }
                case INT32, UINT32 -> {
                    int[] ints = new int[n];
                    MemorySegment.copy(bytes, U32, position, ints, 0, n);
                    position += 4L * n;
                    long[] values = new long[n];
                    for (int i = 0; i < n; i++) {
                        values[i] = element == GgufValueType.UINT32 ? Integer.toUnsignedLong(ints[i]) : ints[i];
                    }
                    yield new GgufValue.IntegerArray(element, values);
                }
                default -> {
                    long[] values = new long[n];
                    for (int i = 0; i < n; i++) {
                        values[i] = readInteger(element);
                    }
                    yield new GgufValue.IntegerArray(element, values);
                }
            };
        } catch (OutOfMemoryError e) {
            // Only a huge count in a huge file gets here; the bytes are there, the heap is not.
            throw fail("key '" + GgufMessages.printable(key) + "' holds " + count + " elements, too many to hold in the Java heap");
        }
    }

    private GgufValue readScalar(String key, GgufValueType type) {
        need(type == GgufValueType.STRING ? 8 : type.byteSize());
        return switch (type) {
            case STRING -> new GgufValue.StringValue(readString(() -> "the value of key '" + GgufMessages.printable(key) + "'"));
            case BOOL -> new GgufValue.BoolValue(bytes.get(ValueLayout.JAVA_BYTE, position++) != 0);
            case FLOAT32 -> new GgufValue.FloatValue(type, Float.intBitsToFloat(readU32()));
            case FLOAT64 -> new GgufValue.FloatValue(type, Double.longBitsToDouble(readU64()));
            default -> new GgufValue.IntegerValue(type, readInteger(type));
        };
    }

    private long readInteger(GgufValueType type) {
        need(type.byteSize());
        long at = position;
        position += type.byteSize();
        return switch (type) {
            case UINT8 -> Byte.toUnsignedLong(bytes.get(ValueLayout.JAVA_BYTE, at));
            case INT8 -> bytes.get(ValueLayout.JAVA_BYTE, at);
            case UINT16 -> Short.toUnsignedLong(bytes.get(U16, at));
            case INT16 -> bytes.get(U16, at);
            case UINT32 -> Integer.toUnsignedLong(bytes.get(U32, at));
            case INT32 -> bytes.get(U32, at);
            default -> bytes.get(U64, at);
        };
    }

    private GgufValueType readType(String subject) {
        int id = readU32();
        GgufValueType type = GgufValueType.ofIdOrNull(id);
        if (type == null) {
            throw fail(subject + " unknown value type " + id + " (GGUF value types are 0 to 12)");
        }
        return type;
    }

    // ---- tensor infos ------------------------------------------------------------------------------------

    private GgufTensorInfo readTensorInfo(long index, Set<String> names, long expectedOffset, long alignment) {
        reading = "tensor #" + index;
        String name = readString(() -> "the name of tensor #" + index);
        long nameBytes = lastStringBytes;
        if (name.indexOf('\0') >= 0) {
            throw fail("tensor #" + index + " has a name with a NUL byte in it ('" + GgufMessages.printable(name) + "')");
        }
        if (nameBytes > MAX_NAME_BYTES) {
            throw fail("tensor #" + index + " has a name of " + nameBytes + " bytes ('" + GgufMessages.printable(name.substring(0,
                    Math.min(name.length(), 40))) + "...'); ggml keeps at most " + MAX_NAME_BYTES);
        }
        if (!names.add(name)) {
            throw fail("tensor name '" + GgufMessages.printable(name) + "' appears twice");
        }
        reading = "tensor '" + GgufMessages.printable(name) + "'";
        int dims = readU32();
        if (dims < 0 || dims > MAX_DIMS) {
            throw fail("tensor '" + GgufMessages.printable(name) + "' has " + Integer.toUnsignedString(dims)
                    + " dimensions; ggml supports at "
                    + "most " + MAX_DIMS);
        }
        long[] shape = new long[dims];
        for (int d = 0; d < dims; d++) {
            shape[d] = readU64();
            if (shape[d] < 0) {
                throw fail("tensor '" + GgufMessages.printable(name) + "' has a negative size " + shape[d] + " in dimension " + d);
            }
        }
        long elements = elementCount(name, shape);
        int typeId = readU32();
        GgmlType type;
        try {
            type = GgmlType.ofId(typeId);
        } catch (IllegalArgumentException e) {
            throw fail("tensor '" + GgufMessages.printable(name) + "' has " + e.getMessage());
        }
        long rowLength = dims == 0 ? 1 : shape[0];
        if (rowLength % type.blockSize() != 0) {
            throw fail("tensor '" + GgufMessages.printable(name) + "' of type " + type + " has rows of " + rowLength
                    + " elements, not a "
                    + "multiple of its block size " + type.blockSize());
        }
        long byteSize;
        try {
            byteSize = Math.multiplyExact(elements / type.blockSize(), (long) type.blockBytes());
            padded(byteSize, alignment);
        } catch (ArithmeticException e) {
            throw fail("tensor '" + GgufMessages.printable(name) + "' with shape " + java.util.Arrays.toString(shape)
                    + " of type " + type
                    + " has a size in bytes that does not fit in 63 bits");
        }
        long offset = readU64();
        if (offset != expectedOffset) {
            throw fail("tensor '" + GgufMessages.printable(name) + "' claims to start at byte "
                    + Long.toUnsignedString(offset) + " of the data "
                    + "section, but GGUF stores tensors in order, each padded to " + alignment + " bytes, so it must "
                    + "start at byte " + expectedOffset);
        }
        return new GgufTensorInfo(name, type, shape, byteSize, offset);
    }

    /** The element count, with ggml's own representability rule (and without its wrap-around). */
    private long elementCount(String name, long[] shape) {
        long[] ne = {1, 1, 1, 1};
        System.arraycopy(shape, 0, ne, 0, shape.length);
        String tooMany = "tensor '" + GgufMessages.printable(name) + "' with shape " + java.util.Arrays.toString(shape)
                + " has too many elements to count in 63 bits";
        long count;
        try {
            count = Math.multiplyExact(Math.multiplyExact(ne[0], ne[1]), Math.multiplyExact(ne[2], ne[3]));
        } catch (ArithmeticException e) {
            throw fail(tooMany);
        }
        if (count > 0 && (Long.MAX_VALUE / ne[1] <= ne[0] || Long.MAX_VALUE / ne[2] <= ne[0] * ne[1]
                || Long.MAX_VALUE / ne[3] <= ne[0] * ne[1] * ne[2])) {
            throw fail(tooMany);
        }
        return count;
    }

    // ---- primitives --------------------------------------------------------------------------------------

    /**
     * The {@code n} strings of array {@code key}, checked as {@link #readString} checks one, kept as the file's bytes
     * and decoded when read ({@link Utf8Strings}): every load walks a vocabulary of 32,000 tokens that only a tokenizer
     * reads (bench/NOTES.md, "Load in a fresh JVM").
     */
    private List<String> readStrings(String key, int n) {
        long start = position;
        int[] prefixes = new int[n + 1];
        for (int i = 0; i < n; i++) {
            int index = i;
            long length = readStringLength(() -> "element " + index + " of key '" + GgufMessages.printable(key) + "'");
            position += length;
            if (position - start > Integer.MAX_VALUE - 8) {
                throw fail("key '" + GgufMessages.printable(key) + "' holds more than 2 GiB of strings, more than "
                        + "llmgraph can hold in the Java heap");
            }
            prefixes[i + 1] = (int) (position - start);
        }
        byte[] utf8 = new byte[prefixes[n]];
        MemorySegment.copy(bytes, ValueLayout.JAVA_BYTE, start, utf8, 0, utf8.length);
        return new Utf8Strings(utf8, prefixes);
    }

    /** A string; {@code what} names it in the message if it is damaged (built only then: vocabularies are long). */
    private String readString(Supplier<String> what) {
        long length = readStringLength(what);
        byte[] utf8 = new byte[(int) length];
        MemorySegment.copy(bytes, ValueLayout.JAVA_BYTE, position, utf8, 0, utf8.length);
        position += length;
        lastStringBytes = length;
        return new String(utf8, StandardCharsets.UTF_8);
    }

    /** A string's length, read and checked; {@link #position} is then at its first byte. */
    private long readStringLength(Supplier<String> what) {
        long length = readU64();
        if (length < 0 || length > MAX_STRING_BYTES) {
            throw fail(what.get() + " claims to be " + Long.toUnsignedString(length) + " bytes long; GGUF strings are at "
                    + "most " + MAX_STRING_BYTES + " bytes");
        }
        if (length > size - position) {
            throw fail(what.get() + " claims to be " + length + " bytes long but only " + (size - position)
                    + " bytes are left in the file (is it truncated?)");
        }
        return length;
    }

    private int readU32() {
        need(4);
        int value = bytes.get(U32, position);
        position += 4;
        return value;
    }

    private long readU64() {
        need(8);
        long value = bytes.get(U64, position);
        position += 8;
        return value;
    }

    private void need(long count) {
        if (count > size - position) {
            throw fail("the file ends at byte " + size + " in the middle of " + reading + " (is it truncated?)");
        }
    }

    private static long padded(long offset, long alignment) {
        return Math.multiplyExact(Math.ceilDiv(offset, alignment), alignment);
    }

    private GgufException fail(String problem) {
        return new GgufException(file + ": " + problem);
    }
}
