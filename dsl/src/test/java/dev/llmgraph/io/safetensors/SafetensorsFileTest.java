package dev.llmgraph.io.safetensors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static dev.llmgraph.io.safetensors.HandWrittenSafetensors.shape;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Headers of hand-built files: what a good one yields, and every malformed one refused with the file, the
 * tensor and the problem, word for word.
 */
class SafetensorsFileTest {
    @TempDir
    Path dir;

    private String refusal(Path file) {
        return assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(file).close()).getMessage();
    }

    @Test
    void goodHeader_entriesInOrderWithMetadata() {
        Path file = new HandWrittenSafetensors().metadata("{\"format\":\"pt\"}")
                .f32("b", shape(2, 3), i -> i)
                .tensor("a", "BF16", shape(4), i -> i)
                .raw("empty", "I64", shape(0, 5), new byte[0])
                .write(dir.resolve("m.safetensors"));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertEquals("[b, a, empty]", f.tensors().keySet().toString());
            SafetensorsFile.Entry b = f.entry("b"), a = f.entry("a");
            assertEquals(SafetensorsDtype.F32, b.dtype());
            assertArrayEquals(new long[] {2, 3}, b.shape());
            assertEquals(0, b.begin());
            assertEquals(24, b.end());
            assertEquals(SafetensorsDtype.BF16, a.dtype());
            assertEquals(24, a.begin());
            assertEquals(32, a.end());
            assertEquals(0, f.entry("empty").elements());
            assertNull(f.entry("c"));
        }
    }

    @Test
    void tooShortForTheLength() throws IOException {
        Path file = Files.write(dir.resolve("short.safetensors"), new byte[] {1, 2, 3, 4, 5});
        assertEquals(file + ": the file is 5 bytes long, too short for the 8-byte header length a safetensors file "
                + "starts with", refusal(file));
        Path empty = Files.write(dir.resolve("empty.safetensors"), new byte[0]);
        assertEquals(empty + ": the file is 0 bytes long, too short for the 8-byte header length a safetensors file "
                + "starts with", refusal(empty));
    }

    @Test
    void headerLengthPastTheEnd() {
        Path file = HandWrittenSafetensors.writeWithLength(dir.resolve("long.safetensors"), 1000, new byte[20],
                new byte[0]);
        assertEquals(file + ": the header length 1000 runs past the end of the file (20 bytes follow the 8-byte "
                + "length)", refusal(file));
        Path negative = HandWrittenSafetensors.writeWithLength(dir.resolve("neg.safetensors"), -2, new byte[4],
                new byte[0]);
        assertEquals(negative + ": the header length 18446744073709551614 runs past the end of the file (4 bytes "
                + "follow the 8-byte length)", refusal(negative));
    }

    @Test
    void truncatedFile_theLastTensorRunsPastTheEnd() throws IOException {
        Path file = new HandWrittenSafetensors().f32("w", shape(4, 4), i -> i).write(dir.resolve("cut.safetensors"));
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 10));
        assertEquals(file + ": tensor 'w': data_offsets [0, 64] run past the end of the data (54 bytes follow the "
                + "header)", refusal(file));
    }

    @Test
    void malformedJson() {
        Path file = HandWrittenSafetensors.write(dir.resolve("bad.safetensors"), "{\"w\":{\"dtype\":\"F32\",", new byte[0]);
        assertEquals(file + ": the header is not valid JSON: Unexpected end-of-input within/between Object "
                + "entries at line 1, column 21", refusal(file));
        Path duplicate = HandWrittenSafetensors.write(dir.resolve("dup.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},\"w\":{}}", new byte[4]);
        assertEquals(duplicate + ": the header is not valid JSON: Duplicate field 'w' at line 1, column 57",
                refusal(duplicate));
        Path array = HandWrittenSafetensors.write(dir.resolve("array.safetensors"), "[1, 2]", new byte[0]);
        assertEquals(array + ": the header holds a JSON array, not an object of tensors", refusal(array));
    }

    @Test
    void entryProblems_nameTheTensor() {
        String[][] cases = {
                {"{\"w\":{\"dtype\":\"F17\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                        "tensor 'w': dtype 'F17' is not a safetensors dtype (BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, "
                                + "F16, BF16, I32, U32, F32, F64, I64, U64)"},
                {"{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", "tensor 'w': dtype is missing"},
                {"{\"w\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", "tensor 'w': dtype = 32 must be a string"},
                {"{\"w\":{\"dtype\":\"F32\",\"shape\":[2,-1],\"data_offsets\":[0,4]}}",
                        "tensor 'w': shape = [2,-1] must be an array of whole numbers >= 0"},
                {"{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", "tensor 'w': data_offsets is missing"},
                {"{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}",
                        "tensor 'w': data_offsets = [4,0] must be [begin, end] with 0 <= begin <= end"},
                {"{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}",
                        "tensor 'w': shape [2, 2] of F32 needs 16 bytes but data_offsets [0, 12] hold 12"},
                {"{\"w\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[0,32]}}",
                        "tensor 'w': data_offsets [0, 32] run past the end of the data (16 bytes follow the header)"},
                {"{\"w\":\"F32\"}", "tensor 'w': the entry = \"F32\" must be an object with dtype, shape and "
                        + "data_offsets"},
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
                        + "\"b\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[8,12]}}",
                        "tensor 'b': data_offsets [8, 12] overlap those of tensor 'a' [0, 12]"},
                {"{\"__metadata__\":{\"format\":1}}", "__metadata__ = {\"format\":1} must map names to strings"},
        };
        for (int i = 0; i < cases.length; i++) {
            Path file = HandWrittenSafetensors.write(dir.resolve("case" + i + ".safetensors"), cases[i][0], new byte[16]);
            assertEquals(file + ": " + cases[i][1], refusal(file), cases[i][0]);
        }
    }
}
