package dev.llmgraph.doctor;

import dev.llmgraph.doctor.Doctor.CudaBuildState;
import dev.llmgraph.doctor.Doctor.Facts;
import dev.llmgraph.doctor.Doctor.GpuState;
import dev.llmgraph.doctor.Doctor.Natives;
import dev.llmgraph.ggml.Device;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What {@code bin/llmgraph doctor} concludes on the machines its users have: a laptop without a GPU, a GPU server
 * with and without a CUDA build, a first run before any build, a Jupyter kernel left pointing at a removed JDK.
 * The facts are written out here; {@code DoctorCommandTest} gathers real ones through the launcher.
 */
class DoctorTest {
    private static final Path LIB = Path.of("/cache/native/cpu/lib");
    private static final Device CPU = new Device("CPU", "AMD EPYC", "CPU", 20L << 30, 24L << 30);
    private static final Device H200 = new Device("CUDA0", "NVIDIA H200", "GPU", 140L << 30, 141L << 30);
    private static final String H200_SMI = "NVIDIA H200 (driver 580.159.04 for CUDA 13.0, 143771 MiB)";

    /** A 2-core laptop with the CPU build, Jupyter and the kernel installed: nothing to fix. */
    private static Facts laptop() {
        return new Facts(false, Path.of("/home/ada/llmgraph"), "25.0.3+9-LTS", Path.of("/usr/lib/jvm/temurin-25"),
                Optional.of(new Natives(LIB, "in the cache", Optional.empty(), false)), "AMD EPYC, 2 cores, 24 GiB",
                Map.of("CPU", orderedMap("AVX2", "1", "FMA", "1", "OPENMP", "1")), List.of(CPU),
                "none (no nvidia-smi on the PATH)", GpuState.NONE, CudaBuildState.NO_GPU, "",
                Optional.empty(), "cpu", Optional.empty(), Optional.empty(), Optional.of(Path.of("/usr/bin/jupyter")),
                Path.of("/home/ada/.local/share/jupyter/kernels/llmgraph/kernel.json"),
                true, Optional.empty());
    }

    @Test
    void aLaptopWithTheCpuBuildHasNothingToFix() {
        Facts f = laptop();
        assertEquals("""
                llmgraph doctor: checkout /home/ada/llmgraph
                ok   java      25.0.3+9-LTS at /usr/lib/jvm/temurin-25
                ok   natives   /cache/native/cpu/lib (CPU build, in the cache)
                ok   cpu       AMD EPYC, 2 cores, 24 GiB; ggml's CPU backend uses AVX2 FMA OPENMP
                ok   devices   CPU (AMD EPYC, CPU, 20.0 of 24.0 GiB free)
                --   gpu       none (no nvidia-smi on the PATH)
                --   cuda      no GPU here, so no CUDA build is needed; models run on the CPU
                ok   backend   cpu for notebooks and scripts (the default; LLMGRAPH_BACKEND=cuda chooses the GPU)
                ok   jupyter   /usr/bin/jupyter; the llmgraph kernel is installed \
                (/home/ada/.local/share/jupyter/kernels/llmgraph/kernel.json)
                nothing to fix
                """, Doctor.report(f));
        assertEquals(0, Doctor.status(f));
    }

    @Test
    void aGpuServerWithItsCudaBuildSaysWhatGgmlCudaWasBuiltFor() {
        Facts f = withGpu(laptop(), Optional.of(new Natives(Path.of("/cache/native/cuda90/lib"), "in the cache",
                Optional.empty(), true)), CudaBuildState.BUILT, "/cache/native/cuda90/lib", Optional.empty());
        f = new Facts(true, Path.of("/opt/llmgraph-dist"), f.javaVersion(), Path.of("/opt/llmgraph-dist/runtime"),
                f.natives(), f.cpu(), Map.of("CPU", Map.of("AVX512", "1"), "CUDA0", orderedMap("ARCHS", "900",
                "USE_GRAPHS", "1")), List.of(CPU, H200), f.gpu(), GpuState.LISTED, f.cudaBuild(), f.cudaBuildText(),
                Optional.empty(), "cuda", Optional.empty(), Optional.of("LLMGRAPH_BACKEND=cuda"), Optional.empty(), f.kernelspec(),
                false, Optional.empty());
        assertEquals("""
                llmgraph doctor: dist folder /opt/llmgraph-dist
                ok   java      25.0.3+9-LTS at /opt/llmgraph-dist/runtime (the dist's own runtime)
                ok   natives   /cache/native/cuda90/lib (CPU + CUDA build, in the cache)
                ok   cpu       AMD EPYC, 2 cores, 24 GiB; ggml's CPU backend uses AVX512
                ok   devices   CPU (AMD EPYC, CPU, 20.0 of 24.0 GiB free); CUDA0 (NVIDIA H200, GPU, 140.0 of 141.0 GiB free)
                ok   gpu       NVIDIA H200 (driver 580.159.04 for CUDA 13.0, 143771 MiB)
                ok   cuda      CUDA0 usable (--backend cuda, LLMGRAPH_BACKEND=cuda); ggml-cuda built with ARCHS=900 \
                USE_GRAPHS=1
                ok   backend   cuda for notebooks and scripts (LLMGRAPH_BACKEND=cuda)
                --   jupyter   a dist folder runs notebooks without Jupyter: bin/llmgraph run NOTEBOOK.ipynb \
                [--out EXECUTED.ipynb]
                nothing to fix
                """, Doctor.report(f));
    }

    @Test
    void aGpuWithoutACudaBuildNamesTheBuildCommand() {
        Facts f = withGpu(laptop(), laptop().natives(), CudaBuildState.MISSING, "/cache/native/cuda90/lib",
                Optional.empty());
        assertEquals("fix  cuda      a GPU is here but no CUDA build yet; bin/llmgraph build-native --cuda makes one "
                + "(about 300 s with 16 cores; --backend cuda also makes it)", line(f, "cuda"));
        assertEquals("ok   gpu       " + H200_SMI, line(f, "gpu"));
        assertEquals(1, Doctor.status(f));
        assertEquals("1 thing to fix: the lines marked fix say how", Doctor.report(f).lines().toList().getLast());
    }

    @Test
    void aGpuWhereNoCudaBuildCanBeMadeSaysWhy() {
        String why = "cuBLAS is missing (no cublas_v2.h next to nvcc's CUDA toolkit); install it (with NVIDIA's "
                + "repository: apt-get install libcublas-dev-<version>) for LLMGRAPH_CUDA=1, or, to build for a GPU "
                + "elsewhere, name cuBLAS's headers with LLMGRAPH_CUBLAS_INCLUDE (native/build-cuda-elsewhere.sh)";
        Facts f = withGpu(laptop(), laptop().natives(), CudaBuildState.UNBUILDABLE, why, Optional.empty());
        assertEquals("fix  cuda      a GPU is here but no CUDA build can be made: " + why, line(f, "cuda"));
    }

    @Test
    void aCudaBuildThatFindsNoGpuGivesGgmlCudasReason() {
        String why = "the CUDA backend is built but finds no GPU on this machine (ggml-cuda: CUDA driver version is "
                + "insufficient for CUDA runtime version)";
        Facts f = withGpu(laptop(), Optional.of(new Natives(Path.of("/cache/native/cuda90/lib"), "in the cache",
                Optional.empty(), true)), CudaBuildState.BUILT, "/cache/native/cuda90/lib", Optional.of(why));
        assertEquals("fix  cuda      " + why, line(f, "cuda"));
    }

    @Test
    void aCudaBuildNotInUseSaysWhichLibrariesAreUsedInstead() {
        Facts f = withGpu(laptop(), Optional.of(new Natives(LIB, "named by LLMGRAPH_NATIVE_DIR", Optional.empty(),
                false)), CudaBuildState.BUILT, "/cache/native/cuda90/lib", Optional.empty());
        assertEquals("--   cuda      a CUDA build is in the cache (/cache/native/cuda90/lib), but the libraries in use "
                + "are named by LLMGRAPH_NATIVE_DIR; unset LLMGRAPH_NATIVE_DIR to use it", line(f, "cuda"));
    }

    @Test
    void beforeAnyBuildTheNativesLineNamesTheBuildAndNoDevicesAreListed() {
        Facts l = laptop();
        Facts f = new Facts(false, l.home(), l.javaVersion(), l.javaHome(), Optional.empty(), "AMD EPYC, 2 cores, 24 GiB",
                Map.of(), List.of(), l.gpu(), GpuState.NONE, CudaBuildState.NO_GPU, "", Optional.empty(), "cpu", Optional.empty(),
                Optional.empty(), Optional.empty(), l.kernelspec(), false, Optional.empty());
        assertEquals(List.of("java", "natives", "cpu", "gpu", "cuda", "backend", "jupyter"),
                Doctor.findings(f).stream().map(Doctor.Finding::topic).toList());
        assertEquals("fix  natives   no build of ggml and llama.cpp yet; bin/llmgraph build-native makes one (a few "
                + "minutes on 2 cores, once; every other command also makes it when missing)", line(f, "natives"));
        assertEquals("ok   cpu       AMD EPYC, 2 cores, 24 GiB", line(f, "cpu"));
        assertEquals("--   jupyter   not installed; bin/llmgraph run NOTEBOOK.ipynb runs notebooks without it (for "
                + "Jupyter itself: apt-get install jupyter-notebook)", line(f, "jupyter"));
    }

    @Test
    void librariesThatDoNotLoadAreAFix() {
        Facts l = laptop();
        Facts f = new Facts(false, l.home(), l.javaVersion(), l.javaHome(), Optional.of(new Natives(Path.of("/tmp"),
                "named by LLMGRAPH_NATIVE_DIR", Optional.of("libggml-base.so not found in /tmp"), false)), l.cpu(),
                Map.of(), List.of(), l.gpu(), GpuState.NONE, CudaBuildState.NO_GPU, "", Optional.empty(), "cpu", Optional.empty(),
                Optional.empty(), l.jupyter(), l.kernelspec(), l.kernelInstalled(), l.kernelMissing());
        assertEquals("fix  natives   /tmp (named by LLMGRAPH_NATIVE_DIR) does not load: libggml-base.so not found in "
                + "/tmp", line(f, "natives"));
    }

    @Test
    void theBackendSettingAskingForAGpuThatIsNotThereIsAFix() {
        Facts l = laptop();
        Facts f = new Facts(false, l.home(), l.javaVersion(), l.javaHome(), l.natives(), l.cpu(), l.features(),
                l.devices(), l.gpu(), GpuState.NONE, CudaBuildState.NO_GPU, "", Optional.empty(), "cuda",
                Optional.empty(), Optional.of("LLMGRAPH_BACKEND=cuda"), l.jupyter(), l.kernelspec(), l.kernelInstalled(), l.kernelMissing());
        assertEquals("fix  backend   LLMGRAPH_BACKEND=cuda but notebooks and scripts run on the CPU: there is no GPU "
                + "here; unset it, or run on a machine with an NVIDIA GPU", line(f, "backend"));
        String refusal = "LLMGRAPH_BACKEND=tpu names no backend; set it to cpu, cuda or cuda:N (N: the GPU's number, "
                + "from 0), or leave it unset for the CPU";
        Facts tpu = new Facts(false, l.home(), l.javaVersion(), l.javaHome(), l.natives(), l.cpu(), l.features(),
                l.devices(), l.gpu(), GpuState.NONE, CudaBuildState.NO_GPU, "", Optional.empty(), "cpu",
                Optional.of(refusal), Optional.of("LLMGRAPH_BACKEND=tpu"), l.jupyter(), l.kernelspec(), l.kernelInstalled(), l.kernelMissing());
        assertEquals("fix  backend   " + refusal, line(tpu, "backend"));
    }

    @Test
    void aKernelThatNamesARemovedJdkOrAMovedCheckoutIsAFix() {
        Facts l = laptop();
        Facts f = new Facts(false, l.home(), l.javaVersion(), l.javaHome(), l.natives(), l.cpu(), l.features(),
                l.devices(), l.gpu(), GpuState.NONE, CudaBuildState.NO_GPU, "", Optional.empty(), "cpu", Optional.empty(), Optional.empty(),
                l.jupyter(), l.kernelspec(), true, Optional.of(Path.of("/home/ada/old-llmgraph/dsl/target/classes")));
        assertEquals("fix  jupyter   the llmgraph kernel (/home/ada/.local/share/jupyter/kernels/llmgraph/kernel.json) "
                + "names /home/ada/old-llmgraph/dsl/target/classes, which is gone (a JDK, build or checkout moved or "
                + "removed), so it cannot start; bin/llmgraph kernel install points it at this checkout",
                line(f, "jupyter"));
    }

    private static Facts withGpu(Facts l, Optional<Natives> natives, CudaBuildState state, String text,
                                 Optional<String> unusable) {
        return new Facts(l.dist(), l.home(), l.javaVersion(), l.javaHome(), natives, l.cpu(), l.features(),
                l.devices(), H200_SMI, GpuState.LISTED, state, text, unusable, l.backend(), l.backendError(),
                l.backendSetting(), l.jupyter(), l.kernelspec(), l.kernelInstalled(), l.kernelMissing());
    }

    private static String line(Facts f, String topic) {
        return Doctor.findings(f).stream().filter(x -> x.topic().equals(topic)).findFirst().orElseThrow().toString();
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
