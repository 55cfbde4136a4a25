package dev.llmgraph.ggml;

import dev.llmgraph.ggml.llama.LlamaReference;
import dev.llmgraph.ggml.llama.LlamaException;
import dev.llmgraph.ggml.internal.NativeLibraries;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** CUDA asked of libraries built without it: one message that says how to build them with it. */
class CudaUnavailableTest {
    @Test
    void aCudaBackendFromACpuBuildSaysHowToBuildOne() {
        assumeFalse(NativeLibraries.hasCuda(), "these libraries were built with CUDA");
        NativeLibraryException e = assertThrows(NativeLibraryException.class, Backend::cuda);
        assertEquals("the native libraries in " + NativeLibraries.directory() + " were built without CUDA; build "
                + "them with LLMGRAPH_CUDA=1 native/build.sh (bin/llmgraph does this with --backend cuda)", e.getMessage());
        assertEquals(false, Backend.cudaAvailable());
    }

    @Test
    void llamaCppOnTheGpuFromACpuBuildSaysHowToBuildOne() {
        assumeFalse(NativeLibraries.hasCuda(), "these libraries were built with CUDA");
        Path model = Path.of("model.gguf");
        LlamaException e = assertThrows(LlamaException.class,
                () -> LlamaReference.open(model, LlamaReference.Settings.defaults().onGpu()));
        assertEquals("llama.cpp cannot put 999 layers of model.gguf on a GPU: the native libraries in "
                + NativeLibraries.directory() + " were built without CUDA; build them with LLMGRAPH_CUDA=1 native/build.sh "
                + "(bin/llmgraph does this with --backend cuda); use Settings.withGpuLayers(0) for the CPU", e.getMessage());
    }
}
