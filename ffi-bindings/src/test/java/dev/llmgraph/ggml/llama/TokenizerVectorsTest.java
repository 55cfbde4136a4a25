package dev.llmgraph.ggml.llama;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * llama.cpp's own tokenizer test vectors ({@link TokenizerVectors}), encoded by libllama with add_special = false
 * and parse_special = false. The expected ids come from the Hugging Face tokenizers the vocabularies were
 * converted from; they must match exactly. Each test name says how many cases of its vocabulary matched.
 */
class TokenizerVectorsTest {
    record Case(String input, int[] expected, int[] actual) {
        boolean matches() {
            return Arrays.equals(expected, actual);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyVocabularyWithTestVectorsEncodesThemExactly() {
        List<Path> withVectors = LlamaSource.vocabularies().stream()
                .filter(TokenizerVectors::exist).toList();
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

    /** Encodes the vectors of {@code vocabulary} as test-tokenizer-0.cpp does. */
    static List<Case> run(Tokenizer tokenizer, Path vocabulary) {
        return TokenizerVectors.read(vocabulary).stream().map(v -> new Case(v.input(), v.expected(),
                tokenizer.encode(v.input(), false, false))).toList();
    }
}
