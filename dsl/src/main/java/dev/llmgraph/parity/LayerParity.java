package dev.llmgraph.parity;

import dev.llmgraph.io.gguf.GgufReport;
import dev.llmgraph.ggml.llama.CapturedTensor;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.llama.LlamaIntermediates;
import dev.llmgraph.ggml.llama.LlamaReference;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.NodeValue;
import dev.llmgraph.spec.ShapeTrace;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Layer-by-layer parity: one forward pass of llama.cpp over a GGUF file with every named node kept
 * ({@link LlamaIntermediates}) and one of llmgraph over the same file with its named nodes
 * ({@link Model#inspect}), matched by {@link NodeNames} and compared in llama.cpp's layout.
 * <pre>{@code
 * var report = LayerParity.compare(Path.of("tiny-llama.gguf"), new int[] {1, 2, 3}, 1e-4);
 * report                          // the table, coloured by difference in a notebook
 * report.firstExceeding()         // where the two engines start to disagree
 * report.histogram("ffn_out-1")   // one node's element-wise differences
 * }</pre>
 * llama.cpp runs on the CPU with an F16 K/V cache, its default; the llmgraph model should use the same cache
 * type (as {@link #compare(Path, int[], double)} does) for {@code kq} to agree to rounding.
 */
public final class LayerParity {
    /**
     * The default tolerance, relative to a node's largest |value|, for F32 (F16, BF16) weights. Both engines run
     * the same ggml kernels on the same weights; what differs is ulp-level rounding in softmax rows of different
     * lengths (llama.cpp reads its K/V cache padded to 256 cells, llmgraph's inspection a cache as long as the
     * prompt), which the next layer's q.k products amplify to about 1e-4 of {@code kq}'s scale; and ggml's GELU
     * reads a table indexed by the F16-rounded input, so an ulp of input can move an output by one F16 step,
     * about 5e-4 (measured on the tiny models of the tests: at most 5.0e-4, falcon's ffn_gelu-1). Quantized
     * matrices can add one Q8 step of an activation (1/127 of its block's largest value).
     */
    public static final double DEFAULT_TOLERANCE = 1e-3;

    private LayerParity() {}

    /**
     * Both engines on {@code gguf} (llmgraph on the CPU with an F16 K/V cache, as llama.cpp's default). A file
     * llama.cpp cannot load throws {@link dev.llmgraph.ggml.llama.LlamaException} with llama.cpp's words.
     */
    public static ParityReport compare(Path gguf, int[] tokens, double tolerance) {
        return compare(gguf, tokens, tolerance, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    public static ParityReport compare(Path gguf, int[] tokens, double tolerance, int threads) {
        checkTolerance(tolerance);
        List<CapturedTensor> reference = llamaCpp(gguf, tokens, threads, 0);
        // plain products, as the shim's llama.cpp (loaded without repacking) computes them
        ModelOptions options = ModelOptions.cpu().withThreads(threads).withCacheType(GgmlType.F16)
                .withRepackMapped(false);
        try (Model model = GgufModels.load(gguf, options)) {
            return match(model, gguf, tokens, tolerance, reference);
        }
    }

    /**
     * llmgraph's {@code model} against llama.cpp's forward pass over {@code gguf}: normally the file the model was
     * read from or written to; a model whose weights were changed afterwards shows where the change first acts.
     */
    public static ParityReport compare(Model model, Path gguf, int[] tokens, double tolerance) {
        checkTolerance(tolerance);
        List<CapturedTensor> reference = llamaCpp(gguf, tokens, model.options().threads(), model.contextLength());
        return match(model, gguf, tokens, tolerance, reference);
    }

    private static void checkTolerance(double tolerance) {
        if (!(tolerance > 0)) {
            throw new IllegalArgumentException("tolerance = " + tolerance + " must be above 0 "
                    + "(LayerParity.DEFAULT_TOLERANCE, 1e-3, suits F32 weights)");
        }
    }

    private static List<CapturedTensor> llamaCpp(Path gguf, int[] tokens, int threads, int contextLength) {
        LlamaReference.Settings settings = LlamaReference.Settings.defaults().withThreads(threads)
                .withContextLength(Math.max(contextLength, tokens.length));
        try (LlamaIntermediates llama = LlamaIntermediates.open(gguf, settings)) {
            return llama.capture(tokens);
        }
    }

    private static ParityReport match(Model model, Path gguf, int[] tokens, double tolerance,
                                      List<CapturedTensor> reference) {
        Set<String> ours = new LinkedHashSet<>();
        for (ShapeTrace.Entry e : model.spec().accounting().shapeTrace(tokens.length, 0)) {
            ours.add(e.name());
        }
        Map<String, CapturedTensor> lastFor = new LinkedHashMap<>(); // llmgraph name -> llama.cpp tensor computed last
        Map<String, NodeNames.Target> targets = new LinkedHashMap<>();
        List<String> unmatchedLlamaCpp = new ArrayList<>();
        String architecture = GgufReport.of(model.spec()).architecture().orElse("");
        for (CapturedTensor t : reference) {
            var target = NodeNames.llmgraphName(t.name());
            String elsewhere = NodeNames.namedAtAnotherStep(architecture, t.name());
            if (elsewhere != null) {
                unmatchedLlamaCpp.add(t.name() + " (" + elsewhere + ")");
            } else if (target.isEmpty()) {
                unmatchedLlamaCpp.add(t.name());
            } else if (!ours.contains(target.get().llmgraphName())) {
                unmatchedLlamaCpp.add(t.name() + " (llmgraph has no " + target.get().llmgraphName() + ")");
            } else {
                targets.put(t.name(), target.get());
                lastFor.put(target.get().llmgraphName(), t);
            }
        }
        Map<String, NodeValue> values = model.inspect(tokens, lastFor.keySet().toArray(String[]::new)).nodes();
        List<NodeDifference> nodes = new ArrayList<>();
        Set<String> compared = new LinkedHashSet<>();
        for (CapturedTensor t : reference) {
            NodeNames.Target target = targets.get(t.name());
            if (target == null) {
                continue;
            }
            String name = target.llmgraphName();
            CapturedTensor last = lastFor.get(name);
            if (last != t) {
                unmatchedLlamaCpp.add(t.name() + " (a step before " + last.name() + ", which is compared with "
                        + name + ")");
                continue;
            }
            NodeValue v = values.get(name);
            NodeLayout layout = target.layout();
            NodeLayout.Laid theirs = layout.llamaCpp(t.ne(), t.values(), tokens.length);
            NodeLayout.Laid mine = layout.llmgraph(ggmlOrder(v.shape()), v.values(), tokens.length);
            if (!NodeDifference.comparable(theirs, mine)) {
                unmatchedLlamaCpp.add(t.name() + " (sizes differ: llama.cpp " + Arrays.toString(theirs.ne())
                        + ", llmgraph " + name + " " + Arrays.toString(mine.ne()) + ", ggml order)");
                continue;
            }
            compared.add(name);
            nodes.add(NodeDifference.compare(t.name(), name, layout, theirs, mine, tolerance));
        }
        List<String> unmatchedLlmgraph = new ArrayList<>(ours);
        unmatchedLlmgraph.removeAll(compared);
        return new ParityReport(gguf, tokens, tolerance, nodes, unmatchedLlamaCpp, unmatchedLlmgraph);
    }

    /** Paper order to ggml order. */
    private static long[] ggmlOrder(long[] shape) {
        int dims = shape.length;
        long[] ne = new long[dims];
        for (int i = 0; i < dims; i++) {
            ne[i] = shape[dims - 1 - i];
        }
        return ne;
    }
}
