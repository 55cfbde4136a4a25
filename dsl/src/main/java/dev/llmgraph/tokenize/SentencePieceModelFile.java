package dev.llmgraph.tokenize;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * SentencePiece's own model file ({@code tokenizer.model}, T5's {@code spiece.model}): a protocol buffer
 * ({@code ModelProto} of sentencepiece_model.proto) of pieces (text, score, type), the trainer's settings (model
 * type, special ids, byte fallback) and the normaliser's (precompiled rules, dummy prefix, extra spaces). Read here
 * field by field ({@link ProtoWire}) into the vocabulary llmgraph encodes with: a Unigram model
 * ({@code model_type} 1) as {@link SentencePieceUnigram}, a BPE model (2: Llama 2's, Mistral's) as
 * {@link SentencePieceBpe} (merges from the scores, as {@link GgufSentencePiece} makes them); with llama.cpp's
 * defaults for what the file leaves to the caller (Unigram: {@code </s>} after a text; BPE: {@code <s>} before it).
 */
public final class SentencePieceModelFile {
    private static final int UNIGRAM = 1, BPE = 2;

    private SentencePieceModelFile() {}

    /** The SentencePiece model file of a checkpoint folder: {@code tokenizer.model}, or T5's {@code spiece.model}. */
    public static Optional<Path> in(Path dir) {
        for (String name : List.of("tokenizer.model", "spiece.model")) {
            if (Files.isRegularFile(dir.resolve(name))) {
                return Optional.of(dir.resolve(name));
            }
        }
        return Optional.empty();
    }

    /** The vocabulary in {@code file}: a {@link SentencePieceUnigram} or a {@link SentencePieceBpe}. */
    public static GgufVocabulary read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read it (" + e + ")", e);
        }
        Proto proto;
        try {
            proto = parse(bytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": is not a SentencePiece model (" + e.getMessage() + ")", e);
        }
        try {
            return of(proto);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** What a ModelProto holds that llmgraph reads; defaults as sentencepiece_model.proto gives them. */
    private static final class Proto {
        final List<String> pieces = new ArrayList<>();
        final List<Float> scores = new ArrayList<>();
        final List<Integer> types = new ArrayList<>();
        int modelType = UNIGRAM, unk = 0, bos = 1, eos = 2;
        boolean byteFallback;
        byte[] charsmap = new byte[0];
        boolean addDummyPrefix = true, removeExtraWhitespaces = true;
    }

    private static Proto parse(byte[] bytes) {
        Proto proto = new Proto();
        ProtoWire.Reader in = new ProtoWire.Reader(bytes);
        for (int tag; (tag = in.tag()) != 0; ) {
            switch (tag >>> 3) {
                case 1 -> piece(in.message(), proto);
                case 2 -> trainerSpec(in.message(), proto);
                case 3 -> normalizerSpec(in.message(), proto);
                default -> in.skip(tag);
            }
        }
        if (proto.pieces.isEmpty()) {
            throw new IllegalArgumentException("it has no pieces");
        }
        return proto;
    }

    /** {@code SentencePiece}: piece = 1, score = 2, type = 3 (NORMAL by default). */
    private static void piece(ProtoWire.Reader in, Proto proto) {
        String text = "";
        float score = 0;
        int type = 1;
        for (int tag; (tag = in.tag()) != 0; ) {
            switch (tag >>> 3) {
                case 1 -> text = in.string();
                case 2 -> score = in.fixed32Float();
                case 3 -> type = (int) in.varint();
                default -> in.skip(tag);
            }
        }
        proto.pieces.add(text);
        proto.scores.add(score);
        proto.types.add(type);
    }

    /** {@code TrainerSpec}: model_type = 3, byte_fallback = 35, unk_id = 40, bos_id = 41, eos_id = 42. */
    private static void trainerSpec(ProtoWire.Reader in, Proto proto) {
        for (int tag; (tag = in.tag()) != 0; ) {
            switch (tag >>> 3) {
                case 3 -> proto.modelType = (int) in.varint();
                case 35 -> proto.byteFallback = in.varint() != 0;
                case 40 -> proto.unk = (int) in.varint();
                case 41 -> proto.bos = (int) in.varint();
                case 42 -> proto.eos = (int) in.varint();
                default -> in.skip(tag);
            }
        }
    }

    /** {@code NormalizerSpec}: precompiled_charsmap = 2, add_dummy_prefix = 3, remove_extra_whitespaces = 4. */
    private static void normalizerSpec(ProtoWire.Reader in, Proto proto) {
        for (int tag; (tag = in.tag()) != 0; ) {
            switch (tag >>> 3) {
                case 2 -> proto.charsmap = in.bytes();
                case 3 -> proto.addDummyPrefix = in.varint() != 0;
                case 4 -> proto.removeExtraWhitespaces = in.varint() != 0;
                default -> in.skip(tag);
            }
        }
    }

    /**
     * Writes {@code unigram} as a SentencePiece model file (T5's {@code spiece.model}), which sentencepiece and
     * llama.cpp's converter read: its pieces with their scores and types (the unknown token as UNKNOWN, special ones
     * as CONTROL, added ones as USER_DEFINED), the special ids, and the normalisation rules. Unused tokens that pad
     * the vocabulary at its end are left out, as they are of tokenizer.json.
     */
    public static void write(SentencePieceUnigram unigram, Path file) {
        int end = unigram.size();
        while (end > 0 && unigram.kind(end - 1) == TokenKind.UNUSED) {
            end--;
        }
        ProtoWire.Writer model = new ProtoWire.Writer();
        for (int id = 0; id < end; id++) {
            model.message(1, new ProtoWire.Writer().string(1, unigram.tokens().get(id)).float32(2, unigram.score(id))
                    .varint(3, id == unigram.unknown() ? 2 : unigram.kind(id).llamaTokenType()));
        }
        SentencePieceUnigram.Markers markers = unigram.markers();
        model.message(2, new ProtoWire.Writer().varint(3, UNIGRAM).varint(40, unigram.unknown())
                .varint(41, markers.bos()).varint(42, markers.eos()).varint(43, -1));   // pad_id: none named
        byte[] charsmap = unigram.charsmap();
        ProtoWire.Writer normalizer = new ProtoWire.Writer().string(1, charsmap == null ? "identity" : "nmt_nfkc");
        if (charsmap != null) {
            normalizer.bytes(2, charsmap);
        }
        model.message(3, normalizer.varint(3, unigram.rules().addSpacePrefix() ? 1 : 0)
                .varint(4, unigram.rules().removeExtraWhitespaces() ? 1 : 0).varint(5, 1));
        try {
            Files.write(file, model.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write it (" + e + ")", e);
        }
    }

    private static GgufVocabulary of(Proto proto) {
        int n = proto.pieces.size();
        List<TokenKind> kinds = new ArrayList<>(n);
        float[] scores = new float[n];
        for (int id = 0; id < n; id++) {
            kinds.add(TokenKind.ofLlamaTokenType(proto.types.get(id), id));
            scores[id] = proto.scores.get(id);
        }
        int bos = proto.bos < n ? proto.bos : -1, eos = proto.eos < n ? proto.eos : -1;
        return switch (proto.modelType) {
            case UNIGRAM -> new SentencePieceUnigram(proto.pieces, kinds, scores,
                    new SentencePieceUnigram.Rules(proto.addDummyPrefix, proto.removeExtraWhitespaces),
                    proto.charsmap.length == 0 ? null : proto.charsmap, proto.unk,
                    new SentencePieceUnigram.Markers(bos, eos, false, eos >= 0));
            case BPE -> {
                if (proto.charsmap.length > 0 || proto.removeExtraWhitespaces) {
                    throw new IllegalArgumentException("the BPE model has normalisation rules ("
                            + (proto.charsmap.length > 0 ? "a precompiled map" : "extra spaces removed") + "), which "
                            + "llama.cpp's SentencePiece BPE does not apply; llmgraph reads BPE models with identity "
                            + "normalisation, as Llama 2's and Mistral's");
                }
                yield new SentencePieceBpe(proto.pieces, kinds, GgufSentencePiece.merges(proto.pieces, kinds, scores),
                        new SentencePieceBpe.Rules(proto.addDummyPrefix ? SentencePieceBpe.Prefix.PREPEND
                                : SentencePieceBpe.Prefix.NONE, proto.byteFallback, proto.unk),
                        new BpeVocabulary.Markers(bos, eos, bos >= 0));
            }
            default -> throw new IllegalArgumentException("the model type is " + proto.modelType + "; llmgraph reads "
                    + "SentencePiece's Unigram (1) and BPE (2) models");
        };
    }
}
