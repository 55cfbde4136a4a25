package dev.llmgraph.tokenize;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The protocol buffer wire format, as much of it as SentencePiece's model files use: fields of varints (ints,
 * enums, bools), 32-bit floats and length-delimited bytes (strings, nested messages), read and written by field
 * number. Written here rather than taken from protobuf-java, which for three small messages would add a 1.9 MB jar
 * and, on JDK 25, a warning about {@code sun.misc.Unsafe} on the first file read.
 */
final class ProtoWire {
    static final int VARINT = 0, FIXED64 = 1, BYTES = 2, FIXED32 = 5;

    private ProtoWire() {}

    /** Reads one message's fields in order. */
    static final class Reader {
        private final byte[] buffer;
        private int at;
        private final int end;

        Reader(byte[] buffer) {
            this(buffer, 0, buffer.length);
        }

        private Reader(byte[] buffer, int from, int end) {
            this.buffer = buffer;
            this.at = from;
            this.end = end;
        }

        /** The next field's tag (field number << 3 | wire type), or 0 at the end of the message. */
        int tag() {
            if (at == end) {
                return 0;
            }
            long tag = varint();
            if (tag >>> 3 == 0 || tag > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("field number " + (tag >>> 3) + " at byte " + at + " is not one a "
                        + "protocol buffer has");
            }
            return (int) tag;
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = next();
                value |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("a varint at byte " + at + " runs past ten bytes");
        }

        float fixed32Float() {
            int bits = 0;
            for (int i = 0; i < 4; i++) {
                bits |= (next() & 0xFF) << (8 * i);
            }
            return Float.intBitsToFloat(bits);
        }

        /** A length-delimited field's bytes. */
        byte[] bytes() {
            int length = length();
            byte[] out = Arrays.copyOfRange(buffer, at, at + length);
            at += length;
            return out;
        }

        /** A length-delimited field as a nested message. */
        Reader message() {
            int length = length();
            Reader nested = new Reader(buffer, at, at + length);
            at += length;
            return nested;
        }

        String string() {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes())).toString();
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("a string field before byte " + at + " is not UTF-8");
            }
        }

        /** Skips the value of a field with {@code tag}. */
        void skip(int tag) {
            switch (tag & 7) {
                case VARINT -> varint();
                case FIXED64 -> advance(8);
                case BYTES -> advance(length());
                case FIXED32 -> advance(4);
                default -> throw new IllegalArgumentException("wire type " + (tag & 7) + " at byte " + at + " is not "
                        + "one a SentencePiece model uses");
            }
        }

        private int length() {
            long length = varint();
            if (length < 0 || length > end - at) {
                throw new IllegalArgumentException("a field at byte " + at + " says it is " + length + " bytes long, "
                        + "past the end of its message at byte " + end);
            }
            return (int) length;
        }

        private void advance(int bytes) {
            if (bytes > end - at) {
                throw new IllegalArgumentException("the message ends at byte " + end + ", inside a field");
            }
            at += bytes;
        }

        private byte next() {
            if (at >= end) {
                throw new IllegalArgumentException("the message ends at byte " + end + ", inside a field");
            }
            return buffer[at++];
        }
    }

    /** Writes one message's fields. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer varint(int field, long value) {
            tag(field, VARINT);
            raw(value);
            return this;
        }

        Writer float32(int field, float value) {
            tag(field, FIXED32);
            int bits = Float.floatToIntBits(value);
            for (int i = 0; i < 4; i++) {
                out.write(bits >>> (8 * i));
            }
            return this;
        }

        Writer bytes(int field, byte[] value) {
            tag(field, BYTES);
            raw(value.length);
            out.writeBytes(value);
            return this;
        }

        Writer string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Writer message(int field, Writer message) {
            return bytes(field, message.toByteArray());
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }

        private void tag(int field, int wireType) {
            raw((long) field << 3 | wireType);
        }

        /** A varint; a negative int is written as its 64-bit two's complement (ten bytes), as protobuf does. */
        private void raw(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) (value & 0x7F) | 0x80);
                value >>>= 7;
            }
            out.write((int) value);
        }
    }
}
