package dev.llmgraph.ggml;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What ggml's registries say each backend was compiled with, against an independent witness: the instruction
 * sets the Linux kernel lists for this CPU in {@code /proc/cpuinfo}. A CPU backend cannot use an instruction set
 * the CPU lacks (it would stop at the first such instruction), and {@code native/build.sh} compiles for this CPU
 * ({@code GGML_NATIVE}), so AVX2 is in use exactly where the CPU has it.
 */
class BuildFeaturesTest {
    /** ggml's name of an x86 instruction set, and the flag /proc/cpuinfo lists for it. */
    private static final Map<String, String> CPUINFO_FLAG = Map.ofEntries(
            Map.entry("SSE3", "pni"), Map.entry("SSSE3", "ssse3"), Map.entry("AVX", "avx"), Map.entry("AVX2", "avx2"),
            Map.entry("F16C", "f16c"), Map.entry("FMA", "fma"), Map.entry("BMI2", "bmi2"),
            Map.entry("AVX_VNNI", "avx_vnni"), Map.entry("AVX512", "avx512f"), Map.entry("AVX512_VBMI", "avx512vbmi"),
            Map.entry("AVX512_VNNI", "avx512_vnni"), Map.entry("AVX512_BF16", "avx512_bf16"),
            Map.entry("AMX_INT8", "amx_int8"));

    @Test
    void everyDeviceIsListedInTheRegistrysOrder() {
        List<String> devices = Backend.devices().stream().map(Device::name).toList();
        assertEquals(devices, List.copyOf(BuildFeatures.byDevice().keySet()));
    }

    @Test
    void theCpuBackendUsesTheInstructionSetsThisCpuHasAndOnlyThose() throws IOException {
        assumeTrue(System.getProperty("os.arch").equals("amd64"), "the instruction-set names checked are x86's");
        Set<String> flags = Set.of(Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(line -> line.startsWith("flags")).findFirst().orElseThrow()
                .split(":", 2)[1].trim().split("\\s+"));
        Map<String, String> cpu = BuildFeatures.byDevice().get("CPU");
        for (var feature : cpu.entrySet()) {
            String flag = CPUINFO_FLAG.get(feature.getKey());
            if (flag != null) {
                assertEquals("1", feature.getValue(), feature.getKey());
                assertTrue(flags.contains(flag), feature.getKey() + " in use but /proc/cpuinfo has no " + flag);
            }
        }
        assertEquals(flags.contains("avx2"), cpu.containsKey("AVX2"), "AVX2 in use exactly where the CPU has it: " + cpu);
    }
}
