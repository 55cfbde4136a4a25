package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.model.WeightSource;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.WeightLayout;

import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * Weights read from a GGUF file whose tensors are the layout's weights one for one under the names {@code toStored}
 * gives (T5's: {@code enc.}/{@code dec.} prefixes, nothing fused or split). Matrices keep the file's type; vectors
 * are F32, as llmgraph keeps them.
 */
record StoredNameSource(GgufFile file, UnaryOperator<String> toStored) implements WeightSource {
    @Override
    public GgmlType storedType(WeightLayout.Weight weight) {
        return weight.ne().length == 1 ? GgmlType.F32 : file.tensor(stored(weight)).type();
    }

    @Override
    public void load(ModelSpec spec, WeightLayout.Weight weight, Tensor target) {
        String name = stored(weight);
        var stored = file.tensor(name);
        if (!Arrays.equals(Arrays.copyOf(stored.ne(), weight.ne().length), weight.ne())
                || stored.elementCount() != weight.elements()) {
            throw new IllegalArgumentException(file.path() + ": tensor " + name + " is " + Arrays.toString(stored.ne())
                    + " (ggml order), and the spec read from its keys needs " + Arrays.toString(weight.ne()));
        }
        if (target.type() == stored.type()) {
            file.copyTo(name, target);
        } else {
            target.setFloats(file.floats(name));
        }
    }

    private String stored(WeightLayout.Weight weight) {
        String name = toStored.apply(weight.name());
        if (!file.hasTensor(name)) {
            throw new IllegalArgumentException(file.path() + " has no tensor " + name + ", which " + weight.name()
                    + " is stored as");
        }
        return name;
    }
}
