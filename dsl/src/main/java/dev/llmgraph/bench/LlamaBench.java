package dev.llmgraph.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmgraph.ggml.Natives;

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
        List<String> command = List.of(Natives.tool("llama-bench").toString(), "-m", gguf.toString(),
                "-p", Integer.toString(config.prompt()), "-n", Integer.toString(config.generate()),
                "-r", Integer.toString(config.repetitions()), "-t", Integer.toString(config.threads()),
                "-fa", config.flash() ? "on" : "off", "-ngl", config.backend().startsWith("cuda") ? "99" : "0",
                "-o", "json");
        String json = execute(command);
        try {
            List<BenchResult> out = new ArrayList<>();
            for (JsonNode row : new ObjectMapper().readTree(json)) {
                int nPrompt = row.path("n_prompt").asInt(), nGen = row.path("n_gen").asInt();
                List<Double> samples = new ArrayList<>();
                row.path("samples_ts").forEach(v -> samples.add(v.asDouble()));
                out.add(new BenchResult("llama.cpp", label, type, nPrompt > 0 ? "pp" + nPrompt : "tg" + nGen, nPrompt,
                        nGen, row.path("n_threads").asInt(), config.backend(), config.flash(),
                        samples.stream().mapToDouble(Double::doubleValue).toArray()));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("llama-bench printed something that is not its JSON report: " + e.getMessage()
                    + "\n" + json, e);
        }
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
