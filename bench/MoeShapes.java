import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.ModelSpec;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the two mixture-of-experts shapes bench/NOTES.md measures: the published presets at full width with
 * fewer layers (Mixtral-8x7B: 2 of 32; DeepSeek-V2-Lite: 4 of 27, the dense first one and 3 sparse), random
 * weights (GPT-2's initialisation, seed 1) in Q8_0, as {@code bin/llmgraph bench} writes its presets.
 * <pre>
 *  java --enable-native-access=ALL-UNNAMED -Dllmgraph.native.dir=DIR -cp CLASSPATH bench/MoeShapes.java OUT_DIR
 * </pre>
 */
public class MoeShapes {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : ".");
        Files.createDirectories(dir);
        write(Presets.mixtral8x7b().withLayers(2).withName("mixtral-8x7b-2-layers"), dir);
        write(Presets.deepSeekV2Lite().withLayers(4).withName("deepseek-v2-lite-4-layers"), dir);
    }

    private static void write(ModelSpec spec, Path dir) {
        Path file = dir.resolve(spec.name() + "-q8_0.gguf");
        if (Files.isRegularFile(file)) {
            System.out.println("kept " + file);
            return;
        }
        System.out.printf("%s: %,d parameters (%,d active) -> %s%n", spec.name(), spec.parameterCount(),
                spec.accounting().activeParameters().total(), file);
        ModelOptions options = ModelOptions.cpu().withThreads(2).withMatrixType(GgmlType.F16).withRepack(false);
        try (Model model = Model.random(spec, WeightInit.gpt2(1), options)) {
            GgufModels.write(model, file, GgmlType.Q8_0);
        }
    }
}
