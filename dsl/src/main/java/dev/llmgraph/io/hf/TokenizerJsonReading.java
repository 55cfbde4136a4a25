package dev.llmgraph.io.hf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmgraph.tokenize.BpeTokenizer;
import dev.llmgraph.tokenize.BpeVocabulary;
import dev.llmgraph.tokenize.PreTokenizer;
import dev.llmgraph.tokenize.SentencePieceBpe;
import dev.llmgraph.tokenize.TokenKind;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The fields of a tokenizer.json read into a BPE ({@link TokenizerJson#read}): the model, its vocabulary and merges,
 * the added tokens, the post processor's beginning-of-text token, and a byte-level one's pre-tokenizer steps and
 * normalizer (a SentencePiece-style one's are {@link SentencePieceJson}'s). A refusal is an IllegalArgumentException naming the field; the caller names the file.
 */
final class TokenizerJsonReading {
    private static final Pattern BYTE_TOKEN = Pattern.compile("<0x[0-9A-Fa-f]{2}>");

    private TokenizerJsonReading() {}

    /** The tokenizer a tokenizer.json's root object describes; what cannot be read alike is refused in words. */
    static BpeVocabulary tokenizer(JsonNode root) {
        JsonNode model = object(root, "model", "model");
        String type = text(model, "type", "model.type");
        if (!type.equals("BPE")) {
            throw new IllegalArgumentException("the model is '" + type + "'; llmgraph reads BPE tokenizers, byte-level "
                    + "(a ByteLevel pre-tokenizer) or SentencePiece-style (byte fallback, spaces as ▁), and BERT's "
                    + "WordPiece with TokenizerJson.readWordPiece, SentencePiece's Unigram with TokenizerJson.readUnigram");
        }
        boolean sentencePiece = SentencePieceJson.describes(root, model);
        for (String affix : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            if (!model.path(affix).asText("").isEmpty()) {
                throw new IllegalArgumentException("model." + affix + " is '" + model.get(affix).asText()
                        + "'; llmgraph's BPE marks no subwords");
            }
        }
        if (model.path("dropout").asDouble(0) != 0) {
            throw new IllegalArgumentException("model.dropout is " + model.get("dropout") + "; BPE dropout is for "
                    + "training, and encoding with it is not repeatable: set it to null");
        }
        Map<Integer, String> byId = vocabulary(object(model, "vocab", "model.vocab"));
        Map<Integer, TokenKind> kindById = new HashMap<>();
        byId.forEach((id, token) -> kindById.put(id, sentencePiece && BYTE_TOKEN.matcher(token).matches()
                ? TokenKind.BYTE : TokenKind.NORMAL));
        JsonNode added = root.path("added_tokens");
        for (int i = 0; added.isArray() && i < added.size(); i++) {
            JsonNode token = added.get(i);
            int id = id(token.get("id"), "added_tokens[" + i + "].id");
            String content = text(token, "content", "added_tokens[" + i + "].content");
            if (kindById.get(id) == TokenKind.NORMAL) {   // GPT-2's <|endoftext|> (Llama 2's <s>) is in the vocab too
                byId.remove(id);
            }
            put(byId, kindById, id, content, token.path("special").asBoolean(false) ? TokenKind.SPECIAL
                    : TokenKind.ADDED);
        }
        List<String> tokens = inIdOrder(byId);
        List<TokenKind> kinds = inIdOrder(kindById);
        int firstAdded = addedFirst(root.get("post_processor"), tokens);
        var markers = new BpeVocabulary.Markers(firstAdded, -1, firstAdded >= 0);
        if (sentencePiece) {
            return new SentencePieceBpe(tokens, kinds, merges(model), SentencePieceJson.rules(root, model, tokens),
                    markers);
        }
        boolean ignoreMerges = model.path("ignore_merges").asBoolean(false);
        PreTokenizer pre = preTokenizer(root.get("pre_tokenizer"), ignoreMerges);
        boolean nfc = nfc(root.get("normalizer"));
        return new BpeTokenizer(tokens, kinds, merges(model), new BpeTokenizer.Rules(pre, nfc, ignoreMerges), markers);
    }

    /**
     * A tokenizer.json's {@code model.vocab}, its tokens by id; an id that is no whole number from 0, or one two tokens
     * share, is refused.
     */
    static Map<Integer, String> vocabulary(JsonNode vocab) {
        Map<Integer, String> byId = new HashMap<>();
        Iterator<Map.Entry<String, JsonNode>> entries = vocab.fields();
        while (entries.hasNext()) {
            Map.Entry<String, JsonNode> e = entries.next();
            int id = id(e.getValue(), "model.vocab['" + e.getKey() + "']");
            String before = byId.putIfAbsent(id, e.getKey());
            if (before != null) {
                throw new IllegalArgumentException("tokens '" + before + "' and '" + e.getKey() + "' both have id " + id);
            }
        }
        return byId;
    }

    /** The values of {@code byId} in id order; ids must run from 0 without gaps. */
    static <T> List<T> inIdOrder(Map<Integer, T> byId) {
        List<T> out = new ArrayList<>(byId.size());
        for (int id = 0; id < byId.size(); id++) {
            if (!byId.containsKey(id)) {
                throw new IllegalArgumentException("no token has id " + id + " although " + byId.size() + " tokens "
                        + "have ids; ids must run from 0 without gaps");
            }
            out.add(byId.get(id));
        }
        return out;
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
    private static PreTokenizer preTokenizer(JsonNode node, boolean ignoresMerges) {
        List<String> expressions = new ArrayList<>();
        if (!collect(node, expressions)) {
            throw new IllegalArgumentException("the pre_tokenizer " + (node == null || node.isNull() ? "is null"
                    : "has no ByteLevel step") + "; llmgraph reads byte-level BPE tokenizers");
        }
        if (expressions.isEmpty()) {
            throw new IllegalArgumentException("the pre_tokenizer cuts no words (ByteLevel with use_regex false and "
                    + "no Split); llmgraph's BPE merges within words");
        }
        return PreTokenizer.of(expressions, ignoresMerges);
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

    /** A node in a few words: an object's type, or the value where it is no object. */
    static String describe(JsonNode node) {
        if (node == null) {
            return "missing";
        }
        if (node.isObject()) {
            return node.has("type") ? "'" + node.get("type").asText() + "'" : "an object without a type";
        }
        String text = node.toString();
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }

    static int id(JsonNode node, String where) {
        if (node == null || !node.canConvertToInt() || node.intValue() < 0 || !node.isIntegralNumber()) {
            throw new IllegalArgumentException(where + " is " + node + "; a token id is a whole number from 0");
        }
        return node.intValue();
    }
}
