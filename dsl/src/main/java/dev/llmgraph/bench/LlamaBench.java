package dev.llmgraph.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmgraph.ggml.Natives;
import dev.llmgraph.model.Placement;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs llama.cpp's own llama-bench, built from the same pinned source, and reads its JSON output. */
public final class LlamaBench {
    private LlamaBench() {}

    /** The pp and tg results of llama-bench on {@code gguf} with the same settings as {@code config}. */
    public static List<BenchResult> run(Path gguf, String label, String type, BenchConfig config) {
        return run(gguf, label, type, config, 0);
    }

    /** {@link #run(Path, String, String, BenchConfig)} for a model of {@code layers} layers (for its placement). */
    public static List<BenchResult> run(Path gguf, String label, String type, BenchConfig config, int layers) {
        List<String> command = new ArrayList<>(List.of(Natives.tool("llama-bench").toString(), "-m", gguf.toString(),
                "-p", Integer.toString(config.prompt()), "-n", Integer.toString(config.generate()),
                "-r", Integer.toString(config.repetitions()), "-t", Integer.toString(config.threads()),
                "-fa", config.flash() ? "on" : "off", "-o", "json"));
        if (!config.emptyCacheOnly()) {
            command.addAll(List.of("-d", config.depthsArgument()));
        }
        command.addAll(placement(layers, config));
        String json = execute(command);
        try {
            List<BenchResult> out = new ArrayList<>();
            for (JsonNode row : new ObjectMapper().readTree(json)) {
                int nPrompt = row.path("n_prompt").asInt(), nGen = row.path("n_gen").asInt();
                int nDepth = row.path("n_depth").asInt();
                List<Double> samples = new ArrayList<>();
                row.path("samples_ts").forEach(v -> samples.add(v.asDouble()));
                String test = BenchConfig.testName(nPrompt > 0 ? "pp" + nPrompt : "tg" + nGen, nDepth);
                out.add(new BenchResult("llama.cpp", label, type, test, nPrompt, nGen, row.path("n_threads").asInt(),
                        config.backend(), config.flash(), samples.stream().mapToDouble(Double::doubleValue).toArray(),
                        nDepth));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("llama-bench printed something that is not its JSON report: " + e.getMessage()
                    + "\n" + json, e);
        }
    }

    /**
     * llama-bench's options for the same placement: on RPC servers, {@code --rpc} with their addresses in the same
     * order, {@code -ngl} for the layers after the local ones and {@code -ts} for the split; else -ngl 99 on a GPU,
     * 0 on the CPU.
     */
    static List<String> placement(int layers, BenchConfig config) {
        Placement p = config.placement();
        if (!p.remote()) {
            return List.of("-ngl", config.backend().startsWith("cuda") ? "99" : "0");
        }
        List<String> out = new ArrayList<>(List.of("--rpc", String.join(",", p.servers().stream().map(Object::toString)
                .toList()), "-ngl", Integer.toString(p.gpuLayers(layers))));
        if (p.split().length > 0) {
            StringBuilder ts = new StringBuilder();
            for (float share : p.split()) {
                ts.append(ts.isEmpty() ? "" : "/").append(share);
            }
            out.addAll(List.of("-ts", ts.toString()));
        }
        return out;
    }

    private static String execute(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException("llama-bench failed (exit " + process.exitValue() + "): "
                        + String.join(" ", command));
            }
            return new String(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + command.getFirst() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.llmgraph.ggml.ComputeInterruptedException("llama-bench was interrupted");
        }
    }
}
