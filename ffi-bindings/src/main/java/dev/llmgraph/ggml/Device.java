package dev.llmgraph.ggml;

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
    @Override
    public String toString() {
        return String.format("%s (%s, %s, %.1f of %.1f GiB free)", name, description, kind,
                freeBytes / 1073741824.0, totalBytes / 1073741824.0);
    }
}
