package dev.llmgraph.io.gguf;

import dev.llmgraph.io.family.ModelFamily;
import dev.llmgraph.ggml.gguf.GgufException;
import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.gguf.GgufTensorInfo;
import dev.llmgraph.ggml.gguf.GgufWriter;
import dev.llmgraph.model.LoraAdapter;
import dev.llmgraph.model.LoraTargets;
import dev.llmgraph.model.Model;
import dev.llmgraph.spec.ModelSpec;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LoRA adapters in llama.cpp's adapter GGUF ({@code convert_lora_to_gguf.py} writes them,
 * {@code src/llama-adapter.cpp} reads them, {@code llama-cli --lora FILE} applies them):
 * <ul>
 *   <li>keys {@code general.architecture} (the base model's, e.g. {@code llama}), {@code general.type = "adapter"},
 *       {@code adapter.type = "lora"}, {@code adapter.lora.alpha} (f32; llama.cpp reads a missing or zero alpha
 *       as "scale 1");
 *   <li>per adapted weight {@code W} of the base file, two tensors: {@code W.lora_a} [in, rank] and
 *       {@code W.lora_b} [rank, out] (ggml order), so that llama.cpp computes
 *       {@code W x + (alpha / rank) * mul_mat(lora_b, mul_mat(lora_a, x))}, rank being {@code lora_b}'s ne[0].
 * </ul>
 */
public final class GgufAdapters {
    private static final String A = ".lora_a", B = ".lora_b";

    private GgufAdapters() {}

    /** Writes {@code adapter} (f32) for llama.cpp; returns the bytes written. */
    public static long write(LoraAdapter adapter, Path path) {
        ModelSpec spec = adapter.spec();
        GgufReport report = GgufReport.of(spec);
        if (!report.maps()) {
            throw new IllegalArgumentException("cannot write " + path + " for llama.cpp: " + report);
        }
        ModelFamily family = report.target();
        TensorPlan plan = TensorPlan.forWriting(spec, family);
        GgufWriter out = new GgufWriter();
        out.putString("general.architecture", family.llamaCpp());
        out.putString("general.type", "adapter");
        out.putString("general.name", spec.name() + " LoRA");
        out.putString("adapter.type", "lora");
        out.putFloat32("adapter.lora.alpha", (float) adapter.alpha());
        for (String target : adapter.targets()) {
            TensorPlan.Stored stored = plan.stored(target);
            if (stored == null || stored.parts().size() != 1) {
                throw new IllegalArgumentException("cannot write " + path + ": a '" + family.llamaCpp() + "' file "
                        + "stores " + target + " inside a fused tensor (" + plan.place(target).stored() + "), which an "
                        + "adapter on " + target + " alone cannot adapt in llama.cpp");
            }
            out.addTensor(target + A, adapter.a(target));
            out.addTensor(target + B, adapter.b(target));
        }
        return out.write(path);
    }

    /** The adapter in {@code path} for {@code model}, on the model's backend (not attached). */
    public static LoraAdapter load(Path path, Model model) {
        try (GgufFile file = GgufFile.open(path)) {
            ModelSpec spec = model.spec();
            requireKey(file, "general.type", "adapter", "a LoRA adapter file says general.type = \"adapter\"");
            requireKey(file, "adapter.type", "lora", "llmgraph reads LoRA adapters");
            String architecture = GgufReport.of(spec).architecture().orElse("none");
            requireKey(file, "general.architecture", architecture, "it must be the base model's: " + spec.name()
                    + " is written as '" + architecture + "'");
            Map<String, GgufTensorInfo[]> pairs = pairs(file);
            int rank = -1;
            for (var e : pairs.entrySet()) {
                rank = requireShapes(file, model, e.getKey(), e.getValue()[0], e.getValue()[1], rank);
            }
            if (pairs.isEmpty()) {
                throw new GgufException(file.path() + " has no .lora_a / .lora_b tensors: it adapts nothing");
            }
            double alpha = file.has("adapter.lora.alpha") ? file.getDouble("adapter.lora.alpha") : 0;
            // llama.cpp scales by 1 when alpha is 0 (absent): alpha = rank is that scale
            LoraAdapter adapter = LoraAdapter.zeros(model, rank, alpha == 0 ? rank : alpha, List.copyOf(pairs.keySet()));
            try {
                for (String target : pairs.keySet()) {
                    adapter.a(target).setFloats(file.floats(target + A));
                    adapter.b(target).setFloats(file.floats(target + B));
                }
                return adapter;
            } catch (RuntimeException e) {
                adapter.close();
                throw e;
            }
        }
    }

    private static void requireKey(GgufFile file, String key, String expected, String why) {
        String value = file.has(key) ? file.getString(key) : null;
        if (!expected.equals(value)) {
            throw new GgufException(file.path() + ": " + key + " is " + (value == null ? "missing" : "'" + value + "'")
                    + " and should be '" + expected + "': " + why);
        }
    }

    /** A and B of each adapted weight, as llama.cpp pairs them; norm tensors are skipped, as llama.cpp skips them. */
    private static Map<String, GgufTensorInfo[]> pairs(GgufFile file) {
        Map<String, GgufTensorInfo[]> pairs = new LinkedHashMap<>();
        for (GgufTensorInfo t : file.tensors()) {
            String name = t.name();
            if (name.endsWith(A) || name.endsWith(B)) {
                String target = name.substring(0, name.length() - A.length());
                pairs.computeIfAbsent(target, k -> new GgufTensorInfo[2])[name.endsWith(A) ? 0 : 1] = t;
            } else if (!name.endsWith("_norm.weight")) {
                throw new GgufException(file.path() + ": tensor '" + name + "' is not a LoRA factor (names end in "
                        + ".lora_a or .lora_b)");
            }
        }
        pairs.forEach((target, ab) -> {
            if (ab[0] == null || ab[1] == null) {
                throw new GgufException(file.path() + ": " + target + " has " + (ab[0] == null ? "a lora_b but no lora_a"
                        : "a lora_a but no lora_b") + "; an adapted weight needs both");
            }
        });
        return pairs;
    }

    /** Checks A [in, rank] and B [rank, out] against the model's W [in, out]; returns the rank. */
    private static int requireShapes(GgufFile file, Model model, String target, GgufTensorInfo a, GgufTensorInfo b,
                                     int rank) {
        String where = file.path() + ": ";
        if (LoraTargets.projection(target) == null) {
            throw new GgufException(where + "it adapts " + target + ", and llmgraph applies adapters only to the "
                    + "projections " + LoraTargets.PROJECTIONS + " of blocks");
        }
        if (!model.weightNames().contains(target)) {
            throw new GgufException(where + "it adapts " + target + ", which " + model.spec().name() + " does not have: "
                    + "this adapter was made for another model");
        }
        long[] w = model.weightTensor(target).ne();
        if (a.shape().length > 2 || b.shape().length > 2 || a.ne()[0] != w[0] || b.ne()[1] != w[1]
                || a.ne()[1] != b.ne()[0]) {
            throw new GgufException(where + target + ".lora_a is " + Arrays.toString(a.shape()) + " and .lora_b "
                    + Arrays.toString(b.shape()) + ", but " + target + " of " + model.spec().name() + " is "
                    + Arrays.toString(model.weightTensor(target).shape()) + " (ggml order; A is [in, rank], B is "
                    + "[rank, out]): this adapter was made for "
                    + "another model");
        }
        if (rank != -1 && a.ne()[1] != rank) {
            throw new GgufException(where + target + " has rank " + a.ne()[1] + " and the targets before it rank "
                    + rank + "; llmgraph reads adapters of one rank");
        }
        return Math.toIntExact(a.ne()[1]);
    }
}
