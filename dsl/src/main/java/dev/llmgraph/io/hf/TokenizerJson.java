package dev.llmgraph.io.hf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgraph.tokenize.BpeTokenizer;
import dev.llmgraph.tokenize.BpeVocabulary;
import dev.llmgraph.tokenize.PreTokenizer;
import dev.llmgraph.tokenize.SentencePieceBpe;
import dev.llmgraph.tokenize.SentencePieceUnigram;
import dev.llmgraph.tokenize.TokenKind;
import dev.llmgraph.tokenize.WordPieceTokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Hugging Face's {@code tokenizer.json}, both ways, for BPE tokenizers of both kinds:
 * <ul>
 *   <li>byte-level ({@link BpeTokenizer}: GPT-2, Llama 3, Qwen2 and Qwen3, Phi-4, DeepSeek, OLMo, StarCoder, ...):
 *       the pre-tokenizer ({@code ByteLevel}, {@code Split}, {@code Digits}, in a {@code Sequence}), an {@code NFC}
 *       normalizer, {@code ignore_merges};</li>
 *   <li>SentencePiece-style ({@link SentencePieceBpe}: Llama 2, Mistral, TinyLlama, Phi-3): spaces as {@code ▁}
 *       with a {@code Prepend} and {@code Replace} normalizer or a {@code Metaspace} pre-tokenizer, byte fallback,
 *       the unknown token;</li>
 * </ul>
 * and for both the vocabulary, the merges, the added tokens and a beginning-of-text token from a
 * {@code TemplateProcessing} post processor. The end-of-text token is not in tokenizer.json; {@link #read} takes it
 * (and the beginning one where the post processor does not name it) from a {@code tokenizer_config.json} beside
 * it, where there is one.
 *
 * <p>{@link #readWordPiece} reads BERT's WordPiece and {@link #readUnigram} SentencePiece's Unigram (T5, XLM-RoBERTa);
 * {@link #read} refuses them in words, as it refuses any setting that would make Hugging Face encode otherwise than
 * {@link BpeVocabulary#encode}.
 */
public final class TokenizerJson {
    /** Llama 3's is 9 MiB, Gemma 3's 33 MiB. */
    static final int MAX_BYTES = 64 << 20;

    private TokenizerJson() {}

    /**
     * The tokenizer in {@code fileOrDir} (a tokenizer.json, or a folder holding one): a {@link BpeTokenizer} or a
     * {@link SentencePieceBpe}.
     */
    public static BpeVocabulary read(Path fileOrDir) {
        Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve("tokenizer.json") : fileOrDir;
        JsonNode root = parse(file);
        BpeVocabulary bpe;
        try {
            bpe = TokenizerJsonReading.tokenizer(root);
        } catch (IllegalArgumentException e) {
            throw new TokenizerJsonException(file, e.getMessage(), e);
        }
        Path config = file.resolveSibling("tokenizer_config.json");
        return Files.exists(config) ? withConfiguredMarkers(bpe, parse(config), config) : bpe;
    }

    /**
     * The BPE tokenizer of the checkpoint folder {@code dir} for its model: padded with unused tokens to the rows of
     * config.json's {@code vocab_size}, as llama.cpp's converter pads it (Qwen2: 151,665 tokens for 151,936 rows); a
     * tokenizer with more tokens than rows is refused, since it is not the model's.
     */
    public static BpeVocabulary readForModel(Path dir) {
        BpeVocabulary bpe = read(dir);
        int rows = HfConfig.read(dir).vocabSize();
        if (bpe.size() > rows) {
            throw new IllegalArgumentException(dir + ": tokenizer.json has " + bpe.size() + " tokens but config.json's "
                    + "vocab_size is " + rows + "; the model has a logit for each of at most " + rows + " tokens, so "
                    + "this tokenizer is not its own");
        }
        return bpe.size() < rows ? bpe.paddedTo(rows) : bpe;
    }

    /**
     * The WordPiece tokenizer in {@code fileOrDir} (a tokenizer.json, or a folder holding one), as BERT's: a
     * {@code BertNormalizer}, a {@code BertPreTokenizer}, continuation pieces after {@code ##}.
     */
    public static WordPieceTokenizer readWordPiece(Path fileOrDir) {
        return readOfType(fileOrDir, "WordPiece", WordPieceJson::read);
    }

    /**
     * The Unigram tokenizer in {@code fileOrDir} (a tokenizer.json, or a folder holding one), as Hugging Face converts
     * a SentencePiece model (T5, XLM-RoBERTa): [piece, score] pairs, precompiled normalisation rules, a Metaspace
     * pre-tokenizer. It encodes as SentencePiece and llama.cpp do, which is where Hugging Face does too for the forms
     * {@link #write(SentencePieceUnigram, Path)} writes (docs/tokenizers.md says where other forms differ).
     */
    public static SentencePieceUnigram readUnigram(Path fileOrDir) {
        return readOfType(fileOrDir, "Unigram", UnigramJson::read);
    }

    /** The tokenizer.json in {@code fileOrDir} read by {@code reader}, which reads tokenizers of model {@code type}. */
    private static <T> T readOfType(Path fileOrDir, String type, java.util.function.Function<JsonNode, T> reader) {
        Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve("tokenizer.json") : fileOrDir;
        JsonNode root = parse(file);
        String found = root.path("model").path("type").asText("");
        if (!found.equals(type)) {
            throw new TokenizerJsonException(file, "the model is '" + found + "', not " + type + "; read it with "
                    + switch (found) {
                        case "WordPiece" -> "TokenizerJson.readWordPiece";
                        case "Unigram" -> "TokenizerJson.readUnigram";
                        default -> "TokenizerJson.read";
                    }, null);
        }
        try {
            return reader.apply(root);
        } catch (IllegalArgumentException e) {
            throw new TokenizerJsonException(file, e.getMessage(), e);
        }
    }

    /** Writes {@code unigram} as {@code file} (a tokenizer.json), in the form Hugging Face's converter gives it. */
    public static void write(SentencePieceUnigram unigram, Path file) {
        writeJson(UnigramJson.write(unigram), file);
    }

    /** Writes {@code wordPiece} as {@code file} (a tokenizer.json), in the form Hugging Face's tokenizers library saves. */
    public static void write(WordPieceTokenizer wordPiece, Path file) {
        writeJson(WordPieceJson.write(wordPiece), file);
    }

    /**
     * The {@code model.type} of the tokenizer.json in {@code fileOrDir} ("BPE", "WordPiece", "Unigram", ...), which says
     * which reader reads it: {@link #read} "BPE", {@link #readWordPiece} "WordPiece", {@link #readUnigram} "Unigram".
     */
    public static String modelType(Path fileOrDir) {
        Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve("tokenizer.json") : fileOrDir;
        return parse(file).path("model").path("type").asText("");
    }

    /**
     * The chat template of the tokenizer in {@code dir}: its {@code chat_template.jinja} (as transformers saves it
     * since 4.43), or the {@code chat_template} of its tokenizer_config.json (a text, or a list of named templates
     * of which the one named "default"); empty where there is none.
     */
    public static Optional<String> chatTemplate(Path dir) {
        Path jinja = dir.resolve("chat_template.jinja");
        if (Files.exists(jinja)) {
            try {
                return Optional.of(Files.readString(jinja));
            } catch (IOException e) {
                throw new UncheckedIOException(jinja + ": cannot read it (" + e + ")", e);
            }
        }
        Path config = dir.resolve("tokenizer_config.json");
        JsonNode template = Files.exists(config) ? parse(config).path("chat_template") : null;
        if (template != null && template.isArray()) {
            for (JsonNode named : template) {
                if (named.path("name").asText().equals("default")) {
                    template = named.path("template");
                }
            }
        }
        return template != null && template.isTextual() ? Optional.of(template.asText()) : Optional.empty();
    }

    private static JsonNode parse(Path file) {
        String text;
        try (InputStream in = Files.newInputStream(file)) {
            text = BoundedJson.read(in, MAX_BYTES).orElseThrow(() -> new TokenizerJsonException(file, "is larger than "
                    + (MAX_BYTES >> 20) + " MiB, far more than a tokenizer needs; it is damaged or not one", null));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read it (" + e + ")", e);
        }
        try {
            JsonNode root = HfConfig.JSON.readTree(text);
            if (root == null || !root.isObject()) {
                throw new TokenizerJsonException(file, "holds no JSON object", null);
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new TokenizerJsonException(file, "is not valid JSON: " + JsonErrors.describe(e), e);
        }
    }

    /** The end-of-text token (and the beginning one, and whether it is added) named by tokenizer_config.json. */
    private static BpeVocabulary withConfiguredMarkers(BpeVocabulary bpe, JsonNode config, Path file) {
        BpeVocabulary.Markers m = bpe.markers();
        int bos = m.bos() >= 0 ? m.bos() : configuredId(bpe, config, "bos_token", file);
        int eos = configuredId(bpe, config, "eos_token", file);
        JsonNode add = config.get("add_bos_token");
        boolean addsBos = add != null && add.isBoolean() ? add.booleanValue() && bos >= 0 : m.addsBos();
        return bpe.withMarkers(new BpeVocabulary.Markers(bos, eos, addsBos));
    }

    private static int configuredId(BpeVocabulary bpe, JsonNode config, String key, Path file) {
        JsonNode token = config.get(key);
        if (token != null && token.isObject()) {
            token = token.get("content");
        }
        if (token == null || token.isNull()) {
            return -1;
        }
        int id = bpe.tokens().indexOf(token.asText());
        if (id < 0) {
            throw new TokenizerJsonException(file, key + " '" + token.asText() + "' is not a token of the "
                    + "tokenizer.json beside it", null);
        }
        return id;
    }

    /**
     * Writes {@code vocabulary} as {@code file} (a tokenizer.json), in the form Hugging Face's tokenizers library
     * saves; {@link #read} gives it back, less the unused tokens that pad it at the end ({@link BpeVocabulary#paddedTo}),
     * which a checkpoint's tokenizer.json does not hold (its config.json's vocab_size says how many rows the model
     * has). Its end-of-text token, which tokenizer.json has no place for, goes into tokenizer_config.json with
     * {@link #writeConfig}.
     */
    public static void write(BpeVocabulary vocabulary, Path file) {
        int end = vocabulary.size();   // padding after the last token is the model's, not the tokenizer's: left out
        while (end > 0 && vocabulary.kind(end - 1) == TokenKind.UNUSED) {
            end--;
        }
        ObjectNode root = HfConfig.JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int id = 0; id < end; id++) {
            if (vocabulary.kind(id) == TokenKind.SPECIAL || vocabulary.kind(id) == TokenKind.ADDED) {
                boolean special = vocabulary.kind(id) == TokenKind.SPECIAL;
                boolean normalized = !special && vocabulary instanceof BpeTokenizer;
                added.addObject().put("id", id).put("content", vocabulary.tokens().get(id)).put("single_word", false)
                        .put("lstrip", false).put("rstrip", false).put("normalized", normalized).put("special", special);
            }
        }
        ObjectNode model = switch (vocabulary) {
            case BpeTokenizer bpe -> {
                if (bpe.rules().nfc()) {
                    root.putObject("normalizer").put("type", "NFC");
                } else {
                    root.putNull("normalizer");
                }
                writePreTokenizer(bpe.rules().preTokenizer(), root);
                writePostProcessor(bpe, root);
                byteLevel(root.putObject("decoder"), true);
                yield root.putObject("model").put("type", "BPE").putNull("dropout").putNull("unk_token")
                        .putNull("continuing_subword_prefix").putNull("end_of_word_suffix").put("fuse_unk", false)
                        .put("byte_fallback", false).put("ignore_merges", bpe.rules().ignoresMerges());
            }
            case SentencePieceBpe spm -> {
                SentencePieceJson.writeNormalizerAndPreTokenizer(spm, root);
                writePostProcessor(spm, root);
                yield SentencePieceJson.writeDecoderAndModel(spm, root);
            }
        };
        // Every token, added ones too (as GPT-2's and StarCoder's files have them): the tokenizers library gives an
        // added token missing from the vocabulary a new id after it, whatever id the file gave it.
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < end; id++) {
            vocab.put(vocabulary.tokens().get(id), id);
        }
        ArrayNode merges = model.putArray("merges");
        vocabulary.merges().forEach(merges::add);
        writeJson(root, file);
    }

    /**
     * Writes the tokenizer_config.json Hugging Face reads beside a tokenizer.json: the beginning- and end-of-text
     * tokens, whether the first is added, and {@code chatTemplate} where not null.
     */
    public static void writeConfig(BpeVocabulary bpe, String chatTemplate, Path file) {
        ObjectNode root = HfConfig.JSON.createObjectNode();
        BpeVocabulary.Markers m = bpe.markers();
        root.put("add_bos_token", m.addsBos());
        if (m.bos() >= 0) {
            root.put("bos_token", bpe.tokens().get(m.bos()));
        }
        if (m.eos() >= 0) {
            root.put("eos_token", bpe.tokens().get(m.eos()));
        }
        if (chatTemplate != null) {
            root.put("chat_template", chatTemplate);
        }
        root.put("tokenizer_class", "PreTrainedTokenizerFast");
        writeJson(root, file);
    }

    private static void writePreTokenizer(PreTokenizer pre, ObjectNode root) {
        List<String> expressions = pre.expressions();
        String gpt2 = PreTokenizer.GPT2.expressions().getFirst();
        if (expressions.equals(List.of(gpt2))) {
            byteLevel(root.putObject("pre_tokenizer"), true);
            return;
        }
        ObjectNode sequence = root.putObject("pre_tokenizer").put("type", "Sequence");
        ArrayNode steps = sequence.putArray("pretokenizers");
        for (String expression : expressions) {
            ObjectNode split = steps.addObject().put("type", "Split");
            split.putObject("pattern").put("Regex", expression);
            split.put("behavior", "Isolated").put("invert", false);
        }
        byteLevel(steps.addObject(), false);
    }

    /**
     * A TemplateProcessing that puts the beginning-of-text token first where the tokenizer adds it; otherwise a
     * byte-level one's ByteLevel, or none.
     */
    private static void writePostProcessor(BpeVocabulary bpe, ObjectNode root) {
        BpeVocabulary.Markers m = bpe.markers();
        if (!m.addsBos()) {
            if (bpe instanceof BpeTokenizer) {
                byteLevel(root.putObject("post_processor"), false).put("trim_offsets", false);
            } else {
                root.putNull("post_processor");
            }
            return;
        }
        String bos = bpe.tokens().get(m.bos());
        ObjectNode post = root.putObject("post_processor").put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addAll(single.deepCopy());
        pair.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 1);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode special = post.putObject("special_tokens").putObject(bos);
        special.put("id", bos);
        special.putArray("ids").add(m.bos());
        special.putArray("tokens").add(bos);
    }

    private static ObjectNode byteLevel(ObjectNode node, boolean useRegex) {
        return node.put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true)
                .put("use_regex", useRegex);
    }

    private static void writeJson(ObjectNode root, Path file) {
        try {
            HfConfig.JSON.writeValue(file.toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write it (" + e + ")", e);
        }
    }
}
