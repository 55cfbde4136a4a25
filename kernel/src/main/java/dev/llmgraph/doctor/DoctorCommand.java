package dev.llmgraph.doctor;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmgraph.bench.Machine;
import dev.llmgraph.doctor.Doctor.CudaBuildState;
import dev.llmgraph.doctor.Doctor.Natives;
import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.BuildFeatures;
import dev.llmgraph.ggml.Device;
import dev.llmgraph.kernel.KernelSpec;
import dev.llmgraph.model.ModelOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/llmgraph doctor}: what this machine has for llmgraph (Java, the native build in use and its CPU
 * instruction sets, ggml's devices, the GPU and its CUDA build, the backend setting, Jupyter and the kernel), each
 * with the command that fixes what is missing. It builds nothing: the launcher finds the builds that exist
 * ({@code native/build.sh --where}) and passes them here.
 *
 * <pre>
 *   DoctorCommand --layout checkout|dist --natives DIR CHOSEN_BY | --natives none
 *                 --cuda-build built|missing|unbuildable|no-gpu TEXT
 * </pre>
 */
public final class DoctorCommand {
    private DoctorCommand() {}

    public static void main(String[] args) {
        Doctor.Facts facts = gather(Arguments.parse(args));
        System.out.print(Doctor.report(facts));
        System.out.flush();
        System.exit(Doctor.status(facts));
    }

    /** The launcher's findings. */
    record Arguments(boolean dist, Optional<Path> nativeDir, String chosenBy, CudaBuildState cudaBuild,
                     String cudaText) {
        static Arguments parse(String[] args) {
            boolean dist = false;
            Optional<Path> dir = Optional.empty();
            String chosenBy = "";
            CudaBuildState cuda = CudaBuildState.NO_GPU;
            String cudaText = "";
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--layout" -> dist = args[++i].equals("dist");
                    case "--natives" -> {
                        String value = args[++i];
                        if (!value.equals("none")) {
                            dir = Optional.of(Path.of(value));
                            chosenBy = args[++i];
                        }
                    }
                    case "--cuda-build" -> {
                        cuda = CudaBuildState.valueOf(args[++i].toUpperCase(Locale.ROOT).replace('-', '_'));
                        cudaText = args[++i];
                    }
                    default -> throw new IllegalArgumentException("DoctorCommand: unknown argument " + args[i]);
                }
            }
            return new Arguments(dist, dir, chosenBy, cuda, cudaText);
        }
    }

    static Doctor.Facts gather(Arguments a) {
        Optional<Natives> natives = a.nativeDir().map(dir -> load(dir, a.chosenBy()));
        boolean loaded = natives.map(Natives::loaded).orElse(false);
        Map<String, Map<String, String>> features = loaded ? BuildFeatures.byDevice() : Map.of();
        List<Device> devices = loaded ? Backend.devices() : List.of();
        Optional<String> cudaUnusable = loaded ? Backend.cudaUnavailableReason() : Optional.empty();
        NvidiaSmi gpu = NvidiaSmi.ask();

        String backend = "cpu";
        Optional<String> backendError = Optional.empty();
        try {
            backend = ModelOptions.requestedBackend();
        } catch (IllegalArgumentException e) {
            backendError = Optional.of(e.getMessage());
        }

        Optional<Path> jupyter = Optional.ofNullable(KernelSpec.jupyterExecutable());
        Path kernelspec = KernelSpec.file(KernelSpec.userDataDir());
        Optional<Path> missing = kernelPaths(kernelspec).stream().filter(Files::notExists).findFirst();
        return new Doctor.Facts(a.dist(), Path.of(System.getProperty("llmgraph.home", ".")),
                Runtime.version().toString(), Path.of(System.getProperty("java.home")), natives,
                Machine.describe("cpu"), features, devices, gpu.description(), gpu.state(), a.cudaBuild(),
                a.cudaText(), cudaUnusable, backend, backendError, backendSetting(), jupyter, kernelspec,
                Files.isRegularFile(kernelspec), missing);
    }

    /** The backend setting as written ({@code LLMGRAPH_BACKEND=cuda}), the system property first; empty when unset. */
    private static Optional<String> backendSetting() {
        String property = System.getProperty(ModelOptions.BACKEND_PROPERTY);
        String variable = System.getenv(ModelOptions.BACKEND_VARIABLE);
        return property != null ? Optional.of("-D" + ModelOptions.BACKEND_PROPERTY + "=" + property)
                : variable != null && !variable.isBlank() ? Optional.of(ModelOptions.BACKEND_VARIABLE + "=" + variable)
                : Optional.empty();
    }

    /** Loads the libraries in {@code dir}, or says why they do not load. */
    private static Natives load(Path dir, String chosenBy) {
        try {
            Backend.devices();
            return new Natives(dir, chosenBy, Optional.empty(), Backend.cudaBuilt());
        } catch (RuntimeException | LinkageError e) {
            return new Natives(dir, chosenBy, Optional.of(String.valueOf(e.getMessage())), false);
        }
    }

    /**
     * What a kernelspec's command line needs to start: the programs before the first flag (the start-up cache's
     * wrapper, then java), llmgraph's home and native folder, and the class path's entries. None for no file.
     */
    private static List<Path> kernelPaths(Path kernelspec) {
        List<Path> paths = new ArrayList<>();
        if (!Files.isRegularFile(kernelspec)) {
            return paths;
        }
        try {
            List<String> argv = new ArrayList<>();
            new ObjectMapper().readTree(kernelspec.toFile()).path("argv").forEach(word -> argv.add(word.asText()));
            boolean flags = false;
            for (int i = 0; i < argv.size(); i++) {
                String word = argv.get(i);
                flags |= word.startsWith("-");
                if (!flags) {
                    paths.add(Path.of(word));
                } else if (word.startsWith("-Dllmgraph.native.dir=") || word.startsWith("-Dllmgraph.home=")) {
                    paths.add(Path.of(word.substring(word.indexOf('=') + 1)));
                } else if ((word.equals("-cp") || word.equals("-classpath")) && i + 1 < argv.size()) {
                    for (String entry : argv.get(++i).split(java.io.File.pathSeparator)) {
                        if (!entry.isEmpty()) {
                            paths.add(Path.of(entry));
                        }
                    }
                }
            }
        } catch (IOException e) {
            paths.add(kernelspec.resolveSibling("(unreadable) kernel.json")); // a file Jupyter cannot read either
        }
        return paths;
    }

    /** What {@code nvidia-smi} says of this machine's GPUs. */
    record NvidiaSmi(Doctor.GpuState state, String description) {
        static NvidiaSmi ask() {
            Answer gpus = run("nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader");
            if (gpus.status() == MISSING) {
                return new NvidiaSmi(Doctor.GpuState.NONE, "none (no nvidia-smi on the PATH)");
            }
            if (gpus.status() != 0 || gpus.text().isBlank()) {
                String said = gpus.text().lines().map(String::strip).filter(line -> !line.isEmpty()).findFirst()
                        .orElse("exit status " + gpus.status());
                return new NvidiaSmi(Doctor.GpuState.FAILING, "nvidia-smi fails (" + said + "); is the NVIDIA driver "
                        + "loaded? Until nvidia-smi lists the GPU, nothing can use it");
            }
            String cudaVersion = run("nvidia-smi").text().lines().filter(line -> line.contains("CUDA Version:"))
                    .findFirst().map(line -> line.replaceAll(".*CUDA Version:\\s*([0-9.]+).*", "$1")).orElse("?");
            List<String> described = gpus.text().lines().map(String::strip).filter(line -> !line.isEmpty())
                    .map(line -> {
                        String[] parts = line.split(",\\s*");
                        return parts.length == 3 ? parts[0] + " (driver " + parts[1] + " for CUDA " + cudaVersion
                                + ", " + parts[2] + ")" : line;
                    }).toList();
            return new NvidiaSmi(Doctor.GpuState.LISTED, String.join("; ", described));
        }

        private static final int MISSING = -1;

        private record Answer(int status, String text) {}

        /** The program's exit status and output (status {@link #MISSING} when it cannot start; 20 s at most). */
        private static Answer run(String... command) {
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return new Answer(124, "no answer within 20 s");
                }
                return new Answer(p.exitValue(), out);
            } catch (IOException e) {
                return new Answer(MISSING, "");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Answer(MISSING, "");
            }
        }
    }
}
