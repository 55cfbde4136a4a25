package dev.llmgraph.ggml.llama;

import dev.llmgraph.ggml.gguf.GgufWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Writes a tiny {@code llama}-architecture model with random F32 weights that llama.cpp loads: the minimal
 * metadata and tensor set its loader needs (see {@link LlamaReference}). Shapes are in ggml order.
 *
 * @param vocabulary how the file describes its tokenizer
 */
record TinyLlamaGguf(int vocabSize, int dModel, int layers, int heads, int kvHeads, int ffnDim, int contextLength,
                     float ropeTheta, float normEps, Vocabulary vocabulary) {

    enum Vocabulary {
        /** {@code tokenizer.ggml.model = none} and {@code llama.vocab_size}: token ids only, no text. */
        NONE,
        /** GPT-2 style byte-level BPE: one token per byte (ids 0-255), no merges, filler tokens above. */
        BYTES
    }

    /** 2 layers, width 32, 4 heads sharing 2 KV heads (GQA), FFN 64, 256 byte tokens plus 8. */
    static TinyLlamaGguf small(Vocabulary vocabulary) {
        return new TinyLlamaGguf(264, 32, 2, 4, 2, 64, 128, 10000f, 1e-5f, vocabulary);
    }

    TinyLlamaGguf withVocabSize(int vocabSize) {
        return new TinyLlamaGguf(vocabSize, dModel, layers, heads, kvHeads, ffnDim, contextLength, ropeTheta, normEps,
                vocabulary);
    }

    /** The metadata alone, for tests that change one key. */
    GgufWriter metadata() {
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "llama")
                .putString("general.name", "tiny-random-llama")
                .putUint32("llama.context_length", contextLength)
                .putUint32("llama.embedding_length", dModel)
                .putUint32("llama.block_count", layers)
                .putUint32("llama.feed_forward_length", ffnDim)
                .putUint32("llama.attention.head_count", heads)
                .putUint32("llama.attention.head_count_kv", kvHeads)
                .putFloat32("llama.rope.freq_base", ropeTheta)
                .putFloat32("llama.attention.layer_norm_rms_epsilon", normEps);
        if (vocabulary == Vocabulary.NONE) {
            w.putString("tokenizer.ggml.model", "none").putUint32("llama.vocab_size", vocabSize);
        } else {
            w.putString("tokenizer.ggml.model", "gpt2")
                    .putStrings("tokenizer.ggml.tokens", byteLevelTokens(vocabSize))
                    .putStrings("tokenizer.ggml.merges", List.of());
        }
        return w;
    }

    /** Writes the model with weights drawn from {@code seed}. */
    Path write(Path file, long seed) {
        Random random = new Random(seed);
        GgufWriter w = metadata();
        int headDim = dModel / heads;
        w.addTensor("token_embd.weight", gaussian(random, dModel * vocabSize, 0.5), dModel, vocabSize);
        for (int layer = 0; layer < layers; layer++) {
            String block = "blk." + layer + ".";
            w.addTensor(block + "attn_norm.weight", aroundOne(random, dModel), dModel);
            w.addTensor(block + "attn_q.weight", gaussian(random, dModel * dModel, 0.2), dModel, heads * headDim);
            w.addTensor(block + "attn_k.weight", gaussian(random, dModel * kvHeads * headDim, 0.2), dModel, kvHeads * headDim);
            w.addTensor(block + "attn_v.weight", gaussian(random, dModel * kvHeads * headDim, 0.2), dModel, kvHeads * headDim);
            w.addTensor(block + "attn_output.weight", gaussian(random, heads * headDim * dModel, 0.2), heads * headDim, dModel);
            w.addTensor(block + "ffn_norm.weight", aroundOne(random, dModel), dModel);
            w.addTensor(block + "ffn_gate.weight", gaussian(random, dModel * ffnDim, 0.2), dModel, ffnDim);
            w.addTensor(block + "ffn_up.weight", gaussian(random, dModel * ffnDim, 0.2), dModel, ffnDim);
            w.addTensor(block + "ffn_down.weight", gaussian(random, ffnDim * dModel, 0.2), ffnDim, dModel);
        }
        w.addTensor("output_norm.weight", aroundOne(random, dModel), dModel);
        w.addTensor("output.weight", gaussian(random, dModel * vocabSize, 0.2), dModel, vocabSize);
        w.write(file);
        return file;
    }

    private static float[] gaussian(Random random, int n, double scale) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextGaussian() * scale);
        }
        return values;
    }

    private static float[] aroundOne(Random random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (1 + 0.1 * random.nextGaussian());
        }
        return values;
    }

    /**
     * GPT-2's byte-to-character table: printable bytes stand for themselves, the others for characters from
     * U+0100 on, so that every byte is one visible character. Token i &lt; 256 is byte i; the rest are fillers.
     */
    static List<String> byteLevelTokens(int vocabSize) {
        if (vocabSize < 256) {
            throw new IllegalArgumentException("a byte-level vocabulary needs at least 256 tokens, not " + vocabSize);
        }
        List<String> tokens = new ArrayList<>(vocabSize);
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            tokens.add(String.valueOf((char) (printable ? b : 256 + shifted++)));
        }
        for (int i = 256; i < vocabSize; i++) {
            tokens.add("<|filler_" + i + "|>");
        }
        return tokens;
    }
}
