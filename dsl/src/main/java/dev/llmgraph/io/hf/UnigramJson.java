package dev.llmgraph.io.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.tokenize.SentencePieceUnigram;
import dev.llmgraph.tokenize.TokenKind;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static dev.llmgraph.io.hf.TokenizerJsonReading.describe;

/**
 * A Unigram tokenizer.json (T5's, XLM-RoBERTa's, converted from a SentencePiece model), both ways: the vocabulary as
 * [piece, score] pairs, the unknown token, SentencePiece's precompiled normalisation rules ({@code Precompiled}, in
 * base 64), the removal of extra spaces (a {@code Replace} of runs of two or more spaces, with a {@code Strip} of the
 * right end, or a {@code WhitespaceSplit} pre-tokenizer), the {@code Metaspace} pre-tokenizer's {@code ▁} before the
 * text, the added tokens, and the tokens a {@code TemplateProcessing}, {@code RobertaProcessing} or
 * {@code BertProcessing} puts around a text.
 */
final class UnigramJson {
    private static final String SPACE = SentencePieceUnigram.SPACE;
    private static final String RUN_OF_SPACES = " {2,}";

    private UnigramJson() {}

    /** The tokenizer a Unigram tokenizer.json's root object describes; what would encode otherwise is refused. */
    static SentencePieceUnigram read(JsonNode root) {
        JsonNode model = root.path("model");
        if (model.path("byte_fallback").asBoolean(false)) {
            throw new IllegalArgumentException("model.byte_fallback is true; llmgraph reads Unigram tokenizers without "
                    + "it, as T5's and XLM-RoBERTa's are (llama.cpp's Unigram has no byte fallback)");
        }
        JsonNode vocab = model.get("vocab");
        if (vocab == null || !vocab.isArray() || vocab.isEmpty()) {
            throw new IllegalArgumentException("model.vocab is missing or not a list of [piece, score] pairs");
        }
        List<String> tokens = new ArrayList<>();
        float[] scores = new float[vocab.size()];
        for (JsonNode entry : vocab) {
            if (!entry.isArray() || entry.size() != 2 || !entry.get(0).isTextual() || !entry.get(1).isNumber()) {
                throw new IllegalArgumentException("model.vocab[" + tokens.size() + "] is not a [piece, score] pair");
            }
            scores[tokens.size()] = entry.get(1).floatValue();
            tokens.add(entry.get(0).asText());
        }
        JsonNode unk = model.get("unk_id");
        if (unk == null || !unk.canConvertToInt() || unk.asInt() < 0 || unk.asInt() >= tokens.size()) {
            throw new IllegalArgumentException("model.unk_id is " + unk + "; llmgraph reads Unigram tokenizers with an "
                    + "unknown token, one of the " + tokens.size() + " pieces");
        }
        Map<Integer, TokenKind> added = new HashMap<>();
        for (JsonNode token : root.path("added_tokens")) {
            int id = token.path("id").asInt(-1);
            if (id < 0 || id >= tokens.size() || !token.path("content").asText("").equals(tokens.get(id))) {
                throw new IllegalArgumentException("added token " + token.get("content") + " is not piece " + id + " of "
                        + "model.vocab; llmgraph reads Unigram added tokens that are in the vocabulary");
            }
            boolean special = token.path("special").asBoolean(false) && !isT5Sentinel(tokens.get(id));
            added.put(id, special ? TokenKind.SPECIAL : TokenKind.ADDED);
        }
        List<TokenKind> kinds = new ArrayList<>();
        for (int id = 0; id < tokens.size(); id++) {
            kinds.add(id == unk.asInt() ? TokenKind.SPECIAL : added.getOrDefault(id, TokenKind.NORMAL));
        }
        Normalizer normalizer = normalizer(root.get("normalizer"));
        boolean[] splitsWhitespace = new boolean[1];
        boolean prefix = metaspacePrefix(root.get("pre_tokenizer"), splitsWhitespace);
        return new SentencePieceUnigram(tokens, kinds, scores,
                new SentencePieceUnigram.Rules(prefix, normalizer.removesExtraSpaces() || splitsWhitespace[0]),
                normalizer.charsmap(), unk.asInt(), markers(root.get("post_processor"), tokens));
    }

    /** What a Unigram normalizer does: precompiled rules (or none), and whether runs of spaces become one. */
    private record Normalizer(byte[] charsmap, boolean removesExtraSpaces) {}

    private static Normalizer normalizer(JsonNode node) {
        if (node == null || node.isNull()) {
            return new Normalizer(null, false);
        }
        List<JsonNode> steps = new ArrayList<>();
        if (node.path("type").asText("").equals("Sequence")) {
            node.path("normalizers").forEach(steps::add);
        } else {
            steps.add(node);
        }
        byte[] charsmap = null;
        boolean removes = false;
        for (JsonNode step : steps) {
            String type = step.path("type").asText("");
            if (type.equals("Precompiled") && charsmap == null) {
                JsonNode map = step.get("precompiled_charsmap");
                if (map != null && !map.isNull()) {
                    try {
                        charsmap = Base64.getDecoder().decode(map.asText());
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("the Precompiled normalizer's precompiled_charsmap is not "
                                + "base 64: " + e.getMessage());
                    }
                }
            } else if (type.equals("Replace") && step.path("pattern").path("Regex").asText("").equals(RUN_OF_SPACES)
                    && List.of(" ", SPACE).contains(step.path("content").asText(""))) {
                removes = true;
            } else if (!(type.equals("Strip") && !step.path("strip_left").asBoolean(true)
                    && step.path("strip_right").asBoolean(false))) {
                throw new IllegalArgumentException("the normalizer step " + describe(step) + " is not one llmgraph "
                        + "reads in a Unigram tokenizer (Precompiled; Strip of the right end and Replace of \""
                        + RUN_OF_SPACES + "\", which remove extra spaces)");
            }
        }
        return new Normalizer(charsmap, removes);
    }

    /**
     * Whether the {@code Metaspace} pre-tokenizer puts a {@code ▁} before the text; {@code splitsWhitespace[0]} set
     * where a {@code WhitespaceSplit} before it drops runs of spaces (T5's older files).
     */
    private static boolean metaspacePrefix(JsonNode node, boolean[] splitsWhitespace) {
        JsonNode metaspace = node;
        if (node != null && node.path("type").asText("").equals("Sequence")) {
            JsonNode steps = node.path("pretokenizers");
            if (steps.size() == 2 && steps.get(0).path("type").asText("").equals("WhitespaceSplit")) {
                splitsWhitespace[0] = true;
                metaspace = steps.get(1);
            }
        }
        if (metaspace == null || !metaspace.path("type").asText("").equals("Metaspace")) {
            throw new IllegalArgumentException("the pre_tokenizer is " + describe(node) + "; llmgraph reads Unigram "
                    + "tokenizers that write spaces as ▁ with a Metaspace pre-tokenizer (after a WhitespaceSplit, or "
                    + "alone), as SentencePiece's do");
        }
        if (!metaspace.path("replacement").asText("").equals(SPACE)) {
            throw new IllegalArgumentException("the Metaspace pre-tokenizer's replacement is "
                    + metaspace.get("replacement") + "; llmgraph reads \"▁\"");
        }
        String scheme = metaspace.has("prepend_scheme") ? metaspace.get("prepend_scheme").asText("")
                : metaspace.path("add_prefix_space").asBoolean(true) ? "always" : "never";
        return switch (scheme) {
            case "always", "first" -> true;
            case "never" -> false;
            default -> throw new IllegalArgumentException("the Metaspace prepend_scheme is '" + scheme + "'; it is "
                    + "always, first or never");
        };
    }

    /** The tokens the post processor puts around one text: T5's {@code </s>} after it, XLM-R's {@code <s>} before too. */
    private static SentencePieceUnigram.Markers markers(JsonNode post, List<String> tokens) {
        if (post == null || post.isNull()) {
            return new SentencePieceUnigram.Markers(-1, -1, false, false);
        }
        String type = post.path("type").asText("");
        if (type.equals("RobertaProcessing") || type.equals("BertProcessing")) {   // cls before, sep after
            return new SentencePieceUnigram.Markers(pairId(post.get("cls"), "cls", tokens),
                    pairId(post.get("sep"), "sep", tokens), true, true);
        }
        if (!type.equals("TemplateProcessing")) {
            throw new IllegalArgumentException("the post_processor '" + type + "' is not one llmgraph reads in a "
                    + "Unigram tokenizer (TemplateProcessing, RobertaProcessing, BertProcessing)");
        }
        int bos = -1, eos = -1;
        boolean sequenceSeen = false;
        for (JsonNode piece : post.path("single")) {
            if (piece.has("Sequence")) {
                sequenceSeen = true;
            } else if (piece.has("SpecialToken")) {
                String token = piece.get("SpecialToken").path("id").asText("");
                int id = tokens.indexOf(token);
                if (id < 0) {
                    throw new IllegalArgumentException("the post processor puts '" + token + "' around a text, which is "
                            + "not a piece of model.vocab");
                }
                if (sequenceSeen && eos < 0) {
                    eos = id;
                } else if (!sequenceSeen && bos < 0) {
                    bos = id;
                } else {
                    throw new IllegalArgumentException("the post processor puts more than one token on a side of a "
                            + "text; llmgraph reads at most one before and one after");
                }
            }
        }
        return new SentencePieceUnigram.Markers(bos, eos, bos >= 0, eos >= 0);
    }

    private static int pairId(JsonNode pair, String field, List<String> tokens) {
        if (pair == null || !pair.isArray() || pair.size() != 2 || !pair.get(1).canConvertToInt()
                || pair.get(1).asInt() < 0 || pair.get(1).asInt() >= tokens.size()
                || !tokens.get(pair.get(1).asInt()).equals(pair.get(0).asText())) {
            throw new IllegalArgumentException("the post processor's " + field + " is " + pair + "; it is [token, id] "
                    + "of a piece of model.vocab");
        }
        return pair.get(1).asInt();
    }

    /**
     * The tokenizer.json of {@code unigram}, in the form Hugging Face's converter now gives a SentencePiece model:
     * Precompiled, then (with removed spaces) Strip of the right end and Replace of runs of spaces by {@code ▁}; a
     * Metaspace that splits at {@code ▁}. Unused tokens that pad the vocabulary at its end (to a model's rows) are left
     * out, as a checkpoint's tokenizer.json does not hold them. Refused where Hugging Face would encode otherwise in
     * every text: spaces removed without a {@code ▁} before the text (SentencePiece then puts one before every word,
     * the first too).
     */
    static ObjectNode write(SentencePieceUnigram unigram) {
        SentencePieceUnigram.Rules rules = unigram.rules();
        if (rules.removeExtraWhitespaces() && !rules.addSpacePrefix()) {
            throw new IllegalArgumentException("the vocabulary removes extra spaces without putting a ▁ before the "
                    + "text, which no tokenizer.json says: SentencePiece then puts a ▁ before the first word too");
        }
        ObjectNode root = HfConfig.JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        int end = unigram.size();   // padding after the last token is the model's, not the tokenizer's: left out
        while (end > 0 && unigram.kind(end - 1) == TokenKind.UNUSED) {
            end--;
        }
        ArrayNode added = root.putArray("added_tokens");
        for (int id = 0; id < end; id++) {
            TokenKind kind = unigram.kind(id);
            if (kind == TokenKind.SPECIAL || kind == TokenKind.ADDED) {
                added.addObject().put("id", id).put("content", unigram.tokens().get(id)).put("single_word", false)
                        .put("lstrip", false).put("rstrip", false).put("normalized", false)
                        .put("special", kind == TokenKind.SPECIAL || isT5Sentinel(unigram.tokens().get(id)));
            }
        }
        if (unigram.charsmap() == null && !rules.removeExtraWhitespaces()) {
            root.putNull("normalizer");
        } else {
            ArrayNode steps = root.putObject("normalizer").put("type", "Sequence").putArray("normalizers");
            if (unigram.charsmap() != null) {
                steps.addObject().put("type", "Precompiled").put("precompiled_charsmap",
                        Base64.getEncoder().encodeToString(unigram.charsmap()));
            }
            if (rules.removeExtraWhitespaces()) {
                steps.addObject().put("type", "Strip").put("strip_left", false).put("strip_right", true);
                ObjectNode replace = steps.addObject().put("type", "Replace");
                replace.putObject("pattern").put("Regex", RUN_OF_SPACES);
                replace.put("content", SPACE);
            }
        }
        metaspace(root.putObject("pre_tokenizer"), rules.addSpacePrefix());
        writePostProcessor(unigram, root);
        metaspace(root.putObject("decoder"), rules.addSpacePrefix());
        ObjectNode model = root.putObject("model").put("type", "Unigram").put("unk_id", unigram.unknown());
        ArrayNode vocab = model.putArray("vocab");
        for (int id = 0; id < end; id++) {
            vocab.addArray().add(unigram.tokens().get(id)).add(unigram.score(id));
        }
        model.put("byte_fallback", false);
        return root;
    }

    private static void metaspace(ObjectNode node, boolean prefix) {
        node.put("type", "Metaspace").put("replacement", SPACE).put("prepend_scheme", prefix ? "always" : "never")
                .put("split", true);
    }

    private static void writePostProcessor(SentencePieceUnigram unigram, ObjectNode root) {
        SentencePieceUnigram.Markers m = unigram.markers();
        if (!m.addsBos() && !m.addsEos()) {
            root.putNull("post_processor");
            return;
        }
        ObjectNode post = root.putObject("post_processor").put("type", "TemplateProcessing");
        around(post.putArray("single"), unigram, "A", 0);
        ArrayNode pair = post.putArray("pair");
        around(pair, unigram, "A", 0);
        around(pair, unigram, "B", 1);
        ObjectNode specials = post.putObject("special_tokens");
        for (int id : new int[] {m.addsBos() ? m.bos() : -1, m.addsEos() ? m.eos() : -1}) {
            if (id >= 0) {
                String token = unigram.tokens().get(id);
                ObjectNode special = specials.putObject(token).put("id", token);
                special.putArray("ids").add(id);
                special.putArray("tokens").add(token);
            }
        }
    }

    /** Sequence {@code sequence} with the tokens the vocabulary puts before and after a text. */
    private static void around(ArrayNode into, SentencePieceUnigram unigram, String sequence, int typeId) {
        SentencePieceUnigram.Markers m = unigram.markers();
        if (m.addsBos()) {
            into.addObject().putObject("SpecialToken").put("id", unigram.tokens().get(m.bos())).put("type_id", typeId);
        }
        into.addObject().putObject("Sequence").put("id", sequence).put("type_id", typeId);
        if (m.addsEos()) {
            into.addObject().putObject("SpecialToken").put("id", unigram.tokens().get(m.eos())).put("type_id", typeId);
        }
    }

    /**
     * Whether {@code token} is one of T5's sentinel tokens ({@code <extra_id_0>} ...: the spans a text leaves out, in
     * T5's span-corruption prompts), as transformers' T5 tokenizer names them. T5's tokenizer.json marks them special;
     * they are read as user-defined tokens, matched wherever they stand in a text, as Hugging Face matches them and as
     * llama.cpp's converter types the tokens of a T5 folder's added_tokens.json; and written special again.
     */
    private static boolean isT5Sentinel(String token) {
        return T5_SENTINEL.matcher(token).matches();
    }

    private static final Pattern T5_SENTINEL = Pattern.compile("<extra_id_[0-9]+>");
}
