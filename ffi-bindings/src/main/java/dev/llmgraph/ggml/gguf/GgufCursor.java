package dev.llmgraph.ggml.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * A position in the bytes of one GGUF file and the little-endian reads that move it, each checked against the end
 * of the file. Its failures name the file and what was being read ({@link #reading}), so that a truncated file says
 * where it ends: "the file ends at byte 812 in the middle of tensor 'output.weight'".
 */
final class GgufCursor {
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** gguf.cpp's GGUF_MAX_STRING_LENGTH. */
    static final long MAX_STRING_BYTES = 1L << 30;

    final MemorySegment bytes;
    final long size;
    private final String file;
    private long position;
    /** Byte length of the string read last (a Java string may differ when the bytes are not valid UTF-8). */
    private long lastStringBytes;
    private String reading = "the header";

    GgufCursor(String file, MemorySegment bytes) {
        this.file = file;
        this.bytes = bytes;
        this.size = bytes.byteSize();
    }

    long position() {
        return position;
    }

    /** Moves to {@code position}, which the caller has checked lies inside the file. */
    void moveTo(long position) {
        this.position = position;
    }

    long remaining() {
        return size - position;
    }

    /** Names the part of the file read next, for the message of a file that ends inside it. */
    void reading(String part) {
        reading = part;
    }

    long lastStringBytes() {
        return lastStringBytes;
    }

    byte readByte() {
        need(1);
        return bytes.get(ValueLayout.JAVA_BYTE, position++);
    }

    int readU32() {
        need(4);
        int value = bytes.get(U32, position);
        position += 4;
        return value;
    }

    long readU64() {
        need(8);
        long value = bytes.get(U64, position);
        position += 8;
        return value;
    }

    long readInteger(GgufValueType type) {
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

    /** A string; {@code what} names it in the message if it is damaged (built only then: vocabularies are long). */
    String readString(Supplier<String> what) {
        long length = readStringLength(what);
        byte[] utf8 = new byte[(int) length];
        MemorySegment.copy(bytes, ValueLayout.JAVA_BYTE, position, utf8, 0, utf8.length);
        position += length;
        lastStringBytes = length;
        return new String(utf8, StandardCharsets.UTF_8);
    }

    /** A string's length, read and checked; the cursor is then at its first byte. */
    long readStringLength(Supplier<String> what) {
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

    /** Steps over {@code count} bytes, which the caller has checked are there. */
    void skip(long count) {
        position += count;
    }

    void need(long count) {
        if (count > size - position) {
            throw fail("the file ends at byte " + size + " in the middle of " + reading + " (is it truncated?)");
        }
    }

    GgufException fail(String problem) {
        return new GgufException(file + ": " + problem);
    }
}
