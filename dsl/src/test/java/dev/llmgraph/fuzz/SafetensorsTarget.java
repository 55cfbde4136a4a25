package dev.llmgraph.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.io.hf.HfConfig;
import dev.llmgraph.io.hf.HfModelType;
import dev.llmgraph.io.safetensors.SafetensorsException;
import dev.llmgraph.io.safetensors.SafetensorsExport;
import dev.llmgraph.io.safetensors.SafetensorsWeights;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Mutated safetensors checkpoints of a one-layer llama, loaded as a person would: opened as llama weights
 * and made into a model. Seeds: llmgraph's own export in F32, F16 and BF16. A case applies one to three
 * mutations to the header's JSON (a dtype, a shape, data_offsets, a removed, renamed or added tensor, the
 * metadata) and then, in one case out of three, one to the bytes (the header length, a truncation, a flipped
 * byte, bytes inside the header).
 */
final class SafetensorsTarget implements FuzzTarget {
    static final ModelSpec SPEC = Transformer.causalDecoder("fuzz-llama").vocabSize(16).dModel(8).layers(1)
            .contextLength(8).attention(Attention.grouped(2, 1)).positional(Positional.rope(10_000))
            .norm(Norm.rms(1e-6), NormPlacement.PRE).ffn(Ffn.swiglu(16)).build();
    private static final String[] DTYPES = {"F32", "F16", "BF16", "F64", "I8", "U8", "I32", "I64", "BOOL",
            "F8_E4M3", "Q4_0", "f32", "", "F32 "};

    private final List<byte[]> seeds = new ArrayList<>();

    SafetensorsTarget(Path work) throws Exception {
        try (Model model = Model.random(SPEC, 7)) {
            for (GgmlType type : List.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16)) {
                Path dir = work.resolve("safetensors-seed-" + type);
                List<Path> files = SafetensorsExport.write(model, dir, type, SafetensorsExport.DEFAULT_MAX_SHARD_BYTES);
                seeds.add(Files.readAllBytes(files.stream().filter(f -> f.toString().endsWith(".safetensors"))
                        .findFirst().orElseThrow()));
            }
        }
    }

    @Override
    public boolean isOwnRefusal(Throwable refusal) {
        return refusal instanceof SafetensorsException;
    }

    @Override
    public void run(long seed, int id, Path work, StringBuilder what) throws Exception {
        SplittableRandom r = new SplittableRandom(seed * 1_000_003 + id);
        byte[] original = seeds.get(id % seeds.size());
        long headerLength = ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        ObjectNode header = (ObjectNode) HfConfig.JSON.readTree(Arrays.copyOfRange(original, 8, 8 + (int) headerLength));
        int edits = r.nextInt(1, 4);
        for (int i = 0; i < edits; i++) {
            mutateHeader(header, r, what);
        }
        byte[] json = HfConfig.JSON.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                .writeValueAsBytes(header);
        byte[] data = Arrays.copyOfRange(original, 8 + (int) headerLength, original.length);
        byte[] file = assemble(json.length, json, data);
        if (r.nextInt(3) == 0) {
            file = mutateBytes(file, json.length, r, what);
        }
        Path path = work.resolve("case-" + Thread.currentThread().threadId() + ".safetensors");
        Files.write(path, file);
        try (SafetensorsWeights weights = SafetensorsWeights.open(path, HfModelType.LLAMA);
             Model model = Model.create(SPEC, weights, ModelOptions.cpu().withThreads(1))) {
            model.weightBytes();
        }
    }

    private static byte[] assemble(long length, byte[] json, byte[] data) {
        return ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(length).put(json).put(data).array();
    }

    private static void mutateHeader(ObjectNode header, SplittableRandom r, StringBuilder what) {
        List<String> names = new ArrayList<>();
        header.fieldNames().forEachRemaining(names::add);
        String name = names.get(r.nextInt(names.size()));
        JsonNode node = header.get(name);
        ObjectNode entry = node instanceof ObjectNode o && !name.equals("__metadata__") ? o : null;
        int kind = r.nextInt(entry == null ? 3 : 12);
        what.append(what.isEmpty() ? "" : "; ");
        switch (kind) {
            case 0 -> { header.remove(name); what.append("removed ").append(name); }
            case 1 -> { header.set(name + "x", header.remove(name)); what.append("renamed ").append(name); }
            case 2 -> {
                JsonNode v = r.nextBoolean() ? EdgeValues.aJsonValue(r) : node;
                header.set(r.nextBoolean() ? "__metadata__" : "extra." + r.nextInt(100), v);
                what.append("added a key = ").append(v);
            }
            case 3 -> {
                String dtype = DTYPES[r.nextInt(DTYPES.length)];
                entry.put("dtype", dtype);
                what.append(name).append(" dtype ").append(dtype);
            }
            case 4 -> {
                JsonNode v = EdgeValues.aJsonValue(r);
                entry.set(r.nextBoolean() ? "dtype" : "shape", v);
                what.append(name).append(" dtype or shape = ").append(v);
            }
            case 5, 6 -> {
                ArrayNode shape = arrayField(entry, "shape");
                if (shape.isEmpty() || r.nextInt(4) == 0) {
                    shape.add(EdgeValues.aJsonValue(r));
                } else if (r.nextInt(3) == 0) {
                    shape.remove(r.nextInt(shape.size()));
                } else {
                    shape.set(r.nextInt(shape.size()), EdgeValues.aJsonValue(r));
                }
                what.append(name).append(" shape ").append(shape);
            }
            case 7, 8, 9 -> {
                ArrayNode offsets = arrayField(entry, "data_offsets");
                int at = offsets.isEmpty() ? 0 : r.nextInt(offsets.size());
                JsonNode v = r.nextBoolean() ? EdgeValues.aJsonValue(r)
                        : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.numberNode(
                                Math.max(0, offsets.path(at).asLong() + r.nextInt(-9, 10)));
                if (offsets.isEmpty()) {
                    offsets.add(v);
                } else {
                    offsets.set(at, v);
                }
                what.append(name).append(" data_offsets ").append(offsets);
            }
            case 10 -> { entry.remove(List.of("dtype", "shape", "data_offsets").get(r.nextInt(3)));
                what.append(name).append(" lost a field"); }
            default -> {
                ArrayNode shape = arrayField(entry, "shape");
                long big = 1L << r.nextInt(20, 62);
                shape.removeAll().add(big).add(big);
                what.append(name).append(" shape ").append(shape).append(" (huge)");
            }
        }
    }

    /** The array {@code field} of {@code entry}, made an empty one when an earlier mutation put something else there. */
    private static ArrayNode arrayField(ObjectNode entry, String field) {
        if (!(entry.get(field) instanceof ArrayNode)) {
            entry.putArray(field);
        }
        return (ArrayNode) entry.get(field);
    }

    private static byte[] mutateBytes(byte[] file, int headerLength, SplittableRandom r, StringBuilder what) {
        byte[] out = file;
        switch (r.nextInt(5)) {
            case 0 -> {
                long length = switch (r.nextInt(4)) {
                    case 0 -> headerLength + r.nextInt(-16, 17);
                    case 1 -> -r.nextLong(1, Long.MAX_VALUE);
                    case 2 -> 1L << r.nextInt(24, 63);
                    default -> r.nextLong(0, file.length);
                };
                ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
                what.append("; header length ").append(length);
            }
            case 1 -> {
                int keep = r.nextInt(0, file.length);
                out = Arrays.copyOf(file, keep);
                what.append("; truncated to ").append(keep).append(" bytes");
            }
            case 2 -> {
                int at = 8 + r.nextInt(headerLength);
                out[at] = (byte) r.nextInt(256);
                what.append("; byte ").append(at).append(" = ").append(out[at] & 0xff);
            }
            case 3 -> {
                int at = 8 + r.nextInt(headerLength);
                byte[] inserted = "{\"a\":[[[[".getBytes(StandardCharsets.UTF_8);
                out = new byte[file.length + inserted.length];
                System.arraycopy(file, 0, out, 0, at);
                System.arraycopy(inserted, 0, out, at, inserted.length);
                System.arraycopy(file, at, out, at + inserted.length, file.length - at);
                ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(0, headerLength + inserted.length);
                what.append("; bytes inserted at ").append(at);
            }
            default -> {
                int at = 8 + headerLength + r.nextInt(Math.max(1, file.length - 8 - headerLength));
                if (at < out.length) {
                    out[at] ^= (byte) 0xff;
                }
                what.append("; data byte ").append(at).append(" flipped");
            }
        }
        return out;
    }
}
