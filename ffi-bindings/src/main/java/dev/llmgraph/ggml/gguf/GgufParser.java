package dev.llmgraph.ggml.gguf;

import dev.llmgraph.ggml.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
 * every rule ggml applies is applied here, with words for what was wrong; {@code GgufFuzzTest} has ggml read
 * every mutated file this walk accepts and compares what both saw. The walk reads values too, because
 * {@code gguf.h} hands strings out as C strings and so cannot return a string that holds a NUL byte.
 *
 * <p>The walk is split in three: this class reads the header and the tensor infos, {@link GgufValueReader} the
 * metadata values, and {@link GgufCursor} holds the position and the checked reads of numbers and strings.
 */
final class GgufParser {
    static final int MAX_VERSION = 3;
    static final long DEFAULT_ALIGNMENT = 32;
    static final String ALIGNMENT_KEY = "general.alignment";
    /** ggml's GGML_MAX_NAME includes the terminating NUL. */
    static final int MAX_NAME_BYTES = 63;
    static final int MAX_DIMS = 4;

    /** Smallest possible key-value pair (1-byte key, u8 value) and tensor info (empty name, no dims). */
    private static final long MIN_KV_BYTES = 8 + 1 + 4 + 1;
    private static final long MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8;

    /** What the walk found. */
    record Header(int version, long alignment, Map<String, GgufValue> metadata, List<GgufTensorInfo> tensors,
                  long dataSectionOffset) {}

    private final GgufCursor cursor;
    private final GgufValueReader values;

    private GgufParser(String file, MemorySegment bytes) {
        this.cursor = new GgufCursor(file, bytes);
        this.values = new GgufValueReader(cursor);
    }

    /** Walks {@code bytes}, the whole content of {@code file}; throws {@link GgufException} on the first problem. */
    static Header parse(String file, MemorySegment bytes) {
        return new GgufParser(file, bytes).header();
    }

    private Header header() {
        checkMagic();
        int version = cursor.readU32();
        checkVersion(version);
        long tensorCount = cursor.readU64();
        long kvCount = cursor.readU64();
        checkCount(tensorCount, "tensors", MIN_TENSOR_INFO_BYTES);
        checkCount(kvCount, "key-value pairs", MIN_KV_BYTES);

        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            cursor.reading("key #" + i);
            long index = i;
            String key = cursor.readString(() -> "the name of key #" + index);
            if (key.isEmpty()) {
                throw cursor.fail("key #" + i + " has an empty name");
            }
            if (metadata.containsKey(key)) {
                throw cursor.fail("key '" + GgufMessages.printable(key) + "' appears twice");
            }
            cursor.reading("key '" + GgufMessages.printable(key) + "'");
            metadata.put(key, values.read(key));
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
                throw cursor.fail("the tensors up to '" + info.name() + "' need more than 2^63 bytes");
            }
        }

        long size = cursor.size;
        long dataSection = tensorCount > 0 ? padded(cursor.position(), alignment) : cursor.position();
        if (tensorCount > 0 && dataSection > size) {
            throw cursor.fail("the data section should start at offset " + dataSection + " but the file ends at " + size
                    + " (is it truncated?)");
        }
        for (GgufTensorInfo info : tensors) {
            // Compared by differences so that no sum can overflow.
            long room = size - dataSection;
            if (info.dataOffset() > room || info.byteSize() > room - info.dataOffset()) {
                throw cursor.fail("tensor '" + info.name() + "' needs " + info.byteSize() + " bytes from offset "
                        + (dataSection + info.dataOffset()) + " but the file ends at " + size + " (is it truncated?)");
            }
        }
        return new Header(version, alignment, Collections.unmodifiableMap(metadata), List.copyOf(tensors), dataSection);
    }

    // ---- header ------------------------------------------------------------------------------------------

    private void checkMagic() {
        if (cursor.size < 4) {
            throw cursor.fail("not a GGUF file: it is only " + cursor.size + " bytes long");
        }
        int magic = cursor.bytes.get(GgufCursor.U32, 0);
        if (magic != 0x46554747) { // "GGUF" read as a little-endian u32
            StringBuilder hex = new StringBuilder();
            for (int i = 0; i < 4; i++) {
                hex.append(String.format("%02x ", cursor.bytes.get(ValueLayout.JAVA_BYTE, i)));
            }
            throw cursor.fail("not a GGUF file: it starts with the bytes " + hex.toString().trim() + " instead of 'GGUF'");
        }
        cursor.moveTo(4);
    }

    private void checkVersion(int version) {
        String problem = GgufMessages.versionProblem(version, MAX_VERSION);
        if (problem != null) {
            throw cursor.fail(problem);
        }
    }

    private void checkCount(long count, String what, long minBytesEach) {
        long room = cursor.remaining() / minBytesEach;
        if (count < 0 || count > room) {
            throw cursor.fail("the header claims " + Long.toUnsignedString(count) + " " + what + ", but the "
                    + cursor.remaining() + " bytes after it have room for at most " + room);
        }
    }

    private long alignment(Map<String, GgufValue> metadata) {
        GgufValue value = metadata.get(ALIGNMENT_KEY);
        if (value == null) {
            return DEFAULT_ALIGNMENT;
        }
        if (!(value instanceof GgufValue.IntegerValue v) || v.type() != GgufValueType.UINT32) {
            throw cursor.fail("key '" + ALIGNMENT_KEY + "' must be a u32 but is " + value.describe());
        }
        if (v.value() == 0 || Long.bitCount(v.value()) != 1) {
            throw cursor.fail("key '" + ALIGNMENT_KEY + "' is " + v.value() + ", which is not a power of two");
        }
        return v.value();
    }

    // ---- tensor infos ------------------------------------------------------------------------------------

    private GgufTensorInfo readTensorInfo(long index, Set<String> names, long expectedOffset, long alignment) {
        cursor.reading("tensor #" + index);
        String name = cursor.readString(() -> "the name of tensor #" + index);
        long nameBytes = cursor.lastStringBytes();
        if (name.indexOf('\0') >= 0) {
            throw cursor.fail("tensor #" + index + " has a name with a NUL byte in it ('" + GgufMessages.printable(name) + "')");
        }
        if (nameBytes > MAX_NAME_BYTES) {
            throw cursor.fail("tensor #" + index + " has a name of " + nameBytes + " bytes ('" + GgufMessages.printable(name.substring(0,
                    Math.min(name.length(), 40))) + "...'); ggml keeps at most " + MAX_NAME_BYTES);
        }
        if (!names.add(name)) {
            throw cursor.fail("tensor name '" + GgufMessages.printable(name) + "' appears twice");
        }
        cursor.reading("tensor '" + GgufMessages.printable(name) + "'");
        int dims = cursor.readU32();
        if (dims < 0 || dims > MAX_DIMS) {
            throw cursor.fail("tensor '" + GgufMessages.printable(name) + "' has " + Integer.toUnsignedString(dims)
                    + " dimensions; ggml supports at "
                    + "most " + MAX_DIMS);
        }
        long[] shape = new long[dims];
        for (int d = 0; d < dims; d++) {
            shape[d] = cursor.readU64();
            if (shape[d] < 0) {
                throw cursor.fail("tensor '" + GgufMessages.printable(name) + "' has a negative size " + shape[d] + " in dimension " + d);
            }
        }
        long elements = elementCount(name, shape);
        int typeId = cursor.readU32();
        GgmlType type;
        try {
            type = GgmlType.ofId(typeId);
        } catch (IllegalArgumentException e) {
            throw cursor.fail("tensor '" + GgufMessages.printable(name) + "' has " + e.getMessage());
        }
        long rowLength = dims == 0 ? 1 : shape[0];
        if (rowLength % type.blockSize() != 0) {
            throw cursor.fail("tensor '" + GgufMessages.printable(name) + "' of type " + type + " has rows of " + rowLength
                    + " elements, not a "
                    + "multiple of its block size " + type.blockSize());
        }
        long byteSize;
        try {
            byteSize = Math.multiplyExact(elements / type.blockSize(), (long) type.blockBytes());
            padded(byteSize, alignment);
        } catch (ArithmeticException e) {
            throw cursor.fail("tensor '" + GgufMessages.printable(name) + "' with shape " + java.util.Arrays.toString(shape)
                    + " of type " + type
                    + " has a size in bytes that does not fit in 63 bits");
        }
        long offset = cursor.readU64();
        if (offset != expectedOffset) {
            throw cursor.fail("tensor '" + GgufMessages.printable(name) + "' claims to start at byte "
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
            throw cursor.fail(tooMany);
        }
        if (count > 0 && (Long.MAX_VALUE / ne[1] <= ne[0] || Long.MAX_VALUE / ne[2] <= ne[0] * ne[1]
                || Long.MAX_VALUE / ne[3] <= ne[0] * ne[1] * ne[2])) {
            throw cursor.fail(tooMany);
        }
        return count;
    }

    private static long padded(long offset, long alignment) {
        return Math.multiplyExact(Math.ceilDiv(offset, alignment), alignment);
    }
}
