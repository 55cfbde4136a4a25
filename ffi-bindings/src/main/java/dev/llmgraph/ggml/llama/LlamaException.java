package dev.llmgraph.ggml.llama;

/** llama.cpp reported a failure (a model it cannot load, a context it cannot create, a batch it cannot decode). */
public final class LlamaException extends RuntimeException {
    public LlamaException(String message) {
        super(message);
    }
}
