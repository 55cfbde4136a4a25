package dev.llmgraph.io.safetensors;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.IntToDoubleFunction;

/**
 * Builds safetensors files byte by byte for tests, independently of llmgraph's writer: the header is a
 * string put together here, the data little-endian values from {@link ByteBuffer}; F16 comes from Java's
 * {@link Float#floatToFloat16}, BF16 from the top half of the F32 bits (exact for the values tests use).
 */
final class HandWrittenSafetensors {
    private final StringBuilder header = new StringBuilder();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();

    HandWrittenSafetensors metadata(String json) {
        return entry("\"__metadata__\":" + json);
    }

    /** A tensor of {@code dtype} (F32, F16 or BF16) whose element i (row-major) is {@code values(i)}. */
    HandWrittenSafetensors tensor(String name, String dtype, long[] shape, IntToDoubleFunction values) {
        int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        int size = dtype.equals("F32") ? 4 : 2;
        ByteBuffer bytes = ByteBuffer.allocate(n * size).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            float v = (float) values.applyAsDouble(i);
            switch (dtype) {
                case "F32" -> bytes.putFloat(v);
                case "F16" -> bytes.putShort(Float.floatToFloat16(v));
                case "BF16" -> bytes.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
                default -> throw new IllegalArgumentException(dtype);
            }
        }
        return raw(name, dtype, shape, bytes.array());
    }

    HandWrittenSafetensors f32(String name, long[] shape, IntToDoubleFunction values) {
        return tensor(name, "F32", shape, values);
    }

    /** Any dtype and bytes, placed after the previous tensor. */
    HandWrittenSafetensors raw(String name, String dtype, long[] shape, byte[] bytes) {
        long begin = data.size();
        data.writeBytes(bytes);
        return entry("\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + Arrays.toString(shape).replace(" ", "")
                + ",\"data_offsets\":[" + begin + "," + data.size() + "]}");
    }

    private HandWrittenSafetensors entry(String json) {
        header.append(header.isEmpty() ? "" : ",").append(json);
        return this;
    }

    Path write(Path file) {
        return write(file, "{" + header + "}", data.toByteArray());
    }

    /** A file with this header text (its length as the 8-byte prefix) and these data bytes. */
    static Path write(Path file, String headerJson, byte[] data) {
        byte[] json = headerJson.getBytes(StandardCharsets.UTF_8);
        return writeWithLength(file, json.length, json, data);
    }

    /** A file whose 8-byte prefix says {@code headerLength}, whatever follows. */
    static Path writeWithLength(Path file, long headerLength, byte[] header, byte[] data) {
        ByteBuffer bytes = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(headerLength).put(header).put(data);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.write(file, bytes.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long[] shape(long... sizes) {
        return sizes;
    }
}
