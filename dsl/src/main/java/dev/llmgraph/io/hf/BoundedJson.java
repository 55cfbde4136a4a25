package dev.llmgraph.io.hf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * JSON text read with a ceiling on its size, so that a hostile or damaged file (a gigabyte of whitespace, a
 * device that never ends) is refused after reading at most the ceiling, never held in memory whole.
 */
public final class BoundedJson {
    /** config.json files are a few kilobytes; shard indexes of the largest checkpoints a few megabytes. */
    public static final int MAX_BYTES = 16 << 20;

    private BoundedJson() {}

    /** The text of {@code in}, or empty when it holds more than {@code limit} bytes (then at most limit + 1 are read). */
    public static Optional<String> read(InputStream in, int limit) throws IOException {
        byte[] buffer = new byte[Math.min(limit + 1, 64 << 10)];
        int filled = 0;
        for (int n; (n = in.read(buffer, filled, buffer.length - filled)) > 0; ) {
            filled += n;
            if (filled > limit) {
                return Optional.empty();
            }
            if (filled == buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.min(limit + 1, buffer.length * 2));
            }
        }
        return Optional.of(new String(buffer, 0, filled, StandardCharsets.UTF_8));
    }

    /**
     * The text of {@code file}, or the words of why not: {@code what} (e.g. "the config") names the file's role
     * in the message of a file too large to be one.
     */
    public static String read(Path file, String what, java.util.function.Function<String, RuntimeException> refusal) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, MAX_BYTES).orElseThrow(() -> refusal.apply(tooLarge(what)));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read " + what + " (" + e + ")", e);
        }
    }

    /** The message for a text over {@link #MAX_BYTES}. */
    public static String tooLarge(String what) {
        return "is larger than " + (MAX_BYTES >> 20) + " MiB, far more than " + what + " needs; it is damaged or "
                + "not " + what;
    }
}
