package dev.llmgraph.model;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.Buffer;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.WeightLayout;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A model's weight tensors in one backend buffer, by llama.cpp name, plus constant tables. */
final class Weights implements AutoCloseable {
    static final String SINUSOIDAL_TABLE = "position_embd.sinusoidal";

    private final Context ctx;
    private final Buffer buffer;
    private final Map<String, Tensor> tensors;
    private final List<WeightLayout.Weight> layout;

    private Weights(Context ctx, Buffer buffer, Map<String, Tensor> tensors, List<WeightLayout.Weight> layout) {
        this.ctx = ctx;
        this.buffer = buffer;
        this.tensors = tensors;
        this.layout = layout;
    }

    static Weights create(ModelSpec spec, Backend backend, ModelOptions options, WeightSource source) {
        List<WeightLayout.Weight> layout = WeightLayout.of(spec);
        Context ctx = Context.create(layout.size() + 1);
        try {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (WeightLayout.Weight w : layout) {
                tensors.put(w.name(), ctx.newTensor(w.name(), typeFor(w, options, source), w.ne()));
            }
            if (spec.positional() instanceof Positional.Sinusoidal) {
                tensors.put(SINUSOIDAL_TABLE, ctx.newTensor(SINUSOIDAL_TABLE, GgmlType.F32, spec.dModel(),
                        spec.contextLength()));
            }
            Buffer buffer = ctx.allocate(backend);
            for (WeightLayout.Weight w : layout) {
                checkInterrupted();
                source.load(spec, w, tensors.get(w.name()));
            }
            if (spec.positional() instanceof Positional.Sinusoidal) {
                tensors.get(SINUSOIDAL_TABLE).setFloats(sinusoidalTable(spec.dModel(), spec.contextLength()));
            }
            return new Weights(ctx, buffer, tensors, layout);
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    private static GgmlType typeFor(WeightLayout.Weight w, ModelOptions options, WeightSource source) {
        GgmlType stored = source.storedType(w);
        if (stored != null) {
            return stored;
        }
        if (!w.matrix()) {
            return GgmlType.F32;
        }
        return w.ne()[0] % options.matrixType().blockSize() == 0 ? options.matrixType() : GgmlType.F16;
    }

    private static float[] sinusoidalTable(int d, int positions) {
        float[] table = new float[d * positions];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < d; i++) {
                table[p * d + i] = (float) Positional.Sinusoidal.value(p, i, d);
            }
        }
        return table;
    }

    private static void checkInterrupted() {
        if (Thread.currentThread().isInterrupted()) {
            throw new dev.llmgraph.ggml.ComputeInterruptedException("weight initialisation was interrupted");
        }
    }

    Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("this model has no weight named '" + name + "'; it has "
                    + tensors.keySet().stream().limit(8).toList() + (tensors.size() > 8 ? " and more" : ""));
        }
        return t;
    }

    /** The weight, or null when the spec has none of that name. */
    Tensor find(String name) {
        return tensors.get(name);
    }

    List<WeightLayout.Weight> layout() {
        return layout;
    }

    long byteSize() {
        return buffer.byteSize();
    }

    @Override
    public void close() {
        ctx.close();
    }
}
