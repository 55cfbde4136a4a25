package dev.llmgraph.ggml;

/** A native library or symbol that llmgraph needs is missing; the message says what to run to get it. */
public final class NativeLibraryException extends RuntimeException {
    public NativeLibraryException(String message) {
        super(message);
    }

    public NativeLibraryException(String message, Throwable cause) {
        super(message, cause);
    }
}
