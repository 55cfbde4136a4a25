package dev.llmgraph.ggml.gguf;

/**
 * A GGUF file could not be read or written as asked: it is malformed, truncated, lacks a key, holds a value
 * of another type than asked for, or a tensor does not fit its target. The message names the file, the key
 * or tensor involved, and what was wrong.
 */
public final class GgufException extends RuntimeException {
    public GgufException(String message) {
        super(message);
    }

    public GgufException(String message, Throwable cause) {
        super(message, cause);
    }
}
