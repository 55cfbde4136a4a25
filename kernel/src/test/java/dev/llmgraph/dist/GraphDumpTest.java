package dev.llmgraph.dist;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.kernel.StandIns;
import dev.llmgraph.kernel.StandIns.Result;
import dev.llmgraph.kernel.TestJvm;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/graph-dump.sh} on the CPU, on a small Llama-3-shaped file (2 layers, grouped-query attention): both
 * engines' decode step as they hand it to ggml. It checks the script and, through it, that llmgraph's decode graph
 * runs the kernels llama.cpp's runs and no others: the same count of every op but GET_ROWS (llama.cpp's graph
 * gathers the last layer's rows of the tokens whose logits are wanted, two nodes more) and CONT (llama.cpp copies
 * the attention heads into one row a layer; for one token llmgraph's heads are in that order already), F32
 * accumulators asked for the same products (the attention scores; on a GPU the others accumulate F16 data in half
 * precision), and no more nodes kept as outputs than llama.cpp keeps. A GPT-2-shaped file checks a stored
 * {@code attn_qkv}.
 */
class GraphDumpTest {
    private static final Path REPO = TestJvm.moduleDir().getParent();
    private static final String NATIVE_DIR = System.getProperty("llmgraph.native.dir", "");
    private static final int LAYERS = 2;

    @TempDir
    Path work;

    @Test
    void llmgraphsDecodeStepRunsTheKernelsOfLlamaCppsOnTheCpu() throws Exception {
        Steps steps = dump(llama3Shaped(), Map.of());
        Map<String, Integer> expected = new TreeMap<>(kernels(steps.llmgraph()));
        expected.merge("GET_ROWS", 2, Integer::sum);
        expected.merge("CONT", LAYERS, Integer::sum);
        assertEquals(expected, kernels(steps.llama()),
                "kernels per op of the decode step, llama.cpp's against llmgraph's plus 2 GET_ROWS and a CONT a layer");
        assertEquals(LAYERS, f32Accumulators(steps.llama()), "llama.cpp: one per layer (q.k)");
        assertEquals(LAYERS, f32Accumulators(steps.llmgraph()), "llmgraph: one per layer (q.k)");
        assertTrue(outputs(steps.llmgraph()) <= outputs(steps.llama()), "llmgraph marks more nodes as outputs than "
                + "llama.cpp (ggml-cuda fuses no output with the node after it)");
    }

    /**
     * The decode step CUDA runs, shown on the CPU (GRAPH_DUMP_AS_ON_GPU=1: weights copied, q, k and v stored apart
     * held as one stack): one product for q, k and v where llama.cpp makes three, and the keys' RoPE, view and
     * set_rows still one after another in both, the sequence ggml-cuda fuses into one kernel.
     */
    @Test
    void onAGpuQkvStoredApartIsOneProductAndTheKeysStillFuse() throws Exception {
        Steps steps = dump(llama3Shaped(), Map.of("GRAPH_DUMP_AS_ON_GPU", "1"));
        Map<String, Integer> expected = new TreeMap<>(kernels(steps.llmgraph()));
        expected.merge("GET_ROWS", 2, Integer::sum);
        expected.merge("CONT", LAYERS, Integer::sum);
        expected.merge("MUL_MAT", 2 * LAYERS, Integer::sum);
        assertEquals(expected, kernels(steps.llama()), "kernels per op of the decode step, llama.cpp's against "
                + "llmgraph's plus 2 GET_ROWS, a CONT and 2 MUL_MAT a layer");
        assertEquals(LAYERS, runs(steps.llama(), "ROPE", "VIEW", "SET_ROWS"),
                "llama.cpp: the keys' rope, view, set_rows");
        assertEquals(LAYERS, runs(steps.llmgraph(), "ROPE", "VIEW", "SET_ROWS"), "llmgraph: the keys' rope, view, "
                + "set_rows one after another, as ggml-cuda fuses them");
    }

    /**
     * GPT-2 stores q, k and v, and their biases, as one tensor: both engines multiply by it once and add its bias
     * once. llama.cpp then copies v out of the product (its transposed V cache takes a contiguous row); for one token
     * llmgraph's row range of the product is contiguous already, so it copies nothing: one CONT a layer fewer, besides
     * the heads' copy.
     */
    @Test
    void aStoredQkvIsOneProductAndOneBiasAsInLlamaCpp() throws Exception {
        var spec = Presets.gpt2Small().withName("gpt-2-shaped").withAttention(Attention.multiHead(4).withBias(true))
                .withDModel(256).withLayers(LAYERS).withVocabSize(512).withContextLength(256)
                .withFfn(Ffn.mlp(512, Activation.GELU_TANH));
        Steps steps = dump(spec, Map.of());
        Map<String, Integer> expected = new TreeMap<>(kernels(steps.llmgraph()));
        expected.merge("GET_ROWS", 2, Integer::sum);
        expected.merge("CONT", 2 * LAYERS, Integer::sum);
        assertEquals(expected, kernels(steps.llama()),
                "kernels per op of the decode step, llama.cpp's against llmgraph's plus 2 GET_ROWS and 2 CONT a layer");
    }

    private record Steps(List<String> llama, List<String> llmgraph) {}

    /** A small Llama-3-shaped model (grouped-query attention, SwiGLU). */
    private static ModelSpec llama3Shaped() {
        return Presets.llama3_8b().withName("llama-3-shaped").withDModel(256).withLayers(LAYERS).withVocabSize(512)
                .withContextLength(256).withAttention(Attention.grouped(8, 2)).withFfn(Ffn.swiglu(512));
    }

    /**
     * Both engines' last decode step of {@code spec} (random F16 weights) written to a GGUF file, with {@code settings}
     * added to the script's environment.
     */
    private Steps dump(ModelSpec spec, Map<String, String> settings) throws Exception {
        Path file = work.resolve(spec.name() + ".gguf");
        try (Model model = Model.random(spec, WeightInit.gpt2(1), ModelOptions.cpu().withMatrixType(GgmlType.F16))) {
            GgufModels.write(model, file);
        }
        Path out = work.resolve("out-" + spec.name() + settings.size());
        ProcessBuilder builder = new ProcessBuilder(REPO.resolve("bin/graph-dump.sh").toString(), out.toString(), "cpu")
                .directory(REPO.toFile());
        Map<String, String> env = builder.environment();
        env.put("GRAPH_DUMP_MODEL", file.toString());
        env.put("LLMGRAPH_NATIVE_DIR", NATIVE_DIR);
        env.put("LLMGRAPH_CLASSPATH", TestJvm.classPath());
        env.put("LLMGRAPH_CACHE", work.resolve("cache").toString());
        env.putAll(settings);
        Result result = StandIns.finish(builder, work);
        assertEquals(0, result.status(), result.output());
        assertTrue(result.output().startsWith("llama.cpp's last step: "), result.output());
        return new Steps(lastStep(out.resolve("llama.cpp.txt")), lastStep(out.resolve("llmgraph.txt")));
    }

    /** The node lines of the dump's last step (format in native/tools/graph-dump.c). */
    private static List<String> lastStep(Path dump) throws IOException {
        List<String> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(dump)) {
            if (line.startsWith("## step")) {
                nodes.clear();
            } else if (!line.startsWith("###")) {
                nodes.add(line);
            }
        }
        assertTrue(nodes.size() > 10, dump + " holds no decode step");
        return nodes;
    }

    /** How many nodes of each op compute something (views and reshapes only describe memory). */
    private static Map<String, Integer> kernels(List<String> nodes) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String node : nodes) {
            String op = node.substring(0, node.indexOf(' '));
            if (!List.of("VIEW", "RESHAPE", "PERMUTE", "TRANSPOSE", "NONE").contains(op)) {
                counts.merge(op, 1, Integer::sum);
            }
        }
        return counts;
    }

    /** How often the ops {@code ops} follow one another directly in {@code nodes}. */
    private static int runs(List<String> nodes, String... ops) {
        int count = 0;
        for (int i = 0; i + ops.length <= nodes.size(); i++) {
            boolean run = true;
            for (int j = 0; j < ops.length && run; j++) {
                run = nodes.get(i + j).startsWith(ops[j] + " ");
            }
            count += run ? 1 : 0;
        }
        return count;
    }

    /** Nodes flagged as outputs (GGML_TENSOR_FLAG_OUTPUT, 2): their values are kept, so no kernel fuses them away. */
    private static long outputs(List<String> nodes) {
        return nodes.stream().map(n -> n.replaceAll(".* flags (\\d+)  # .*", "$1")).mapToInt(Integer::parseInt)
                .filter(flags -> (flags & 2) != 0).count();
    }

    /** Products that ask for F32 accumulators: a MUL_MAT whose first op parameter is GGML_PREC_F32 (10). */
    private static long f32Accumulators(List<String> nodes) {
        return nodes.stream().filter(n -> n.startsWith("MUL_MAT ") && n.contains(" params 10,")).count();
    }
}
