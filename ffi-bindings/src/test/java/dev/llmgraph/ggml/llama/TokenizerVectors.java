package dev.llmgraph.ggml.llama;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * llama.cpp's tokenizer test vectors for a vocabulary ({@code models/ggml-vocab-X.gguf.inp} and {@code .out}),
 * read as {@code tests/test-tokenizer-0.cpp} reads them: inputs split on {@code \n__ggml_vocab_test__\n}, one
 * line of expected ids per input, for encoding with add_special = false and parse_special = false. The expected
 * ids come from the Hugging Face tokenizers the vocabularies were converted from.
 */
public final class TokenizerVectors {
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    /** One input and the ids Hugging Face encodes it into. */
    public record Vector(String input, int[] expected) {}

    private TokenizerVectors() {}

    /** Whether {@code vocabulary} has vectors beside it. */
    public static boolean exist(Path vocabulary) {
        return Files.exists(Path.of(vocabulary + ".inp")) && Files.exists(Path.of(vocabulary + ".out"));
    }

    /** The vectors of {@code vocabulary}, in file order. */
    public static List<Vector> read(Path vocabulary) {
        String inputs = readText(Path.of(vocabulary + ".inp"));
        List<String> outputs = readText(Path.of(vocabulary + ".out")).lines().toList();
        List<String> texts = new ArrayList<>();
        int position = 0;
        while (position < inputs.length()) {
            int next = inputs.indexOf(SEPARATOR, position);
            if (next < 0) {
                texts.add(inputs.substring(position));
                break;
            }
            texts.add(inputs.substring(position, next));
            position = next + SEPARATOR.length();
        }
        if (texts.size() != outputs.size()) {
            throw new IllegalStateException(vocabulary + ": " + texts.size() + " inputs but " + outputs.size()
                    + " lines of expected ids");
        }
        List<Vector> vectors = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String line = outputs.get(i).strip();
            int[] expected = line.isEmpty() ? new int[0]
                    : Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
            vectors.add(new Vector(texts.get(i), expected));
        }
        return vectors;
    }

    private static String readText(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
