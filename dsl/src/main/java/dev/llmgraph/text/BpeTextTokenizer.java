package dev.llmgraph.text;

import dev.llmgraph.tokenize.BpeVocabulary;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A BPE encoded in Java ({@link BpeVocabulary}: byte-level, trained in Java or published, or SentencePiece-style;
 * read from a tokenizer.json or a GGUF file) as a model's tokenizer. With {@code addSpecial} it puts the beginning-of-text token before a text
 * where the tokenizer asks for one (Llama 3's does; a trained one does not), and with {@code parseSpecial} it
 * reads its special tokens' text as those tokens, the longest match first.
 */
public final class BpeTextTokenizer implements TextTokenizer {
    private final BpeVocabulary bpe;
    private final int[] endOfGeneration;
    private final String chatTemplate;

    BpeTextTokenizer(BpeVocabulary bpe, String[] endOfGeneration) {
        this(bpe, endOfGeneration.length > 0
                ? Arrays.stream(endOfGeneration).mapToInt(bpe::specialId).sorted().distinct().toArray()
                : bpe.markers().eos() >= 0 ? new int[] {bpe.markers().eos()} : new int[0], null);
    }

    private BpeTextTokenizer(BpeVocabulary bpe, int[] endOfGeneration, String chatTemplate) {
        this.bpe = bpe;
        this.endOfGeneration = endOfGeneration;
        this.chatTemplate = chatTemplate;
    }

    /**
     * The same tokenizer with a chat template: a name llama.cpp knows ({@code chatml}, ...) or a Jinja text it
     * recognises (see {@link dev.llmgraph.ggml.llama.ChatTemplate}).
     */
    public BpeTextTokenizer withChatTemplate(String template) {
        return new BpeTextTokenizer(bpe, endOfGeneration, template);
    }

    /** The Java tokenizer itself. */
    public BpeVocabulary bpe() {
        return bpe;
    }

    @Override
    public int size() {
        return bpe.size();
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        int[] ids = bpe.encode(text, parseSpecial);
        if (!addSpecial || !bpe.markers().addsBos()) {
            return ids;
        }
        int[] withBos = new int[ids.length + 1];
        withBos[0] = bpe.markers().bos();
        System.arraycopy(ids, 0, withBos, 1, ids.length);
        return withBos;
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
