package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.gguf.GgufWriter;
import dev.llmgraph.tokenize.GgufVocabulary;
import dev.llmgraph.model.EncoderDecoderModel;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.spec.Activation;
import dev.llmgraph.spec.EncoderDecoderBuilder;
import dev.llmgraph.spec.EncoderDecoderSpec;
import dev.llmgraph.spec.Ffn;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.Transformer;
import dev.llmgraph.spec.WeightLayout;
import dev.llmgraph.spec.plan.EncoderDecoderPlan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * T5 in GGUF as llama.cpp's converter writes it: {@code t5} for an encoder-decoder, {@code t5encoder} for T5's
 * encoder alone, with llama.cpp's keys ({@code <arch>.block_count} the encoder's layers,
 * {@code t5.decoder_block_count}, {@code <arch>.attention.relative_buckets_count}, {@code t5.decoder_start_token_id},
 * the RMS epsilon) and its tensor names ({@link EncoderDecoderPlan}). What llama.cpp's t5 graph computes:
 * <ul>
 *   <li>an FFN of ReLU, or of gated GELU in tanh form when {@code ffn_gate} is present, without biases;</li>
 *   <li>buckets reaching a distance of 128 (fixed in {@code llama_relative_position_bucket});</li>
 *   <li>an output head of {@code output.weight}, or of the token embedding when it is absent, never rescaled: T5
 *       v1.0's tied head rescaled by dModel^-0.5 is written as {@code output.weight} = the embedding times
 *       dModel^-0.5 (what the converter's checkpoints hold too), and so reads back untied.</li>
 * </ul>
 */
public final class EncoderDecoderGguf {
    static final int LLAMA_CPP_MAX_DISTANCE = 128;

    private EncoderDecoderGguf() {}

    // ---- writing -----------------------------------------------------------------------------------------

    /** Writes {@code model} as a {@code t5} file, every weight in the type the model stores it in. */
    public static long write(EncoderDecoderModel model, Path path) {
        return write(model, path, null);
    }

    /**
     * Writes {@code model} as a {@code t5} file with {@code vocabulary} (a {@code SentencePieceUnigram}, T5's kind;
     * null for llmgraph's smallest), which must have one token per row of the embedding.
     */
    public static long write(EncoderDecoderModel model, Path path, GgufVocabulary vocabulary) {
        EncoderDecoderSpec spec = model.spec();
        refuse(path, "t5", problems(spec));
        if (vocabulary != null && vocabulary.size() != spec.vocabSize()) {
            throw new IllegalArgumentException(path + ": the vocabulary has " + vocabulary.size() + " tokens but "
                    + spec.name() + " has vocabSize " + spec.vocabSize() + "; a file holds one token per row of the "
                    + "embedding");
        }
        GgufWriter out = new GgufWriter();
        keys(out, "t5", spec.name(), spec.encoder());
        out.putUint32("t5.decoder_block_count", spec.decoderLayers());
        out.putUint32("t5.decoder_start_token_id", spec.decoderStartToken());
        if (vocabulary == null) {
            MinimalVocabulary.write(out, "t5", spec.vocabSize());
        } else {
            vocabulary.writeTo(out);
        }
        for (WeightLayout.Weight w : spec.plan().weights()) {
            out.addTensor(w.name(), model.weightTensor(w.name()));
        }
        if (spec.rescaledHead()) {
            float scale = (float) spec.headScale();
            var table = model.weightTensor("token_embd.weight");
            out.addTensor("output.weight", table.type(), () -> {
                float[] values = model.weight("token_embd.weight");
                for (int i = 0; i < values.length; i++) {
                    values[i] *= scale;
                }
                return values;
            }, table.ne());
        }
        return out.write(path);
    }

    /** Writes T5's encoder {@code model} (a spec as {@link EncoderDecoderBuilder#buildEncoder()} makes) as t5encoder. */
    public static long writeEncoder(Model model, Path path) {
        ModelSpec spec = model.spec();
        refuse(path, "t5encoder", encoderProblems(spec));
        GgufWriter out = new GgufWriter();
        keys(out, "t5encoder", spec.name(), spec);
        MinimalVocabulary.write(out, "t5encoder", spec.vocabSize());
        for (String name : model.weightNames()) {
            out.addTensor(EncoderDecoderPlan.stored(EncoderDecoderPlan.ENCODER, name), model.weightTensor(name));
        }
        return out.write(path);
    }

    /** What keeps {@code spec} from llama.cpp's t5 graph, in words (empty when it maps). */
    public static List<String> problems(EncoderDecoderSpec spec) {
        List<String> problems = new ArrayList<>();
        Ffn ffn = spec.ffn();
        boolean relu = !ffn.gated() && ffn.activation() == Activation.RELU;
        boolean gatedGelu = ffn.gated() && ffn.activation() == Activation.GELU_TANH;
        if (!relu && !gatedGelu) {
            problems.add("a " + ffn + " FFN (llama.cpp's t5 runs ReLU, or gated GELU in tanh form when ffn_gate is "
                    + "present)");
        }
        if (ffn.bias()) {
            problems.add("FFN biases (llama.cpp's t5 has none)");
        }
        if (spec.relativeBias().maxDistance() != LLAMA_CPP_MAX_DISTANCE) {
            problems.add("T5 buckets reaching " + spec.relativeBias().maxDistance() + " (llama.cpp's t5 fixes the "
                    + "reach at " + LLAMA_CPP_MAX_DISTANCE + ")");
        }
        return problems;
    }

    /** Whether {@code spec} is T5's encoder alone (as {@link EncoderDecoderBuilder#buildEncoder()} makes it). */
    public static boolean isT5Encoder(ModelSpec spec) {
        if (!spec.encoder()) {
            return false;
        }
        try {
            return encoderProblems(spec).isEmpty(); // which first checks for T5's relative bias, FFN and attention
        } catch (IllegalArgumentException e) {
            return false; // its settings do not even make a T5 encoder
        }
    }

    private static List<String> encoderProblems(ModelSpec spec) {
        boolean t5Bias = switch (spec.positional()) {
            case Positional.T5Bias _ -> true;
            case Positional.None _, Positional.Learned _, Positional.Sinusoidal _, Positional.Rope _,
                 Positional.Alibi _ -> false;
        };
        if (!t5Bias || spec.ffn() == null || spec.attention() == null) {
            return List.of(spec.name() + " is not T5's encoder (build it with Transformer.encoderDecoder(...)"
                    + ".buildEncoder())");
        }
        ModelSpec t5 = t5Encoder(spec);
        if (!t5.equals(spec)) {
            return List.of(spec.name() + " is not T5's encoder, which is " + t5.describe().replace('\n', ';')
                    + " (build it with Transformer.encoderDecoder(...).buildEncoder())");
        }
        List<String> problems = new ArrayList<>();
        EncoderDecoderSpec asPair = builder(spec).decoderLayers(1).tiedEmbeddings(true).rescaledHead(false).build();
        problems.addAll(problems(asPair));
        return problems;
    }

    private static ModelSpec t5Encoder(ModelSpec spec) {
        return builder(spec).buildEncoder();
    }

    private static EncoderDecoderBuilder builder(ModelSpec spec) {
        return Transformer.encoderDecoder(spec.name()).vocabSize(spec.vocabSize()).dModel(spec.dModel())
                .encoderLayers(spec.layers()).heads(spec.heads()).headDim(spec.attention().headDim())
                .ffn(spec.ffn()).relativeBias((Positional.T5Bias) spec.positional()).normEps(spec.norm().eps())
                .contextLength(spec.contextLength());
    }

    private static void refuse(Path path, String architecture, List<String> problems) {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot write " + path + " as llama.cpp's " + architecture + ": "
                    + String.join("; ", problems));
        }
    }

    /** The keys llama.cpp's t5 and t5encoder read, from the encoder stack (both stacks share them). */
    private static void keys(GgufWriter out, String arch, String name, ModelSpec encoder) {
        String a = arch + ".";
        out.putString("general.architecture", arch);
        out.putString("general.name", name);
        out.putUint32(a + "context_length", encoder.contextLength());
        out.putUint32(a + "embedding_length", encoder.dModel());
        out.putUint32(a + "block_count", encoder.layers());
        out.putUint32(a + "feed_forward_length", encoder.ffnDim());
        out.putUint32(a + "attention.head_count", encoder.heads());
        out.putUint32(a + "attention.head_count_kv", encoder.kvHeads());
        out.putUint32(a + "attention.key_length", encoder.headDim());
        out.putUint32(a + "attention.value_length", encoder.headDim());
        out.putFloat32(a + "attention.layer_norm_epsilon", (float) encoder.norm().eps());
        out.putFloat32(a + "attention.layer_norm_rms_epsilon", (float) encoder.norm().eps());
        out.putUint32(a + "attention.relative_buckets_count", ((Positional.T5Bias) encoder.positional()).buckets());
    }

    // ---- reading -----------------------------------------------------------------------------------------

    /** Whether {@code path} is a GGUF file of llama.cpp's {@code t5} (an encoder-decoder). */
    public static boolean holdsEncoderDecoder(Path path) {
        try (GgufFile file = GgufFile.open(path)) {
            return holdsEncoderDecoder(file);
        }
    }

    /** Whether an open GGUF file is one of llama.cpp's {@code t5}. */
    public static boolean holdsEncoderDecoder(GgufFile file) {
        return file.has("general.architecture") && file.getString("general.architecture").equals("t5");
    }

    /** The encoder-decoder a {@code t5} file holds. */
    public static EncoderDecoderSpec spec(GgufFile file) {
        requireArchitecture(file, "t5");
        int layers = file.getInt("t5.block_count");
        return builder(file, "t5", "enc.blk.0.ffn_gate.weight")
                .encoderLayers(layers)
                .decoderLayers(file.has("t5.decoder_block_count") ? file.getInt("t5.decoder_block_count") : layers)
                .decoderStartToken(file.has("t5.decoder_start_token_id") ? file.getInt("t5.decoder_start_token_id") : 0)
                .tiedEmbeddings(!file.hasTensor("output.weight")).rescaledHead(false)
                .build();
    }

    /** T5's encoder a {@code t5encoder} file holds. */
    public static ModelSpec encoderSpec(GgufFile file) {
        requireArchitecture(file, "t5encoder");
        return builder(file, "t5encoder", "enc.blk.0.ffn_gate.weight")
                .encoderLayers(file.getInt("t5encoder.block_count")).buildEncoder();
    }

    /** A {@code t5} file's model, its weights in the file's types. */
    public static EncoderDecoderModel load(Path path, ModelOptions options) {
        try (GgufFile file = GgufFile.open(path)) {
            return EncoderDecoderModel.create(spec(file), new StoredNameSource(file, name -> name), options);
        }
    }

    /** A {@code t5encoder} file's model (an encoder: {@code model.encode(tokens)}), its weights in the file's types. */
    public static Model loadEncoder(Path path, ModelOptions options) {
        try (GgufFile file = GgufFile.open(path)) {
            return Model.create(encoderSpec(file), new StoredNameSource(file,
                    name -> EncoderDecoderPlan.stored(EncoderDecoderPlan.ENCODER, name)), options);
        }
    }

    private static EncoderDecoderBuilder builder(GgufFile file, String arch, String gate) {
        String a = arch + ".";
        int width = file.getInt(a + "feed_forward_length");
        String name = file.has("general.name") ? file.getString("general.name") : arch;
        int dModel = file.getInt(a + "embedding_length"), heads = file.getInt(a + "attention.head_count");
        int headDim = file.getInt(a + "attention.key_length");
        return Transformer.encoderDecoder(name)
                .vocabSize(Math.toIntExact(file.tensor("token_embd.weight").ne()[1]))
                .dModel(dModel)
                .heads(heads)
                .headDim(headDim * heads == dModel ? 0 : headDim) // 0: dModel / heads, as a spec says it
                .ffn(file.hasTensor(gate) ? Ffn.geglu(width).withActivation(Activation.GELU_TANH).withBias(false)
                        : Ffn.mlp(width, Activation.RELU).withBias(false))
                .relativeBias(Positional.t5Bias(file.getInt(a + "attention.relative_buckets_count"),
                        LLAMA_CPP_MAX_DISTANCE))
                .normEps(GgufKeys.decimal(file.getFloat(a + "attention.layer_norm_rms_epsilon")))
                .contextLength(file.getInt(a + "context_length"));
    }

    private static void requireArchitecture(GgufFile file, String arch) {
        String found = file.getString("general.architecture");
        if (!found.equals(arch)) {
            throw new IllegalArgumentException(file.path() + " holds a " + found + " model, not llama.cpp's " + arch
                    + "; read it with " + (found.equals("t5") ? "EncoderDecoderGguf.load"
                    : found.equals("t5encoder") ? "EncoderDecoderGguf.loadEncoder" : "GgufModels.load"));
        }
    }
}
