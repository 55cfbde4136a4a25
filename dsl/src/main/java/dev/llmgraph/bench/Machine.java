package dev.llmgraph.bench;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.Device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One line saying what a benchmark ran on: CPU model and cores, memory, the GPU for CUDA runs. */
public final class Machine {
    private Machine() {}

    public static String describe(String backend) {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
        } catch (IOException e) {
            // keep "unknown CPU"
        }
        long memory = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getTotalMemorySize();
        String line = String.format("%s, %d cores, %.0f GiB", cpu, Runtime.getRuntime().availableProcessors(),
                memory / (double) (1L << 30));
        if (backend.startsWith("cuda")) {
            line += "; " + Backend.devices().stream().filter(d -> d.kind().equals("GPU")).map(Device::description)
                    .findFirst().orElse("no GPU found");
        }
        return line;
    }
}
