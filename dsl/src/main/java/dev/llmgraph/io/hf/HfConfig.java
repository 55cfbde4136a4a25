package dev.llmgraph.io.hf;

import dev.llmgraph.io.OutputFiles;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.spec.InvalidSpecException;
import dev.llmgraph.spec.ModelSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * Hugging Face {@code config.json} to and from a {@link ModelSpec}, for the model types llama, mistral,
 * qwen2, qwen3, gemma2, gemma3_text, gpt2, bloom, falcon, mixtral, qwen2_moe, qwen3_moe, olmoe, deepseek_v2 and bert
 * (an encoder: {@link BertFamily}).
 * <pre>{@code
 * ModelSpec spec = HfConfig.read(Path.of("Llama-2-7b-hf"));      // a folder or its config.json
 * HfConfig.write(spec, Path.of("out"));                         // out/config.json, type chosen from the spec
 * }</pre>
 *
 * <p>Reading: sizes that define the model (hidden_size, num_hidden_layers, num_attention_heads,
 * intermediate_size, vocab_size) must be present, since HF's class defaults describe one particular model
 * and would build it silently; every other field takes its HF class default when absent. Gemma 3's image-and-text
 * configs (model_type gemma3) are the exception: they nest their text model's config and leave out the sizes equal
 * to its class defaults, which are read there ({@link Gemma3ImageText}). A field llmgraph cannot express, or two
 * fields that contradict each other, give an {@link HfConfigException} naming the field. Fields that do not change the architecture (token ids, dropout, torch_dtype, ...) are ignored.
 * RoPE pairing is the fact of the type's llama.cpp family ({@link HfModelType#family()}), as llama.cpp's converter
 * has it: llama, mistral and mixtral read as {@code ADJACENT} (their q/k rows are permuted on load), qwen2,
 * qwen3, gemma2, gemma3_text, qwen2_moe, qwen3_moe, olmoe and falcon as {@code HALVES}.
 *
 * <p>Writing: the first type that expresses every choice of the spec, in the order llama, mistral, qwen2,
 * qwen3, gemma2, gemma3_text, gpt2, bloom, falcon, mixtral, qwen2_moe, qwen3_moe, olmoe, deepseek_v2, bert; a spec
 * that fits none gets a {@link NoHfEquivalentException} listing what the closest type lacks. The spec's name goes to
 * {@code _name_or_path}. Reading what was written gives the spec back, up to three things a config cannot say:
 * the RoPE pairing (any pairing is written, the weights permuted to match), whether the head size was explicit or
 * dModel / heads (gpt2, bloom and falcon read it as implicit; qwen3 and gemma2 always write head_dim, so it
 * reads back explicit), and an encoder's pooling (bert reads as CLS).
 */
public final class HfConfig {
    /** The mapper config.json (here) and safetensors headers ({@code io.safetensors}) are read and written with. */
    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .setDefaultPrettyPrinter(pythonStyle());

    /** Python's {@code json.dumps(indent=2)}, as {@code save_pretrained} writes: {@code "key": value}, one item a line. */
    private static DefaultPrettyPrinter pythonStyle() {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER).withArrayEmptySeparator("")
                .withObjectEmptySeparator(""));
        printer.indentArraysWith(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE);
        return printer;
    }

    private HfConfig() {}

    /** The spec of {@code configOrDir} (a config.json, or a folder holding one). */
    public static ModelSpec read(Path configOrDir) {
        Path file = configFile(configOrDir);
        return parse(readText(file), file.toString());
    }

    /**
     * The spec of the config.json read from {@code in} (which is not closed); {@code source} names it in
     * messages. A stream longer than {@link BoundedJson#MAX_BYTES} is refused after that many bytes.
     */
    public static ModelSpec parse(java.io.InputStream in, String source) {
        try {
            return parse(BoundedJson.read(in, BoundedJson.MAX_BYTES).orElseThrow(() ->
                    new HfConfigException(source, null, BoundedJson.tooLarge("a config.json"))), source);
        } catch (IOException e) {
            throw new UncheckedIOException(source + ": cannot read the config (" + e + ")", e);
        }
    }

    /** The spec of the config.json text {@code json}; {@code source} names it in messages. */
    public static ModelSpec parse(String json, String source) {
        ConfigFields fields = new ConfigFields(object(json, source), source);
        HfModelType type = modelType(fields);
        if (fields.text("model_type", "").equals(Gemma3ImageText.MODEL_TYPE)) {
            fields = Gemma3ImageText.textConfig(fields);
        }
        try {
            return HfFamily.of(type).read(fields);
        } catch (IllegalArgumentException e) { // an InvalidSpecException from build(), or a setter's refusal
            throw new HfConfigException(source, null, "describes a model llmgraph rejects: " + e.getMessage());
        }
    }

    /** The {@code model_type} of {@code configOrDir}. */
    public static HfModelType modelType(Path configOrDir) {
        Path file = configFile(configOrDir);
        return modelType(new ConfigFields(object(readText(file), file.toString()), file.toString()));
    }

    /** The type {@link #toJson(ModelSpec)} writes {@code spec} as, or a {@link NoHfEquivalentException}. */
    public static HfModelType modelTypeFor(ModelSpec spec) {
        HfModelType closest = null;
        List<String> closestProblems = null;
        for (HfModelType type : HfModelType.values()) {
            List<String> problems = HfFamily.mismatchesOf(HfFamily.of(type), spec);
            if (problems.isEmpty()) {
                return type;
            }
            if (closest == null || problems.size() < closestProblems.size()) {
                closest = type;
                closestProblems = problems;
            }
        }
        throw new NoHfEquivalentException(spec.name(), closest, closestProblems, false);
    }

    /** config.json text for {@code spec}, as the type {@link #modelTypeFor} picks. */
    public static String toJson(ModelSpec spec) {
        return toJson(spec, modelTypeFor(spec));
    }

    /** config.json text for {@code spec} as {@code type}, or a {@link NoHfEquivalentException}. */
    public static String toJson(ModelSpec spec, HfModelType type) {
        try {
            return JSON.writeValueAsString(toTree(spec, type));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Jackson could not print a tree it built", e);
        }
    }

    /** Writes {@code dir/config.json} for {@code spec} and returns its path. */
    public static Path write(ModelSpec spec, Path dir) {
        return write(toTree(spec, modelTypeFor(spec)), dir);
    }

    /**
     * Writes the config.json of a checkpoint of {@code spec} as {@code type} whose tensors are stored as
     * {@code torchDtype} (the safetensors export's last step); returns the file.
     */
    public static Path writeForCheckpoint(ModelSpec spec, HfModelType type, String torchDtype, Path dir) {
        ObjectNode config = toTree(spec, type);
        config.put("torch_dtype", torchDtype);
        return write(sorted(config), dir);
    }

    static Path write(ObjectNode config, Path dir) {
        Path file = OutputFiles.plain(dir.resolve("config.json"));
        try {
            Files.createDirectories(dir);
            Files.writeString(file, JSON.writeValueAsString(config) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write (" + e + ")", e);
        }
        return file;
    }

    static ObjectNode toTree(ModelSpec spec, HfModelType type) {
        HfFamily family = HfFamily.of(type);
        List<String> problems = HfFamily.mismatchesOf(family, spec);
        if (!problems.isEmpty()) {
            throw new NoHfEquivalentException(spec.name(), type, problems, true);
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("_name_or_path", spec.name());
        out.putArray("architectures").add(type.architecture());
        out.put("model_type", type.id());
        family.write(spec, out);
        return sorted(out);
    }

    /** The keys in alphabetical order, as HF writes them, so that two configs diff line by line. */
    static ObjectNode sorted(ObjectNode in) {
        ObjectNode out = JSON.createObjectNode();
        in.properties().stream().sorted(java.util.Map.Entry.comparingByKey(Comparator.naturalOrder()))
                .forEach(e -> out.set(e.getKey(), e.getValue()));
        return out;
    }

    private static HfModelType modelType(ConfigFields fields) {
        if (!fields.has("model_type")) {
            throw fields.error("model_type", "field 'model_type' is missing; llmgraph reads " + HfModelType.known()
                    + " configs, and " + Gemma3ImageText.READ_AS);
        }
        String id = fields.text("model_type", "");
        HfModelType type = HfModelType.byId(id);
        if (id.equals(Gemma3ImageText.MODEL_TYPE)) {
            return HfModelType.GEMMA3; // its text model (Gemma3ImageText)
        }
        if (type == null) {
            throw fields.error("model_type", "field 'model_type' = \"" + id + "\" is not one llmgraph reads; it reads "
                    + HfModelType.known() + ", and " + Gemma3ImageText.READ_AS);
        }
        return type;
    }

    static Path configFile(Path configOrDir) {
        return Files.isDirectory(configOrDir) ? configOrDir.resolve("config.json") : configOrDir;
    }

    private static String readText(Path file) {
        return BoundedJson.read(file, "a config.json", problem -> new HfConfigException(file.toString(), null, problem));
    }

    private static ObjectNode object(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new HfConfigException(source, null, "is not valid JSON: " + JsonErrors.describe(e));
        }
        if (root == null || !root.isObject()) {
            throw new HfConfigException(source, null, "holds " + (root == null || root.isMissingNode() ? "nothing" : "a JSON "
                    + root.getNodeType().name().toLowerCase(java.util.Locale.ROOT)) + ", not an object of settings");
        }
        return (ObjectNode) root;
    }
}
