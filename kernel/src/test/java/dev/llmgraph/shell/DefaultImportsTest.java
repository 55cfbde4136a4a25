package dev.llmgraph.shell;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DefaultImportsTest {
    @Test
    void llmgraphImportsAreTheLinesOfTheDslsImportsFile() throws Exception {
        Path file = Path.of(System.getProperty("basedir")).getParent()
                .resolve("dsl/src/main/resources/META-INF/llmgraph/imports.txt");
        List<String> lines = Files.readAllLines(file).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();

        assertEquals(lines, DefaultImports.llmgraphImports());
    }

    @Test
    void statementsStartWithJShellsDefaultsAndEndWithLlmgraphs() {
        List<String> statements = DefaultImports.statements();

        assertEquals("import java.io.*;", statements.getFirst());
        assertTrue(statements.contains("import java.util.stream.*;"), statements::toString);
        assertEquals("import " + DefaultImports.llmgraphImports().getLast() + ";", statements.getLast());
    }
}
