package dev.llmgraph.doctor;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.BuildFeatures;
import dev.llmgraph.ggml.Device;
import dev.llmgraph.kernel.StandIns;
import dev.llmgraph.kernel.StandIns.Result;
import dev.llmgraph.kernel.TestJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * {@code bin/llmgraph doctor} through the real launcher, on this machine's libraries (this build's
 * {@code llmgraph.native.dir}), with a private cache and Jupyter folder. Where a GPU is pretended, the GPU and the
 * toolkit are stand-ins (small scripts named nvidia-smi and nvcc that print what the real ones print, and an empty
 * cublas_v2.h where build.sh looks for cuBLAS), as in {@code CudaRequestMessagesTest}: nothing is built either way.
 */
class DoctorCommandTest {
    private static final Path REPO = TestJvm.moduleDir().getParent();
    private static final String NATIVE_DIR = System.getProperty("llmgraph.native.dir", "");

    @TempDir
    Path work;

    @Test
    void theLinesSayWhatThisMachineHasAndTheKernelInstallShowsUp() throws Exception {
        Result before = doctor(Map.of());
        String natives = "ok   natives   " + NATIVE_DIR + " (" + (Backend.cudaBuilt() ? "CPU + CUDA" : "CPU")
                + " build, named by LLMGRAPH_NATIVE_DIR)";
        assertTrue(before.lines().contains(natives), before.output());
        String devices = "ok   devices   " + Backend.devices().stream().map(Device::toString)
                .map(d -> d.replaceAll("[0-9.]+ of", "N of")).collect(Collectors.joining("; "));
        assertTrue(before.lines().stream().map(l -> l.replaceAll("[0-9.]+ of", "N of")).toList().contains(devices),
                before.output());
        String cpuFeatures = BuildFeatures.byDevice().get("CPU").entrySet().stream()
                .filter(e -> e.getValue().equals("1")).map(Map.Entry::getKey).collect(Collectors.joining(" "));
        assertTrue(before.lines().stream().anyMatch(l -> l.startsWith("ok   cpu       ")
                && l.contains("; ggml's CPU backend uses " + cpuFeatures)), before.output());
        assertEquals(before.output().contains("\nfix  ") ? 1 : 0, before.status(), before.output());
        assertEquals("llmgraph doctor: checkout " + REPO, before.lines().getFirst());

        Path jupyter = java.util.Objects.requireNonNullElse(dev.llmgraph.kernel.KernelSpec.jupyterExecutable(),
                Path.of("-"));
        assumeFalse(jupyter.toString().equals("-"), "Jupyter is not installed");
        String notYet = "--   jupyter   " + jupyter + "; the llmgraph kernel is not installed yet (bin/llmgraph "
                + "notebook installs it, or bin/llmgraph kernel install)";
        assertTrue(before.lines().contains(notYet), before.output());
        Result install = launcher(List.of("kernel", "install"), Map.of());
        assertEquals(0, install.status(), install.output());
        Result after = doctor(Map.of());
        Path kernelspec = work.resolve("jupyter/kernels/llmgraph/kernel.json");
        assertTrue(after.lines().contains("ok   jupyter   " + jupyter + "; the llmgraph kernel is installed ("
                + kernelspec + ")"), after.output());

        // The same kernel after its checkout moved: the first class path entry it names is gone.
        String moved = Files.readString(kernelspec).replace(REPO + "/", "/nonexistent/moved-llmgraph/");
        Files.writeString(kernelspec, moved);
        String gone = java.util.regex.Pattern.compile("\"(/nonexistent/moved-llmgraph/[^:\"]+)").matcher(moved)
                .results().map(m -> m.group(1)).findFirst().orElseThrow();
        Result movedRun = doctor(Map.of());
        assertTrue(movedRun.lines().contains("fix  jupyter   the llmgraph kernel (" + kernelspec + ") names " + gone
                + ", which is gone (a JDK, build or checkout moved or removed), so it cannot start; bin/llmgraph "
                + "kernel install points it at this checkout"), movedRun.output());
        assertEquals(1, movedRun.status(), movedRun.output());
    }

    @Test
    void aGpuWithoutACudaBuildIsTheOneThingToFix() throws Exception {
        assumeFalse(Backend.cudaBuilt(), "these libraries are a CUDA build: the cuda line reports the real GPU");
        Path bin = Files.createDirectories(work.resolve("bin"));
        StandIns.script(bin.resolve("nvidia-smi"), "case \"$1\" in -L) echo 'GPU 0: NVIDIA H200 (UUID: GPU-0)';; "
                + "--query-gpu=name,driver_version,memory.total) echo 'NVIDIA H200, 580.159.04, 143771 MiB';; "
                + "--query-gpu=*) echo 9.0;; *) echo '| NVIDIA-SMI 580.159.04   Driver Version: 580.159.04   "
                + "CUDA Version: 13.0     |';; esac");
        Path cudaHome = toolkit(bin);
        Result result = doctor(Map.of("PATH", bin + ":" + System.getenv("PATH"), "CUDA_HOME",
                cudaHome.toString()));
        assertTrue(result.lines().contains("ok   gpu       NVIDIA H200 (driver 580.159.04 for CUDA 13.0, 143771 MiB)"),
                result.output());
        assertTrue(result.lines().contains("fix  cuda      a GPU is here but no CUDA build yet; bin/llmgraph "
                + "build-native --cuda makes one (about 300 s with 16 cores; --backend cuda also makes it)"),
                result.output());
        assertEquals(1, result.status(), result.output());
        assertEquals("1 thing to fix: the lines marked fix say how", result.lines().getLast());
        assertTrue(Files.notExists(work.resolve("cache/native")), "doctor builds nothing");
    }

    @Test
    void aBackendSettingThatNamesNoBackendGetsModelOptionsWords() throws Exception {
        Result result = doctor(Map.of("LLMGRAPH_BACKEND", "tpu"));
        assertTrue(result.lines().contains("fix  backend   LLMGRAPH_BACKEND=tpu names no backend; set it to cpu, cuda or "
                + "cuda:N (N: the GPU's number, from 0), or leave it unset for the CPU"), result.output());
        assertEquals(1, result.status(), result.output());
    }

    @Test
    void anNvidiaSmiThatFailsIsAFixThatSaysWhatItSaid() throws Exception {
        Path bin = Files.createDirectories(work.resolve("bin"));
        StandIns.script(bin.resolve("nvidia-smi"), "echo 'NVIDIA-SMI has failed because it could not communicate with "
                + "the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.'; exit 9");
        Result result = doctor(Map.of("PATH", bin + ":" + System.getenv("PATH")));
        assertTrue(result.lines().contains("fix  gpu       nvidia-smi fails (NVIDIA-SMI has failed because it could not "
                + "communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.); "
                + "is the NVIDIA driver loaded? Until nvidia-smi lists the GPU, nothing can use it"), result.output());
        assertTrue(result.lines().contains("--   cuda      no GPU to build for until nvidia-smi lists one (see the gpu "
                + "line); models run on the CPU") || Backend.cudaBuilt(), result.output());
        assertEquals(1, result.status(), result.output());
    }

    /**
     * {@code native/build.sh --where} builds nothing and names the folder a CUDA build would use (for sm_90 when no
     * GPU says otherwise), on a machine with a toolkit and an nvidia-smi that is missing or fails (no driver loaded).
     * There build.sh once stopped without a word (exit 127 or nvidia-smi's status), where it compares the driver's
     * CUDA version with the toolkit's or asks for the GPU's compute capability.
     */
    @ParameterizedTest(name = "nvidia-smi {0}")
    @ValueSource(strings = {"missing", "failing"})
    void whereNamesTheCudaBuildFolderWithoutADriverToAsk(String nvidiaSmi) throws Exception {
        assumeFalse(Files.isExecutable(Path.of("/usr/bin/nvidia-smi")) || Files.isExecutable(Path.of("/bin/nvidia-smi")),
                "this machine has nvidia-smi in /usr/bin");
        Path bin = Files.createDirectories(work.resolve("toolkit"));
        Path cudaHome = toolkit(bin);
        if (nvidiaSmi.equals("failing")) {
            StandIns.script(bin.resolve("nvidia-smi"), "echo 'NVIDIA-SMI has failed because it could not communicate "
                    + "with the NVIDIA driver.'; exit 9");
        }
        Result result = run(List.of(REPO.resolve("native/build.sh").toString(), "--where"), Map.of("PATH",
                bin + ":/usr/bin:/bin", "LLMGRAPH_CUDA", "1", "CUDA_HOME", cudaHome.toString()));
        assertEquals(3, result.status(), result.output());
        assertTrue(result.output().strip().matches(java.util.regex.Pattern.quote(work.resolve("cache/native").toString())
                + "/node-llama-cpp-3\\.22\\.1-cuda90-x86_64-[0-9a-f]{8}-[0-9a-f]{6}/lib"), result.output());
        assertTrue(Files.notExists(work.resolve("cache/native")), "--where builds nothing");
    }

    /**
     * A CUDA build for a GPU elsewhere ({@code LLMGRAPH_CUBLAS_INCLUDE}, native/build-cuda-elsewhere.sh): its folder
     * is keyed by the portable CPU flags it compiles for, not by this CPU's, so the same build is named on any
     * machine; a folder without cublas_v2.h, and a toolkit without cuBLAS, are refused in words.
     */
    @Test
    void aCudaBuildForAGpuElsewhereNamesItsOwnFolderAndItsHeaders() throws Exception {
        Path bin = Files.createDirectories(work.resolve("toolkit"));
        StandIns.nvcc13(bin);
        Path headers = Files.createDirectories(work.resolve("cublas-headers"));
        Map<String, String> env = new java.util.HashMap<>(Map.of("PATH", bin + ":/usr/bin:/bin", "LLMGRAPH_CUDA", "1",
                "CUDA_HOME", work.resolve("no-cublas").toString(), "LLMGRAPH_CUBLAS_INCLUDE", headers.toString()));
        List<String> where = List.of(REPO.resolve("native/build.sh").toString(), "--where");

        Result empty = run(where, env);
        assertEquals(1, empty.status(), empty.output());
        assertEquals("llmgraph native: LLMGRAPH_CUBLAS_INCLUDE=" + headers + " holds no cublas_v2.h",
                empty.output().strip());

        Files.writeString(headers.resolve("cublas_v2.h"), "");
        Result named = run(where, env);
        assertEquals(3, named.status(), named.output());
        assertTrue(named.output().strip().matches(java.util.regex.Pattern.quote(work.resolve("cache/native").toString())
                + "/node-llama-cpp-3\\.22\\.1-cuda90-x86_64-avx2-[0-9a-f]{6}/lib"), named.output());

        env.remove("LLMGRAPH_CUBLAS_INCLUDE");
        assumeFalse(Files.exists(Path.of("/usr/local/cuda/include/cublas_v2.h"))
                || Files.exists(Path.of("/usr/include/cublas_v2.h")), "this machine has cuBLAS");
        Result none = run(where, env);
        assertEquals(1, none.status(), none.output());
        assertEquals("llmgraph native: cuBLAS is missing (no cublas_v2.h next to nvcc's CUDA toolkit); install it "
                + "(with NVIDIA's repository: apt-get install libcublas-dev-<version>) for LLMGRAPH_CUDA=1, or, to build "
                + "for a GPU elsewhere, name cuBLAS's headers with LLMGRAPH_CUBLAS_INCLUDE "
                + "(native/build-cuda-elsewhere.sh)", none.output().strip());
        assertTrue(Files.notExists(work.resolve("cache/native")), "--where builds nothing");
    }

    /** A stand-in CUDA 13.0 nvcc in {@code bin}, and a CUDA_HOME with the cublas_v2.h build.sh looks for. */
    private Path toolkit(Path bin) throws IOException {
        StandIns.nvcc13(bin);
        Path home = work.resolve("cuda");
        Files.createDirectories(home.resolve("include"));
        Files.writeString(home.resolve("include/cublas_v2.h"), "");
        return home;
    }

    private Result doctor(Map<String, String> env) throws IOException, InterruptedException {
        return launcher(List.of("doctor"), env);
    }

    private Result launcher(List<String> args, Map<String, String> env) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(REPO.resolve("bin/llmgraph").toString()));
        command.addAll(args);
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("LLMGRAPH_CLASSPATH", TestJvm.classPath());
        all.put("LLMGRAPH_NATIVE_DIR", NATIVE_DIR);
        return run(command, all);
    }

    /** Runs a command with a private cache and Jupyter folder, output and errors together. */
    private Result run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(REPO.toFile());
        Map<String, String> environment = builder.environment();
        for (String variable : List.of("LLMGRAPH_NATIVE_DIR", "LLMGRAPH_CUDA", "LLMGRAPH_CUDA_ARCH", "LLMGRAPH_BACKEND",
                "CUDA_HOME", "CUDA_PATH")) {
            environment.remove(variable);
        }
        environment.put("LLMGRAPH_CACHE", work.resolve("cache").toString());
        environment.put("JUPYTER_DATA_DIR", work.resolve("jupyter").toString());
        environment.put("LLMGRAPH_JAVA_OPTS", "-Djava.util.prefs.userRoot=" + work.resolve("prefs"));
        environment.putAll(env);
        return StandIns.finish(builder, work);
    }
}
