package dev.llmgraph.io.safetensors;

import dev.llmgraph.io.hf.HfConfig;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.ggml.MappedFile;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Writes one safetensors file: the header, then each tensor's bytes, which the caller's fill writes into the
 * mapped file. Tensors are laid out by element size, largest first (as the safetensors library does), and
 * the header is padded with spaces to a multiple of 8 bytes, so every tensor starts aligned to its element.
 */
final class SafetensorsWriter {
    /** Fills a tensor's bytes, which start at byte {@code offset} of {@code file}. */
    interface Fill {
        void into(MappedFile file, long offset);
    }

    /** One tensor to write. */
    record Planned(String name, SafetensorsDtype dtype, long[] shape, Fill fill) {
        long bytes() {
            return Arrays.stream(shape).reduce(dtype.bytes(), Math::multiplyExact);
        }
    }

    private SafetensorsWriter() {}

    /** Writes {@code tensors} to {@code path}; returns the bytes of tensor data. */
    static long write(Path path, Map<String, String> metadata, List<Planned> tensors) {
        List<Planned> ordered = tensors.stream()
                .sorted(Comparator.comparingInt((Planned p) -> p.dtype().bytes()).reversed()).toList();
        ObjectNode header = HfConfig.JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long[] begins = new long[ordered.size()];
        long offset = 0;
        for (int i = 0; i < ordered.size(); i++) {
            Planned p = ordered.get(i);
            ObjectNode entry = header.putObject(p.name());
            entry.put("dtype", p.dtype().name());
            ArrayNode shape = entry.putArray("shape");
            Arrays.stream(p.shape()).forEach(shape::add);
            begins[i] = offset;
            offset += p.bytes();
            entry.putArray("data_offsets").add(begins[i]).add(offset);
        }
        byte[] json = compact(header);
        byte[] padded = new byte[(json.length + 7) / 8 * 8];
        Arrays.fill(padded, (byte) ' ');
        System.arraycopy(json, 0, padded, 0, json.length);
        long dataStart = 8L + padded.length;
        try (MappedFile file = MappedFile.create(path, dataStart + offset)) {
            file.putLongLittleEndian(0, padded.length);
            file.putBytes(8, padded);
            for (int i = 0; i < ordered.size(); i++) {
                ordered.get(i).fill().into(file, dataStart + begins[i]);
            }
        }
        return offset;
    }

    private static byte[] compact(ObjectNode header) {
        try {
            return HfConfig.JSON.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(header)
                    .getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Jackson could not print a header it built", e);
        }
    }
}
