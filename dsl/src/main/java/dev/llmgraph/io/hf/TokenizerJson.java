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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
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
            bpe = new Reading(root).tokenizer();
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

    /** One tokenizer.json's fields, read into a tokenizer. */
    private record Reading(JsonNode root) {
        BpeTokenizer tokenizer() {
            JsonNode model = object(root, "model", "model");
            String type = text(model, "type", "model.type");
            if (!type.equals("BPE")) {
                throw new IllegalArgumentException("the model is '" + type + "'; llmgraph reads byte-level BPE "
                        + "tokenizers (model BPE with a ByteLevel pre-tokenizer)");
            }
            if (model.path("byte_fallback").asBoolean(false)) {
                throw new IllegalArgumentException("model.byte_fallback is true: a SentencePiece-style BPE (Llama 2, "
                        + "Mistral); llmgraph reads byte-level BPE, and libllama reads these from a GGUF "
                        + "(TextTokenizer.llama)");
            }
            for (String affix : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
                if (!model.path(affix).asText("").isEmpty()) {
                    throw new IllegalArgumentException("model." + affix + " is '" + model.get(affix).asText()
                            + "'; a byte-level BPE marks no subwords");
                }
            }
            if (model.path("dropout").asDouble(0) != 0) {
                throw new IllegalArgumentException("model.dropout is " + model.get("dropout") + "; BPE dropout is for "
                        + "training, and encoding with it is not repeatable: set it to null");
            }
            PreTokenizer pre = preTokenizer(root.get("pre_tokenizer"));
            boolean nfc = nfc(root.get("normalizer"));
            boolean ignoreMerges = model.path("ignore_merges").asBoolean(false);
            Map<Integer, String> byId = new HashMap<>();
            Map<Integer, TokenKind> kindById = new HashMap<>();
            Iterator<Map.Entry<String, JsonNode>> vocab = object(model, "vocab", "model.vocab").fields();
            while (vocab.hasNext()) {
                Map.Entry<String, JsonNode> e = vocab.next();
                put(byId, kindById, id(e.getValue(), "model.vocab['" + e.getKey() + "']"), e.getKey(), TokenKind.NORMAL);
            }
            JsonNode added = root.path("added_tokens");
            for (int i = 0; added.isArray() && i < added.size(); i++) {
                JsonNode token = added.get(i);
                int id = id(token.get("id"), "added_tokens[" + i + "].id");
                String content = text(token, "content", "added_tokens[" + i + "].content");
                if (kindById.get(id) == TokenKind.NORMAL) {   // GPT-2's <|endoftext|> is in the vocab too
                    byId.remove(id);
                }
                put(byId, kindById, id, content, token.path("special").asBoolean(false) ? TokenKind.SPECIAL
                        : TokenKind.ADDED);
            }
            List<String> tokens = new ArrayList<>(byId.size());
            List<TokenKind> kinds = new ArrayList<>(byId.size());
            for (int id = 0; id < byId.size(); id++) {
                if (!byId.containsKey(id)) {
                    throw new IllegalArgumentException("no token has id " + id + " although " + byId.size() + " tokens "
                            + "have ids; ids must run from 0 without gaps");
                }
                tokens.add(byId.get(id));
                kinds.add(kindById.get(id));
            }
            JsonNode post = root.get("post_processor");
            int firstAdded = addedFirst(post, tokens);
            return new BpeTokenizer(tokens, kinds, merges(model), new BpeTokenizer.Rules(pre, nfc, ignoreMerges),
                    new BpeTokenizer.Markers(firstAdded, -1, firstAdded >= 0));
        }

        private static void put(Map<Integer, String> byId, Map<Integer, TokenKind> kindById, int id, String token,
                                TokenKind kind) {
            String before = byId.putIfAbsent(id, token);
            if (before != null) {
                throw new IllegalArgumentException("tokens '" + before + "' and '" + token + "' both have id " + id);
            }
            kindById.put(id, kind);
        }

        private static List<String> merges(JsonNode model) {
            JsonNode merges = model.get("merges");
            if (merges == null || !merges.isArray()) {
                throw new IllegalArgumentException("model.merges is missing or not a list");
            }
            List<String> out = new ArrayList<>(merges.size());
            for (JsonNode merge : merges) {
                if (merge.isArray() && merge.size() == 2) {              // tokenizers 0.20 and later: ["a", "b"]
                    out.add(merge.get(0).asText() + " " + merge.get(1).asText());
                } else if (merge.isTextual()) {                          // before: "a b"
                    out.add(merge.asText());
                } else {
                    throw new IllegalArgumentException("merge " + out.size() + " is " + merge + "; a merge is \"a b\" or "
                            + "[\"a\", \"b\"]");
                }
            }
            return out;
        }

        /** The expressions of the pre-tokenizer, which must hold a ByteLevel. */
        private static PreTokenizer preTokenizer(JsonNode node) {
            List<String> expressions = new ArrayList<>();
            if (!collect(node, expressions)) {
                throw new IllegalArgumentException("the pre_tokenizer " + (node == null || node.isNull() ? "is null"
                        : "has no ByteLevel step") + "; llmgraph reads byte-level BPE tokenizers");
            }
            if (expressions.isEmpty()) {
                throw new IllegalArgumentException("the pre_tokenizer cuts no words (ByteLevel with use_regex false and "
                        + "no Split); llmgraph's BPE merges within words");
            }
            return PreTokenizer.of(expressions);
        }

        /** Adds the expressions of {@code node}'s steps; whether one of them was the ByteLevel. */
        private static boolean collect(JsonNode node, List<String> expressions) {
            if (node == null || node.isNull()) {
                return false;
            }
            String type = node.path("type").asText("");
            switch (type) {
                case "Sequence" -> {
                    boolean byteLevel = false;
                    for (JsonNode step : node.path("pretokenizers")) {
                        byteLevel |= collect(step, expressions);
                    }
                    return byteLevel;
                }
                case "ByteLevel" -> {
                    if (node.path("add_prefix_space").asBoolean(false)) {
                        throw new IllegalArgumentException("the ByteLevel pre-tokenizer adds a prefix space; llmgraph's "
                                + "BPE encodes the text as given (set add_prefix_space to false)");
                    }
                    if (node.path("use_regex").asBoolean(true)) {
                        expressions.add(PreTokenizer.GPT2.expressions().getFirst());
                    }
                    return true;
                }
                case "Split" -> {
                    String behavior = node.path("behavior").asText("");
                    if (!behavior.equals("Isolated") || node.path("invert").asBoolean(false)) {
                        throw new IllegalArgumentException("a Split pre-tokenizer with behavior '" + behavior + "'"
                                + (node.path("invert").asBoolean(false) ? " inverted" : "") + "; llmgraph reads "
                                + "'Isolated', not inverted");
                    }
                    JsonNode pattern = node.path("pattern");
                    String expression = pattern.has("Regex") ? pattern.get("Regex").asText()
                            : java.util.regex.Pattern.quote(pattern.path("String").asText());
                    expressions.add(expression);
                    return false;
                }
                case "Digits" -> {
                    expressions.add(node.path("individual_digits").asBoolean(false) ? "\\p{N}" : "\\p{N}+");
                    return false;
                }
                default -> throw new IllegalArgumentException("the pre-tokenizer step '" + type + "' is not one llmgraph "
                        + "reads (ByteLevel, Split, Digits, Sequence)");
            }
        }

        /** Whether the normalizer is NFC; null and an empty Sequence are none, any other is refused. */
        private static boolean nfc(JsonNode node) {
            if (node == null || node.isNull()) {
                return false;
            }
            String type = node.path("type").asText("");
            if (type.equals("NFC")) {
                return true;
            }
            if (type.equals("Sequence") && node.path("normalizers").isEmpty()) {
                return false;
            }
            throw new IllegalArgumentException("the normalizer '" + type + "' is not one llmgraph reads (none, or NFC)");
        }

        /**
         * The token a TemplateProcessing post processor puts before a single text (Llama 3's BOS), or -1;
         * ByteLevel post processors add none, and a Sequence is searched step by step.
         */
        private static int addedFirst(JsonNode post, List<String> tokens) {
            if (post == null || post.isNull()) {
                return -1;
            }
            switch (post.path("type").asText("")) {
                case "Sequence" -> {
                    for (JsonNode step : post.path("processors")) {
                        int id = addedFirst(step, tokens);
                        if (id >= 0) {
                            return id;
                        }
                    }
                    return -1;
                }
                case "TemplateProcessing" -> {
                    JsonNode first = post.path("single").path(0);
                    if (!first.has("SpecialToken")) {
                        return -1;
                    }
                    String name = first.get("SpecialToken").path("id").asText();
                    int id = tokens.indexOf(name);
                    if (id < 0) {
                        throw new IllegalArgumentException("the post processor puts '" + name + "' before a text, "
                                + "which is not a token");
                    }
                    return id;
                }
                default -> {
                    return -1;
                }
            }
        }

        private static JsonNode object(JsonNode parent, String field, String where) {
            JsonNode node = parent.get(field);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException(where + " is missing or not an object");
            }
            return node;
        }

        private static String text(JsonNode parent, String field, String where) {
            JsonNode node = parent.get(field);
            if (node == null || !node.isTextual()) {
                throw new IllegalArgumentException(where + " is missing or not a string");
            }
            return node.asText();
        }

        private static int id(JsonNode node, String where) {
            if (node == null || !node.canConvertToInt() || node.intValue() < 0 || !node.isIntegralNumber()) {
                throw new IllegalArgumentException(where + " is " + node + "; a token id is a whole number from 0");
            }
            return node.intValue();
        }
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
