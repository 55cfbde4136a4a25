package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.BackendApi;
import dev.llmgraph.ggml.internal.Downcalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A compute device ggml knows: the CPU, a GPU, an accelerator.
 *
 * @param name        ggml's device name, e.g. {@code CPU} or {@code CUDA0}
 * @param description what the driver calls it, e.g. {@code NVIDIA H100 80GB HBM3}
 * @param kind        CPU, GPU, IGPU, ACCEL or META
 * @param freeBytes   free memory the device reports
 * @param totalBytes  total memory the device reports
 */
public record Device(String name, String description, String kind, long freeBytes, long totalBytes) {
    private static final String[] KINDS = {"CPU", "GPU", "IGPU", "ACCEL", "META"};

    /** What ggml says of device {@code dev} now, its free memory included. */
    static Device of(MemorySegment dev) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment free = arena.allocate(Downcalls.SIZE_T);
            MemorySegment total = arena.allocate(Downcalls.SIZE_T);
            BackendApi.ggml_backend_dev_memory(dev, free, total);
            int kind = BackendApi.ggml_backend_dev_type(dev);
            return new Device(BackendApi.ggml_backend_dev_name(dev), BackendApi.ggml_backend_dev_description(dev),
                    kind >= 0 && kind < KINDS.length ? KINDS[kind] : "kind " + kind,
                    free.get(Downcalls.SIZE_T, 0), total.get(Downcalls.SIZE_T, 0));
        }
    }

    @Override
    public String toString() {
        return String.format("%s (%s, %s, %.1f of %.1f GiB free)", name, description, kind,
                freeBytes / 1073741824.0, totalBytes / 1073741824.0);
    }
}
