package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.model.WeightSource;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.WeightLayout;

import java.util.Arrays;

/**
 * A model's weights from a GGUF file whose tensors {@link GgufModels#spec} has checked against the plan.
 * Matrices keep the file's type (F16, BF16, Q8_0, Q4_K, ...) and their bytes go from the memory-mapped file
 * to the backend with no copy on the Java heap, or are used in place from a mapping of the file on the CPU
 * ({@link #inFile}, {@code ModelOptions.mapWeights}); a fused tensor gives each of its parts its own rows. Vectors
 * (norm weights and biases) are used by element-wise ops that take F32, so a vector stored in another type
 * is converted to F32 (they are small).
 */
final class GgufWeightSource implements WeightSource {
    private final GgufFile file;
    private final TensorPlan plan;

    GgufWeightSource(GgufFile file, TensorPlan plan) {
        this.file = file;
        this.plan = plan;
    }

    @Override
    public GgmlType storedType(WeightLayout.Weight weight) {
        GgmlType type = file.tensor(plan.place(weight.name()).stored()).type();
        return weight.ne().length == 1 ? GgmlType.F32 : type;
    }

    /**
     * Where the weight's bytes lie: a whole file tensor of the wanted type, or whole rows of a fused one (q of
     * {@code attn_qkv}), which is the same bytes {@link #load} would copy.
     */
    @Override
    public InFile inFile(WeightLayout.Weight weight, GgmlType type) {
        TensorPlan.Place place = plan.place(weight.name());
        var stored = file.tensor(place.stored());
        if (type != stored.type()) {
            return null;
        }
        long[] ne = stored.ne();
        long start = file.dataSectionOffset() + stored.dataOffset();
        if (place.offset() == 0 && Arrays.equals(padded(weight.ne()), ne)) {
            return new InFile(file.path(), start);
        }
        boolean rows = ne[2] == 1 && ne[3] == 1 && weight.ne().length <= 2 && weight.ne()[0] == ne[0]
                && place.offset() % ne[0] == 0 && ne[0] % type.blockSize() == 0;
        return rows ? new InFile(file.path(), start + place.offset() / type.blockSize() * type.blockBytes()) : null;
    }

    @Override
    public boolean storedTogether(String... names) {
        String first = plan.place(names[0]).stored();
        return java.util.Arrays.stream(names).allMatch(name -> plan.place(name).stored().equals(first));
    }

    private static long[] padded(long[] ne) {
        long[] out = {1, 1, 1, 1};
        System.arraycopy(ne, 0, out, 0, ne.length);
        return out;
    }

    @Override
    public void load(ModelSpec spec, WeightLayout.Weight weight, Tensor target) {
        TensorPlan.Place place = plan.place(weight.name());
        var stored = file.tensor(place.stored());
        if (target.type() == stored.type() && place.offset() == 0 && Arrays.equals(target.ne(), stored.ne())) {
            file.copyTo(place.stored(), target); // the whole tensor, e.g. a 3-d stack of experts
        } else if (target.type() == stored.type()) {
            file.copyPartTo(place.stored(), place.offset(), target);
        } else {
            float[] all = file.floats(place.stored());
            int from = Math.toIntExact(place.offset());
            target.setFloats(Arrays.copyOfRange(all, from, from + Math.toIntExact(weight.elements())));
        }
    }
}
