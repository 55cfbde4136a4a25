package dev.llmgraph.io.hf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.tokenize.BpeTokenizer;
import dev.llmgraph.tokenize.PreTokenizer;
import dev.llmgraph.tokenize.TokenKind;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Hugging Face's {@code tokenizer.json}, both ways, for byte-level BPE tokenizers (GPT-2, Llama 3, Qwen2 and
 * Qwen3, Phi-4, DeepSeek, OLMo, StarCoder, ...): the vocabulary, the merges, the added tokens, the
 * pre-tokenizer ({@code ByteLevel}, {@code Split}, {@code Digits}, in a {@code Sequence}), an {@code NFC}
 * normalizer, {@code ignore_merges}, and a beginning-of-text token from a {@code TemplateProcessing} post
 * processor. The end-of-text token is not in tokenizer.json; {@link #read} takes it (and the beginning one
 * where the post processor does not name it) from a {@code tokenizer_config.json} beside it, where there is one.
 *
 * <p>Tokenizers of another kind (WordPiece, Unigram, SentencePiece-style BPE with byte fallback) are refused in
 * words, as is any setting that would make Hugging Face encode otherwise than {@link BpeTokenizer#encode}.
 */
public final class TokenizerJson {
    /** Llama 3's is 9 MiB, Gemma 3's 33 MiB. */
    static final int MAX_BYTES = 64 << 20;

    private TokenizerJson() {}

    /** The tokenizer in {@code fileOrDir} (a tokenizer.json, or a folder holding one). */
    public static BpeTokenizer read(Path fileOrDir) {
        Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve("tokenizer.json") : fileOrDir;
        JsonNode root = parse(file);
        BpeTokenizer bpe;
        try {
            bpe = TokenizerJsonReading.tokenizer(root);
        } catch (IllegalArgumentException e) {
            throw new TokenizerJsonException(file, e.getMessage(), e);
        }
        Path config = file.resolveSibling("tokenizer_config.json");
        return Files.exists(config) ? withConfiguredMarkers(bpe, parse(config), config) : bpe;
    }

    /**
     * The chat template of the tokenizer in {@code dir}: its {@code chat_template.jinja} (as transformers saves it
     * since 4.43), or the {@code chat_template} of its tokenizer_config.json (a text, or a list of named templates
     * of which the one named "default"); empty where there is none.
     */
    public static Optional<String> chatTemplate(Path dir) {
        Path jinja = dir.resolve("chat_template.jinja");
        if (Files.exists(jinja)) {
            try {
                return Optional.of(Files.readString(jinja));
            } catch (IOException e) {
                throw new UncheckedIOException(jinja + ": cannot read it (" + e + ")", e);
            }
        }
        Path config = dir.resolve("tokenizer_config.json");
        JsonNode template = Files.exists(config) ? parse(config).path("chat_template") : null;
        if (template != null && template.isArray()) {
            for (JsonNode named : template) {
                if (named.path("name").asText().equals("default")) {
                    template = named.path("template");
                }
            }
        }
        return template != null && template.isTextual() ? Optional.of(template.asText()) : Optional.empty();
    }

    private static JsonNode parse(Path file) {
        String text;
        try (InputStream in = Files.newInputStream(file)) {
            text = BoundedJson.read(in, MAX_BYTES).orElseThrow(() -> new TokenizerJsonException(file, "is larger than "
                    + (MAX_BYTES >> 20) + " MiB, far more than a tokenizer needs; it is damaged or not one", null));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read it (" + e + ")", e);
        }
        try {
            JsonNode root = HfConfig.JSON.readTree(text);
            if (root == null || !root.isObject()) {
                throw new TokenizerJsonException(file, "holds no JSON object", null);
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new TokenizerJsonException(file, "is not valid JSON: " + JsonErrors.describe(e), e);
        }
    }

    /** The end-of-text token (and the beginning one, and whether it is added) named by tokenizer_config.json. */
    private static BpeTokenizer withConfiguredMarkers(BpeTokenizer bpe, JsonNode config, Path file) {
        BpeTokenizer.Markers m = bpe.markers();
        int bos = m.bos() >= 0 ? m.bos() : configuredId(bpe, config, "bos_token", file);
        int eos = configuredId(bpe, config, "eos_token", file);
        JsonNode add = config.get("add_bos_token");
        boolean addsBos = add != null && add.isBoolean() ? add.booleanValue() && bos >= 0 : m.addsBos();
        return bpe.withMarkers(new BpeTokenizer.Markers(bos, eos, addsBos));
    }

    private static int configuredId(BpeTokenizer bpe, JsonNode config, String key, Path file) {
        JsonNode token = config.get(key);
        if (token != null && token.isObject()) {
            token = token.get("content");
        }
        if (token == null || token.isNull()) {
            return -1;
        }
        int id = bpe.tokens().indexOf(token.asText());
        if (id < 0) {
            throw new TokenizerJsonException(file, key + " '" + token.asText() + "' is not a token of the "
                    + "tokenizer.json beside it", null);
        }
        return id;
    }

    /**
     * Writes {@code bpe} as {@code file} (a tokenizer.json), in the form Hugging Face's tokenizers library saves;
     * {@link #read} gives it back, less the unused tokens that pad it at the end ({@link BpeTokenizer#paddedTo}), which
     * a checkpoint's tokenizer.json does not hold (its config.json's vocab_size says how many rows the model has). Its end-of-text token, which tokenizer.json has no place for, goes into
     * tokenizer_config.json with {@link #writeConfig}.
     */
    public static void write(BpeTokenizer bpe, Path file) {
        int end = bpe.size();        // padding after the last token is the model's, not the tokenizer's: left out
        while (end > 0 && bpe.kind(end - 1) == TokenKind.UNUSED) {
            end--;
        }
        ObjectNode root = HfConfig.JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int id = 0; id < end; id++) {
            if (bpe.kind(id) == TokenKind.SPECIAL || bpe.kind(id) == TokenKind.ADDED) {
                boolean special = bpe.kind(id) == TokenKind.SPECIAL;
                added.addObject().put("id", id).put("content", bpe.tokens().get(id)).put("single_word", false)
                        .put("lstrip", false).put("rstrip", false).put("normalized", !special).put("special", special);
            }
        }
        if (bpe.rules().nfc()) {
            root.putObject("normalizer").put("type", "NFC");
        } else {
            root.putNull("normalizer");
        }
        writePreTokenizer(bpe.rules().preTokenizer(), root);
        writePostProcessor(bpe, root);
        byteLevel(root.putObject("decoder"), true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout").putNull("unk_token").putNull("continuing_subword_prefix")
                .putNull("end_of_word_suffix").put("fuse_unk", false).put("byte_fallback", false)
                .put("ignore_merges", bpe.rules().ignoresMerges());
        // Every token, added ones too (as GPT-2's and StarCoder's files have them): the tokenizers library gives an
        // added token missing from the vocabulary a new id after it, whatever id the file gave it.
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < end; id++) {
            vocab.put(bpe.tokens().get(id), id);
        }
        ArrayNode merges = model.putArray("merges");
        bpe.merges().forEach(merges::add);
        writeJson(root, file);
    }

    /**
     * Writes the tokenizer_config.json Hugging Face reads beside a tokenizer.json: the beginning- and end-of-text
     * tokens, whether the first is added, and {@code chatTemplate} where not null.
     */
    public static void writeConfig(BpeTokenizer bpe, String chatTemplate, Path file) {
        ObjectNode root = HfConfig.JSON.createObjectNode();
        BpeTokenizer.Markers m = bpe.markers();
        root.put("add_bos_token", m.addsBos());
        if (m.bos() >= 0) {
            root.put("bos_token", bpe.tokens().get(m.bos()));
        }
        if (m.eos() >= 0) {
            root.put("eos_token", bpe.tokens().get(m.eos()));
        }
        if (chatTemplate != null) {
            root.put("chat_template", chatTemplate);
        }
        root.put("tokenizer_class", "PreTrainedTokenizerFast");
        writeJson(root, file);
    }

    private static void writePreTokenizer(PreTokenizer pre, ObjectNode root) {
        List<String> expressions = pre.expressions();
        String gpt2 = PreTokenizer.GPT2.expressions().getFirst();
        if (expressions.equals(List.of(gpt2))) {
            byteLevel(root.putObject("pre_tokenizer"), true);
            return;
        }
        ObjectNode sequence = root.putObject("pre_tokenizer").put("type", "Sequence");
        ArrayNode steps = sequence.putArray("pretokenizers");
        for (String expression : expressions) {
            ObjectNode split = steps.addObject().put("type", "Split");
            split.putObject("pattern").put("Regex", expression);
            split.put("behavior", "Isolated").put("invert", false);
        }
        byteLevel(steps.addObject(), false);
    }

    /** A TemplateProcessing that puts the beginning-of-text token first where the tokenizer adds it. */
    private static void writePostProcessor(BpeTokenizer bpe, ObjectNode root) {
        BpeTokenizer.Markers m = bpe.markers();
        if (!m.addsBos()) {
            byteLevel(root.putObject("post_processor"), false).put("trim_offsets", false);
            return;
        }
        String bos = bpe.tokens().get(m.bos());
        ObjectNode post = root.putObject("post_processor").put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addAll(single.deepCopy());
        pair.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 1);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode special = post.putObject("special_tokens").putObject(bos);
        special.put("id", bos);
        special.putArray("ids").add(m.bos());
        special.putArray("tokens").add(bos);
    }

    private static ObjectNode byteLevel(ObjectNode node, boolean useRegex) {
        return node.put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true)
                .put("use_regex", useRegex);
    }

    private static void writeJson(ObjectNode root, Path file) {
        try {
            HfConfig.JSON.writeValue(file.toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write it (" + e + ")", e);
        }
    }
}
