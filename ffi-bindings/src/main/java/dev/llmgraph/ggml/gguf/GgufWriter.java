package dev.llmgraph.ggml.gguf;

import dev.llmgraph.ggml.TypeConversion;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.internal.NativeLibraries;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Collects metadata and tensors and writes them as a GGUF (version 3) file that {@link GgufFile} and
 * llama.cpp read.
 *
 * <p>Tensors are remembered, not copied: a backend {@link Tensor} is read (in its own type) when
 * {@link #write(Path)} runs, float arrays are converted then (to F32, F16, BF16 or a quantized type such as
 * Q8_0 or Q4_0, by ggml's own routines), and tensors of another {@link GgufFile} are streamed from its
 * mapping. Only one tensor's bytes are in native memory at a time, never on the Java heap, so writing a
 * large model needs little more memory than its biggest tensor.
 *
 * <p>Keys keep the order of their first {@code put}; putting a key again replaces its value in place.
 * The file is written next to its destination and moved into place once complete.
 */
public final class GgufWriter {
    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final Map<String, Source> tensors = new LinkedHashMap<>();

    /** Where a tensor's bytes come from when the file is written. */
    private sealed interface Source {
        GgmlType type();
        long[] ne();
    }

    private record FromTensor(Tensor tensor, GgmlType type, long[] ne) implements Source {}
    private record FromFloats(Supplier<float[]> values, GgmlType type, long[] ne) implements Source {}
    private record FromFile(GgufFile file, String name, GgmlType type, long[] ne) implements Source {}
    private record FromStacked(List<Tensor> parts, GgmlType type, long[] ne) implements Source {}

    // ---- metadata ----------------------------------------------------------------------------------------

    /** Sets {@code key} to {@code value}; see {@link GgufValue} for every type (u8 to f64, bool, str, arrays). */
    public GgufWriter put(String key, GgufValue value) {
        checkKey(key);
        if (value == null) {
            throw new IllegalArgumentException("key '" + key + "': a GGUF value cannot be null");
        }
        if (key.equals(GgufParser.ALIGNMENT_KEY) && !(value instanceof GgufValue.IntegerValue v
                && v.type() == GgufValueType.UINT32 && v.value() > 0 && Long.bitCount(v.value()) == 1)) {
            throw new IllegalArgumentException("key '" + GgufParser.ALIGNMENT_KEY + "' must be a u32 power of two, "
                    + "not " + value.describe());
        }
        metadata.put(key, value);
        return this;
    }

    /** Copies every key of {@code values}, e.g. {@code GgufFile.metadata()}. */
    public GgufWriter putAll(Map<String, GgufValue> values) {
        values.forEach(this::put);
        return this;
    }

    public GgufWriter putString(String key, String value) {
        return put(key, GgufValue.string(value));
    }

    public GgufWriter putUint32(String key, long value) {
        return put(key, GgufValue.uint32(value));
    }

    public GgufWriter putInt32(String key, int value) {
        return put(key, GgufValue.int32(value));
    }

    public GgufWriter putUint64(String key, long value) {
        return put(key, GgufValue.uint64(value));
    }

    public GgufWriter putInt64(String key, long value) {
        return put(key, GgufValue.int64(value));
    }

    public GgufWriter putFloat32(String key, float value) {
        return put(key, GgufValue.float32(value));
    }

    public GgufWriter putFloat64(String key, double value) {
        return put(key, GgufValue.float64(value));
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, GgufValue.bool(value));
    }

    public GgufWriter putStrings(String key, List<String> values) {
        return put(key, GgufValue.strings(values));
    }

    /** Alignment of tensor data ({@code general.alignment}); 32 when not set. */
    public GgufWriter alignment(int bytes) {
        return put(GgufParser.ALIGNMENT_KEY, GgufValue.uint32(bytes));
    }

    /** The metadata collected so far, in order. */
    public Map<String, GgufValue> metadata() {
        return java.util.Collections.unmodifiableMap(metadata);
    }

    // ---- tensors -----------------------------------------------------------------------------------------

    /** Adds {@code tensor} under its own name; its bytes are read from its backend when the file is written. */
    public GgufWriter addTensor(Tensor tensor) {
        return addTensor(tensor.name(), tensor);
    }

    /** Adds {@code tensor} under {@code name}, in the tensor's own type and shape. */
    public GgufWriter addTensor(String name, Tensor tensor) {
        if (!tensor.isContiguous()) {
            throw new IllegalArgumentException("tensor '" + name + "': " + tensor.describe() + " is a non-contiguous "
                    + "view; copy it with cont() first");
        }
        return add(name, new FromTensor(tensor, tensor.type(), tensor.ne()));
    }

    /**
     * Adds the tensors {@code parts} stacked into one, in their own (common) type: matrices with the same row
     * length become one matrix with their rows in order, vectors one longer vector. This is how llama.cpp
     * stores fused projections, e.g. {@code attn_qkv} = the rows of q, then k, then v. The bytes are
     * concatenated as they are, so quantized parts keep their exact blocks.
     */
    public GgufWriter addTensor(String name, List<Tensor> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("tensor '" + name + "': nothing to stack");
        }
        Tensor first = parts.getFirst();
        boolean vectors = first.rank() == 1;
        long stacked = 0;
        for (Tensor part : parts) {
            String problem = !part.isContiguous() ? "is a non-contiguous view; copy it with cont() first"
                    : part.type() != first.type()
                            ? "is " + part.type() + ", not " + first.type() + " like the first part"
                    : part.rank() > 2 ? "has more than 2 dimensions"
                    : vectors && part.rank() != 1 ? "is not a vector like the first part"
                    : !vectors && part.ne(0) != first.ne(0) ? "has rows of " + part.ne(0) + " elements, not "
                            + first.ne(0) + " like the first part"
                    : null;
            if (problem != null) {
                throw new IllegalArgumentException("tensor '" + name + "': part " + part.describe() + " " + problem);
            }
            stacked += vectors ? part.ne(0) : part.ne(1);
        }
        long[] ne = vectors ? new long[] {stacked, 1, 1, 1} : new long[] {first.ne(0), stacked, 1, 1};
        return add(name, new FromStacked(List.copyOf(parts), first.type(), ne));
    }

    /** Adds F32 values with sizes {@code shape} in ggml order ({@code shape[0]} is the row length). */
    public GgufWriter addTensor(String name, float[] values, long... shape) {
        return addTensor(name, GgmlType.F32, values, shape);
    }

    /**
     * Adds float values stored as {@code type}: F32, F16, BF16, or a quantized type that needs no importance
     * matrix (Q8_0, Q4_0, Q4_K, ...), whose block size must divide {@code shape[0]}.
     */
    public GgufWriter addTensor(String name, GgmlType type, float[] values, long... shape) {
        long[] ne = checkedFloatTarget(name, type, shape);
        requireCount(name, shape, ne, values.length);
        return add(name, new FromFloats(() -> values, type, ne));
    }

    /**
     * As {@link #addTensor(String, GgmlType, float[], long...)}, with the values asked for only when the file is
     * written, one tensor at a time: a model's weights never need to be on the Java heap all at once.
     */
    public GgufWriter addTensor(String name, GgmlType type, Supplier<float[]> values, long... shape) {
        return add(name, new FromFloats(values, type, checkedFloatTarget(name, type, shape)));
    }

    /** The sizes of a tensor of float values to be stored as {@code type}, checked. */
    private static long[] checkedFloatTarget(String name, GgmlType type, long... shape) {
        NativeLibraries.ggml(); // quantization is ggml's; fail here, with words, if it is missing
        long[] ne = checkedShape(name, shape);
        if (!type.isFloat() && !type.isQuantized()) {
            throw new IllegalArgumentException("tensor '" + name + "': float values cannot be stored as " + type
                    + "; use f32, f16, bf16 or a quantized type");
        }
        try {
            TypeConversion.requireEncodable(type);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tensor '" + name + "': " + e.getMessage(), e);
        }
        if (ne[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "': " + type + " stores rows in blocks of "
                    + type.blockSize() + " elements, so a row length of " + ne[0] + " is not possible");
        }
        return ne;
    }

    private static void requireCount(String name, long[] shape, long[] ne, int given) {
        long count;
        try {
            count = Math.multiplyExact(Math.multiplyExact(ne[0], ne[1]), Math.multiplyExact(ne[2], ne[3]));
        } catch (ArithmeticException e) {
            count = -1; // more than any array holds
        }
        if (given != count) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " holds "
                    + (count < 0 ? "more than 2^63" : count) + " values but " + given + " were given");
        }
    }

    /** Adds tensor {@code name} of {@code file} unchanged; {@code file} must stay open until {@link #write}. */
    public GgufWriter copyTensor(GgufFile file, String name) {
        GgufTensorInfo info = file.tensor(name);
        return add(name, new FromFile(file, name, info.type(), info.ne()));
    }

    private GgufWriter add(String name, Source source) {
        checkTensorName(name);
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("tensor '" + name + "' was already added; tensor names in a GGUF file "
                    + "must be unique");
        }
        tensors.put(name, source);
        return this;
    }

    // ---- writing -----------------------------------------------------------------------------------------

    /** Refuses, in words, a path in a folder that does not exist or one that names a folder. */
    private static void requireWritablePlace(Path target) {
        if (Files.isDirectory(target)) {
            throw new GgufException(target + ": cannot be written: it is a folder; name a file inside it, such as "
                    + target.resolve("model.gguf"));
        }
        Path folder = target.getParent();
        if (folder != null && !Files.isDirectory(folder)) {
            throw new GgufException(target + ": cannot be written: the folder " + folder + " does not exist; create "
                    + "it first (mkdir -p, or Files.createDirectories)");
        }
    }

    /** Writes the file (replacing any file at {@code path}) and returns its size in bytes. */
    public long write(Path path) {
        long alignment = metadata.get(GgufParser.ALIGNMENT_KEY) instanceof GgufValue.IntegerValue v ? v.value()
                : GgufParser.DEFAULT_ALIGNMENT;
        List<GgufEncoder.TensorEntry> entries = new ArrayList<>();
        tensors.forEach((name, source) -> entries.add(new GgufEncoder.TensorEntry(name, source.type(), source.ne(),
                byteSize(source))));
        byte[] header = GgufEncoder.header(metadata, entries, alignment);

        Path target = path.toAbsolutePath();
        requireWritablePlace(target);
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        try {
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(channel, ByteBuffer.wrap(header));
                for (GgufEncoder.TensorEntry entry : entries) {
                    writeTensor(channel, entry, tensors.get(entry.name()));
                    writeFully(channel, ByteBuffer.allocate((int) GgufEncoder.padding(entry.byteSize(), alignment)));
                }
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return Files.size(target);
        } catch (IOException e) {
            throw new GgufException(target + ": cannot be written (" + e + ")", e);
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // the move succeeded or the write already reported its own failure
            }
        }
    }

    private static long byteSize(Source source) {
        long[] ne = source.ne();
        return ne[1] * ne[2] * ne[3] * source.type().rowBytes(ne[0]);
    }

    private static void writeTensor(FileChannel channel, GgufEncoder.TensorEntry entry, Source source) throws IOException {
        switch (source) {
            case FromFile f -> writeFully(channel, f.file().rawData(f.name()).asByteBuffer());
            case FromTensor t -> {
                if (!Arrays.equals(t.tensor().ne(), t.ne()) || t.tensor().type() != t.type()) {
                    throw new IllegalStateException("tensor '" + entry.name() + "' changed type or shape since it was "
                            + "added: now " + t.tensor().describe());
                }
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment bytes = arena.allocate(entry.byteSize(), 64);
                    t.tensor().getRaw(bytes);
                    writeFully(channel, bytes.asByteBuffer());
                }
            }
            case FromStacked s -> {
                for (Tensor part : s.parts()) {
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment bytes = arena.allocate(part.byteSize(), 64);
                        part.getRaw(bytes);
                        writeFully(channel, bytes.asByteBuffer());
                    }
                }
            }
            case FromFloats f -> {
                float[] values = f.values().get();
                requireCount(entry.name(), f.ne(), f.ne(), values.length);
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment floats = arena.allocateFrom(ValueLayout.JAVA_FLOAT, values);
                    long rowLength = f.ne()[0];
                    MemorySegment bytes = TypeConversion.fromFloats(arena, f.type(), floats, rowLength,
                            values.length / rowLength);
                    writeFully(channel, bytes.asByteBuffer());
                }
            }
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    // ---- checks ------------------------------------------------------------------------------------------

    private static void checkKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("a GGUF key cannot be empty");
        }
        if (key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("GGUF key '" + key.replace('\0', '?') + "' contains a NUL character, "
                    + "which C readers cannot look up");
        }
    }

    private static void checkTensorName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a tensor in a GGUF file needs a name; name it with Tensor.name(...) "
                    + "or pass one to addTensor");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > GgufParser.MAX_NAME_BYTES || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("tensor name '" + name.replace('\0', '?') + "' is not possible: ggml "
                    + "keeps names of at most " + GgufParser.MAX_NAME_BYTES + " bytes without NUL characters");
        }
    }

    private static long[] checkedShape(String name, long[] shape) {
        if (shape.length < 1 || shape.length > GgufParser.MAX_DIMS) {
            throw new IllegalArgumentException("tensor '" + name + "': a shape has 1 to 4 sizes (ggml order), got "
                    + Arrays.toString(shape));
        }
        long[] ne = {1, 1, 1, 1};
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 1) {
                throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                        + " has a size below 1");
            }
            ne[d] = shape[d];
        }
        return ne;
    }
}
