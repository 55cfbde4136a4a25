package dev.llmgraph.io.gguf;

import dev.llmgraph.io.family.FamilyFacts;
import dev.llmgraph.io.family.ModelFamily;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.WeightLayout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where each weight of a spec lives in a GGUF file of one architecture. llmgraph's weights carry llama.cpp's
 * names ({@link WeightLayout}); a file differs in four ways:
 * <ul>
 *   <li>fused q, k, v: {@code blk.N.attn_qkv} holds q's rows, then k's, then v's (and the same for the
 *       biases), which is how {@code build_qkv} in {@code src/llama-graph.cpp} views it;</li>
 *   <li>ChatGLM's fused gate and up: {@code blk.N.ffn_up} holds the gate's rows, then up's;</li>
 *   <li>Gemma 2's sandwich norms are {@code post_attention_norm} and {@code post_ffw_norm}; a family may
 *       rename others ({@code FamilyFacts.Tensors#renamed}: BERT's post-norms).</li>
 *   <li>copies a family loads but never uses ({@code FamilyFacts.Tensors#copies}): stored, with no place.</li>
 * </ul>
 * Stacking is along the outermost dimension, so a part is a run of whole rows (or of a vector's elements)
 * at an element offset; that holds for quantized types too, block by block.
 */
final class TensorPlan {
    /** A weight stored at {@code offset} elements into the file tensor {@code stored}. */
    record Place(String stored, long offset) {}

    /** A tensor of the file: its name, shape (ggml order) and the weights stacked in it. */
    record Stored(String name, long[] ne, List<WeightLayout.Weight> parts) {}

    private static final Pattern QKV = Pattern.compile("blk\\.(\\d+)\\.attn_[qkv]\\.(weight|bias)");
    private static final Pattern GATE_UP = Pattern.compile("blk\\.(\\d+)\\.ffn_(gate|up)\\.weight");
    private static final Map<String, String> RENAMED = Map.of("attn_post_norm", "post_attention_norm",
            "ffn_post_norm", "post_ffw_norm");

    private final Map<String, Stored> stored = new LinkedHashMap<>();
    private final Map<String, Place> places = new LinkedHashMap<>();

    /** The plan for writing {@code spec} as {@code family}: q, k and v fused unless the family stores them apart. */
    static TensorPlan forWriting(ModelSpec spec, ModelFamily family) {
        return new TensorPlan(spec, family, family.facts().tensors().qkv() != FamilyFacts.QkvTensors.SEPARATE);
    }

    /** The plan for {@code spec} as {@code family}, with q, k, v fused into attn_qkv if {@code fusedQkv}. */
    TensorPlan(ModelSpec spec, ModelFamily family, boolean fusedQkv) {
        Map<String, List<WeightLayout.Weight>> groups = new LinkedHashMap<>();
        for (WeightLayout.Weight w : WeightLayout.of(spec)) {
            groups.computeIfAbsent(storedName(w.name(), family, fusedQkv), k -> new ArrayList<>()).add(w);
        }
        groups.forEach((name, parts) -> {
            long offset = 0;
            for (WeightLayout.Weight part : parts) {
                places.put(part.name(), new Place(name, offset));
                offset += part.elements();
            }
            stored.put(name, new Stored(name, stackedShape(parts), List.copyOf(parts)));
        });
        Map<String, WeightLayout.Weight> byName = new LinkedHashMap<>();
        WeightLayout.of(spec).forEach(w -> byName.put(w.name(), w));
        family.facts().tensors().copies().forEach((name, weight) -> {
            WeightLayout.Weight original = byName.get(weight);
            stored.put(name, new Stored(name, original.ne().clone(), List.of(original)));
        });
    }

    /** The file tensors, in the order they are written. */
    List<Stored> stored() {
        return List.copyOf(stored.values());
    }

    Stored stored(String name) {
        return stored.get(name);
    }

    /** Where the weight {@code weightName} is in the file. */
    Place place(String weightName) {
        return places.get(weightName);
    }

    private static String storedName(String weight, ModelFamily family, boolean fusedQkv) {
        Matcher qkv = QKV.matcher(weight);
        if (fusedQkv && qkv.matches()) {
            return "blk." + qkv.group(1) + ".attn_qkv." + qkv.group(2);
        }
        Matcher gateUp = GATE_UP.matcher(weight);
        if (family.facts().tensors().gateUpFused() && gateUp.matches()) {
            return "blk." + gateUp.group(1) + ".ffn_up.weight";
        }
        for (var rename : family.facts().tensors().renamed().entrySet()) {
            String infix = "." + rename.getKey() + ".";
            if (weight.contains(infix)) {
                return weight.replace(infix, "." + rename.getValue() + ".");
            }
        }
        for (var rename : RENAMED.entrySet()) {
            String infix = "." + rename.getKey() + ".";
            if (weight.contains(infix)) {
                return weight.replace(infix, "." + rename.getValue() + ".");
            }
        }
        return weight;
    }

    /** Parts stacked along their outermost dimension: rows of matrices, elements of vectors. */
    private static long[] stackedShape(List<WeightLayout.Weight> parts) {
        long[] ne = parts.getFirst().ne().clone();
        long outer = 0;
        for (WeightLayout.Weight part : parts) {
            outer += part.ne()[ne.length - 1];
        }
        ne[ne.length - 1] = outer;
        return ne;
    }
}
