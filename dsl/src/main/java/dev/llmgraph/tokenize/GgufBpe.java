package dev.llmgraph.tokenize;

import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.gguf.GgufValue;
import dev.llmgraph.ggml.gguf.GgufWriter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A byte-level BPE vocabulary in a GGUF file ({@code tokenizer.ggml.model = gpt2}), both ways, in llama.cpp's
 * conventions: read as a Java tokenizer with the rules llama.cpp applies for its {@code tokenizer.ggml.pre} (for
 * example to write it as a Hugging Face tokenizer.json beside a checkpoint exported from the file), and written
 * from one ({@link BpeTokenizer#writeTo}).
 */
public final class GgufBpe {
    private GgufBpe() {}

    /** The vocabulary of the GGUF file at {@code path}. */
    public static BpeTokenizer read(Path path) {
        try (GgufFile file = GgufFile.open(path)) {
            return read(file);
        }
    }

    /** The vocabulary of an open GGUF file. */
    public static BpeTokenizer read(GgufFile file) {
        String where = file.path().getFileName() + ": ";
        if (!file.has("tokenizer.ggml.model")) {
            throw new IllegalArgumentException(where + "the file has no vocabulary (no tokenizer.ggml.model)");
        }
        String model = file.getString("tokenizer.ggml.model");
        if (!model.equals("gpt2")) {
            throw new IllegalArgumentException(where + "tokenizer.ggml.model is '" + model + "'; GgufBpe reads "
                    + "byte-level BPE vocabularies ('gpt2'), GgufSentencePiece SentencePiece-style ones "
                    + "('llama', 'gemma4'); TextTokenizer.llama reads every kind");
        }
        if (!file.has("tokenizer.ggml.pre")) {
            throw new IllegalArgumentException(where + "the vocabulary names no pre-tokenizer (tokenizer.ggml.pre), "
                    + "so how its text is cut into words is not known");
        }
        BpeTokenizer.Rules rules;
        try {
            rules = BpeTokenizer.Rules.of(PreTokenizer.ofLlamaCppName(file.getString("tokenizer.ggml.pre")));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + e.getMessage(), e);
        }
        List<String> tokens = file.getStringArray("tokenizer.ggml.tokens");
        int[] types = file.has("tokenizer.ggml.token_type") ? file.getIntArray("tokenizer.ggml.token_type") : null;
        if (types != null && types.length != tokens.size()) {
            throw new IllegalArgumentException(where + tokens.size() + " tokens but " + types.length + " token types");
        }
        List<TokenKind> kinds = new ArrayList<>(tokens.size());
        for (int id = 0; id < tokens.size(); id++) {
            kinds.add(types == null ? TokenKind.NORMAL : TokenKind.ofLlamaTokenType(types[id], id));
        }
        List<String> merges = file.has("tokenizer.ggml.merges") ? file.getStringArray("tokenizer.ggml.merges")
                : List.of();
        int bos = file.has("tokenizer.ggml.bos_token_id") ? file.getInt("tokenizer.ggml.bos_token_id") : -1;
        int eos = file.has("tokenizer.ggml.eos_token_id") ? file.getInt("tokenizer.ggml.eos_token_id") : -1;
        boolean addsBos = file.has("tokenizer.ggml.add_bos_token") ? file.getBool("tokenizer.ggml.add_bos_token")
                : rules.preTokenizer().addsBos();
        try {
            return new BpeTokenizer(tokens, kinds, merges, rules, new BpeVocabulary.Markers(bos, eos, addsBos && bos >= 0));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + e.getMessage(), e);
        }
    }

    /**
     * Adds {@code bpe}'s keys to a GGUF being written: model {@code gpt2} with the pre-tokenizer's llama.cpp name,
     * tokens, token types, merges, and the markers. Refused where llama.cpp would tokenize otherwise: a
     * pre-tokenizer it has no name for, or merges ignored where its name does not ignore them (or the reverse).
     */
    static void write(BpeTokenizer bpe, GgufWriter out) {
        requireLlamaCppRules(bpe);
        PreTokenizer pre = bpe.rules().preTokenizer();
        out.putString("tokenizer.ggml.model", "gpt2");
        out.putString("tokenizer.ggml.pre", pre.llamaCppName());
        out.putStrings("tokenizer.ggml.tokens", bpe.tokens());
        out.put("tokenizer.ggml.token_type", GgufValue.int32s(bpe.kinds().stream()
                .mapToInt(TokenKind::llamaTokenType).toArray()));
        out.putStrings("tokenizer.ggml.merges", bpe.merges());
        BpeVocabulary.Markers markers = bpe.markers();
        if (markers.eos() >= 0) {
            out.putUint32("tokenizer.ggml.eos_token_id", markers.eos());
        }
        if (markers.bos() >= 0) {
            out.putUint32("tokenizer.ggml.bos_token_id", markers.bos());
        }
        out.putBool("tokenizer.ggml.add_bos_token", markers.addsBos());
    }

    /**
     * Refuses, in words, a tokenizer whose GGUF file llama.cpp would tokenize otherwise: a pre-tokenizer it has no
     * name for, or merges ignored where its name does not ignore them (or the reverse). What {@link #write} checks
     * first; {@code convert} asks before it loads a checkpoint's weights.
     */
    public static void requireLlamaCppRules(BpeTokenizer bpe) {
        BpeTokenizer.Rules rules = bpe.rules();
        PreTokenizer pre = rules.preTokenizer();
        if (pre.llamaCppName() == null) {
            throw new IllegalArgumentException("llama.cpp knows a BPE pre-tokenizer only by name, and this one's "
                    + "expressions " + pre.expressions() + " are none of those llmgraph can name ("
                    + PreTokenizer.namedOnes() + "); a GGUF file of it would be tokenized otherwise");
        }
        if (rules.ignoresMerges() != pre.ignoresMerges()) {
            throw new IllegalArgumentException("llama.cpp " + (pre.ignoresMerges() ? "takes" : "does not take")
                    + " a word that is a token whole for pre-tokenizer '" + pre.llamaCppName() + "', and this tokenizer "
                    + (rules.ignoresMerges() ? "does" : "does not") + "; a GGUF file of it would be tokenized otherwise");
        }
    }
}
