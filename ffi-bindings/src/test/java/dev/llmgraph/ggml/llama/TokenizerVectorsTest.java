package dev.llmgraph.ggml.llama;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * llama.cpp's own tokenizer test vectors ({@code models/ggml-vocab-*.gguf} with {@code .inp} and {@code .out}),
 * read as {@code tests/test-tokenizer-0.cpp} reads them: inputs split on {@code \n__ggml_vocab_test__\n},
 * one line of expected ids per input, encoded with add_special = false and parse_special = false. The
 * expected ids come from the Hugging Face tokenizers the vocabularies were converted from; they must match
 * exactly. Each test name says how many cases of its vocabulary matched.
 */
class TokenizerVectorsTest {
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    record Case(String input, int[] expected, int[] actual) {
        boolean matches() {
            return Arrays.equals(expected, actual);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyVocabularyWithTestVectorsEncodesThemExactly() {
        List<Path> withVectors = LlamaSource.vocabularies().stream()
                .filter(p -> Files.exists(Path.of(p + ".inp")) && Files.exists(Path.of(p + ".out"))).toList();
        assertTrue(withVectors.size() >= 10, "llama.cpp ships test vectors for its vocabularies: " + withVectors);
        List<String> summary = new ArrayList<>();
        List<DynamicTest> tests = new ArrayList<>();
        for (Path vocabulary : withVectors) {
            String name = vocabulary.getFileName().toString().replace("ggml-vocab-", "").replace(".gguf", "");
            List<Case> cases;
            Tokenizer.Kind kind;
            try (Tokenizer tokenizer = Tokenizer.open(vocabulary)) {
                kind = tokenizer.kind();
                cases = run(tokenizer, vocabulary);
            }
            long passed = cases.stream().filter(Case::matches).count();
            String title = name + " (" + kind + "): " + passed + " of " + cases.size() + " cases match";
            summary.add(title);
            tests.add(DynamicTest.dynamicTest(title, () -> {
                List<String> failures = cases.stream().filter(c -> !c.matches()).map(c -> "'" + c.input() + "': expected "
                        + Arrays.toString(c.expected()) + ", got " + Arrays.toString(c.actual())).toList();
                assertEquals(List.of(), failures, name);
            }));
        }
        System.out.println("llama.cpp tokenizer vectors:\n  " + String.join("\n  ", summary));
        return tests.stream();
    }

    /** Splits and encodes the vectors of {@code vocabulary} as test-tokenizer-0.cpp does. */
    static List<Case> run(Tokenizer tokenizer, Path vocabulary) {
        String inputs = read(Path.of(vocabulary + ".inp"));
        List<String> outputs = read(Path.of(vocabulary + ".out")).lines().toList();
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
        assertEquals(texts.size(), outputs.size(), "inputs and expected outputs of " + vocabulary);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String line = outputs.get(i).strip();
            int[] expected = line.isEmpty() ? new int[0] : Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
            cases.add(new Case(texts.get(i), expected, tokenizer.encode(texts.get(i), false, false)));
        }
        return cases;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
