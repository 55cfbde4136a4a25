package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.BackendApi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file mapped into memory, so that tensor data moves between the file and backend tensors without
 * passing through the Java heap. Parsing a format (safetensors, ...) is the caller's business; this class
 * moves bytes and converts element types.
 *
 * <p>The paths data takes:
 * <pre>
 *  file type == tensor type   ggml_backend_tensor_set / _get straight from / into the mapping, one call per
 *                             run of contiguous blocks (no copy at all on the host side)
 *  file type != tensor type   gather into native scratch memory, convert file type -> F32 -> tensor type
 *                             with ggml's own row routines (fp16, bf16, quantization), one tensor_set;
 *                             writing runs the same steps backwards
 *  {@link FileRegion.Transposed}   gather the columns into native scratch, convert to F32, transpose, convert
 *                             to the target type
 * </pre>
 * File element types are F32, F16 and BF16, stored little-endian (the byte order of every platform ggml
 * runs on). Close the file to unmap it; a file created for writing is flushed to disk first.
 */
public final class MappedFile implements AutoCloseable {
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment bytes;
    private final boolean writable;
    private boolean closed;

    private MappedFile(Path path, Arena arena, MemorySegment bytes, boolean writable) {
        this.path = path;
        this.arena = arena;
        this.bytes = bytes;
        this.writable = writable;
    }

    /** Maps {@code path} read-only. */
    public static MappedFile openForReading(Path path) {
        // A shared arena: a weight source may be opened on one thread and read on another (a notebook).
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return new MappedFile(path, arena, channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena), false);
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException(path + ": cannot read the file (" + e + ")", e);
        }
    }

    /** Creates (or truncates) {@code path} with {@code size} bytes and maps it for writing. */
    public static MappedFile create(Path path, long size) {
        if (size < 0) {
            throw new IllegalArgumentException(path + ": a file cannot have " + size + " bytes");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return new MappedFile(path, arena, channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena), true);
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException(path + ": cannot create the file (" + e + ")", e);
        }
    }

    public Path path() {
        return path;
    }

    public long byteSize() {
        return bytes.byteSize();
    }

    /** A copy of {@code length} bytes at {@code offset}, for small metadata such as a header. */
    public byte[] bytes(long offset, int length) {
        ensureOpen();
        checkRange(offset, length);
        return bytes.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
    }

    /** The 8-byte little-endian integer at {@code offset}. */
    public long longLittleEndian(long offset) {
        ensureOpen();
        checkRange(offset, 8);
        return bytes.get(LONG_LE, offset);
    }

    /** Writes {@code data} at {@code offset}. */
    public void putBytes(long offset, byte[] data) {
        ensureWritable();
        checkRange(offset, data.length);
        MemorySegment.copy(MemorySegment.ofArray(data), 0, bytes, offset, data.length);
    }

    /** Writes the 8-byte little-endian integer {@code value} at {@code offset}. */
    public void putLongLittleEndian(long offset, long value) {
        ensureWritable();
        checkRange(offset, 8);
        bytes.set(LONG_LE, offset, value);
    }

    // ---- file -> tensor ----------------------------------------------------------------------------------

    /** Fills {@code target} from the file, whose elements are of {@code fileType} and lie as {@code region} says. */
    public void copyTo(Tensor target, GgmlType fileType, FileRegion region) {
        ensureOpen();
        requireTransferable(target, fileType, false);
        if (target.elementCount() == 0) {
            return;
        }
        switch (region) {
            case FileRegion.Blocks blocks -> readBlocks(target, fileType, blocks);
            case FileRegion.Transposed transposed -> readTransposed(target, fileType, transposed);
        }
    }

    private void readBlocks(Tensor target, GgmlType fileType, FileRegion.Blocks blocks) {
        long elementBytes = fileType.blockBytes();
        checkBlocks(target, blocks, elementBytes);
        if (!blocks.complete()) {
            throw new IllegalArgumentException(path + ": " + blocks + " leave blocks of tensor " + target.describe()
                    + " to other regions; a read fills the whole tensor, so give every block's offset");
        }
        if (fileType == target.type()) {
            forEachRun(blocks, elementBytes, (fileOffset, tensorOffset, length) ->
                    BackendApi.ggml_backend_tensor_set(target.pointer(), bytes.asSlice(fileOffset, length), tensorOffset,
                            length));
            return;
        }
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment gathered = scratch.allocate(target.elementCount() * elementBytes, 64);
            forEachRun(blocks, elementBytes, (fileOffset, position, length) ->
                    MemorySegment.copy(bytes, fileOffset, gathered, position, length));
            MemorySegment floats = TypeConversion.toFloats(scratch, fileType, gathered, target.elementCount());
            setFloats(target, floats, scratch);
        }
    }

    private void readTransposed(Tensor target, GgmlType fileType, FileRegion.Transposed region) {
        long rows = target.ne(0), columns = target.ne(1), elementBytes = fileType.blockBytes();
        checkTransposed(target, region, elementBytes);
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment picked = scratch.allocate(rows * columns * elementBytes, 64);
            for (long i = 0; i < rows; i++) {
                MemorySegment.copy(bytes, region.offset() + (i * region.rowElements() + region.firstColumn()) * elementBytes,
                        picked, i * columns * elementBytes, columns * elementBytes);
            }
            MemorySegment floats = TypeConversion.toFloats(scratch, fileType, picked, rows * columns);
            setFloats(target, transpose(scratch, floats, rows, columns), scratch);
        }
    }

    private static void setFloats(Tensor target, MemorySegment floats, Arena scratch) {
        long rowLength = target.ne(0);
        MemorySegment encoded = TypeConversion.fromFloats(scratch, target.type(), floats, rowLength,
                target.elementCount() / rowLength);
        BackendApi.ggml_backend_tensor_set(target.pointer(), encoded, 0, target.byteSize());
    }

    // ---- tensor -> file ----------------------------------------------------------------------------------

    /** Writes {@code source}'s elements into the file as {@code fileType}, laid out as {@code region} says. */
    public void copyFrom(Tensor source, GgmlType fileType, FileRegion region) {
        ensureWritable();
        requireTransferable(source, fileType, true);
        if (source.elementCount() == 0) {
            return;
        }
        switch (region) {
            case FileRegion.Blocks blocks -> writeBlocks(source, fileType, blocks);
            case FileRegion.Transposed transposed -> writeTransposed(source, fileType, transposed);
        }
    }

    private void writeBlocks(Tensor source, GgmlType fileType, FileRegion.Blocks blocks) {
        long elementBytes = fileType.blockBytes();
        checkBlocks(source, blocks, elementBytes);
        if (fileType == source.type()) {
            forEachRun(blocks, elementBytes, (fileOffset, tensorOffset, length) ->
                    BackendApi.ggml_backend_tensor_get(source.pointer(), bytes.asSlice(fileOffset, length), tensorOffset,
                            length));
            return;
        }
        try (Arena scratch = Arena.ofConfined()) {
            writeFloats(scratch, floatsOf(source, scratch), source.elementCount(), fileType, blocks);
        }
    }

    /**
     * Writes {@code values}, a weight's elements in ggml order computed in Java rather than held by a tensor, into the
     * file as {@code fileType} (f32, f16 or bf16), laid out as {@code blocks} says.
     */
    public void write(float[] values, GgmlType fileType, FileRegion.Blocks blocks) {
        ensureWritable();
        if (!fileType.isFloat()) {
            throw new IllegalArgumentException("a file's elements must be f32, f16 or bf16 to move to and from "
                    + "Java, not " + fileType);
        }
        checkBlocks(values.length, values.length + " values", blocks, fileType.blockBytes());
        try (Arena scratch = Arena.ofConfined()) {
            writeFloats(scratch, scratch.allocateFrom(ValueLayout.JAVA_FLOAT, values), values.length, fileType, blocks);
        }
    }

    /** {@code n} floats encoded as {@code fileType} and copied into the file where {@code blocks} say. */
    private void writeFloats(Arena scratch, MemorySegment floats, long n, GgmlType fileType, FileRegion.Blocks blocks) {
        MemorySegment encoded = TypeConversion.fromFloats(scratch, fileType, floats, n, 1);
        forEachRun(blocks, fileType.blockBytes(), (fileOffset, position, length) ->
                MemorySegment.copy(encoded, position, bytes, fileOffset, length));
    }

    private void writeTransposed(Tensor source, GgmlType fileType, FileRegion.Transposed region) {
        long rows = source.ne(0), columns = source.ne(1), elementBytes = fileType.blockBytes();
        checkTransposed(source, region, elementBytes);
        try (Arena scratch = Arena.ofConfined()) {
            // The source is [rows fast, columns]: its transpose is the file's [rows][columns] block.
            MemorySegment fileOrder = transpose(scratch, floatsOf(source, scratch), columns, rows);
            MemorySegment encoded = TypeConversion.fromFloats(scratch, fileType, fileOrder, rows * columns, 1);
            for (long i = 0; i < rows; i++) {
                MemorySegment.copy(encoded, i * columns * elementBytes, bytes,
                        region.offset() + (i * region.rowElements() + region.firstColumn()) * elementBytes,
                        columns * elementBytes);
            }
        }
    }

    private static MemorySegment floatsOf(Tensor source, Arena scratch) {
        MemorySegment raw = scratch.allocate(source.byteSize(), 64);
        BackendApi.ggml_backend_tensor_get(source.pointer(), raw, 0, source.byteSize());
        return TypeConversion.toFloats(scratch, source.type(), raw, source.elementCount());
    }

    /** {@code in} is [rows][columns] row-major floats; the result is [columns][rows]. */
    private static MemorySegment transpose(Arena scratch, MemorySegment in, long rows, long columns) {
        MemorySegment out = scratch.allocate(ValueLayout.JAVA_FLOAT, rows * columns);
        for (long r = 0; r < rows; r++) {
            for (long c = 0; c < columns; c++) {
                out.setAtIndex(ValueLayout.JAVA_FLOAT, c * rows + r, in.getAtIndex(ValueLayout.JAVA_FLOAT, r * columns + c));
            }
        }
        return out;
    }

    // ---- checks --------------------------------------------------------------------------------------------

    private interface Run {
        void copy(long fileOffset, long tensorOffset, long length);
    }

    /**
     * Calls {@code run} once per maximal run of blocks that also lie back to back in the file, leaving out blocks
     * that lie {@link FileRegion.Blocks#ELSEWHERE}.
     */
    private static void forEachRun(FileRegion.Blocks blocks, long elementBytes, Run run) {
        long blockBytes = blocks.blockElements() * elementBytes;
        long start = 0, length = 0, tensorStart = 0;
        for (int b = 0; b < blocks.count(); b++) {
            long offset = blocks.offset(b);
            if (length > 0 && offset != FileRegion.Blocks.ELSEWHERE && offset == start + length) {
                length += blockBytes;
                continue;
            }
            if (length > 0) {
                run.copy(start, tensorStart, length);
            }
            start = offset;
            tensorStart = b * blockBytes;
            length = offset == FileRegion.Blocks.ELSEWHERE ? 0 : blockBytes;
        }
        if (length > 0) {
            run.copy(start, tensorStart, length);
        }
    }

    private void checkBlocks(Tensor t, FileRegion.Blocks blocks, long elementBytes) {
        checkBlocks(t.elementCount(), t.elementCount() + " elements of tensor " + t.describe(), blocks, elementBytes);
    }

    /** {@code blocks} hold exactly {@code elements} ({@code what}, for the message), each inside the file. */
    private void checkBlocks(long elements, String what, FileRegion.Blocks blocks, long elementBytes) {
        if (blocks.blockElements() < 1 || blocks.count() == 0
                || Math.multiplyHigh(blocks.blockElements(), blocks.count()) != 0
                || blocks.blockElements() * blocks.count() != elements) {
            throw new IllegalArgumentException(path + ": " + blocks + " do not hold the " + what);
        }
        for (int b = 0; b < blocks.count(); b++) {
            if (blocks.offset(b) != FileRegion.Blocks.ELSEWHERE) {
                checkRange(blocks.offset(b), blocks.blockElements() * elementBytes);
            }
        }
    }

    private void checkTransposed(Tensor t, FileRegion.Transposed region, long elementBytes) {
        if (t.ne(2) != 1 || t.ne(3) != 1) {
            throw new IllegalArgumentException(path + ": only a matrix can be stored transposed, not " + t.describe());
        }
        if (region.firstColumn() < 0 || region.firstColumn() + t.ne(1) > region.rowElements()) {
            throw new IllegalArgumentException(path + ": columns " + region.firstColumn() + " to "
                    + (region.firstColumn() + t.ne(1) - 1) + " for tensor " + t.describe() + " do not fit rows of "
                    + region.rowElements() + " elements");
        }
        checkRange(region.offset(), t.ne(0) * region.rowElements() * elementBytes);
    }

    private void checkRange(long offset, long length) {
        if (offset < 0 || length < 0 || offset > bytes.byteSize() - length) {
            throw new IllegalArgumentException(path + ": bytes " + offset + " to " + (offset + length) + " lie outside "
                    + "the file's " + bytes.byteSize() + " bytes");
        }
    }

    private static void requireTransferable(Tensor t, GgmlType fileType, boolean read) {
        if (!fileType.isFloat()) {
            throw new IllegalArgumentException("a file's elements must be f32, f16 or bf16 to move to and from "
                    + "tensors, not " + fileType);
        }
        if (!t.hasData()) {
            throw new IllegalStateException("tensor " + t.describe() + " has no memory yet: allocate its context on "
                    + "a backend first");
        }
        t.context().ensureBufferUsable(t, read);
        if (!t.isContiguous()) {
            throw new IllegalArgumentException("tensor " + t.describe() + " is a non-contiguous view");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(path + " was closed");
        }
    }

    private void ensureWritable() {
        ensureOpen();
        if (!writable) {
            throw new IllegalStateException(path + " was opened for reading");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (writable) {
                bytes.force();
            }
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "MappedFile(" + path + ", " + bytes.byteSize() + " bytes" + (writable ? ", writable" : "") + ")";
    }
}
