package dev.llmgraph.ggml;

/** A native ggml call reported a failure (a status code or a null result), described in words. */
public final class GgmlException extends RuntimeException {
    public GgmlException(String message) {
        super(message);
    }
}
