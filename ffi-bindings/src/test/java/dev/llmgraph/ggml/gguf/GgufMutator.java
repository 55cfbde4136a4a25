package dev.llmgraph.ggml.gguf;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Deterministic mutations of a valid GGUF file: case {@code n} of seed {@code s} is always the same bytes.
 * Strategies: bit flips, byte overwrites, truncation, byte insertion and deletion, and aimed field edits
 * (huge, zero, negative and off-by-one counts, lengths, sizes and offsets; wrong type ids; bad alignment).
 */
final class GgufMutator {
    private static final long[] SPECIAL = {0, 1, 2, 3, 4, 5, 7, 8, 13, 31, 32, 33, 63, 64, 65, 255, 256, 0x7FFF,
        0xFFFF, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 1L << 32, 1L << 40, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE,
        -1, -2, -32};

    private GgufMutator() {}

    /** The mutated bytes for case {@code id}; {@code what} receives a short description. */
    static byte[] mutate(byte[] original, List<GgufFieldMap.Field> fields, long seed, int id, StringBuilder what) {
        Random random = new Random(seed * 1_000_003L + id);
        byte[] bytes = original.clone();
        int rounds = random.nextInt(10) < 7 ? 1 : 2 + random.nextInt(2);
        for (int r = 0; r < rounds; r++) {
            bytes = once(bytes, fields, random, what);
        }
        return bytes;
    }

    private static byte[] once(byte[] bytes, List<GgufFieldMap.Field> fields, Random random, StringBuilder what) {
        int strategy = random.nextInt(100);
        if (bytes.length == 0) {
            return bytes; // an earlier round truncated everything away
        }
        if (strategy < 45) {
            return aimed(bytes, fields, random, what);
        }
        if (strategy < 60) {
            int flips = 1 + random.nextInt(8);
            for (int i = 0; i < flips; i++) {
                int at = position(bytes, random);
                bytes[at] ^= (byte) (1 << random.nextInt(8));
            }
            what.append("flip ").append(flips).append(" bits; ");
            return bytes;
        }
        if (strategy < 70) {
            int at = position(bytes, random);
            int count = Math.min(bytes.length - at, 1 + random.nextInt(16));
            for (int i = 0; i < count; i++) {
                bytes[at + i] = (byte) random.nextInt(256);
            }
            what.append("overwrite ").append(count).append(" bytes at ").append(at).append("; ");
            return bytes;
        }
        if (strategy < 85) {
            int length = position(bytes, random);
            what.append("truncate to ").append(length).append("; ");
            return Arrays.copyOf(bytes, length);
        }
        int at = position(bytes, random);
        int count = 1 + random.nextInt(24);
        if (random.nextBoolean()) {
            byte[] inserted = new byte[bytes.length + count];
            System.arraycopy(bytes, 0, inserted, 0, at);
            for (int i = 0; i < count; i++) {
                inserted[at + i] = (byte) random.nextInt(256);
            }
            System.arraycopy(bytes, at, inserted, at + count, bytes.length - at);
            what.append("insert ").append(count).append(" bytes at ").append(at).append("; ");
            return inserted;
        }
        count = Math.min(count, bytes.length - at);
        byte[] deleted = new byte[bytes.length - count];
        System.arraycopy(bytes, 0, deleted, 0, at);
        System.arraycopy(bytes, at + count, deleted, at, bytes.length - at - count);
        what.append("delete ").append(count).append(" bytes at ").append(at).append("; ");
        return deleted;
    }

    /** Sets one structural field (still inside the file) to a special or nearby value. */
    private static byte[] aimed(byte[] bytes, List<GgufFieldMap.Field> fields, Random random, StringBuilder what) {
        GgufFieldMap.Field field = fields.get(random.nextInt(fields.size()));
        if (field.offset() + field.width() > bytes.length) {
            return bytes; // an earlier mutation shortened the file
        }
        long old = read(bytes, field);
        long value = switch (random.nextInt(6)) {
            case 0, 1 -> SPECIAL[random.nextInt(SPECIAL.length)];
            case 2 -> old + 1;
            case 3 -> old - 1;
            case 4 -> old + random.nextInt(64) - 32;
            default -> random.nextLong();
        };
        if (field.kind() == GgufFieldMap.Kind.ALIGNMENT && random.nextBoolean()) {
            value = new long[] {0, 1, 2, 3, 16, 48, 64, 4096, 1L << 31, 0xFFFF_FFFFL}[random.nextInt(10)];
        }
        for (int i = 0; i < field.width(); i++) {
            bytes[field.offset() + i] = (byte) (value >>> (8 * i));
        }
        what.append(field.kind()).append(" at ").append(field.offset()).append(": ").append(old).append(" -> ")
                .append(value).append("; ");
        return bytes;
    }

    private static long read(byte[] bytes, GgufFieldMap.Field field) {
        long value = 0;
        for (int i = field.width() - 1; i >= 0; i--) {
            value = (value << 8) | (bytes[field.offset() + i] & 0xFF);
        }
        return value;
    }

    /** A position, biased towards the header, where most structure is. */
    private static int position(byte[] bytes, Random random) {
        if (bytes.length == 0) {
            return 0;
        }
        return random.nextInt(3) == 0 ? random.nextInt(bytes.length) : random.nextInt(Math.min(bytes.length, 1024));
    }
}
