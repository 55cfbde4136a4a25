package dev.llmgraph.shell;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The default imports, which a session applies as one snippet (see {@link ShellSession#IMPORTS_KEY}). */
class ShellSessionTest {
    private static SnippetOutcome eval(ShellSession session, String source) {
        return session.eval(new SourceSnippet(source, 0, 1, source.length(), true), "cell [1]");
    }

    private static String value(SnippetOutcome outcome) {
        return assertInstanceOf(SnippetOutcome.Completed.class, outcome, outcome::toString).value().object().toString();
    }

    @Test
    void importingTheFirstDefaultAgainKeepsTheOthers() {
        try (ShellSession session = ShellSession.start(Locations.CELL, List.of())) {
            assertEquals(List.of(), session.startupProblems());
            // java.io.* is the first of DefaultImports.statements(): were it the snippet's name, this would replace
            // the whole snippet and take java.util.* and llmgraph's imports with it.
            assertInstanceOf(SnippetOutcome.Completed.class, eval(session, "import java.io.*;"));

            assertEquals("[q8_0] File", value(eval(session,
                    "new ArrayList<>(List.of(GgmlType.Q8_0)) + \" \" + File.class.getSimpleName()")));
            // completion sees the imports after the snippet's first one too (java.util.regex.Pattern)
            assertTrue(session.analysis().completionSuggestions("Pattern.comp", 12, new int[1]).stream()
                    .anyMatch(s -> s.continuation().equals("compile(")), "Pattern.compile( is suggested");
        }
    }

    @Test
    void anImportThatDoesNotCompileIsNamedAndTheOthersStillApply() {
        try (ShellSession session = ShellSession.start(Locations.CELL, List.of("import no.such.place.*;"))) {
            assertEquals(List.of("import no.such.place.*; failed: package no.such.place does not exist"),
                    session.startupProblems());
            assertEquals("3", value(eval(session, "Stream.of(GgmlType.F32, GgmlType.F16, GgmlType.Q4_0).count()")));
        }
    }

    @Test
    void restatedImportsLetSignaturesNameImportedTypesSimply() {
        try (ShellSession session = ShellSession.start(Locations.CELL, List.of())) {
            assertEquals("java.util.List<dev.llmgraph.ggml.Device> Backend.devices()", signature(session,
                    "Backend.devices("), "the packages in one snippet: JShell knows that snippet's first import only");

            session.restateImports();

            assertEquals("List<dev.llmgraph.ggml.Device> Backend.devices()", signature(session, "Backend.devices("));
        }
    }

    @Test
    void aCellsImportOfAnotherTypeByADefaultsNameReplacesTheDefault() {
        try (ShellSession session = ShellSession.start(Locations.CELL, List.of("import java.time.Duration;"))) {
            assertInstanceOf(SnippetOutcome.Completed.class, eval(session, "import javax.xml.datatype.Duration;"));
            assertEquals("javax.xml.datatype.Duration", value(eval(session, "Duration.class.getName()")));

            session.restateImports();

            assertEquals("javax.xml.datatype.Duration", value(eval(session, "Duration.class.getName()")));
        }
    }

    private static String signature(ShellSession session, String code) {
        return session.analysis().documentation(code, code.length(), false).getFirst().signature();
    }
}
