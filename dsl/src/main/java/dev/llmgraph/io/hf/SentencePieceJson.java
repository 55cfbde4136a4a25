package dev.llmgraph.io.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.tokenize.SentencePieceBpe;
import dev.llmgraph.tokenize.SentencePieceBpe.Prefix;

import java.util.List;

/**
 * What a SentencePiece-style BPE's tokenizer.json says beyond a byte-level one's, both ways: where the {@code ▁}
 * goes before the text (a {@code Prepend} normalizer, Llama 2's form; or a {@code Metaspace} pre-tokenizer with its
 * {@code prepend_scheme}, the form newer files take; or neither, as Gemma's), that spaces become {@code ▁}, the
 * byte fallback and the unknown token.
 */
final class SentencePieceJson {
    private static final String SPACE = SentencePieceBpe.SPACE;

    private SentencePieceJson() {}

    /** Whether a tokenizer.json's BPE is SentencePiece-style: byte fallback, or spaces written as ▁. */
    static boolean describes(JsonNode root, JsonNode model) {
        return model.path("byte_fallback").asBoolean(false) || mentions(root.get("normalizer"), "Prepend", "Replace")
                || mentions(root.get("pre_tokenizer"), "Metaspace");
    }

    private static boolean mentions(JsonNode node, String... types) {
        if (node == null || node.isNull()) {
            return false;
        }
        if (List.of(types).contains(node.path("type").asText(""))) {
            return true;
        }
        for (JsonNode step : node.path(node.has("normalizers") ? "normalizers" : "pretokenizers")) {
            if (mentions(step, types)) {
                return true;
            }
        }
        return false;
    }

    /** The rules of a SentencePiece-style tokenizer.json; what would make Hugging Face encode otherwise is refused. */
    static SentencePieceBpe.Rules rules(JsonNode root, JsonNode model, List<String> tokens) {
        if (model.path("ignore_merges").asBoolean(false)) {
            throw new IllegalArgumentException("model.ignore_merges is true in a SentencePiece-style BPE; llmgraph "
                    + "reads it without (set it to false)");
        }
        Prefix fromNormalizer = normalizerPrefix(root.get("normalizer"));
        JsonNode preTokenizer = root.get("pre_tokenizer");
        Prefix fromPreTokenizer = fromNormalizer != null && splitsAtSpaces(preTokenizer) ? null
                : preTokenizerPrefix(preTokenizer);
        if (fromNormalizer == null && fromPreTokenizer == null) {
            throw new IllegalArgumentException("neither the normalizer nor the pre_tokenizer writes spaces as ▁ (a "
                    + "Replace normalizer or a Metaspace pre-tokenizer), as a SentencePiece-style BPE does");
        }
        if (fromNormalizer != null && fromPreTokenizer != null) {
            throw new IllegalArgumentException("both the normalizer and a Metaspace pre-tokenizer write spaces as ▁; "
                    + "llmgraph reads one of them");
        }
        int unknown = -1;
        JsonNode unk = model.get("unk_token");
        if (unk != null && !unk.isNull()) {
            unknown = tokens.indexOf(unk.asText());
            if (unknown < 0) {
                throw new IllegalArgumentException("model.unk_token '" + unk.asText() + "' is not a token");
            }
        }
        return new SentencePieceBpe.Rules(fromNormalizer != null ? fromNormalizer : fromPreTokenizer,
                model.path("byte_fallback").asBoolean(false), unknown);
    }

    /** Llama 2's normalizer: {@code Prepend} ▁ (or not), then {@code Replace} " " by ▁; null where there is none. */
    private static Prefix normalizerPrefix(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        List<JsonNode> steps = new java.util.ArrayList<>();
        flatten(node, steps);
        boolean prepends = false, replaces = false;
        for (JsonNode step : steps) {
            String type = step.path("type").asText("");
            if (type.equals("Prepend") && step.path("prepend").asText("").equals(SPACE) && !replaces) {
                prepends = true;
            } else if (type.equals("Replace") && step.path("pattern").path("String").asText("").equals(" ")
                    && step.path("content").asText("").equals(SPACE)) {
                replaces = true;
            } else {
                throw new IllegalArgumentException("the normalizer step " + describe(step) + " is not one llmgraph "
                        + "reads in a SentencePiece-style BPE (Prepend \"▁\", then Replace \" \" by \"▁\")");
            }
        }
        if (!replaces) {
            throw new IllegalArgumentException("the normalizer does not Replace \" \" by \"▁\", as a SentencePiece-"
                    + "style BPE's does");
        }
        return prepends ? Prefix.PREPEND : Prefix.NONE;
    }

    /**
     * Whether a pre-tokenizer splits at spaces only ({@code Split} " ", not inverted), as Gemma's files have it after
     * a normalizer that leaves no space: then it changes nothing.
     */
    private static boolean splitsAtSpaces(JsonNode node) {
        return node != null && node.path("type").asText("").equals("Split")
                && node.path("pattern").path("String").asText("").equals(" ") && !node.path("invert").asBoolean(false);
    }

    /** A {@code Metaspace} pre-tokenizer's prefix; null where there is no pre-tokenizer. */
    private static Prefix preTokenizerPrefix(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        String type = node.path("type").asText("");
        if (!type.equals("Metaspace")) {
            throw new IllegalArgumentException("the pre-tokenizer '" + type + "' is not one llmgraph reads in a "
                    + "SentencePiece-style BPE (none, Metaspace, or a Split at \" \" after a normalizer that writes "
                    + "spaces as ▁)");
        }
        if (!node.path("replacement").asText("").equals(SPACE)) {
            throw new IllegalArgumentException("the Metaspace pre-tokenizer's replacement is " + node.get("replacement")
                    + "; llmgraph reads \"▁\"");
        }
        if (node.path("split").asBoolean(true)) {
            throw new IllegalArgumentException("the Metaspace pre-tokenizer splits the text at every ▁, so no merge "
                    + "crosses a word; llmgraph reads it with split false, as Llama's and Mistral's files have it");
        }
        String scheme = node.has("prepend_scheme") ? node.get("prepend_scheme").asText("")
                : node.path("add_prefix_space").asBoolean(true) ? "always" : "never";
        return switch (scheme) {
            case "always" -> Prefix.METASPACE_ALWAYS;
            case "first" -> Prefix.METASPACE_FIRST;
            case "never" -> Prefix.NONE;
            default -> throw new IllegalArgumentException("the Metaspace prepend_scheme is '" + scheme + "'; it is "
                    + "always, first or never");
        };
    }

    /** The steps of a normalizer, Sequences within Sequences read in order. */
    private static void flatten(JsonNode node, List<JsonNode> steps) {
        if (node.path("type").asText("").equals("Sequence")) {
            node.path("normalizers").forEach(step -> flatten(step, steps));
        } else {
            steps.add(node);
        }
    }

    /** A normalizer step in a few words: its type, and what a Prepend or Replace puts where. */
    private static String describe(JsonNode step) {
        if (!step.isObject()) {
            String text = step.toString();
            return text.length() > 40 ? text.substring(0, 40) + "..." : text;
        }
        String type = step.path("type").asText("");
        return switch (type) {
            case "Prepend" -> "Prepend " + step.get("prepend");
            case "Replace" -> "Replace " + step.path("pattern").path("String") + " by " + step.get("content");
            default -> "'" + type + "'";
        };
    }

    /** Writes the normalizer and the pre-tokenizer of {@code spm} into {@code root}. */
    static void writeNormalizerAndPreTokenizer(SentencePieceBpe spm, ObjectNode root) {
        Prefix prefix = spm.rules().prefix();
        if (prefix == Prefix.METASPACE_ALWAYS || prefix == Prefix.METASPACE_FIRST) {
            root.putNull("normalizer");
            root.putObject("pre_tokenizer").put("type", "Metaspace").put("replacement", SPACE)
                    .put("prepend_scheme", prefix == Prefix.METASPACE_FIRST ? "first" : "always").put("split", false);
            return;
        }
        ArrayNode steps = root.putObject("normalizer").put("type", "Sequence").putArray("normalizers");
        if (prefix == Prefix.PREPEND) {
            steps.addObject().put("type", "Prepend").put("prepend", SPACE);
        }
        ObjectNode replace = steps.addObject().put("type", "Replace");
        replace.putObject("pattern").put("String", " ");
        replace.put("content", SPACE);
        root.putNull("pre_tokenizer");
    }

    /**
     * Writes Llama 2's decoder (▁ back to space, byte tokens to bytes, the prefix's space off again) and the model's
     * settings into {@code root}; returns the model node, for the vocabulary and merges.
     */
    static ObjectNode writeDecoderAndModel(SentencePieceBpe spm, ObjectNode root) {
        ArrayNode steps = root.putObject("decoder").put("type", "Sequence").putArray("decoders");
        ObjectNode replace = steps.addObject().put("type", "Replace");
        replace.putObject("pattern").put("String", SPACE);
        replace.put("content", " ");
        steps.addObject().put("type", "ByteFallback");
        steps.addObject().put("type", "Fuse");
        if (spm.rules().prefix() != Prefix.NONE) {
            steps.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
        }
        int unknown = spm.rules().unknown();
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout");
        if (unknown >= 0) {
            model.put("unk_token", spm.tokens().get(unknown));
        } else {
            model.putNull("unk_token");
        }
        model.putNull("continuing_subword_prefix").putNull("end_of_word_suffix").put("fuse_unk", true)
                .put("byte_fallback", spm.rules().byteFallback()).put("ignore_merges", false);
        return model;
    }
}
