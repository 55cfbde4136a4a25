package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.BackendApi;
import dev.llmgraph.ggml.internal.Downcalls;

import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * The check made before device memory is taken: a request larger than what a GPU reports free fails here,
 * in words, instead of deep inside the driver. Host memory (the CPU's buffers) is not checked: Linux lends
 * memory lazily and counts the page cache as taken, so "free" there understates what an allocation can get.
 */
final class DeviceMemory {
    private DeviceMemory() {}

    static void requireRoom(BufferType type, long bytes) {
        if (BackendApi.ggml_backend_buft_is_host(type.handle())) {
            return;
        }
        MemorySegment device = BackendApi.ggml_backend_buft_get_device(type.handle());
        if (Downcalls.isNull(device)) {
            return;
        }
        Device gpu = Device.of(device);
        if (bytes > gpu.freeBytes()) {
            throw new GgmlException(String.format(Locale.ROOT, "%s needed on %s but it has %s free (of %s); store the "
                    + "weights in a smaller type (ModelOptions.withMatrixType(GgmlType.Q4_0)), use a smaller model, "
                    + "or run on the CPU", gib(bytes), gpu.name(), gib(gpu.freeBytes()), gib(gpu.totalBytes())));
        }
    }

    static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / 1073741824.0);
    }
}
