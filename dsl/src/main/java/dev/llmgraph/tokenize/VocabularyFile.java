package dev.llmgraph.tokenize;

import dev.llmgraph.ggml.gguf.GgufWriter;

/**
 * The model keys llama.cpp reads before it reads a vocabulary (its loader needs an architecture and its
 * hyperparameters even for a vocabulary-only file): a one-layer shape of a small size, and no tensors.
 * A tokenizer adds its own keys and writes the file.
 */
final class VocabularyFile {
    private VocabularyFile() {}

    /** A one-layer LLaMA shape (for BPE and Unigram vocabularies). */
    static GgufWriter llama(String name, int vocabSize) {
        GgufWriter out = new GgufWriter();
        out.putString("general.architecture", "llama");
        out.putString("general.name", name);
        out.putUint32("llama.context_length", 2048);
        out.putUint32("llama.embedding_length", 64);
        out.putUint32("llama.block_count", 1);
        out.putUint32("llama.feed_forward_length", 128);
        out.putUint32("llama.attention.head_count", 1);
        out.putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        out.putUint32("llama.vocab_size", vocabSize);
        return out;
    }

    /** A one-layer BERT shape (for WordPiece vocabularies). */
    static GgufWriter bert(String name) {
        GgufWriter out = new GgufWriter();
        out.putString("general.architecture", "bert");
        out.putString("general.name", name);
        out.putUint32("bert.context_length", 512);
        out.putUint32("bert.embedding_length", 64);
        out.putUint32("bert.block_count", 1);
        out.putUint32("bert.feed_forward_length", 128);
        out.putUint32("bert.attention.head_count", 1);
        out.putFloat32("bert.attention.layer_norm_epsilon", 1e-12f);
        out.putBool("bert.attention.causal", false);
        out.putUint32("bert.pooling_type", 1);
        return out;
    }
}
