package dev.llmgraph.tokenize;

import dev.llmgraph.ggml.gguf.GgufFile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The byte-level BPE vocabulary of a GGUF file ({@code tokenizer.ggml.model = gpt2}) as a Java tokenizer, with
 * the rules llama.cpp applies for its {@code tokenizer.ggml.pre}; for example to write it as a Hugging Face
 * {@code tokenizer.json} ({@link TokenizerJson#write}) beside a checkpoint exported from the file.
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
            throw new IllegalArgumentException(where + "tokenizer.ggml.model is '" + model + "'; llmgraph's BPE reads "
                    + "byte-level BPE vocabularies ('gpt2'); TextTokenizer.llama reads every kind");
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
            return new BpeTokenizer(tokens, kinds, merges, rules, new BpeTokenizer.Markers(bos, eos, addsBos && bos >= 0));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + e.getMessage(), e);
        }
    }
}
