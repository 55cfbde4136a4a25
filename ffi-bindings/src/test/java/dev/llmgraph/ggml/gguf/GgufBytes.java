package dev.llmgraph.ggml.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds GGUF bytes field by field (little-endian), so tests can write files no writer would produce. */
final class GgufBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Magic, version, tensor count and key count. */
    static GgufBytes header(long version, long tensors, long keys) {
        GgufBytes b = new GgufBytes();
        b.raw("GGUF".getBytes(StandardCharsets.US_ASCII)).u32(version).u64(tensors).u64(keys);
        return b;
    }

    GgufBytes raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    GgufBytes u8(int value) {
        out.write(value);
        return this;
    }

    GgufBytes u32(long value) {
        return little(value, 4);
    }

    GgufBytes u64(long value) {
        return little(value, 8);
    }

    GgufBytes string(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        return u64(utf8.length).raw(utf8);
    }

    /** A key with a u32 value. */
    GgufBytes keyU32(String key, long value) {
        return string(key).u32(GgufValueType.UINT32.id()).u32(value);
    }

    /** A tensor info: name, sizes, ggml type id, offset. */
    GgufBytes tensor(String name, long[] ne, int type, long offset) {
        string(name).u32(ne.length);
        for (long size : ne) {
            u64(size);
        }
        return u32(type).u64(offset);
    }

    /** Zero bytes up to a multiple of {@code alignment}. */
    GgufBytes pad(int alignment) {
        while (out.size() % alignment != 0) {
            out.write(0);
        }
        return this;
    }

    GgufBytes zeros(int count) {
        return raw(new byte[count]);
    }

    int size() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    Path writeTo(Path file) {
        try {
            return Files.write(file, bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private GgufBytes little(long value, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (value >>> (8 * i)) & 0xFF);
        }
        return this;
    }
}
