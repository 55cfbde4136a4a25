package dev.llmgraph.train;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.gguf.GgufWriter;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.model.LoraAdapter;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * A training run saved between steps, as two GGUF files: the model itself ({@code NAME.gguf}, f32, in
 * llama.cpp's names and keys, so llama.cpp loads it where the architecture maps), and beside it the optimizer
 * ({@code NAME.optimizer.gguf}: AdamW's two moments of every trained weight and the step count). The
 * training batches depend only on the seed and the step, so a resumed run continues exactly as an
 * uninterrupted one would have. Each file is written to a temporary name and then moved over the old one:
 * a save that is interrupted leaves the previous checkpoint whole.
 */
public final class Checkpoint {
    static final String STEP_KEY = "llmgraph.train.step";

    private Checkpoint() {}

    /** The optimizer file that goes with the model file {@code model}. */
    public static Path optimizerFile(Path model) {
        String name = model.getFileName().toString();
        String base = name.endsWith(".gguf") ? name.substring(0, name.length() - 5) : name;
        return model.resolveSibling(base + ".optimizer.gguf");
    }

    /** Saves {@code trainer}'s model and optimizer state after its last whole step. */
    public static void save(Trainer trainer, Path model) {
        if (trainer.optimizer().firstMoments().keySet().stream().anyMatch(LoraAdapter::isAdapterTensor)) {
            throw new IllegalArgumentException("this trainer trains a LoRA adapter, and a checkpoint holds a model's own "
                    + "weights; save the adapter with GgufAdapters.write(adapter, path)");
        }
        Path optimizer = optimizerFile(model);
        Path modelPart = temporary(model), optimizerPart = temporary(optimizer);
        GgufModels.write(trainer.model(), modelPart);
        GgufWriter out = new GgufWriter();
        out.putInt64(STEP_KEY, trainer.stepsDone());
        addMoments(out, "m.", trainer.optimizer().firstMoments());
        addMoments(out, "v.", trainer.optimizer().secondMoments());
        out.write(optimizerPart);
        move(optimizerPart, optimizer);
        move(modelPart, model);
    }

    /**
     * The run saved at {@code model}, ready to continue with {@code config} (normally the one it was started
     * with, perhaps with more steps). The trainer owns the model it loads: closing it closes the model.
     */
    public static Trainer resume(Path model, TrainingConfig config, ModelOptions options) {
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("no checkpoint at " + model + ": no such file; a checkpoint is saved "
                    + "with Checkpoint.save(trainer, path)");
        }
        Path optimizer = optimizerFile(model);
        if (!Files.exists(optimizer)) {
            throw new IllegalArgumentException("no optimizer state beside " + model + ": expected " + optimizer
                    + "; a checkpoint is saved with Checkpoint.save(trainer, path)");
        }
        Model loaded = GgufModels.load(model, options.withMatrixType(GgmlType.F32));
        try (GgufFile state = GgufFile.open(optimizer)) {
            Trainer trainer = Trainer.owning(loaded, config);
            try {
                loadMoments(state, "m.", trainer.optimizer().firstMoments());
                loadMoments(state, "v.", trainer.optimizer().secondMoments());
                trainer.resumeAt((int) state.getLong(STEP_KEY));
                return trainer;
            } catch (RuntimeException e) {
                trainer.close();
                throw e;
            }
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    private static void addMoments(GgufWriter out, String prefix, Map<String, Tensor> moments) {
        for (var e : moments.entrySet()) {
            Tensor t = e.getValue();
            out.addTensor(prefix + e.getKey(), GgmlType.F32, t::toFloats, t.shape());
        }
    }

    private static void loadMoments(GgufFile state, String prefix, Map<String, Tensor> moments) {
        for (var e : moments.entrySet()) {
            String name = prefix + e.getKey();
            if (!state.hasTensor(name)) {
                throw new IllegalArgumentException(state.path() + " has no moment '" + name + "': it was saved for "
                        + "another model or with other weights trained");
            }
            float[] values = state.floats(name);
            if (values.length != e.getValue().elementCount()) {
                throw new IllegalArgumentException(state.path() + ": moment '" + name + "' has " + values.length
                        + " values and the weight has " + e.getValue().elementCount());
            }
            e.getValue().setFloats(values);
        }
    }

    private static Path temporary(Path file) {
        return file.resolveSibling(file.getFileName() + ".part");
    }

    private static void move(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not move " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }
}
