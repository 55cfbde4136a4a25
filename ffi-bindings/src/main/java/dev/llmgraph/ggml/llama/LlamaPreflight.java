package dev.llmgraph.ggml.llama;

import dev.llmgraph.ggml.gguf.GgufValue;
import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.gguf.GgufException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks, before a file reaches llama.cpp's loader, the things that loader asserts on instead of reporting
 * (an assertion or an exception escaping a C function aborts the JVM). Everything llama.cpp reports itself
 * (missing keys and tensors, wrong shapes, wrong value types) is left to it: its messages come back through
 * the shim. Checked here, from the pinned llama.cpp source:
 * <ul>
 *   <li>the GGUF structure itself ({@link GgufFile});
 *   <li>{@code tokenizer.ggml.tokens} without duplicates ({@code llama-vocab.cpp} asserts
 *       {@code id_to_token.size() == token_to_id.size()}), and with Phi-3's tokens where the name says Phi-3
 *       (llama.cpp's loader fails there with "unordered_map::at" and no more);
 *   <li>for a full model, the hyperparameters {@code llama_model_base::load_hparams} asserts on: 1 to 512
 *       blocks, expert counts, the rope scaling type, and for {@code llama} equal key and value head sizes.
 * </ul>
 * A file can still fail in ways this list does not know; the list covers what llmgraph writes and what
 * the fuzz and tokenizer tests met.
 */
final class LlamaPreflight {
    static final int MAX_LAYERS = 512;
    static final int MAX_EXPERTS = 1024;
    private static final Set<String> ROPE_SCALING_TYPES = Set.of("none", "linear", "yarn", "longrope");

    private LlamaPreflight() {}

    /** What the file is loaded for. */
    enum Use { TOKENIZER, FULL_MODEL }

    /** Checks {@code file} before llama.cpp loads it for {@code use}. */
    static void check(Path file, Use use) {
        try (GgufFile gguf = GgufFile.open(file)) {
            checkTokens(gguf);
            checkPhi3Tokens(gguf);
            if (use == Use.TOKENIZER) {
                checkTokenizer(gguf);
            } else {
                checkHyperparameters(gguf);
            }
        }
    }

    /**
     * A vocabulary llama.cpp can tokenize with: not {@code none}, and for SentencePiece ({@code llama}) one token
     * per byte, because its tokenizer falls back to byte tokens through {@code token_to_id.at(...)}, which
     * aborts the process when the byte token is missing.
     */
    private static void checkTokenizer(GgufFile gguf) {
        if (!(gguf.metadata().get("tokenizer.ggml.model") instanceof GgufValue.StringValue model)) {
            return; // llama.cpp reports it
        }
        if (model.value().equals("none") || model.value().equals("no_vocab")) {
            throw new GgufException(gguf.path() + ": has no tokenizer (tokenizer.ggml.model is '" + model.value()
                    + "'); llama.cpp can run such a model on token ids but cannot encode text with it");
        }
        if (model.value().equals("llama") && gguf.metadata().get("tokenizer.ggml.tokens") instanceof GgufValue.StringArray t) {
            Set<String> tokens = new java.util.HashSet<>(t.values());
            List<String> missing = new java.util.ArrayList<>();
            for (int b = 0; b < 256; b++) {
                String hex = String.format("<0x%02X>", b);
                if (!tokens.contains(hex) && !(b < 0x80 && tokens.contains(String.valueOf((char) b)))) {
                    missing.add(hex);
                }
            }
            if (!missing.isEmpty()) {
                throw new GgufException(gguf.path() + ": is a SentencePiece vocabulary without byte tokens for "
                        + missing.size() + " bytes (" + String.join(", ", missing.subList(0, Math.min(4, missing.size())))
                        + (missing.size() > 4 ? ", ..." : "") + "); llama.cpp aborts the process when text needs one, "
                        + "so llmgraph does not tokenize with it");
            }
        }
    }

    /**
     * llama.cpp takes a vocabulary for Phi-3's where {@code general.name} holds "phi-3" or "phi3" (in any case), and
     * then looks up four of Phi-3's tokens with {@code token_to_id.at}: a vocabulary without them fails to load with
     * only "unordered_map::at" for a reason.
     */
    private static void checkPhi3Tokens(GgufFile gguf) {
        if (!(gguf.metadata().get("general.name") instanceof GgufValue.StringValue name)
                || !(gguf.metadata().get("tokenizer.ggml.tokens") instanceof GgufValue.StringArray tokens)) {
            return;
        }
        String lower = name.value().toLowerCase(java.util.Locale.ROOT);
        if (!lower.contains("phi-3") && !lower.contains("phi3")) {
            return;
        }
        Set<String> present = new java.util.HashSet<>(tokens.values());
        List<String> missing = java.util.stream.Stream.of("</s>", "<unk>", "<s>", "<|endoftext|>")
                .filter(token -> !present.contains(token)).toList();
        if (!missing.isEmpty()) {
            throw new GgufException(gguf.path() + ": general.name '" + name.value() + "' makes llama.cpp take the "
                    + "vocabulary for Phi-3's and look up its tokens </s>, <unk>, <s> and <|endoftext|>, and this one lacks "
                    + String.join(", ", missing) + "; llama.cpp would fail to load it: give the model a name without "
                    + "phi-3 or phi3, or Phi-3's vocabulary");
        }
    }

    private static void checkTokens(GgufFile gguf) {
        if (!(gguf.metadata().get("tokenizer.ggml.tokens") instanceof GgufValue.StringArray tokens)) {
            return; // absent or of the wrong type: llama.cpp reports it
        }
        Map<String, Integer> seen = new HashMap<>();
        List<String> values = tokens.values();
        for (int i = 0; i < values.size(); i++) {
            // llama.cpp stores an empty token under this name, so the replacement can collide too.
            String word = values.get(i).isEmpty() ? "[EMPTY_" + i + "]" : values.get(i);
            Integer first = seen.putIfAbsent(word, i);
            if (first != null) {
                throw new GgufException(gguf.path() + ": tokenizer.ggml.tokens holds the token '" + word + "' twice "
                        + "(ids " + first + " and " + i + "); llama.cpp aborts the process on a repeated token, so "
                        + "llmgraph does not pass the file to it");
            }
        }
    }

    private static void checkHyperparameters(GgufFile gguf) {
        if (!(gguf.metadata().get("general.architecture") instanceof GgufValue.StringValue arch)) {
            return; // llama.cpp reports a missing architecture
        }
        String a = arch.value();
        Long blocks = integer(gguf, a + ".block_count");
        if (blocks != null && (blocks < 1 || blocks > MAX_LAYERS)) {
            throw abort(gguf, a + ".block_count is " + blocks + "; llama.cpp needs 1 to " + MAX_LAYERS + " blocks");
        }
        Long nextn = integer(gguf, a + ".nextn_predict_layers");
        if (blocks != null && nextn != null && (nextn < 0 || nextn > blocks)) {
            throw abort(gguf, a + ".nextn_predict_layers is " + nextn + "; llama.cpp needs 0 to " + a + ".block_count ("
                    + blocks + ")");
        }
        checkExperts(gguf, a);
        if (gguf.metadata().get(a + ".rope.scaling.type") instanceof GgufValue.StringValue scaling
                && !ROPE_SCALING_TYPES.contains(scaling.value())) {
            throw abort(gguf, a + ".rope.scaling.type is '" + scaling.value() + "'; llama.cpp knows none, linear, "
                    + "yarn and longrope");
        }
        Long keyLength = integer(gguf, a + ".attention.key_length");
        Long valueLength = integer(gguf, a + ".attention.value_length");
        if (a.equals("llama") && keyLength != null && valueLength != null && !keyLength.equals(valueLength)) {
            throw abort(gguf, "llama.attention.key_length (" + keyLength + ") differs from llama.attention.value_length ("
                    + valueLength + "); llama.cpp's llama graph needs equal head sizes");
        }
    }

    private static void checkExperts(GgufFile gguf, String a) {
        long experts = orZero(integer(gguf, a + ".expert_count"));
        long used = maxOf(gguf, a + ".expert_used_count");
        long groups = orZero(integer(gguf, a + ".expert_group_count"));
        long groupsUsed = orZero(integer(gguf, a + ".expert_group_used_count"));
        String problem = null;
        if (experts < 0 || experts > MAX_EXPERTS) {
            problem = a + ".expert_count is " + experts + "; llama.cpp allows 0 to " + MAX_EXPERTS;
        } else if (used < 0 || used > experts) {
            problem = a + ".expert_used_count is " + used + " but there are " + experts + " experts";
        } else if (experts > 0 && used == 0) {
            problem = a + ".expert_used_count must be at least 1 when there are experts (" + experts + ")";
        } else if (experts > 0 && (groups < 0 || groups >= experts)) {
            problem = a + ".expert_group_count is " + groups + "; llama.cpp needs fewer groups than experts (" + experts + ")";
        } else if (experts > 0 && groups > 1 && (experts % groups != 0 || groupsUsed <= 0 || groupsUsed >= groups)) {
            problem = a + ".expert_group_count " + groups + " must divide " + a + ".expert_count " + experts + " and "
                    + a + ".expert_group_used_count " + groupsUsed + " must be 1 to " + (groups - 1);
        } else if (experts == 0 && groups != 0) {
            problem = a + ".expert_group_count is " + groups + " but the model has no experts";
        }
        if (problem != null) {
            throw abort(gguf, problem);
        }
    }

    private static GgufException abort(GgufFile gguf, String problem) {
        return new GgufException(gguf.path() + ": " + problem + " (llama.cpp would abort the process, so llmgraph "
                + "does not pass the file to it)");
    }

    /** An integer value, or null when the key is absent or not an integer (llama.cpp reports those). */
    private static Long integer(GgufFile gguf, String key) {
        return gguf.metadata().get(key) instanceof GgufValue.IntegerValue v ? v.value() : null;
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    /** The largest of a per-layer array, or the single value. */
    private static long maxOf(GgufFile gguf, String key) {
        return switch (gguf.metadata().get(key)) {
            case GgufValue.IntegerValue v -> v.value();
            case GgufValue.IntegerArray arr -> java.util.Arrays.stream(arr.values()).max().orElse(0);
            case null, default -> 0;
        };
    }
}
