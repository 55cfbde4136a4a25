package dev.llmgraph.doctor;

import dev.llmgraph.ggml.Device;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What {@code bin/llmgraph doctor} concludes from what it found on a machine ({@link Facts}): one line per topic,
 * marked {@code ok}, {@code --} (absent, and nothing needs it) or {@code fix} (with the command that fixes it).
 * Gathering the facts is {@link DoctorCommand}'s; this class only reasons about them, so that every case can be
 * tested on any machine.
 */
public final class Doctor {
    private Doctor() {}

    /** How a line is marked. */
    public enum Mark {
        OK("ok"), ABSENT("--"), FIX("fix");

        final String label;

        Mark(String label) {
            this.label = label;
        }
    }

    /** One line of the report. */
    public record Finding(Mark mark, String topic, String text) {
        @Override
        public String toString() {
            return String.format("%-4s %-9s %s", mark.label, topic, text);
        }
    }

    /** The native libraries the commands use: where, why those, and what loading them said. */
    public record Natives(Path dir, String chosenBy, Optional<String> loadError, boolean cuda) {
        boolean loaded() {
            return loadError.isEmpty();
        }
    }

    /** What nvidia-smi says: no GPU (or no nvidia-smi), GPUs listed, or a failure (no driver loaded, say). */
    public enum GpuState { NONE, LISTED, FAILING }

    /** The CUDA build of the cache: BUILT, MISSING (can be made here), UNBUILDABLE (why), or NO_GPU. */
    public enum CudaBuildState { BUILT, MISSING, UNBUILDABLE, NO_GPU }

    /**
     * Everything the report reasons about.
     *
     * @param dist           whether this is a {@code bin/llmgraph dist} folder (else a source checkout)
     * @param natives        the libraries in use; empty when no build exists yet
     * @param cpu            the CPU, its cores and memory
     * @param features       device name to what its backend was compiled with (empty without natives)
     * @param devices        ggml's devices (empty without natives)
     * @param gpu            what nvidia-smi says of the GPUs, or why it says nothing
     * @param gpuState       whether nvidia-smi lists a GPU, or fails
     * @param cudaBuild      the state of the cache's CUDA build
     * @param cudaBuildText  its folder (BUILT, MISSING) or why none can be made (UNBUILDABLE)
     * @param cudaUnusable   why the natives in use cannot compute on a GPU; empty when they can (or none loaded)
     * @param backend        the backend the setting asks for ({@code cpu}, {@code cuda}, {@code cuda:1}), before any
     *                       fallback to the CPU ({@code ModelOptions.requestedBackend()})
     * @param backendError   why the setting names no backend, when it does not
     * @param backendSetting the setting as written ({@code LLMGRAPH_BACKEND=cuda}), or empty when unset
     * @param jupyter        the Jupyter executable, when there is one
     * @param kernelspec     the llmgraph kernelspec file Jupyter would read
     * @param kernelInstalled whether that file exists
     * @param kernelMissing  the first file or folder its command line names that is gone (its java, the class path's
     *                       entries, the native libraries' folder), if any
     */
    public record Facts(boolean dist, Path home, String javaVersion, Path javaHome, Optional<Natives> natives,
                        String cpu, Map<String, Map<String, String>> features, List<Device> devices, String gpu,
                        GpuState gpuState, CudaBuildState cudaBuild, String cudaBuildText,
                        Optional<String> cudaUnusable, String backend, Optional<String> backendError,
                        Optional<String> backendSetting, Optional<Path> jupyter, Path kernelspec,
                        boolean kernelInstalled, Optional<Path> kernelMissing) {}

    /** The report's lines, in order. */
    public static List<Finding> findings(Facts f) {
        List<Finding> out = new ArrayList<>();
        out.add(new Finding(Mark.OK, "java", f.javaVersion() + " at " + f.javaHome()
                + (f.dist() ? " (the dist's own runtime)" : "")));
        out.add(natives(f));
        out.add(new Finding(Mark.OK, "cpu", f.cpu() + cpuFeatures(f.features().get("CPU"))));
        if (f.natives().map(Natives::loaded).orElse(false)) {
            out.add(new Finding(Mark.OK, "devices", f.devices().stream().map(Device::toString)
                    .collect(Collectors.joining("; "))));
        }
        out.add(new Finding(switch (f.gpuState()) {
            case LISTED -> Mark.OK;
            case NONE -> Mark.ABSENT;
            case FAILING -> Mark.FIX;
        }, "gpu", f.gpu()));
        out.add(cuda(f));
        out.add(backend(f));
        out.add(jupyter(f));
        return out;
    }

    /** The whole report: a heading, the lines, and what to fix. */
    public static String report(Facts f) {
        List<Finding> lines = findings(f);
        StringBuilder out = new StringBuilder("llmgraph doctor: " + (f.dist() ? "dist folder " : "checkout ")
                + f.home() + "\n");
        lines.forEach(line -> out.append(line).append('\n'));
        long fixes = lines.stream().filter(line -> line.mark() == Mark.FIX).count();
        out.append(fixes == 0 ? "nothing to fix\n"
                : fixes + (fixes == 1 ? " thing" : " things") + " to fix: the lines marked fix say how\n");
        return out.toString();
    }

    /** 0 when nothing needs fixing, 1 otherwise: what the command exits with. */
    public static int status(Facts f) {
        return findings(f).stream().anyMatch(line -> line.mark() == Mark.FIX) ? 1 : 0;
    }

    private static Finding natives(Facts f) {
        if (f.natives().isEmpty()) {
            return new Finding(Mark.FIX, "natives", "no build of ggml and llama.cpp yet; bin/llmgraph build-native "
                    + "makes one (a few minutes on 2 cores, once; every other command also makes it when missing)");
        }
        Natives n = f.natives().get();
        if (n.loadError().isPresent()) {
            return new Finding(Mark.FIX, "natives", n.dir() + " (" + n.chosenBy() + ") does not load: "
                    + n.loadError().get());
        }
        return new Finding(Mark.OK, "natives", n.dir() + " (" + (n.cuda() ? "CPU + CUDA" : "CPU") + " build, "
                + n.chosenBy() + ")");
    }

    /** The CPU backend's instruction sets (value 1) first, then its other switches. */
    private static String cpuFeatures(Map<String, String> features) {
        if (features == null || features.isEmpty()) {
            return "";
        }
        String on = features.entrySet().stream().filter(e -> e.getValue().equals("1")).map(Map.Entry::getKey)
                .collect(Collectors.joining(" "));
        String other = settings(features.entrySet().stream().filter(e -> !e.getValue().equals("1")));
        return "; ggml's CPU backend uses " + on + (other.isEmpty() ? "" : " (" + other + ")");
    }

    /** {@code KEY=VALUE} pairs, space-separated. */
    private static String settings(Stream<Map.Entry<String, String>> features) {
        return features.map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    /** Whether the libraries in use are a CUDA build that loaded. */
    private static boolean cudaLoaded(Facts f) {
        return f.natives().map(n -> n.loaded() && n.cuda()).orElse(false);
    }

    /** Whether the libraries in use are a CUDA build that finds a GPU. */
    private static boolean cudaUsable(Facts f) {
        return cudaLoaded(f) && f.cudaUnusable().isEmpty();
    }

    private static Finding cuda(Facts f) {
        if (cudaUsable(f)) {
            String gpus = f.devices().stream().map(Device::name).filter(name -> name.startsWith("CUDA"))
                    .collect(Collectors.joining(", "));
            String built = f.features().entrySet().stream().filter(e -> e.getKey().startsWith("CUDA")).findFirst()
                    .map(e -> "; ggml-cuda built with " + settings(e.getValue().entrySet().stream())).orElse("");
            return new Finding(Mark.OK, "cuda", gpus + " usable (--backend cuda, LLMGRAPH_BACKEND=cuda)" + built);
        }
        if (cudaLoaded(f)) {
            return new Finding(Mark.FIX, "cuda", f.cudaUnusable().get());
        }
        return switch (f.cudaBuild()) {
            case NO_GPU -> new Finding(Mark.ABSENT, "cuda", f.gpuState() == GpuState.FAILING
                    ? "no GPU to build for until nvidia-smi lists one (see the gpu line); models run on the CPU"
                    : "no GPU here, so no CUDA build is needed; models run on the CPU");
            case BUILT -> new Finding(Mark.ABSENT, "cuda", "a CUDA build is in the cache (" + f.cudaBuildText()
                    + "), but the libraries in use are " + f.natives().map(Natives::chosenBy).orElse("none")
                    + "; unset LLMGRAPH_NATIVE_DIR to use it");
            case MISSING -> new Finding(Mark.FIX, "cuda", "a GPU is here but no CUDA build yet; bin/llmgraph "
                    + "build-native --cuda makes one (about 300 s with 16 cores; --backend cuda also makes it)");
            case UNBUILDABLE -> new Finding(Mark.FIX, "cuda", "a GPU is here but no CUDA build can be made: "
                    + f.cudaBuildText());
        };
    }

    private static Finding backend(Facts f) {
        if (f.backendError().isPresent()) {
            return new Finding(Mark.FIX, "backend", f.backendError().get());
        }
        if (f.backendSetting().isEmpty()) {
            return new Finding(Mark.OK, "backend", f.backend() + " for notebooks and scripts (the default; "
                    + "LLMGRAPH_BACKEND=cuda chooses the GPU)");
        }
        String setting = f.backendSetting().get();
        if (f.backend().startsWith("cuda") && !cudaUsable(f)) {
            String why = f.gpuState() != GpuState.LISTED
                    ? "there is no GPU here; unset it, or run on a machine with an NVIDIA GPU"
                    : f.cudaUnusable().orElse("no CUDA build is loaded; see the cuda line");
            return new Finding(Mark.FIX, "backend", setting + " but notebooks and scripts run on the CPU: " + why);
        }
        return new Finding(Mark.OK, "backend", f.backend() + " for notebooks and scripts (" + setting + ")");
    }

    private static Finding jupyter(Facts f) {
        if (f.dist()) {
            return new Finding(Mark.ABSENT, "jupyter", "a dist folder runs notebooks without Jupyter: "
                    + "bin/llmgraph run NOTEBOOK.ipynb [--out EXECUTED.ipynb]");
        }
        if (f.jupyter().isEmpty()) {
            return new Finding(Mark.ABSENT, "jupyter", "not installed; bin/llmgraph run NOTEBOOK.ipynb runs notebooks "
                    + "without it (for Jupyter itself: apt-get install jupyter-notebook)");
        }
        String jupyter = f.jupyter().get().toString();
        if (!f.kernelInstalled()) {
            return new Finding(Mark.ABSENT, "jupyter", jupyter + "; the llmgraph kernel is not installed yet "
                    + "(bin/llmgraph notebook installs it, or bin/llmgraph kernel install)");
        }
        if (f.kernelMissing().isPresent()) {
            return new Finding(Mark.FIX, "jupyter", "the llmgraph kernel (" + f.kernelspec() + ") names "
                    + f.kernelMissing().get() + ", which is gone (a JDK, build or checkout moved or removed), so it "
                    + "cannot start; bin/llmgraph kernel install points it at this checkout");
        }
        return new Finding(Mark.OK, "jupyter", jupyter + "; the llmgraph kernel is installed (" + f.kernelspec() + ")");
    }
}
