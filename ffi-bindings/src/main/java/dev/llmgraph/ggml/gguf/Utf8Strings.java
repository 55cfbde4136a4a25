package dev.llmgraph.ggml.gguf;

import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * The strings of a GGUF string array as the file stores them, each decoded from UTF-8 when it is read: an immutable
 * list that costs one byte array and one int array however many strings it holds. {@code prefixes[i]} is where
 * string {@code i}'s 8-byte length starts in {@code bytes}, and {@code prefixes[size]} is the end of the last string.
 */
final class Utf8Strings extends AbstractList<String> implements RandomAccess {
    private static final int LENGTH_BYTES = 8;

    private final byte[] bytes;
    private final int[] prefixes;

    Utf8Strings(byte[] bytes, int[] prefixes) {
        this.bytes = bytes;
        this.prefixes = prefixes;
    }

    @Override
    public String get(int index) {
        java.util.Objects.checkIndex(index, size());
        int start = prefixes[index] + LENGTH_BYTES;
        return new String(bytes, start, prefixes[index + 1] - start, StandardCharsets.UTF_8);
    }

    @Override
    public int size() {
        return prefixes.length - 1;
    }
}
