package dev.llmgraph.ggml.gguf;

import dev.llmgraph.ggml.TypeConversion;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.ggml.internal.NativeLibraries;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file opened for reading: its metadata, its tensor descriptions, and its tensor data, which is
 * memory-mapped and copied straight into backend tensors by {@link #copyTo(String, Tensor)} (no copy on the
 * Java heap).
 *
 * <p>Opening checks the whole header, key-value section and tensor-info section with bounds-checked Java
 * code (see {@code GgufParser} for why ggml's reader is not trusted alone). A malformed file gives a
 * {@link GgufException} that names the file, the key or tensor and the problem. ggml's reader is the reference
 * the walk is tested against ({@code GgufFuzzTest} has it read every mutated file the walk accepts and compares
 * what both saw), not a second reading at every open: that reading cost a fresh JVM's first open of TinyLlama
 * 50-70 ms, most of it binding the {@code gguf_*} functions (bench/NOTES.md, "Load in a fresh JVM").
 *
 * <p>Metadata is read once, at open, and stays available after {@link #close()}; tensor data does not.
 * Typed getters accept any value that converts without loss: {@link #getLong(String)} takes every integer
 * type, {@link #getDouble(String)} both float types.
 */
public final class GgufFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment bytes;
    private final GgufParser.Header header;
    private final Map<String, GgufTensorInfo> tensorsByName = new LinkedHashMap<>();
    private volatile boolean closed;

    private GgufFile(Path path, Arena arena, MemorySegment bytes, GgufParser.Header header) {
        this.path = path;
        this.arena = arena;
        this.bytes = bytes;
        this.header = header;
        for (GgufTensorInfo info : header.tensors()) {
            tensorsByName.put(info.name(), info);
        }
    }

    /** Opens, maps and checks {@code path}. */
    public static GgufFile open(Path path) {
        NativeLibraries.ggml(); // fails here, with words, rather than in a class initialiser
        Path file = path.toAbsolutePath();
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            MemorySegment bytes = size == 0 ? arena.allocate(0) : channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            GgufParser.Header header = GgufParser.parse(file.toString(), bytes);
            return new GgufFile(file, arena, bytes, header);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new GgufException(file + ": no such file");
        } catch (IOException e) {
            arena.close();
            throw new GgufException(file + ": cannot be read (" + e + ")", e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** GGUF format version (2 or 3). */
    public int version() {
        return header.version();
    }

    /** Alignment of tensor data in bytes ({@code general.alignment}, 32 when absent). */
    public long alignment() {
        return header.alignment();
    }

    /** Position of the data section in the file; tensor offsets count from here. */
    public long dataSectionOffset() {
        return header.dataSectionOffset();
    }

    public long fileSize() {
        return bytes.byteSize();
    }

    // ---- metadata ----------------------------------------------------------------------------------------

    /** All key-value pairs in file order. */
    public Map<String, GgufValue> metadata() {
        return header.metadata();
    }

    public boolean has(String key) {
        return header.metadata().containsKey(key);
    }

    /** The value of {@code key}, whatever its type. */
    public GgufValue get(String key) {
        GgufValue value = header.metadata().get(key);
        if (value == null) {
            throw new GgufException(path + ": no metadata key '" + key + "'");
        }
        return value;
    }

    public GgufValueType typeOf(String key) {
        return get(key).type();
    }

    public String getString(String key) {
        return switch (get(key)) {
            case GgufValue.StringValue s -> s.value();
            case GgufValue other -> throw wrongType(key, other, "a string");
        };
    }

    /** Any integer value; a u64 above {@link Long#MAX_VALUE} is refused. */
    public long getLong(String key) {
        return switch (get(key)) {
            case GgufValue.IntegerValue v when v.type() == GgufValueType.UINT64 && v.value() < 0 ->
                    throw new GgufException(path + ": key '" + key + "' is " + v.describe() + ", too large for a long");
            case GgufValue.IntegerValue v -> v.value();
            case GgufValue other -> throw wrongType(key, other, "an integer");
        };
    }

    /** Any integer value that fits in an int. */
    public int getInt(String key) {
        long value = getLong(key);
        if (value != (int) value) {
            throw new GgufException(path + ": key '" + key + "' is " + get(key).describe() + ", too large for an int");
        }
        return (int) value;
    }

    /** An f32 or f64 value. */
    public double getDouble(String key) {
        return switch (get(key)) {
            case GgufValue.FloatValue v -> v.value();
            case GgufValue other -> throw wrongType(key, other, "a floating-point number");
        };
    }

    /** An f32 value (or an f64, rounded to float). */
    public float getFloat(String key) {
        return (float) getDouble(key);
    }

    public boolean getBool(String key) {
        return switch (get(key)) {
            case GgufValue.BoolValue v -> v.value();
            case GgufValue other -> throw wrongType(key, other, "a bool");
        };
    }

    public List<String> getStringArray(String key) {
        return switch (get(key)) {
            case GgufValue.StringArray a -> a.values();
            case GgufValue other -> throw wrongType(key, other, "an array of strings");
        };
    }

    /** An array of any integer type (u64 elements keep their bits). */
    public long[] getLongArray(String key) {
        return switch (get(key)) {
            case GgufValue.IntegerArray a -> a.values();
            case GgufValue other -> throw wrongType(key, other, "an array of integers");
        };
    }

    /** An array of integers that all fit in an int. */
    public int[] getIntArray(String key) {
        long[] values = getLongArray(key);
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] != (int) values[i] || get(key).elementType() == GgufValueType.UINT64 && values[i] < 0) {
                throw new GgufException(path + ": element " + i + " of key '" + key + "' is " + values[i]
                        + ", too large for an int");
            }
            out[i] = (int) values[i];
        }
        return out;
    }

    /** An array of f32 or f64. */
    public double[] getDoubleArray(String key) {
        return switch (get(key)) {
            case GgufValue.FloatArray a -> a.values();
            case GgufValue other -> throw wrongType(key, other, "an array of floating-point numbers");
        };
    }

    /** An array of f32 (or f64, rounded to float). */
    public float[] getFloatArray(String key) {
        double[] values = getDoubleArray(key);
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    public boolean[] getBoolArray(String key) {
        return switch (get(key)) {
            case GgufValue.BoolArray a -> a.values();
            case GgufValue other -> throw wrongType(key, other, "an array of bools");
        };
    }

    private GgufException wrongType(String key, GgufValue value, String wanted) {
        return new GgufException(path + ": key '" + key + "' is " + value.describe() + ", not " + wanted);
    }

    // ---- tensors -----------------------------------------------------------------------------------------

    /** Descriptions of all tensors, in file order. */
    public List<GgufTensorInfo> tensors() {
        return header.tensors();
    }

    public boolean hasTensor(String name) {
        return tensorsByName.containsKey(name);
    }

    public GgufTensorInfo tensor(String name) {
        GgufTensorInfo info = tensorsByName.get(name);
        if (info == null) {
            int count = tensorsByName.size();
            throw new GgufException(path + ": no tensor '" + name + "' (the file has " + (count == 0 ? "no tensors"
                    : count + (count == 1 ? " tensor" : " tensors") + ", e.g. '" + tensorsByName.keySet().iterator().next()
                    + "'") + ")");
        }
        return info;
    }

    /**
     * Copies the data of tensor {@code name} into {@code target}, which must have the same type and shape
     * (ggml order) and memory on a backend. The bytes go from the mapped file to the backend directly.
     */
    public void copyTo(String name, Tensor target) {
        ensureOpen();
        GgufTensorInfo info = tensor(name);
        if (target.type() != info.type() || !Arrays.equals(target.ne(), info.ne())) {
            throw new IllegalArgumentException(path + ": tensor '" + name + "' is " + info.type() + " "
                    + Arrays.toString(info.shape()) + " but the target " + target.describe() + " is not; create the "
                    + "target with the file's type and shape (ggml order)");
        }
        target.setRaw(bytes.asSlice(header.dataSectionOffset() + info.dataOffset(), info.byteSize()));
    }

    /**
     * Copies part of tensor {@code name} into {@code target}, starting {@code offset} elements into the tensor
     * (storage order, {@code ne[0]} fastest) and as many elements as {@code target} holds. Fused tensors are
     * split this way: llama.cpp's {@code attn_qkv} is the rows of q, k and v stacked, so q is the first rows,
     * k the next ones. The part must be whole rows of a matrix (the target's row length equal to the file's,
     * {@code offset} a multiple of it) or a run of whole blocks of a vector, and the types must be equal:
     * the bytes are copied as they are, quantized or not.
     */
    public void copyPartTo(String name, long offset, Tensor target) {
        ensureOpen();
        GgufTensorInfo info = tensor(name);
        long[] ne = info.ne();
        long count = target.elementCount();
        String problem = null;
        if (target.type() != info.type()) {
            problem = "its type is " + info.type() + " but the target is " + target.type();
        } else if (ne[2] != 1 || ne[3] != 1 || target.ne(2) != 1 || target.ne(3) != 1) {
            problem = "only parts of vectors and matrices can be copied";
        } else if (ne[1] > 1 && target.ne(0) != ne[0]) {
            problem = "its rows have " + ne[0] + " elements but the target's have " + target.ne(0);
        } else if (ne[1] == 1 && target.ne(1) != 1) {
            problem = "it is a vector but the target is a matrix";
        } else if (offset < 0 || offset > info.elementCount() - count) {
            problem = "elements " + offset + " to " + (offset + count - 1) + " are outside its " + info.elementCount();
        } else if (offset % (ne[1] > 1 ? ne[0] : info.type().blockSize()) != 0) {
            problem = "element " + offset + " does not start a " + (ne[1] > 1 ? "row" : info.type() + " block");
        }
        if (problem != null) {
            throw new IllegalArgumentException(path + ": cannot copy part of tensor '" + name + "' (" + info.type()
                    + " " + Arrays.toString(info.shape()) + ") into " + target.describe() + ": " + problem);
        }
        long start = offset / info.type().blockSize() * info.type().blockBytes();
        target.setRaw(rawData(name).asSlice(start, target.byteSize()));
    }

    /** All values of tensor {@code name} as floats (converted by ggml from F16, BF16 or a quantized type). */
    public float[] floats(String name) {
        ensureOpen();
        GgufTensorInfo info = tensor(name);
        if (!info.type().isFloat() && !info.type().isQuantized()) {
            throw new IllegalArgumentException(path + ": tensor '" + name + "' holds " + info.type()
                    + " integers, not floats");
        }
        if (info.elementCount() > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(path + ": tensor '" + name + "' has " + info.elementCount()
                    + " elements, more than a Java array holds; copy it into a backend tensor with copyTo");
        }
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment aligned = scratch.allocate(info.byteSize(), 64).copyFrom(rawData(name));
            return TypeConversion.toFloats(scratch, info.type(), aligned, info.elementCount())
                    .toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    /** The raw bytes of tensor {@code name} in the file, valid until {@link #close()}. */
    MemorySegment rawData(String name) {
        ensureOpen();
        GgufTensorInfo info = tensor(name);
        return bytes.asSlice(header.dataSectionOffset() + info.dataOffset(), info.byteSize());
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("GgufFile " + path + " already closed");
        }
    }

    /** Unmaps the file; metadata and tensor descriptions stay readable. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "GgufFile(" + path + ", v" + version() + ", " + metadata().size() + " keys, " + tensors().size()
                + " tensors)";
    }
}
