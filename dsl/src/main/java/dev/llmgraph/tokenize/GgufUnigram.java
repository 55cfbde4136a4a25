package dev.llmgraph.tokenize;

import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.gguf.GgufValue;
import dev.llmgraph.ggml.gguf.GgufValueType;
import dev.llmgraph.ggml.gguf.GgufWriter;

import java.nio.file.Path;
import java.util.List;

/**
 * A Unigram vocabulary in a GGUF file ({@code tokenizer.ggml.model = t5}), both ways, in llama.cpp's conventions:
 * tokens, scores and types (the unknown token as type 2), {@code add_space_prefix} and
 * {@code remove_extra_whitespaces}, the precompiled normalisation rules ({@code precompiled_charsmap}, u8), the special
 * ids, and whether the beginning- and end-of-text tokens are added; with llama.cpp's defaults for what a file does not
 * say (no prefix, extra spaces kept, {@code </s>} = 1 added after a text, unknown = 2).
 */
public final class GgufUnigram {
    private GgufUnigram() {}

    /** The vocabulary of the GGUF file at {@code path}. */
    public static SentencePieceUnigram read(Path path) {
        try (GgufFile file = GgufFile.open(path)) {
            return read(file);
        }
    }

    /** The vocabulary of an open GGUF file, with llama.cpp's defaults for what the file does not say. */
    public static SentencePieceUnigram read(GgufFile file) {
        String where = file.path().getFileName() + ": ";
        String model = file.has("tokenizer.ggml.model") ? file.getString("tokenizer.ggml.model") : null;
        if (!"t5".equals(model)) {
            throw new IllegalArgumentException(where + (model == null ? "the file has no vocabulary (no "
                    + "tokenizer.ggml.model)" : "tokenizer.ggml.model is '" + model + "'; SentencePieceUnigram reads "
                    + "Unigram vocabularies ('t5'); TextTokenizer.llama reads every kind"));
        }
        GgufKeys.Pieces pieces = GgufKeys.pieces(file, where, "Unigram", List.of("tokenizer.ggml.scores",
                "tokenizer.ggml.token_type"), true);
        try {
            return new SentencePieceUnigram(pieces.tokens(), pieces.kinds(), pieces.scores(),
                    new SentencePieceUnigram.Rules(GgufKeys.flag(file, "tokenizer.ggml.add_space_prefix", false),
                            GgufKeys.flag(file, "tokenizer.ggml.remove_extra_whitespaces", false)),
                    charsmap(file), GgufKeys.id(file, "unknown", 2),
                    new SentencePieceUnigram.Markers(GgufKeys.id(file, "bos", -1), GgufKeys.id(file, "eos", 1),
                            GgufKeys.flag(file, "tokenizer.ggml.add_bos_token", false),
                            GgufKeys.flag(file, "tokenizer.ggml.add_eos_token", true)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + e.getMessage(), e);
        }
    }

    private static byte[] charsmap(GgufFile file) {
        String key = "tokenizer.ggml.precompiled_charsmap";
        if (!file.has(key)) {
            return null;
        }
        GgufValue value = file.get(key);
        if (!(value instanceof GgufValue.IntegerArray array) || array.elementType() != GgufValueType.UINT8
                && array.elementType() != GgufValueType.INT8) {
            throw new IllegalArgumentException(key + " is " + value.describe() + "; it is an array of bytes (u8 or "
                    + "i8), as llama.cpp reads it");
        }
        long[] values = array.values();
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    /** Adds {@code unigram}'s keys to a GGUF being written. */
    static void write(SentencePieceUnigram unigram, GgufWriter out) {
        int size = unigram.size(), unknown = unigram.unknown();
        int[] types = new int[size];
        float[] scores = new float[size];
        for (int id = 0; id < size; id++) {
            types[id] = id == unknown ? 2 : unigram.kind(id).llamaTokenType();
            scores[id] = unigram.score(id);
        }
        out.putString("tokenizer.ggml.model", "t5");
        out.putString("tokenizer.ggml.pre", "default");
        out.putStrings("tokenizer.ggml.tokens", unigram.tokens());
        out.put("tokenizer.ggml.scores", GgufValue.float32s(scores));
        out.put("tokenizer.ggml.token_type", GgufValue.int32s(types));
        out.putBool("tokenizer.ggml.add_space_prefix", unigram.rules().addSpacePrefix());
        out.putBool("tokenizer.ggml.remove_extra_whitespaces", unigram.rules().removeExtraWhitespaces());
        byte[] bytes = unigram.charsmap();
        if (bytes != null) {   // as llama.cpp's converter writes it: u8
            long[] values = new long[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                values[i] = bytes[i] & 0xFF;
            }
            out.put("tokenizer.ggml.precompiled_charsmap", GgufValue.integers(GgufValueType.UINT8, values));
        }
        out.putUint32("tokenizer.ggml.unknown_token_id", unknown);
        SentencePieceUnigram.Markers markers = unigram.markers();
        if (markers.bos() >= 0) {
            out.putUint32("tokenizer.ggml.bos_token_id", markers.bos());
        }
        if (markers.eos() >= 0) {
            out.putUint32("tokenizer.ggml.eos_token_id", markers.eos());
        }
        out.putBool("tokenizer.ggml.add_bos_token", markers.addsBos());
        out.putBool("tokenizer.ggml.add_eos_token", markers.addsEos());
    }
}
