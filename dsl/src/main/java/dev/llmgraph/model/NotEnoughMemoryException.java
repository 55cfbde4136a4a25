package dev.llmgraph.model;

/**
 * A model's weights or a session's KV cache would not fit in the memory this machine has available. Thrown
 * before anything is allocated, with the sizes and the ways out (a smaller weight type, a tiny preset, a shorter
 * context), instead of a failed native allocation or a process the system kills.
 */
public final class NotEnoughMemoryException extends RuntimeException {
    public NotEnoughMemoryException(String message) {
        super(message);
    }
}
