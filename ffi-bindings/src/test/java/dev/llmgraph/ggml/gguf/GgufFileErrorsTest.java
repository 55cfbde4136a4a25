package dev.llmgraph.ggml.gguf;

import dev.llmgraph.ggml.internal.Downcalls;
import dev.llmgraph.ggml.internal.GgufApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Malformed GGUF files are refused with a message naming the file, the key or tensor, and the problem. */
class GgufFileErrorsTest {
    private static final int F32 = 0;
    private static final int Q8_0 = 8;

    @TempDir
    Path dir;

    /** Writes {@code bytes}, expects {@link GgufFile#open} to refuse them, returns the problem after "file: ". */
    private String problem(byte[] bytes) {
        Path file = dir.resolve("bad.gguf");
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        String message = assertThrows(GgufException.class, () -> GgufFile.open(file)).getMessage();
        String prefix = file.toAbsolutePath() + ": ";
        assertTrue(message.startsWith(prefix), message);
        return message.substring(prefix.length());
    }

    private String problem(GgufBytes bytes) {
        return problem(bytes.bytes());
    }

    @Test
    void fileThatIsNotGguf() {
        assertEquals("not a GGUF file: it is only 0 bytes long", problem(new byte[0]));
        assertEquals("not a GGUF file: it starts with the bytes 50 4b 03 04 instead of 'GGUF'",
                problem(new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0}));
        Path missing = dir.resolve("missing.gguf");
        assertEquals(missing.toAbsolutePath() + ": no such file",
                assertThrows(GgufException.class, () -> GgufFile.open(missing)).getMessage());
    }

    @Test
    void versionsThatCannotBeRead() {
        assertEquals("GGUF version 0 is not valid", problem(GgufBytes.header(0, 0, 0)));
        assertEquals("GGUF version 1 is no longer supported; convert the model again with a current llama.cpp",
                problem(GgufBytes.header(1, 0, 0)));
        assertEquals("GGUF version 4 is newer than this reader, which supports versions 2 and 3",
                problem(GgufBytes.header(4, 0, 0)));
        assertEquals("GGUF version 50331648 is not valid; the file may have been written on a big-endian machine, "
                + "and only little-endian GGUF files can be read", problem(GgufBytes.header(3L << 24, 0, 0)));
    }

    @Test
    void truncatedHeaderAndImpossibleCounts() {
        assertEquals("the file ends at byte 12 in the middle of the header (is it truncated?)",
                problem(java.util.Arrays.copyOf(GgufBytes.header(3, 0, 0).bytes(), 12)));
        assertEquals("the header claims 1099511627776 tensors, but the 0 bytes after it have room for at most 0",
                problem(GgufBytes.header(3, 1L << 40, 0)));
        assertEquals("the header claims 18446744073709551615 key-value pairs, but the 17 bytes after it have room "
                + "for at most 1", problem(GgufBytes.header(3, 0, -1).keyU32("a", 1)));
    }

    @Test
    void malformedKeys() {
        assertEquals("the name of key #0 claims to be 18446744073709551615 bytes long; GGUF strings are at most "
                + "1073741824 bytes", problem(GgufBytes.header(3, 0, 1).u64(-1).zeros(16)));
        assertEquals("the name of key #0 claims to be 100 bytes long but only 9 bytes are left in the file (is it "
                + "truncated?)", problem(GgufBytes.header(3, 0, 1).u64(100).zeros(9)));
        assertEquals("key #0 has an empty name", problem(GgufBytes.header(3, 0, 1).string("").u32(4).u32(1)));
        assertEquals("key 'a' has unknown value type 13 (GGUF value types are 0 to 12)",
                problem(GgufBytes.header(3, 0, 1).string("a").u32(13).u32(1)));
        assertEquals("key 'a' is an array of arrays, which GGUF readers do not support",
                problem(GgufBytes.header(3, 0, 1).string("a").u32(9).u32(9).u64(0)));
        assertEquals("key 'a' claims 1000 elements of type u32 (at least 4000 bytes) but only 8 bytes are left in "
                + "the file", problem(GgufBytes.header(3, 0, 1).string("a").u32(9).u32(4).u64(1000).zeros(8)));
        assertEquals("key 'a' claims 18446744073709551615 array elements; GGUF allows at most 1073741824",
                problem(GgufBytes.header(3, 0, 1).string("a").u32(9).u32(0).u64(-1)));
        assertEquals("key 'a' appears twice", problem(GgufBytes.header(3, 0, 2).keyU32("a", 1).keyU32("a", 2)));
        assertEquals("the value of key 'a' claims to be 100 bytes long but only 4 bytes are left in the file (is it "
                + "truncated?)", problem(GgufBytes.header(3, 0, 1).string("a").u32(8).u64(100).zeros(4)));
        // a string array is walked without decoding its strings, and checked string by string all the same
        assertEquals("element 1 of key 'a' claims to be 100 bytes long but only 4 bytes are left in the file (is it "
                + "truncated?)", problem(GgufBytes.header(3, 0, 1).string("a").u32(9).u32(8).u64(2).string("ok")
                        .u64(100).zeros(4)));
        assertEquals("element 0 of key 'a' claims to be 18446744073709551615 bytes long; GGUF strings are at most "
                + "1073741824 bytes", problem(GgufBytes.header(3, 0, 1).string("a").u32(9).u32(8).u64(1).u64(-1)));
        assertEquals("the file ends at byte 40 in the middle of key 'a' (is it truncated?)",
                problem(GgufBytes.header(3, 0, 1).string("a").u32(4).zeros(3)));
    }

    @Test
    void alignmentMustBeAU32PowerOfTwo() {
        assertEquals("key 'general.alignment' is 48, which is not a power of two",
                problem(GgufBytes.header(3, 0, 1).keyU32("general.alignment", 48)));
        assertEquals("key 'general.alignment' must be a u32 but is i32 64",
                problem(GgufBytes.header(3, 0, 1).string("general.alignment").u32(5).u32(64)));
    }

    @Test
    void malformedTensorInfos() {
        assertEquals("tensor 'w' has 5 dimensions; ggml supports at most 4",
                problem(GgufBytes.header(3, 1, 0).tensor("w", new long[] {1, 1, 1, 1, 1}, F32, 0)));
        assertEquals("tensor 'w' has a negative size -3 in dimension 1",
                problem(GgufBytes.header(3, 1, 0).tensor("w", new long[] {2, -3}, F32, 0)));
        assertEquals("tensor 'w' has unknown ggml type id 4 (this build knows ids 0 to 42, without the removed ones "
                + "4, 5 and 31 to 33, 36 to 38)", problem(GgufBytes.header(3, 1, 0).tensor("w", new long[] {32}, 4, 0)));
        assertEquals("tensor 'w' of type q8_0 has rows of 33 elements, not a multiple of its block size 32",
                problem(GgufBytes.header(3, 1, 0).tensor("w", new long[] {33, 2}, Q8_0, 0)));
        assertEquals("tensor #0 has a name of 64 bytes ('wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww...'); ggml keeps at "
                + "most 63", problem(GgufBytes.header(3, 1, 0).tensor("w".repeat(64), new long[] {4}, F32, 0)));
        assertEquals("tensor name 'w' appears twice", problem(GgufBytes.header(3, 2, 0)
                .tensor("w", new long[] {8}, F32, 0).tensor("w", new long[] {8}, F32, 32).pad(32).zeros(64)));
        assertEquals("tensor 'v' claims to start at byte 16 of the data section, but GGUF stores tensors in order, each "
                + "padded to 32 bytes, so it must start at byte 32", problem(GgufBytes.header(3, 2, 0)
                .tensor("w", new long[] {4}, F32, 0).tensor("v", new long[] {4}, F32, 16).pad(32).zeros(64)));
        assertEquals("tensor 'w' with shape [9223372036854775807, 2] has too many elements to count in 63 bits",
                problem(GgufBytes.header(3, 1, 0).tensor("w", new long[] {Long.MAX_VALUE, 2}, F32, 0)));
    }

    @Test
    void tensorDataMustLieInsideTheFile() {
        GgufBytes header = GgufBytes.header(3, 1, 0).tensor("w", new long[] {8, 8}, F32, 0).pad(32);
        int dataStart = header.size();
        assertEquals("tensor 'w' needs 256 bytes from offset " + dataStart + " but the file ends at "
                + (dataStart + 100) + " (is it truncated?)", problem(header.zeros(100)));
        assertEquals("the data section should start at offset 64 but the file ends at 57 (is it truncated?)",
                problem(GgufBytes.header(3, 1, 0).tensor("w", new long[] {8}, F32, 0)));
    }

    /**
     * Why the Java walk exists: ggml's reader counts elements with a product that wraps around, so a tensor
     * of 2^32 x 2^32 floats passes as 0 bytes. llmgraph refuses it before ggml sees it.
     */
    @Test
    void aShapeWhoseElementCountWrapsIsRefusedThoughGgmlAloneAcceptsIt() {
        byte[] bytes = GgufBytes.header(3, 1, 0).tensor("w", new long[] {1L << 32, 1L << 32}, F32, 0).pad(32).bytes();
        assertEquals("tensor 'w' with shape [4294967296, 4294967296] has too many elements to count in 63 bits",
                problem(bytes));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(GgufApi.INIT_PARAMS);
            params.set(ValueLayout.JAVA_BOOLEAN, 0, true);
            MemorySegment data = arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes);
            MemorySegment ctx = GgufApi.gguf_init_from_buffer(data, bytes.length, params);
            assertFalse(Downcalls.isNull(ctx), "ggml's reader accepts the file");
            assertEquals(0, GgufApi.gguf_get_tensor_size(ctx, 0), "and sizes 2^64 floats at 0 bytes");
            GgufApi.gguf_free(ctx);
        }
    }
}
