package dev.llmgraph.dist;

import dev.llmgraph.ggml.Natives;
import dev.llmgraph.kernel.StandIns;
import dev.llmgraph.kernel.StandIns.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Asking for CUDA where it cannot work gets one line that names the fix, before any build starts: no GPU at
 * all, and a driver older than the CUDA toolkit. The GPU and the toolkit are stand-ins (small scripts named
 * nvidia-smi and nvcc that print what the real ones print), so the test runs on any machine.
 */
class CudaRequestMessagesTest {
    private static final Path REPO = Path.of(System.getProperty("basedir", "")).toAbsolutePath().getParent();

    @TempDir
    Path work;

    @Test
    void theCudaBackendWithoutAGpuSaysSoBeforeAnyBuild() throws Exception {
        Path bin = Files.createDirectories(work.resolve("bin"));
        StandIns.script(bin.resolve("nvidia-smi"), "echo 'NVIDIA-SMI has failed because it could not communicate with the "
                + "NVIDIA driver.'; exit 9");
        Result result = run(List.of(REPO.resolve("bin/llmgraph").toString(), "run",
                REPO.resolve("examples/quickstart.jsh").toString(), "--backend", "cuda"), bin);
        assertEquals(1, result.status(), result.output());
        assertEquals("llmgraph: the CUDA backend (--backend cuda or LLMGRAPH_CUDA=1) needs an NVIDIA GPU, and "
                + "nvidia-smi finds none on this machine; run on the CPU (drop --backend cuda), or build for a GPU "
                + "elsewhere with bin/llmgraph build-native --cuda\n", result.output());
    }

    @Test
    void aDriverOlderThanTheToolkitIsNamedBeforeTheBuild() throws Exception {
        Path source = Natives.cacheDirectory().resolve("src/node-llama-cpp-3.22.1");
        assumeTrue(Files.isRegularFile(source.resolve("ggml/include/ggml.h")),
                "the pinned llama.cpp source is not in " + source + "; run bin/llmgraph build-native once");
        Path bin = Files.createDirectories(work.resolve("bin"));
        StandIns.script(bin.resolve("nvidia-smi"), "case \"$1\" in -L) echo 'GPU 0: NVIDIA H200 (UUID: GPU-0)';; "
                + "--query-gpu=*) echo 9.0;; *) echo '| NVIDIA-SMI 535.183.01   Driver Version: 535.183.01   "
                + "CUDA Version: 12.2     |';; esac");
        StandIns.nvcc13(bin);
        Result result = run(List.of("env", "LLMGRAPH_CUDA=1", "LLMGRAPH_LLAMA_CPP_DIR=" + source,
                "LLMGRAPH_CACHE=" + work.resolve("cache"), REPO.resolve("native/build.sh").toString()), bin);
        assertEquals(1, result.status(), result.output());
        assertEquals("llmgraph native: the NVIDIA driver here supports CUDA 12.2 but nvcc is CUDA 13.0, so what it "
                + "builds would not run on this GPU; install a driver for CUDA 13.0 or newer, or put a CUDA 12 toolkit "
                + "first on PATH\n", result.output());
    }

    /** Runs a command with the stand-ins first on PATH, output and errors together. */
    private Result run(List<String> command, Path standIns) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(REPO.toFile());
        Map<String, String> env = builder.environment();
        env.put("PATH", standIns + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
        env.remove("LLMGRAPH_NATIVE_DIR");
        env.remove("LLMGRAPH_CUDA");
        return StandIns.finish(builder, work);
    }
}
