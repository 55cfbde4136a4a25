package dev.llmgraph.io.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.tokenize.TokenKind;
import dev.llmgraph.tokenize.WordPieceTokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.llmgraph.io.hf.TokenizerJsonReading.describe;

/**
 * A WordPiece tokenizer.json (BERT's, BGE's), both ways: {@code BertNormalizer}, {@code BertPreTokenizer}, the
 * vocabulary with {@code ##} before continuation pieces (llama.cpp's form, which {@link WordPieceTokenizer} holds,
 * puts {@code ▁} before word starts instead), the unknown token, the longest word, and the special tokens.
 */
final class WordPieceJson {
    private static final String PREFIX = "##";

    private WordPieceJson() {}

    /** The tokenizer a WordPiece tokenizer.json's root object describes; what would encode otherwise is refused. */
    static WordPieceTokenizer read(JsonNode root) {
        JsonNode model = root.path("model");
        if (!model.path("continuing_subword_prefix").asText(PREFIX).equals(PREFIX)) {
            throw new IllegalArgumentException("model.continuing_subword_prefix is " + model.get("continuing_subword_prefix")
                    + "; llmgraph reads \"##\", as BERT's files have it");
        }
        WordPieceTokenizer.Rules rules = rules(root.get("normalizer"), model.path("max_input_chars_per_word").asInt(100));
        if (!root.path("pre_tokenizer").path("type").asText("").equals("BertPreTokenizer")) {
            throw new IllegalArgumentException("the pre_tokenizer is " + describe(root.get("pre_tokenizer"))
                    + "; llmgraph reads a WordPiece tokenizer with BertPreTokenizer");
        }
        Map<Integer, String> byId = TokenizerJsonReading.vocabulary(model.path("vocab"));
        Map<Integer, Boolean> special = new HashMap<>();
        for (JsonNode added : root.path("added_tokens")) {
            int id = added.path("id").asInt(-1);
            if (!added.path("content").asText("").equals(byId.get(id))) {
                throw new IllegalArgumentException("added token " + added.get("content") + " is not the vocabulary's "
                        + "token " + id + " (" + byId.get(id) + "); llmgraph reads WordPiece added tokens that are in "
                        + "the vocabulary");
            }
            special.put(id, added.path("special").asBoolean(false));
        }
        List<String> published = TokenizerJsonReading.inIdOrder(byId);
        List<String> tokens = new ArrayList<>();
        List<TokenKind> kinds = new ArrayList<>();
        for (int id = 0; id < published.size(); id++) {
            String token = published.get(id);
            boolean control = special.getOrDefault(id, false);
            tokens.add(control || bracketed(token) ? token : token.startsWith(PREFIX) ? token.substring(PREFIX.length())
                    : WordPieceTokenizer.WORD_START + token);
            kinds.add(control ? TokenKind.SPECIAL : TokenKind.NORMAL);
        }
        int unknown = published.indexOf(model.path("unk_token").asText());
        if (unknown < 0) {
            throw new IllegalArgumentException("model.unk_token " + model.get("unk_token") + " is not a token of the "
                    + "vocabulary");
        }
        var specials = new WordPieceTokenizer.Specials(published.indexOf("[PAD]"), unknown, published.indexOf("[CLS]"),
                published.indexOf("[SEP]"), published.indexOf("[MASK]"));
        return new WordPieceTokenizer(tokens, kinds, rules, specials);
    }

    /** BERT's placeholders, {@code [unused0]}: written as they are in both forms, as llama.cpp's converter did. */
    private static boolean bracketed(String token) {
        return token.length() > 2 && token.startsWith("[") && token.endsWith("]");
    }

    private static WordPieceTokenizer.Rules rules(JsonNode normalizer, int maxWordLength) {
        if (normalizer == null || !normalizer.path("type").asText("").equals("BertNormalizer")) {
            throw new IllegalArgumentException("the normalizer is " + describe(normalizer) + "; llmgraph reads a "
                    + "WordPiece tokenizer with BertNormalizer");
        }
        for (String field : List.of("clean_text", "handle_chinese_chars")) {
            if (!normalizer.path(field).asBoolean(true)) {
                throw new IllegalArgumentException("the BertNormalizer's " + field + " is false; llmgraph reads it "
                        + "true, as BERT's files have it");
            }
        }
        boolean lowercase = normalizer.path("lowercase").asBoolean(true);
        JsonNode strip = normalizer.get("strip_accents");
        return new WordPieceTokenizer.Rules(lowercase, strip == null || strip.isNull() ? lowercase : strip.asBoolean(),
                maxWordLength);
    }

    /** The tokenizer.json of {@code wp}, in the form Hugging Face's tokenizers library saves. */
    static ObjectNode write(WordPieceTokenizer wp) {
        ObjectNode root = HfConfig.JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        List<String> published = new ArrayList<>();
        ArrayNode added = root.putArray("added_tokens");
        for (int id = 0; id < wp.size(); id++) {
            String token = wp.tokens().get(id);
            boolean control = wp.kinds().get(id) != TokenKind.NORMAL;
            published.add(control || bracketed(token) ? token : token.startsWith(WordPieceTokenizer.WORD_START)
                    ? token.substring(WordPieceTokenizer.WORD_START.length()) : PREFIX + token);
            if (control) {
                added.addObject().put("id", id).put("content", token).put("single_word", false).put("lstrip", false)
                        .put("rstrip", false).put("normalized", false).put("special", true);
            }
        }
        root.putObject("normalizer").put("type", "BertNormalizer").put("clean_text", true)
                .put("handle_chinese_chars", true).put("strip_accents", wp.rules().stripAccents())
                .put("lowercase", wp.rules().lowercase());
        root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
        WordPieceTokenizer.Specials s = wp.specials();
        if (s.cls() >= 0 && s.sep() >= 0) {
            ObjectNode post = root.putObject("post_processor").put("type", "BertProcessing");
            post.putArray("sep").add(wp.tokens().get(s.sep())).add(s.sep());
            post.putArray("cls").add(wp.tokens().get(s.cls())).add(s.cls());
        } else {
            root.putNull("post_processor");
        }
        root.putObject("decoder").put("type", "WordPiece").put("prefix", PREFIX).put("cleanup", true);
        ObjectNode model = root.putObject("model").put("type", "WordPiece")
                .put("unk_token", wp.tokens().get(s.unknown())).put("continuing_subword_prefix", PREFIX)
                .put("max_input_chars_per_word", wp.rules().maxWordLength());
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < published.size(); id++) {
            vocab.put(published.get(id), id);
        }
        return root;
    }
}
