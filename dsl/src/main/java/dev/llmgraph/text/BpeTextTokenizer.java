package dev.llmgraph.text;

import dev.llmgraph.tokenize.BpeTokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A byte-level BPE trained in Java ({@link BpeTokenizer}) as a model's tokenizer. It adds no special tokens
 * around a text (the vocabularies {@code BpeTokenizer} writes ask for none either), and with
 * {@code parseSpecial} it reads its special tokens' text as those tokens, the longest match first.
 */
public final class BpeTextTokenizer implements TextTokenizer {
    private final BpeTokenizer bpe;
    private final int[] endOfGeneration;
    private final String chatTemplate;

    BpeTextTokenizer(BpeTokenizer bpe, String[] endOfGeneration, String chatTemplate) {
        this.bpe = bpe;
        List<String> names = endOfGeneration.length > 0 ? List.of(endOfGeneration)
                : bpe.specialTokens().isEmpty() ? List.of() : List.of(bpe.specialTokens().getFirst());
        this.endOfGeneration = names.stream().mapToInt(bpe::specialId).sorted().distinct().toArray();
        this.chatTemplate = chatTemplate;
    }

    /**
     * The same tokenizer with a chat template: a name llama.cpp knows ({@code chatml}, ...) or a Jinja text it
     * recognises (see {@link dev.llmgraph.ggml.llama.ChatTemplate}).
     */
    public BpeTextTokenizer withChatTemplate(String template) {
        String[] names = Arrays.stream(endOfGeneration).mapToObj(id -> bpe.tokens().get(id)).toArray(String[]::new);
        return new BpeTextTokenizer(bpe, names, template);
    }

    /** The Java tokenizer itself. */
    public BpeTokenizer bpe() {
        return bpe;
    }

    @Override
    public int size() {
        return bpe.size();
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        if (!parseSpecial) {
            return bpe.encode(text);
        }
        List<int[]> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); ) {
            String special = longestSpecialAt(text, i);
            if (special == null) {
                i++;
                continue;
            }
            if (i > start) {
                parts.add(bpe.encode(text.substring(start, i)));
            }
            parts.add(new int[] {bpe.specialId(special)});
            i += special.length();
            start = i;
        }
        if (start < text.length()) {
            parts.add(bpe.encode(text.substring(start)));
        }
        return parts.stream().flatMapToInt(Arrays::stream).toArray();
    }

    private String longestSpecialAt(String text, int at) {
        String best = null;
        for (String special : bpe.specialTokens()) {
            if (text.startsWith(special, at) && (best == null || special.length() > best.length())) {
                best = special;
            }
        }
        return best;
    }

    @Override
    public byte[] pieceBytes(int id) {
        return bpe.pieceBytes(id);
    }

    @Override
    public int[] endOfGeneration() {
        return endOfGeneration.clone();
    }

    @Override
    public Optional<String> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    @Override
    public String toString() {
        return "Java " + bpe + (chatTemplate == null ? "" : ", chat template " + chatTemplate);
    }
}
