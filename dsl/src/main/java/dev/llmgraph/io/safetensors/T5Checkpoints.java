package dev.llmgraph.io.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.io.OutputFiles;
import dev.llmgraph.io.hf.HfConfig;
import dev.llmgraph.io.hf.HfTensor;
import dev.llmgraph.io.hf.T5Config;
import dev.llmgraph.model.EncoderDecoderModel;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightSource;
import dev.llmgraph.spec.EncoderDecoderSpec;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.WeightLayout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * T5 checkpoints in Hugging Face's layout ({@code T5ForConditionalGeneration}): a config.json ({@link T5Config}) and
 * one model.safetensors whose tensors are llmgraph's under transformers' names, with the same bytes (a linear layer's
 * [out, in] is ggml's [in, out]; the bias table [buckets, heads] is llama.cpp's [heads, buckets]):
 * <pre>
 *  shared                                             token_embd         (lm_head: output, when untied)
 *  encoder.block.i.layer.0.layer_norm                 enc.blk.i.attn_norm
 *  encoder.block.i.layer.0.SelfAttention.{q,k,v,o}    enc.blk.i.attn_{q,k,v,o}   (block 0: relative_attention_bias)
 *  encoder.block.i.layer.1.layer_norm                 enc.blk.i.ffn_norm
 *  encoder.block.i.layer.1.DenseReluDense.wi | wo     ffn_up | ffn_down;  gated: wi_0 ffn_gate, wi_1 ffn_up
 *  decoder.block.i.layer.1.EncDecAttention.{q,k,v,o}  dec.blk.i.cross_attn_{q,k,v,o}  (layer.1.layer_norm: its norm)
 *  decoder.block.i.layer.2.*                          the decoder's FFN;  {encoder,decoder}.final_layer_norm
 * </pre>
 * the names llama.cpp's converter maps ({@code gguf-py/gguf/tensor_mapping.py}). The token embedding is read from
 * {@code shared}, else {@code encoder.embed_tokens} or {@code decoder.embed_tokens}, as the converter does. Vectors are
 * kept in F32, matrices in the checkpoint's dtype (F32, F16, BF16).
 */
public final class T5Checkpoints {
    private static final List<String> EMBEDDINGS = List.of("shared.weight", "encoder.embed_tokens.weight",
            "decoder.embed_tokens.weight");

    private T5Checkpoints() {}

    /** The transformers name of the weight llmgraph stores (under llama.cpp's t5 name) as {@code stored}. */
    static String hfName(String stored, boolean gated) {
        if (stored.equals("token_embd.weight")) {
            return "shared.weight";
        }
        if (stored.equals("output.weight")) {
            return "lm_head.weight";
        }
        boolean encoder = stored.startsWith("enc.");
        String stack = encoder ? "encoder" : "decoder";
        if (stored.endsWith(".output_norm.weight")) {
            return stack + ".final_layer_norm.weight";
        }
        String[] parts = stored.split("\\.");                 // enc . blk . i . name . weight
        String block = stack + ".block." + parts[2] + ".layer.";
        String ffnLayer = encoder ? "1" : "2";
        return switch (parts[3]) {
            case "attn_norm" -> block + "0.layer_norm.weight";
            case "attn_q", "attn_k", "attn_v", "attn_o" -> block + "0.SelfAttention." + parts[3].substring(5) + ".weight";
            case "attn_rel_b" -> block + "0.SelfAttention.relative_attention_bias.weight";
            case "cross_attn_norm" -> block + "1.layer_norm.weight";
            case "cross_attn_q", "cross_attn_k", "cross_attn_v", "cross_attn_o" ->
                    block + "1.EncDecAttention." + parts[3].substring(11) + ".weight";
            case "ffn_norm" -> block + ffnLayer + ".layer_norm.weight";
            case "ffn_gate" -> block + ffnLayer + ".DenseReluDense.wi_0.weight";
            case "ffn_up" -> block + ffnLayer + ".DenseReluDense." + (gated ? "wi_1" : "wi") + ".weight";
            case "ffn_down" -> block + ffnLayer + ".DenseReluDense.wo.weight";
            default -> throw new IllegalArgumentException("no transformers name for " + stored);
        };
    }

    // ---- writing -----------------------------------------------------------------------------------------

    /** Writes {@code model} to {@code dir}: config.json and model.safetensors, matrices in their stored dtype. */
    public static List<Path> write(EncoderDecoderModel model, Path dir) {
        return write(model, model.spec(), dir);
    }

    /**
     * Writes {@code model}'s weights to {@code dir} under {@code spec}, which must name the same weights: the model's
     * own spec, or one that uses them otherwise (a tied head with or without T5 v1.0's dModel^-0.5).
     */
    public static List<Path> write(EncoderDecoderModel model, EncoderDecoderSpec spec, Path dir) {
        List<String> names = spec.plan().weights().stream().map(WeightLayout.Weight::name).toList();
        if (!names.equals(model.spec().plan().weights().stream().map(WeightLayout.Weight::name).toList())) {
            throw new IllegalArgumentException(spec.name() + " names other weights than the model " + model.spec().name()
                    + " holds; give a spec that uses the same weights");
        }
        ObjectNode config = T5Config.toTree(spec);
        boolean gated = spec.ffn().gated();
        List<SafetensorsWriter.Planned> planned = new ArrayList<>();
        for (WeightLayout.Weight w : spec.plan().weights()) {
            Tensor tensor = model.weightTensor(w.name());
            SafetensorsDtype dtype = tensor.type().isFloat() ? SafetensorsDtype.of(tensor.type()) : SafetensorsDtype.F32;
            long[] shape = reversed(w.ne());
            HfTensor.Part whole = new HfTensor.Blocks(w.name(), w.elements(), new long[] {0});
            planned.add(new SafetensorsWriter.Planned(hfName(w.name(), gated), dtype, shape,
                    (file, offset) -> file.copyFrom(tensor, dtype.ggmlType(), whole.region(offset, dtype.bytes()))));
        }
        try {
            Files.createDirectories(dir);
            Path weights = OutputFiles.plain(dir.resolve("model.safetensors"));
            SafetensorsWriter.write(weights, Map.of("format", "pt"), planned);
            Path json = dir.resolve("config.json");
            Files.writeString(json, HfConfig.JSON.writeValueAsString(config) + "\n");
            return List.of(weights, json);
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot write the checkpoint (" + e + ")", e);
        }
    }

    // ---- reading -----------------------------------------------------------------------------------------

    /** The encoder-decoder {@code dir}'s config.json describes. */
    public static EncoderDecoderSpec spec(Path dir) {
        Path config = Files.isDirectory(dir) ? dir.resolve("config.json") : dir;
        try {
            JsonNode tree = HfConfig.JSON.readTree(Files.readString(config));
            return T5Config.parse(tree, config.toString(), dir.toAbsolutePath().normalize().getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(config + ": cannot read (" + e + ")", e);
        }
    }

    /** {@code dir}'s config.json and model.safetensors as a model run with {@code options}. */
    public static EncoderDecoderModel load(Path dir, ModelOptions options) {
        EncoderDecoderSpec spec = spec(dir);
        Path weights = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(weights)) {
            throw new SafetensorsException(dir, null, "there is no model.safetensors (llmgraph reads a T5 checkpoint "
                    + "of one file)");
        }
        try (SafetensorsFile file = SafetensorsFile.open(weights)) {
            return EncoderDecoderModel.create(spec, new Source(file, spec.ffn().gated()), options);
        }
    }

    /** Each stored weight from its transformers tensor, shapes checked. */
    private record Source(SafetensorsFile file, boolean gated) implements WeightSource {
        @Override
        public GgmlType storedType(WeightLayout.Weight weight) {
            return weight.matrix() ? entry(weight).dtype().ggmlType() : GgmlType.F32;
        }

        @Override
        public void load(ModelSpec spec, WeightLayout.Weight weight, Tensor target) {
            SafetensorsFile.Entry entry = entry(weight);
            if (entry.dtype().ggmlType() == null) {
                throw new SafetensorsException(file.path(), entry.name(), "has dtype " + entry.dtype() + "; llmgraph "
                        + "loads F32, F16 and BF16 weights");
            }
            if (!Arrays.equals(entry.shape(), reversed(weight.ne()))) {
                throw new SafetensorsException(file.path(), entry.name(), "has shape " + Arrays.toString(entry.shape())
                        + " but the config describes " + Arrays.toString(reversed(weight.ne())) + " for "
                        + weight.name());
            }
            file.copyTo(target, entry, new HfTensor.Blocks(weight.name(), weight.elements(), new long[] {0}));
        }

        private SafetensorsFile.Entry entry(WeightLayout.Weight weight) {
            List<String> names = weight.name().equals("token_embd.weight") ? EMBEDDINGS
                    : List.of(hfName(weight.name(), gated));
            for (String name : names) {
                SafetensorsFile.Entry entry = file.tensors().get(name);
                if (entry != null) {
                    return entry;
                }
            }
            throw new SafetensorsException(file.path(), names.getFirst(), "not found; llmgraph's " + weight.name()
                    + " comes from it");
        }
    }

    /** ggml's ne in the order transformers writes shapes (outermost first). */
    private static long[] reversed(long[] ne) {
        long[] out = new long[ne.length];
        for (int i = 0; i < ne.length; i++) {
            out[i] = ne[ne.length - 1 - i];
        }
        return out;
    }
}
