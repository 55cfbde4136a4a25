package dev.llmgraph.io.gguf;

import dev.llmgraph.io.family.ModelFamily;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.gguf.GgufWriter;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.lower.StoredTypes;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopeScaling;
import dev.llmgraph.spec.WeightLayout;
import dev.llmgraph.spec.WeightStorage;
import dev.llmgraph.tokenize.GgufVocabulary;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a model as the GGUF file llama.cpp's converter would write for its architecture: llama.cpp's keys
 * ({@code <arch>.embedding_length}, ...), its tensor names and fusions ({@link TensorPlan}) and a minimal
 * tokenizer ({@link MinimalVocabulary}) or the vocabulary given, so that llama.cpp loads and runs it.
 */
final class GgufExport {
    private GgufExport() {}

    /**
     * Writes {@code model} to {@code path}; matrices in {@code matrixType} (quantized from their values), or,
     * when it is null, each weight in the type the model stores it in, byte for byte. The tokenizer is
     * {@code vocabulary}'s, or, when it is null, the minimal one.
     */
    static long write(Model model, Path path, GgmlType matrixType, GgufVocabulary vocabulary) {
        ModelSpec spec = model.spec();
        GgufReport report = GgufReport.of(spec);
        if (!report.maps()) {
            throw new IllegalArgumentException("cannot write " + path + " for llama.cpp: " + report);
        }
        ModelFamily family = report.target();
        GgufWriter out = new GgufWriter();
        out.putString("general.architecture", family.llamaCpp());
        out.putString("general.name", spec.name());
        sharedKeys(spec, family.llamaCpp(), out);
        FamilyKeys.write(family, spec, out);
        if (vocabulary == null) {
            MinimalVocabulary.write(out, family.llamaCpp(), spec.vocabSize());
        } else {
            vocabulary.writeTo(out);
        }
        TensorPlan plan = TensorPlan.forWriting(spec, family);
        for (TensorPlan.Stored stored : plan.stored()) {
            if (matrixType == null) {
                List<Tensor> parts = stored.parts().stream().map(w -> model.weightTensor(w.name())).toList();
                if (parts.size() == 1) {
                    out.addTensor(stored.name(), parts.getFirst());
                } else {
                    out.addTensor(stored.name(), parts);
                }
            } else {
                // Read when the file is written, one tensor at a time, not the whole model onto the heap now.
                out.addTensor(stored.name(), typeFor(stored, matrixType), () -> values(model, stored), stored.ne());
            }
        }
        Llama3RopeFile.write(model, out);
        LongRopeFile.write(spec, family.llamaCpp() + ".", out);
        return out.write(path);
    }

    /** The keys every architecture reads ({@code llama_model_base::load_hparams}), in llama.cpp's types. */
    private static void sharedKeys(ModelSpec spec, String arch, GgufWriter out) {
        String a = arch + ".";
        out.putUint32(a + "context_length", spec.contextLength());
        out.putUint32(a + "embedding_length", spec.dModel());
        out.putUint32(a + "block_count", spec.layers());
        out.putUint32(a + "feed_forward_length", spec.ffnDim());
        out.putUint32(a + "attention.head_count", spec.heads());
        // MLA's head sizes are its architecture's keys; a state space model has no heads.
        if (!spec.latentAttention() && !spec.recurrent()) {
            out.putUint32(a + "attention.head_count_kv", spec.kvHeads());
            out.putUint32(a + "attention.key_length", spec.headDim());
            out.putUint32(a + "attention.value_length", spec.headDim());
        }
        String epsKey = switch (spec.norm()) {
            case Norm.LayerNorm _ -> "attention.layer_norm_epsilon";
            case Norm.RmsNorm _, Norm.SimpleRmsNorm _ -> "attention.layer_norm_rms_epsilon";
        };
        out.putFloat32(a + epsKey, (float) spec.norm().eps());
        switch (spec.positional()) {
            case Positional.Rope rope -> writeRope(spec, rope, a, out);
            // No shared keys: an architecture that has them writes its own (BLOOM its ALiBi max bias).
            case Positional.None _, Positional.Learned _, Positional.Sinusoidal _, Positional.Alibi _,
                 Positional.T5Bias _ -> { }
        }
    }

    /** RoPE as llama.cpp reads it: NTK-aware scaling is written as the base it raises theta to. */
    private static void writeRope(ModelSpec spec, Positional.Rope rope, String a, GgufWriter out) {
        out.putFloat32(a + "rope.freq_base", (float) rope.effectiveTheta(spec.ropeHeadDim()));
        out.putUint32(a + "rope.dimension_count", rope.rotatedDims(spec.ropeHeadDim()));
        switch (rope.scaling()) {
            case RopeScaling.Linear linear -> {
                out.putString(a + "rope.scaling.type", "linear");
                out.putFloat32(a + "rope.scaling.factor", (float) linear.factor());
            }
            case RopeScaling.Yarn yarn -> {
                out.putString(a + "rope.scaling.type", "yarn");
                out.putFloat32(a + "rope.scaling.factor", (float) yarn.factor());
                out.putUint32(a + "rope.scaling.original_context_length", yarn.trainedContext());
            }
            case RopeScaling.None none -> { }
            case RopeScaling.NtkAware ntk -> { } // folded into freq_base
            case RopeScaling.Llama3 llama3 -> { } // no llama.cpp keys: the tensor rope_freqs (Llama3RopeFile)
            case RopeScaling.LongRope longRope -> { } // two keys and two tensors (LongRopeFile)
        }
    }

    /** As llmgraph stores weights (a fused tensor's rows are its parts' rows). */
    private static GgmlType typeFor(TensorPlan.Stored stored, GgmlType matrixType) {
        WeightStorage storage = WeightStorage.of(stored.parts().getFirst().matrix(), stored.ne()[0], matrixType);
        return StoredTypes.of(storage, matrixType);
    }

    private static float[] values(Model model, TensorPlan.Stored stored) {
        List<float[]> parts = new ArrayList<>();
        long total = 0;
        for (WeightLayout.Weight w : stored.parts()) {
            float[] values = model.weight(w.name());
            parts.add(values);
            total += values.length;
        }
        float[] all = new float[Math.toIntExact(total)];
        int at = 0;
        for (float[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
