package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.BackendApi;
import dev.llmgraph.ggml.internal.GgmlLog;
import dev.llmgraph.ggml.internal.NativeLibraries;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** The CUDA GPUs ggml's registry lists, and why there are none when there are none. */
final class CudaDevices {
    private CudaDevices() {}

    /** ggml's CUDA devices, in its order (CUDA0, CUDA1, ...). */
    static List<MemorySegment> list() {
        List<MemorySegment> out = new ArrayList<>();
        for (long i = 0, n = BackendApi.ggml_backend_dev_count(); i < n; i++) {
            MemorySegment dev = BackendApi.ggml_backend_dev_get(i);
            if (BackendApi.ggml_backend_dev_type(dev) == 1 && BackendApi.ggml_backend_dev_name(dev).startsWith("CUDA")) {
                out.add(dev);
            }
        }
        return out;
    }

    /** Why no CUDA GPU can be used: libraries built without CUDA, or a build that finds no GPU (and why). */
    static String whyNone() {
        return NativeLibraries.hasCuda()
                ? "the CUDA backend is built but finds no GPU on this machine" + initFailure()
                : "the native libraries in " + NativeLibraries.directory() + " were built without CUDA; build "
                + "them with LLMGRAPH_CUDA=1 native/build.sh (bin/llmgraph does this with --backend cuda)";
    }

    /**
     * Why ggml-cuda found no device, when it logged a reason: a driver older than the CUDA runtime the
     * libraries were built with is the common case on rented machines, and it has a fix.
     */
    private static String initFailure() {
        String reason = GgmlLog.lastError();
        if (!reason.contains("CUDA")) {
            return " (is the NVIDIA driver loaded? nvidia-smi should list the GPU)";
        }
        String fix = reason.contains("driver")
                ? "; install an NVIDIA driver that supports the CUDA version of the toolkit the libraries were built "
                + "with (nvidia-smi shows the driver's CUDA version), or build them with a toolkit of that version"
                : "";
        return " (ggml-cuda: " + reason + ")" + fix;
    }

}
