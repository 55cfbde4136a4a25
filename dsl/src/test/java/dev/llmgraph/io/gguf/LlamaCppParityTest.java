package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.llama.LlamaReference;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.Session;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.spec.ModelSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * llama.cpp is the referee. For each architecture, and variants of it, a tiny random-weight model
 * ({@link TinyModels}: 2 layers, dModel 64 or 96) is built in llmgraph, written as GGUF, and run by
 * llama.cpp's own model code ({@link LlamaReference}, CPU) over a prompt of 40 tokens. Compared with
 * llama.cpp's logits: llmgraph's model as built (forward path), the model read back from the file (reverse
 * path: fused tensors split, names mapped back), and the model read from the GGUF file llama.cpp's own writer
 * ({@code llama_model_save_to_file}) makes of it, which has every key llama.cpp knows, in its own types.
 *
 * <p>Both sides use an F16 KV cache (llama.cpp's default) and the same threads. Errors are relative to the
 * largest |logit| of llama.cpp. Tolerances:
 * <ul>
 *   <li>F32 (F16, BF16) weights, 1e-4: the graphs are the same ops on the same kernels, so only rounding can
 *       differ. Measured: none at all when llmgraph's cache is as long as the context, because llama.cpp reads
 *       its cache padded to 256 cells and ggml's softmax then sees rows whose length is a multiple of its SIMD
 *       width in both. {@code Model.forward} uses a cache as long as the prompt (40), and ggml's softmax
 *       computes the exp of a row's last (length mod SIMD width) entries with scalar {@code expf} instead of
 *       its vector routine: ulp-level differences, which two layers amplify to a few 1e-5.</li>
 *   <li>Q8_0, Q4_0 and K-quant matrices, 1e-3: both sides read the same quantized bytes and quantize
 *       activations to Q8 with the same routine before each product, so equal inputs give equal outputs. The
 *       only source of difference is the softmax rounding above; 8-bit activations absorb it, except where a
 *       value sits on a rounding boundary and moves by one Q8 step (1/127 of its block's largest value):
 *       1e-3 allows a few such steps.</li>
 * </ul>
 * Flash attention on both sides and the other stored types are checked the same way. The table
 * (architecture, type, max abs and relative error for each comparison) is printed after the tests.
 */
class LlamaCppParityTest {
    private static final int THREADS = 2;
    private static final int PROMPT = 40;
    private static final Map<String, String> TABLE = new TreeMap<>();
    private static final Map<String, String> FLASH = new TreeMap<>();
    private static final Map<String, String> OTHER_TYPES = new TreeMap<>();

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String label : TinyModels.all().keySet()) {
            for (GgmlType type : List.of(GgmlType.F32, GgmlType.Q8_0, GgmlType.Q4_0)) {
                cases.add(Arguments.of(label, type));
            }
        }
        return cases.stream();
    }

    private static double tolerance(GgmlType type) {
        return type == GgmlType.F32 ? 1e-4 : 1e-3;
    }

    @ParameterizedTest(name = "{0} with {1} matrices")
    @MethodSource("cases")
    void llmgraphAndLlamaCppComputeTheSameLogits(String label, GgmlType type, @TempDir Path dir) {
        ModelSpec spec = TinyModels.all().get(label);
        int[] prompt = TinyModels.prompt(PROMPT);
        Path file = dir.resolve(TinyModels.fileName(label) + "-" + type + ".gguf");
        // plain products on both sides: the shim loads llama.cpp without repacking
        ModelOptions options = ModelOptions.cpu().withThreads(THREADS).withMatrixType(type)
                .withCacheType(GgmlType.F16).withRepackMapped(false);

        float[] built, builtUnpadded, readBack;
        try (Model model = Model.random(spec, WeightInit.lecun(11), options)) {
            GgufModels.write(model, file);
            built = overWholeContext(model, prompt);
            builtUnpadded = model.forward(prompt).toArray();
        }
        try (Model model = GgufModels.load(file, options)) {
            readBack = overWholeContext(model, prompt);
        }
        float[] reference;
        Path savedByLlamaCpp = dir.resolve(TinyModels.fileName(label) + "-" + type + "-saved-by-llama.cpp.gguf");
        LlamaReference.Settings settings = LlamaReference.Settings.defaults().withContextLength(spec.contextLength())
                .withThreads(THREADS);
        try (LlamaReference llama = LlamaReference.open(file, settings)) {
            assertEquals(spec.vocabSize(), llama.vocabSize());
            reference = flatten(llama.logits(prompt));
            llama.saveModel(savedByLlamaCpp);
        }
        // llama.cpp's writer stores deepseek2's yarn_log_multiplier after its reader divided it by 0.1, so a
        // file it saves no longer means the model it loaded (llama.cpp itself would read 10x DeepSeek's mscale).
        boolean saverKeepsModel = !(spec.latentAttention() && spec.positional() instanceof
                dev.llmgraph.spec.Positional.Rope rope && rope.scaling() instanceof dev.llmgraph.spec.RopeScaling.Yarn);
        float[] readFromLlamaCpp = reference;
        if (saverKeepsModel) {
            try (Model model = GgufModels.load(savedByLlamaCpp, options)) {
                readFromLlamaCpp = overWholeContext(model, prompt);
            }
        }

        Difference forward = Difference.of(built, reference);
        Difference unpadded = Difference.of(builtUnpadded, reference);
        Difference reverse = Difference.of(readBack, reference);
        Difference llamaCppFile = Difference.of(readFromLlamaCpp, reference);
        TABLE.put(String.format("%-24s %-5s", label, type), forward + "  " + unpadded + "  " + reverse + "  "
                + (saverKeepsModel ? llamaCppFile : "  (see comment)"));
        double tolerance = tolerance(type);
        assertTrue(forward.relative() <= tolerance, "forward path: " + forward);
        assertTrue(unpadded.relative() <= tolerance, "Model.forward, prompt-sized cache: " + unpadded);
        assertTrue(reverse.relative() <= tolerance, "reverse path (GGUF read into llmgraph): " + reverse);
        assertTrue(llamaCppFile.relative() <= tolerance, "llama.cpp's own GGUF read into llmgraph: " + llamaCppFile);
    }

    @ParameterizedTest(name = "{0} with flash attention on both sides")
    @MethodSource("labels")
    void flashAttentionAgreesToo(String label, @TempDir Path dir) {
        ModelSpec spec = TinyModels.all().get(label);
        spec = spec.latentAttention() ? spec.withLatentAttention(spec.latent().withFlash(true))
                : spec.withAttention(spec.attention().withFlash(true));
        int[] prompt = TinyModels.prompt(PROMPT);
        Path file = dir.resolve(TinyModels.fileName(label) + "-flash.gguf");
        float[] built;
        try (Model model = Model.random(spec, WeightInit.lecun(11), ModelOptions.cpu().withThreads(THREADS)
                .withCacheType(GgmlType.F16))) {
            GgufModels.write(model, file);
            built = overWholeContext(model, prompt);
        }
        float[] reference;
        try (LlamaReference llama = LlamaReference.open(file, LlamaReference.Settings.defaults()
                .withContextLength(spec.contextLength()).withThreads(THREADS).withFlashAttention(true))) {
            reference = flatten(llama.logits(prompt));
        }
        Difference flash = Difference.of(built, reference);
        FLASH.put(String.format("%-24s f32  ", label), flash.toString());
        assertTrue(flash.relative() <= tolerance(GgmlType.F32), "flash attention: " + flash);
    }

    /**
     * A router that ranks two experts within rounding of each other is the classic parity trap: the two
     * engines may pick different experts and then disagree by a whole expert's output, not by rounding. The
     * tiny models' routers are drawn 4x wider than other matrices ({@link WeightInit#lecun}: N(0, 16 / dModel)),
     * which spreads the scores of a normalised token by about 4; this test states the margin that buys, on
     * the same prompt and weights as the parity test: at every token and layer, the k-th best score beats the
     * (k+1)-th by at least 1e-3, a hundred times the largest logit difference between the engines (1e-5). With
     * expert groups the same holds among the experts of the kept groups, and the kept-th group's score (a sum of
     * softmax probabilities, computed here in double from the scores) beats the next group's by a log-ratio of at
     * least 1e-3 too: a score difference of 1e-5 moves a probability by a log-ratio of about 1e-5, and groups
     * that hold only tiny probabilities are still well apart when their ratio is (an absolute gap would call them
     * tied: measured 9e-7 between two such groups, whose ratio is 1.3%). Some token must also get other experts
     * than it would without the groups, or the parity test would not test them.
     */
    @ParameterizedTest(name = "{0}: no near-ties in the router")
    @MethodSource("expertLabels")
    void routersChooseWithAMargin(String label) {
        ModelSpec spec = TinyModels.all().get(label);
        int k = spec.moe().expertsPerToken();
        String[] nodes = java.util.stream.IntStream.range(0, spec.layers())
                .filter(layer -> spec.layer(layer).channel() instanceof dev.llmgraph.spec.Moe)
                .mapToObj(layer -> "ffn_moe_logits." + layer).toArray(String[]::new);
        double smallest = Double.MAX_VALUE, smallestGroup = Double.MAX_VALUE;
        int changedByGroups = 0;
        try (Model model = Model.random(spec, WeightInit.lecun(11), ModelOptions.cpu().withThreads(THREADS))) {
            Model.Inspection inspection = model.inspect(TinyModels.prompt(PROMPT), nodes);
            for (String node : nodes) {
                dev.llmgraph.model.NodeValue scores = inspection.node(node); // [T, experts]
                int experts = (int) scores.shape()[1];
                for (int t = 0; t < scores.shape()[0]; t++) {
                    float[] row = java.util.Arrays.copyOfRange(scores.values(), t * experts, (t + 1) * experts);
                    RouterMargins margins = RouterMargins.of(spec.moe().router(), row, k);
                    smallest = Math.min(smallest, margins.experts());
                    smallestGroup = Math.min(smallestGroup, margins.groups());
                    changedByGroups += margins.groupsChangeTheChoice() ? 1 : 0;
                }
            }
        }
        boolean grouped = spec.moe().router().groups().present();
        TABLE.put(String.format("%-24s gap  ", label), String.format("smallest top-%d router margin %.3g", k,
                smallest) + (grouped ? String.format(", group log-ratio margin %.3g, %d choices changed by the groups",
                smallestGroup, changedByGroups) : ""));
        assertTrue(smallest >= 1e-3, "smallest margin between the k-th and (k+1)-th expert score: " + smallest);
        assertTrue(!grouped || smallestGroup >= 1e-3, "smallest log-ratio between the kept and the next group: "
                + smallestGroup);
        assertTrue(!grouped || changedByGroups > 0, "the groups never changed a token's experts; pick other weights");
    }

    static Stream<String> expertLabels() {
        return TinyModels.all().entrySet().stream().filter(e -> e.getValue().sparse()).map(Map.Entry::getKey);
    }

    /**
     * F16, BF16 and K-quants, on a llama wide enough (dModel 256) for K-quant blocks of 256: the same
     * argument as for Q8_0 and Q4_0 gives the same tolerances.
     */
    @ParameterizedTest(name = "llama with {0} matrices")
    @MethodSource("otherTypes")
    void otherStoredTypesAgreeToo(GgmlType type, @TempDir Path dir) {
        ModelSpec spec = TinyModels.all().get("llama").withDModel(256).withFfn(dev.llmgraph.spec.Ffn.swiglu(256));
        int[] prompt = TinyModels.prompt(PROMPT);
        Path file = dir.resolve("wide-llama-" + type + ".gguf");
        ModelOptions options = ModelOptions.cpu().withThreads(THREADS).withMatrixType(type).withCacheType(GgmlType.F16)
                .withRepackMapped(false); // plain products on both sides: the shim loads llama.cpp without repacking
        float[] built;
        try (Model model = Model.random(spec, WeightInit.lecun(11), options)) {
            assertEquals(type, model.weightType("blk.0.attn_q.weight"));
            GgufModels.write(model, file);
            built = overWholeContext(model, prompt);
        }
        float[] readBack;
        try (Model model = GgufModels.load(file, options)) {
            readBack = overWholeContext(model, prompt);
        }
        float[] reference;
        try (LlamaReference llama = LlamaReference.open(file, LlamaReference.Settings.defaults()
                .withContextLength(spec.contextLength()).withThreads(THREADS))) {
            reference = flatten(llama.logits(prompt));
        }
        Difference forward = Difference.of(built, reference);
        Difference reverse = Difference.of(readBack, reference);
        OTHER_TYPES.put(String.format("%-24s %-5s", "llama, dModel 256", type), forward + "  " + reverse);
        double tolerance = type.isFloat() ? tolerance(GgmlType.F32) : tolerance(GgmlType.Q8_0);
        assertTrue(forward.relative() <= tolerance, "forward path: " + forward);
        assertTrue(reverse.relative() <= tolerance, "reverse path: " + reverse);
    }

    static Stream<GgmlType> otherTypes() {
        return Stream.of(GgmlType.F16, GgmlType.BF16, GgmlType.Q4_K, GgmlType.Q6_K);
    }

    static Stream<String> labels() {
        return TinyModels.all().keySet().stream();
    }

    /** Logits with a KV cache as long as the context, read whole as llama.cpp reads its padded cache. */
    static float[] overWholeContext(Model model, int[] prompt) {
        try (Session session = model.session()) {
            return session.feedAll(prompt).toArray();
        }
    }

    static float[] flatten(float[][] rows) {
        int vocab = rows[0].length;
        float[] out = new float[rows.length * vocab];
        for (int t = 0; t < rows.length; t++) {
            System.arraycopy(rows[t], 0, out, t * vocab, vocab);
        }
        return out;
    }

    /** Largest absolute difference, and that relative to the reference's largest |logit|. */
    record Difference(double maxAbs, double relative) {
        static Difference of(float[] actual, float[] reference) {
            assertEquals(reference.length, actual.length, "logit count");
            double maxAbs = 0, scale = 0;
            for (int i = 0; i < reference.length; i++) {
                maxAbs = Math.max(maxAbs, Math.abs(actual[i] - reference[i]));
                scale = Math.max(scale, Math.abs(reference[i]));
            }
            return new Difference(maxAbs, maxAbs / scale);
        }

        @Override
        public String toString() {
            return String.format("%9.2e %9.2e", maxAbs, relative);
        }
    }

    @AfterAll
    static void printTable() {
        System.out.println("llmgraph vs llama.cpp, " + PROMPT + "-token prompt, error relative to max |logit|");
        System.out.println(String.format("%-31s %-20s %-20s %-20s %-20s", "", "forward path", "Model.forward",
                "reverse path", "llama.cpp's own GGUF"));
        System.out.println(String.format("%-31s %-20s %-20s %-20s %-20s", "", "(context-long cache)",
                "(prompt-long cache)", "(GGUF read back)", "read into llmgraph"));
        System.out.println(String.format("%-24s %-5s", "architecture", "type")
                + "   max abs  relative   max abs  relative   max abs  relative   max abs  relative");
        TABLE.forEach((key, row) -> System.out.println(key + "  " + row));
        System.out.println("with flash attention on both sides (whole-context cache):");
        FLASH.forEach((key, row) -> System.out.println(key + "  " + row));
        System.out.println("other stored types (forward path, reverse path):");
        OTHER_TYPES.forEach((key, row) -> System.out.println(key + "  " + row));
    }
}
