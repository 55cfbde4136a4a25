package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.MmapApi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A whole file mapped into memory copy-on-write, so that CPU tensors can use its bytes in place
 * ({@link MappedTensors}) as llama.cpp uses a model file with mmap. Pages the process only reads stay shared
 * with the page cache (and with any other process that maps the file); a write (a training step, a merged
 * LoRA adapter) gives the process a private copy of the page it touches and never reaches the file, so a
 * tensor here behaves like one in memory of its own. A read-only mapping would instead end the JVM on the
 * first write. On Linux every page is read in before {@link #copyOnWrite} returns ({@code MAP_POPULATE}, as
 * llama.cpp does), so load time includes the reading and later steps do not stall on page faults.
 *
 * <p>Close to unmap; tensors placed in the mapping must not be used after that, which is why the buffer that
 * holds them owns the mapping and closes it last.
 */
public final class FileMapping implements AutoCloseable {
    /** Mappings made and not yet closed in this JVM: what a leak test watches. */
    private static final java.util.concurrent.atomic.AtomicInteger OPEN = new java.util.concurrent.atomic.AtomicInteger();

    private final Path path;
    private final MemorySegment bytes;
    private boolean closed;

    private FileMapping(Path path, MemorySegment bytes) {
        this.path = path;
        this.bytes = bytes;
        OPEN.incrementAndGet();
    }

    /** Mappings made and not yet closed, in this JVM. */
    public static int openMappings() {
        return OPEN.get();
    }

    /** Whether files can be mapped copy-on-write here (POSIX systems). */
    public static boolean supported() {
        return MmapApi.available();
    }

    /** Maps all of {@code path}, readable and writable, copy-on-write. */
    public static FileMapping copyOnWrite(Path path) {
        if (!supported()) {
            throw new UnsupportedOperationException("mapping " + path + " needs the C library's mmap, which this "
                    + "platform (" + System.getProperty("os.name") + ") does not offer; load the weights by copying");
        }
        Path file = path.toAbsolutePath();
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot be read (" + e + ")", e);
        }
        if (size == 0) {
            throw new IllegalArgumentException(file + " is empty: there is nothing to map");
        }
        MemorySegment bytes = MmapApi.mapPrivate(file.toString(), size);
        if (bytes == null) {
            throw new UncheckedIOException(new IOException(file + ": mmap failed (no read permission, or no address "
                    + "space left); load the weights by copying instead"));
        }
        return new FileMapping(file, bytes);
    }

    public Path path() {
        return path;
    }

    public long byteSize() {
        return bytes.byteSize();
    }

    /** The mapped bytes, valid until {@link #close()}. */
    MemorySegment bytes() {
        ensureOpen();
        return bytes;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    private synchronized void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the mapping of " + path + " was closed");
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            OPEN.decrementAndGet();
            if (!MmapApi.unmap(bytes)) {
                throw new GgmlException("munmap of " + path + " failed; its " + bytes.byteSize() + " bytes stay mapped");
            }
        }
    }

    @Override
    public String toString() {
        return "FileMapping(" + path + ", " + bytes.byteSize() + " bytes" + (closed ? ", closed" : "") + ")";
    }
}
