package dev.llmgraph.io.gguf;

import dev.llmgraph.io.family.FamilyFacts;
import dev.llmgraph.io.family.ModelFamily;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.gguf.GgufException;
import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.gguf.GgufTensorInfo;
import dev.llmgraph.ggml.gguf.GgufValueType;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightSource;
import dev.llmgraph.spec.InvalidSpecException;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Mamba2;
import dev.llmgraph.spec.Ssm;
import dev.llmgraph.spec.StateSpace;
import dev.llmgraph.tokenize.GgufVocabulary;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * GGUF model files in llama.cpp's conventions, both ways:
 * <pre>{@code
 * ModelSpec spec = GgufModels.spec(Path.of("qwen2-0.5b.gguf"));         // what the file describes
 * try (Model model = GgufModels.load(Path.of("qwen2-0.5b.gguf"), ModelOptions.cpu())) { ... }
 * GgufModels.write(model, Path.of("mine.gguf"));                         // llama.cpp loads and runs it
 * GgufModels.write(model, Path.of("mine-q8.gguf"), GgmlType.Q8_0);       // matrices quantized
 * GgufModels.write(model, Path.of("mine-bpe.gguf"), bpe);                 // with a trained tokenizer
 * }</pre>
 * Architectures read and written: llama, qwen2, qwen3, qwen2moe, olmoe, qwen3moe, deepseek2, gemma2, gemma3, chatglm,
 * gpt2, bloom, falcon, mamba, mamba2, jamba, rwkv6, rwkv7, bert and nomic-bert (see {@link GgufReport} for which spec
 * maps to which). A file llmgraph cannot read gives a {@link GgufException} naming the file,
 * the key or tensor, and the problem.
 */
public final class GgufModels {
    /** Architectures llmgraph reads elsewhere than here, with the reader to use for each. */
    private static final Map<String, String> ELSEWHERE = Map.ofEntries(
            Map.entry("t5", "an encoder-decoder (two stacks, not one ModelSpec): read it with "
                    + "EncoderDecoderGguf.load(path, options)"),
            Map.entry("t5encoder", "T5's encoder: read it with GgufModels.load or EncoderDecoderGguf.loadEncoder"));

    private GgufModels() {}

    /** The spec a GGUF file describes, after checking that its tensors are exactly that spec's. */
    public static ModelSpec spec(Path path) {
        try (GgufFile file = GgufFile.open(path)) {
            return spec(file);
        }
    }

    /** The spec an open GGUF file describes, after checking that its tensors are exactly that spec's. */
    public static ModelSpec spec(GgufFile file) {
        return isT5Encoder(file) ? EncoderDecoderGguf.encoderSpec(file) : read(file).spec();
    }

    /** The model in a GGUF file on the CPU. */
    public static Model load(Path path) {
        return load(path, ModelOptions.cpu());
    }

    /**
     * The model in a GGUF file, run with {@code options}: matrices keep the file's type, whatever
     * {@code options.matrixType()} says. The file is closed again once the weights are on the backend; on the
     * CPU, weights used in place ({@link ModelOptions#mapWeights()}) keep a mapping of their own until the model
     * closes, so the file must not be truncated or rewritten in place meanwhile (replacing it, as
     * {@link #write} does, is safe).
     */
    public static Model load(Path path, ModelOptions options) {
        try (GgufFile file = GgufFile.open(path)) {
            if (isT5Encoder(file)) {
                return EncoderDecoderGguf.loadEncoder(path, options);
            }
            Reading reading = read(file);
            return Model.create(reading.spec(), new GgufWeightSource(file, reading.plan()), options);
        }
    }

    /** The weights of an open file for {@code Model.create(spec(file), source, options)}; keep it open till then. */
    public static WeightSource weights(GgufFile file) {
        return new GgufWeightSource(file, read(file).plan());
    }

    /**
     * Writes {@code model} for llama.cpp, every weight in the type the model stores it in. An attached LoRA adapter
     * is not part of the file, as llama.cpp keeps adapters in files of their own: write it with
     * {@link GgufAdapters#write}, or fold it into the weights first with {@code LoraAdapter.mergeInto}.
     */
    public static long write(Model model, Path path) {
        if (EncoderDecoderGguf.isT5Encoder(model.spec())) {
            return EncoderDecoderGguf.writeEncoder(model, path);
        }
        return GgufExport.write(model, path, null, null);
    }

    /** llama.cpp's t5encoder: T5's encoder alone, one ModelSpec, read by {@link EncoderDecoderGguf}. */
    private static boolean isT5Encoder(GgufFile file) {
        return file.has("general.architecture") && file.getString("general.architecture").equals("t5encoder");
    }

    /**
     * Writes {@code model} for llama.cpp with {@code vocabulary} as its tokenizer (a trained BPE, WordPiece or
     * Unigram, or a published BPE), so that libllama, and {@code TextModel.load}, read text with it. The model's
     * vocabSize must be the vocabulary's size: one embedding row and one logit per token.
     */
    public static long write(Model model, Path path, GgufVocabulary vocabulary) {
        return write(model, path, null, vocabulary);
    }

    /** Writes {@code model} for llama.cpp with its matrices stored as {@code matrixType} (e.g. Q8_0, Q4_0). */
    public static long write(Model model, Path path, GgmlType matrixType) {
        return write(model, path, matrixType, null);
    }

    /**
     * Writes {@code model} for llama.cpp with its matrices stored as {@code matrixType} (null: as the model holds
     * them) and {@code vocabulary} as its tokenizer (null: none), as the two methods above.
     */
    public static long write(Model model, Path path, GgmlType matrixType, GgufVocabulary vocabulary) {
        if (matrixType != null && !matrixType.isFloat() && !matrixType.isQuantized()) {
            throw new IllegalArgumentException("matrixType = " + matrixType + ": weights must be a float or quantized "
                    + "type");
        }
        if (vocabulary != null && vocabulary.size() != model.spec().vocabSize()) {
            throw new IllegalArgumentException("the vocabulary has " + vocabulary.size() + " tokens but "
                    + model.spec().name() + " has vocabSize " + model.spec().vocabSize() + "; a model written with a "
                    + "vocabulary needs one embedding row and one logit per token: build the spec with vocabSize("
                    + vocabulary.size() + ")");
        }
        return GgufExport.write(model, path, matrixType, vocabulary);
    }

    // ---- reading -----------------------------------------------------------------------------------------

    record Reading(ModelSpec spec, ModelFamily family, TensorPlan plan) {}

    static Reading read(GgufFile file) {
        if (!file.has("general.architecture")) {
            throw new GgufException(file.path() + ": key 'general.architecture' is missing; a GGUF model file names "
                    + "its architecture there");
        }
        if (file.has("general.type") && file.typeOf("general.type") == GgufValueType.STRING
                && file.getString("general.type").equals("adapter")) {
            throw new GgufException(file.path() + ": is a LoRA adapter (general.type = \"adapter\"), not a model; "
                    + "load its base model, then the adapter onto it with GgufAdapters.load(path, model)");
        }
        String name = file.getString("general.architecture");
        ModelFamily family = ModelFamily.named(name);
        if (family == null) {
            String reader = ELSEWHERE.get(name);
            throw new GgufException(file.path() + ": architecture '" + name + "' " + (reader != null
                    ? "is " + reader
                    : "is not one llmgraph reads; it reads " + ModelFamily.names(f -> true)));
        }
        ModelFile model = new ModelFile(file, name, family.facts());
        if (model.expertCount > 0 && family.facts().experts().presence() == FamilyFacts.Experts.Presence.NONE) {
            throw model.keys.problem("key '" + model.keys.key("expert_count") + "' = " + model.expertCount + ": a "
                    + "mixture of experts, which llmgraph reads in " + ModelFamily.names(f -> f.experts().presence()
                    != FamilyFacts.Experts.Presence.NONE) + " files, not in " + name + " ones");
        }
        ModelSpec spec;
        try {
            spec = FamilyReading.read(family, model);
        } catch (InvalidSpecException e) {
            throw new GgufException(file.path() + ": its keys describe a model llmgraph cannot build: "
                    + e.getMessage(), e);
        }
        // Keys llama.cpp's graph for the architecture would refuse or ignore (e.g. partial RoPE for llama).
        List<String> misfits = FamilyMisfits.of(family, spec);
        if (!misfits.isEmpty()) {
            throw new GgufException(file.path() + ": its keys describe a model that llama.cpp's " + name
                    + " graph does not compute: " + String.join("; ", misfits));
        }
        boolean fused = switch (family.facts().tensors().qkv()) {
            case FUSED -> true;
            case SEPARATE -> false;
            case FUSED_OR_SEPARATE -> file.hasTensor("blk.0.attn_qkv.weight");
        };
        TensorPlan plan = new TensorPlan(spec, family, fused);
        checkTensors(file, name, spec, plan);
        return new Reading(spec, family, plan);
    }

    /** The file's tensors must be exactly the plan's, in shape and in kind (float or quantized). */
    private static void checkTensors(GgufFile file, String architecture, ModelSpec spec, TensorPlan plan) {
        String model = "the " + architecture + " model its keys describe";
        Set<String> expected = new HashSet<>();
        for (TensorPlan.Stored stored : plan.stored()) {
            expected.add(stored.name());
            if (!file.hasTensor(stored.name())) {
                throw new GgufException(file.path() + ": tensor '" + stored.name() + "' is missing; " + model
                        + " needs it");
            }
            GgufTensorInfo info = file.tensor(stored.name());
            if (!Arrays.equals(info.ne(), padded(stored.ne()))) {
                throw new GgufException(file.path() + ": tensor '" + stored.name() + "' has shape "
                        + Arrays.toString(info.shape()) + " (ggml order) but " + model + " (" + sizes(spec)
                        + ") needs " + Arrays.toString(stored.ne()));
            }
            if (!info.type().isFloat() && !info.type().isQuantized()) {
                throw new GgufException(file.path() + ": tensor '" + stored.name() + "' is " + info.type()
                        + "; weights are floats or a quantized type");
            }
        }
        if (Llama3RopeFile.of(spec).isPresent()) {
            expected.add(Llama3RopeFile.TENSOR); // its length was checked as the spec was read
        }
        if (LongRopeFile.of(spec) != null) {
            expected.addAll(List.of(LongRopeFile.SHORT, LongRopeFile.LONG)); // checked as the spec was read
        }
        for (GgufTensorInfo info : file.tensors()) {
            if (!expected.contains(info.name())) {
                throw new GgufException(file.path() + ": tensor '" + info.name() + "' has no place in " + model
                        + " (llama.cpp refuses such a file too: it counts the tensors it loads)");
            }
        }
    }

    /** Sizes padded with ones to ggml's four dimensions, so that [64] and [64, 1] compare equal. */
    private static long[] padded(long[] ne) {
        long[] out = {1, 1, 1, 1};
        System.arraycopy(ne, 0, out, 0, ne.length);
        return out;
    }

    private static String sizes(ModelSpec spec) {
        if (spec.rwkv() != null) {
            return "dModel " + spec.dModel() + ", " + spec.rwkv() + ", vocabulary " + spec.vocabSize();
        }
        if (spec.recurrent()) {
            StateSpace m = spec.ssm();
            String particular = switch (m) {
                case Ssm mamba -> "dtRank " + mamba.dtRank();
                case Mamba2 mamba2 -> mamba2.heads() + " heads in " + mamba2.groups() + " groups";
            };
            String mixer = switch (m) {
                case Ssm _ -> "Mamba";
                case Mamba2 _ -> "Mamba-2";
            };
            return "dModel " + spec.dModel() + ", " + mixer + " of innerDim "
                    + m.innerDim() + ", stateDim " + m.stateDim() + ", convWidth " + m.convWidth() + ", " + particular
                    + ", vocabulary " + spec.vocabSize();
        }
        return "dModel " + spec.dModel() + ", " + spec.heads() + " heads and " + spec.kvHeads() + " K/V heads of "
                + spec.headDim() + ", FFN " + spec.ffnDim() + (spec.sparse() ? ", " + spec.moe().experts()
                + " experts of " + spec.moe().expert().width() : "") + ", vocabulary " + spec.vocabSize();
    }
}
