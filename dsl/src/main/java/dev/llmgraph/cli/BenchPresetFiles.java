package dev.llmgraph.cli;

import dev.llmgraph.bench.BenchConfig;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.ModelSpec;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The random-weight GGUF files {@code bench} measures a preset with, cached as {@code <preset>-<type>.gguf}, or as
 * {@code <preset>-ctx<N>-<type>.gguf} when {@code --ctx N} gives the preset a longer context than its published
 * one (for {@code -d}: llama-bench sizes its cache as p + n + d, and llmgraph's sessions hold at most the file's
 * context length).
 */
final class BenchPresetFiles {
    private BenchPresetFiles() {}

    /** The preset's spec, with {@code contextLength} positions when it is above 0. */
    static ModelSpec spec(String preset, int contextLength) {
        ModelSpec spec = Presets.byName(preset);
        return contextLength > 0 ? spec.withContextLength(contextLength) : spec;
    }

    /** Where the file of {@code preset} in {@code type} lies in {@code cache}. */
    static Path file(Path cache, String preset, GgmlType type, int contextLength) {
        return cache.resolve(preset + (contextLength > 0 ? "-ctx" + contextLength : "") + "-" + type + ".gguf");
    }

    /**
     * The file for each of {@code types}, written once into {@code cache}. The missing ones are quantized from one
     * random model (F16, GPT-2's initialisation, seed 1), so every type holds the same weights and a preset is
     * initialised once rather than once per type.
     */
    static Map<GgmlType, Path> write(Path cache, String preset, List<GgmlType> types, int contextLength,
                                     BenchConfig config, PrintStream out) {
        ModelSpec spec = spec(preset, contextLength);
        if (config.flash()) {
            spec = spec.withAttention(spec.attention().withFlash(true));
        }
        Map<GgmlType, Path> files = new LinkedHashMap<>();
        types.forEach(type -> files.put(type, file(cache, preset, type, contextLength)));
        List<GgmlType> missing = types.stream().filter(type -> !Files.isRegularFile(files.get(type))).toList();
        if (missing.isEmpty()) {
            return files;
        }
        ModelOptions options = ModelOptions.cpu().withThreads(config.threads()).withMatrixType(GgmlType.F16)
                .withRepack(false);
        try (Model model = Model.random(spec, WeightInit.gpt2(1), options)) {
            Files.createDirectories(cache);
            for (GgmlType type : missing) {
                out.printf("writing %s (random weights, seed 1) ...%n", files.get(type));
                // The model's own type is copied byte for byte; the others are quantized from its values.
                if (type == options.matrixType()) {
                    GgufModels.write(model, files.get(type));
                } else {
                    GgufModels.write(model, files.get(type), type);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write into " + cache + ": " + e.getMessage(), e);
        }
        return files;
    }

    /**
     * Refuses, before anything is measured, a model whose context is shorter than the deepest test needs
     * ({@link BenchConfig#contextLength()}): a preset (its own context, or {@code --ctx}) or a GGUF file that exists.
     */
    static void checkContext(String model, int contextLength, BenchConfig config) {
        int needed = config.contextLength();
        String tests = "-p " + config.prompt() + " -n " + config.generate() + " -d " + config.depthsArgument();
        String why = " positions, and " + tests + " needs " + needed + " (llama-bench's n_ctx = p + n + d)";
        if (model.endsWith(".gguf")) {
            Path file = Path.of(model);
            int held = Files.isRegularFile(file) ? GgufModels.spec(file).contextLength() : Integer.MAX_VALUE;
            if (needed > held) {
                throw new IllegalArgumentException(file.getFileName() + " holds " + held + why + "; lower -d, -p or -n "
                        + "(--ctx lengthens only a preset's file)");
            }
            return;
        }
        int own = Presets.byName(model).contextLength();
        if (contextLength > 0 && needed > contextLength) {
            throw new IllegalArgumentException("--ctx " + contextLength + " holds " + contextLength + why
                    + "; give --ctx " + needed + " or more");
        } else if (contextLength == 0 && needed > own) {
            throw new IllegalArgumentException(model + " holds " + own + why
                    + "; add --ctx " + needed + " to write the preset with that context (a separate cached file), "
                    + "or lower -d");
        }
    }
}
