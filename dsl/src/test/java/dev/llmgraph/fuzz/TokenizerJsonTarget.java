package dev.llmgraph.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.io.hf.HfConfig;
import dev.llmgraph.io.hf.TokenizerJson;
import dev.llmgraph.io.hf.TokenizerJsonException;
import dev.llmgraph.tokenize.BpeTokenizer;
import dev.llmgraph.tokenize.BpeVocabulary;
import dev.llmgraph.tokenize.BpeTrainer;
import dev.llmgraph.tokenize.PreTokenizer;
import dev.llmgraph.tokenize.SentencePieceBpe;
import dev.llmgraph.tokenize.SentencePieceUnigram;
import dev.llmgraph.tokenize.TinyCharsmap;
import dev.llmgraph.tokenize.TokenKind;
import dev.llmgraph.tokenize.UnigramTrainer;
import dev.llmgraph.tokenize.WordPieceTokenizer;
import dev.llmgraph.tokenize.WordPieceTrainer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Mutated tokenizer.json documents (and, one case in three, a tokenizer_config.json beside them), read as
 * {@link TokenizerJson#read} reads a checkpoint's; an accepted one then encodes and decodes a text and writes
 * itself again, which must not fail either. Seeds: a 300-token BPE trained on a sentence, written with GPT-2's
 * rules, with Llama 3's (a Split expression, merges ignored, a beginning-of-text token) and with Qwen2's (NFC); and
 * its ASCII tokens as a SentencePiece-style BPE (byte tokens, an unknown token), in Llama 2's form (a Prepend
 * normalizer) and with a Metaspace pre-tokenizer; a 120-token WordPiece, lower-cased, in BERT's form; and a
 * 60-piece Unigram, without normalisation rules and with a few precompiled ones. A case changes
 * one to four nodes anywhere in the tree (a regular expression to a broken or costly one, a number to an edge value,
 * a node removed), in one Unigram case out of two changes bytes of the precompiled rules, and in one case out of
 * four then damages the text.
 */
final class TokenizerJsonTarget implements FuzzTarget {
    private static final String TEXT = "It's a small model: we'll train it, and they've said it'd work. 12345 tokens!\n";
    private static final String[] EXPRESSIONS = {"(", "[", "\\p{L}+|", "(?<x>a)\\k<y>", "a{99999}", "(a|b)*c",
            "\\p{Nope}", "", "(?i:'s|'t)", "\\s+(?!\\S)|\\s+", "((a+)+)+b", "\\uD800"};
    private final List<String> seeds = new ArrayList<>();

    TokenizerJsonTarget() throws IOException {
        BpeTokenizer trained = BpeTrainer.train(TEXT.repeat(3), 300, "<|endoftext|>", "<|begin|>");
        List<TokenKind> kinds = trained.kinds();
        Path file = Files.createTempFile("tokenizer", ".json");
        try {
            for (BpeVocabulary bpe : List.of(trained,
                    new BpeTokenizer(trained.tokens(), kinds, trained.merges(), BpeTokenizer.Rules.of(PreTokenizer.LLAMA3),
                            new BpeTokenizer.Markers(trained.specialId("<|begin|>"), trained.specialId("<|endoftext|>"),
                                    true)),
                    new BpeTokenizer(trained.tokens(), kinds, trained.merges(),
                            new BpeTokenizer.Rules(PreTokenizer.QWEN2, true, false), trained.markers()),
                    sentencePiece(trained, SentencePieceBpe.Prefix.PREPEND),
                    sentencePiece(trained, SentencePieceBpe.Prefix.METASPACE_FIRST))) {
                TokenizerJson.write(bpe, file);
                seeds.add(Files.readString(file));
            }
            WordPieceTokenizer wordPiece = WordPieceTrainer.train(TEXT.repeat(3), 120);
            TokenizerJson.write(new WordPieceTokenizer(wordPiece.tokens(), wordPiece.kinds(),
                    new WordPieceTokenizer.Rules(true, true, 100), wordPiece.specials()), file);
            seeds.add(Files.readString(file));
            for (SentencePieceUnigram unigram : unigrams(file)) {
                TokenizerJson.write(unigram, file);
                seeds.add(Files.readString(file));
            }
        } finally {
            Files.delete(file);
        }
    }

    /** The trained tokenizer's ASCII tokens and merges, spaces as ▁, after {@code <unk> <s> </s>} and 256 bytes. */
    private static SentencePieceBpe sentencePiece(BpeTokenizer trained, SentencePieceBpe.Prefix prefix) {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<TokenKind> kinds = new ArrayList<>(List.of(TokenKind.SPECIAL, TokenKind.SPECIAL, TokenKind.SPECIAL));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            kinds.add(TokenKind.BYTE);
        }
        Map<String, String> spaced = new HashMap<>();
        for (int id = 0; id < trained.size(); id++) {
            String text = new String(trained.pieceBytes(id), StandardCharsets.ISO_8859_1);
            if (trained.kind(id) == TokenKind.NORMAL && text.chars().allMatch(c -> c < 128)) {
                spaced.put(trained.tokens().get(id), text.replace(" ", SentencePieceBpe.SPACE));
                tokens.add(text.replace(" ", SentencePieceBpe.SPACE));
                kinds.add(TokenKind.NORMAL);
            }
        }
        List<String> merges = new ArrayList<>();
        for (String merge : trained.merges()) {
            int space = merge.indexOf(' ');
            String left = spaced.get(merge.substring(0, space)), right = spaced.get(merge.substring(space + 1));
            if (left != null && right != null) {
                merges.add(left + " " + right);
            }
        }
        return new SentencePieceBpe(tokens, kinds, merges, new SentencePieceBpe.Rules(prefix, true, 0),
                new BpeTokenizer.Markers(1, 2, true));
    }

    /**
     * A 60-piece Unigram trained on the sentence, without normalisation rules, and with a few precompiled ones (a
     * ligature, full-width letters, an ideographic space, a rule that removes) and its spaces removed.
     */
    private static List<SentencePieceUnigram> unigrams(Path scratch) {
        UnigramTrainer.train(TEXT.repeat(3), 60).writeVocabulary(scratch);
        SentencePieceUnigram trained = SentencePieceUnigram.readGguf(scratch);
        byte[] rules = TinyCharsmap.of(Map.of("ﬁ", "fi", "Ａ", "A", "ｍｏ", "mo", "\u3000", " ", "\u200b", ""));
        float[] scores = new float[trained.size()];
        for (int id = 0; id < scores.length; id++) {
            scores[id] = trained.score(id);
        }
        return List.of(trained, new SentencePieceUnigram(trained.tokens(), trained.kinds(), scores,
                new SentencePieceUnigram.Rules(true, true), rules, trained.unknown(),
                new SentencePieceUnigram.Markers(-1, 1, false, true)));
    }

    /** One to eight bytes of a Precompiled normalizer's rules changed, where the document has one. */
    private static String damageCharsmap(String json, SplittableRandom r, StringBuilder what) throws IOException {
        JsonNode root = HfConfig.JSON.readTree(json);
        JsonNode precompiled = root.path("normalizer").path("normalizers").path(0);
        byte[] map;
        try {
            map = Base64.getDecoder().decode(precompiled.path("precompiled_charsmap").asText(""));
        } catch (IllegalArgumentException e) {
            return json;
        }
        if (map.length == 0 || !(precompiled instanceof ObjectNode node)) {
            return json;
        }
        for (int i = 1 + r.nextInt(8); i > 0; i--) {
            int at = r.nextInt(map.length);
            map[at] = (byte) r.nextInt(256);
            what.append("; charsmap byte ").append(at).append(" = ").append(map[at] & 0xFF);
        }
        node.put("precompiled_charsmap", Base64.getEncoder().encodeToString(map));
        return HfConfig.JSON.writeValueAsString(root);
    }

    @Override
    public boolean isOwnRefusal(Throwable refusal) {
        return refusal instanceof TokenizerJsonException;
    }

    @Override
    public void run(long seed, int id, Path work, StringBuilder what) throws Exception {
        SplittableRandom r = new SplittableRandom(seed * 1_000_003 + id);
        String text = EdgeValues.mutatedJson(seeds.get(id % seeds.size()), r, TokenizerJsonTarget::mutate, what);
        if (text.contains("precompiled_charsmap") && r.nextBoolean()) {
            text = damageCharsmap(text, r, what);
        }
        if (r.nextInt(4) == 0) {
            int at = r.nextInt(text.length());
            what.append("; truncated at ").append(at);
            text = text.substring(0, at);
        }
        Path dir = Files.createDirectories(work.resolve("case-" + id));
        Files.write(dir.resolve("tokenizer.json"), text.getBytes(StandardCharsets.UTF_8)); // a lone surrogate as '?'

        if (r.nextInt(3) == 0) {
            JsonNode eos = EdgeValues.aJsonValue(r);
            what.append("; tokenizer_config eos_token = ").append(eos);
            Files.write(dir.resolve("tokenizer_config.json"), ("{\"eos_token\": " + eos + "}")
                    .getBytes(StandardCharsets.UTF_8));
        }
        if (TokenizerJson.modelType(dir).equals("WordPiece")) {
            WordPieceTokenizer wordPiece = TokenizerJson.readWordPiece(dir);
            wordPiece.decode(wordPiece.encodeForModel(TEXT + " Ünïcödé 🙂"));
            TokenizerJson.write(wordPiece, dir.resolve("again.json"));
            return;
        }
        if (TokenizerJson.modelType(dir).equals("Unigram")) {
            SentencePieceUnigram unigram = TokenizerJson.readUnigram(dir);
            unigram.decode(unigram.encodeForModel(TEXT + "<|begin|>  Ünïcödé ﬁ Ａ ｍｏ\u3000x\u200b 🙂 ", true));
            TokenizerJson.write(unigram, dir.resolve("again.json"));
            return;
        }
        BpeVocabulary bpe = TokenizerJson.read(dir);
        int[] ids = bpe.encode(TEXT + "<|begin|> Ünïcödé 🙂");
        bpe.decode(ids);
        TokenizerJson.write(bpe, dir.resolve("again.json"));
    }

    /** Changes one node, picked by walking down from the root. */
    private static void mutate(ObjectNode root, SplittableRandom r, StringBuilder what) {
        JsonNode parent = root;
        String path = "";
        while (true) {
            List<String> keys = new ArrayList<>();
            parent.fieldNames().forEachRemaining(keys::add);
            int size = parent.isArray() ? parent.size() : keys.size();
            if (size == 0) {
                break;
            }
            int pick = r.nextInt(size);
            JsonNode child = parent.isArray() ? parent.get(pick) : parent.get(keys.get(pick));
            String step = parent.isArray() ? "[" + pick + "]" : "." + keys.get(pick);
            if (!child.isContainerNode() || child.isEmpty() || r.nextInt(3) == 0) {
                what.append(what.isEmpty() ? "" : "; ").append(path).append(step);
                change(parent, parent.isArray() ? null : keys.get(pick), pick, child, r, what);
                return;
            }
            parent = child;
            path += step;
        }
        what.append(what.isEmpty() ? "" : "; ").append("nothing to change at ").append(path);
    }

    private static void change(JsonNode parent, String key, int index, JsonNode old, SplittableRandom r,
                               StringBuilder what) {
        JsonNode value = switch (r.nextInt(5)) {
            case 0 -> null;
            case 1 -> JsonNodeFactory.instance.textNode(EXPRESSIONS[r.nextInt(EXPRESSIONS.length)]);
            default -> old.isTextual() && r.nextBoolean() ? JsonNodeFactory.instance.textNode(old.asText() + "x")
                    : EdgeValues.aJsonValue(r);
        };
        what.append(value == null ? " removed" : " = " + value);
        if (parent instanceof ObjectNode object) {
            if (value == null) {
                object.remove(key);
            } else {
                object.set(key, value);
            }
        } else if (parent instanceof ArrayNode array) {
            if (value == null) {
                array.remove(index);
            } else {
                array.set(index, value);
            }
        }
    }
}
